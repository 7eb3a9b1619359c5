"""The simulated ECR's layer downloads: what moto lacks to read an image's config blob.

moto's ECR takes layer uploads (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload) but
keeps only their sizes, and does not implement GetDownloadUrlForLayer. Here a completed upload's
bytes are kept by digest, GetDownloadUrlForLayer answers a URL on this same server, and that URL
serves the bytes, as ECR's presigned S3 URLs do. So a client can read an image config's
`architecture`, as it would from ECR.
"""

from __future__ import annotations

import hashlib
import io
import weakref
from typing import TYPE_CHECKING

from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.jsondata import JSONObject, parse_object
from lambdawait.sim.lifecycle import Lifecycle
from lambdawait.sim.wire import Reply, environ_str, read_body

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

BLOB_PATH = "/_sim/ecr-blob/"
_TARGET = "AmazonEC2ContainerRegistry_V20150921."
_BLOBS: weakref.WeakKeyDictionary[Lifecycle, dict[str, bytes]] = weakref.WeakKeyDictionary()


def _blobs(lifecycle: Lifecycle) -> dict[str, bytes]:
    return _BLOBS.setdefault(lifecycle, {})


def intercept(lifecycle: Lifecycle, environ: WSGIEnvironment, region: str) -> Reply | None:
    """An ECR request this module answers (or notes before moto answers it); None: moto's alone."""
    action = environ_str(environ, "HTTP_X_AMZ_TARGET").removeprefix(_TARGET)
    if action not in ("CompleteLayerUpload", "GetDownloadUrlForLayer"):
        return None
    body = read_body(environ)
    environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
    request = parse_object(body)
    if action == "CompleteLayerUpload":
        _keep_upload(lifecycle, region, request)
        return None
    digest = str(request.get("layerDigest", ""))
    if digest not in _blobs(lifecycle):
        return Reply.json(
            400,
            {"__type": "LayersNotFoundException", "message": f"The layer {digest} does not exist."},
            [("x-amzn-ErrorType", "LayersNotFoundException")],
        )
    host = environ_str(environ, "HTTP_HOST", "127.0.0.1")
    return Reply.json(200, {"downloadUrl": f"http://{host}{BLOB_PATH}{digest}", "layerDigest": digest})


def _keep_upload(lifecycle: Lifecycle, region: str, request: JSONObject) -> None:
    data = moto.ecr_upload(region, str(request.get("repositoryName")), str(request.get("uploadId")))
    if data is not None:  # else moto answers the error itself
        _blobs(lifecycle)["sha256:" + hashlib.sha256(data).hexdigest()] = data


def blob(lifecycle: Lifecycle, path: str) -> Reply:
    data = _blobs(lifecycle).get(path.removeprefix(BLOB_PATH))
    if data is None:
        return Reply(404, b"NoSuchKey", [("Content-Type", "text/plain")])
    return Reply(200, data, [("Content-Type", "application/octet-stream")])
