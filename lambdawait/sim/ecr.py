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
import json
import weakref
from typing import Any

from lambdawait.sim.lifecycle import Lifecycle
from lambdawait.sim.wire import Reply

BLOB_PATH = "/_sim/ecr-blob/"
_TARGET = "AmazonEC2ContainerRegistry_V20150921."
_BLOBS: weakref.WeakKeyDictionary[Lifecycle, dict[str, bytes]] = weakref.WeakKeyDictionary()


def _blobs(lifecycle: Lifecycle) -> dict[str, bytes]:
    return _BLOBS.setdefault(lifecycle, {})


def intercept(lifecycle: Lifecycle, environ: dict[str, Any], region: str) -> Reply | None:
    """An ECR request this module answers (or notes before moto answers it); None: moto's alone."""
    action = str(environ.get("HTTP_X_AMZ_TARGET", "")).removeprefix(_TARGET)
    if action not in ("CompleteLayerUpload", "GetDownloadUrlForLayer"):
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
    request = json.loads(body or b"{}")
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
    host = environ.get("HTTP_HOST", "127.0.0.1")
    return Reply.json(200, {"downloadUrl": f"http://{host}{BLOB_PATH}{digest}", "layerDigest": digest})


def _keep_upload(lifecycle: Lifecycle, region: str, request: dict[str, Any]) -> None:
    from moto.ecr.models import ecr_backends

    from lambdawait.sim import moto_bridge as moto

    try:
        repository = ecr_backends[moto.ACCOUNT_ID][region]._get_repository(str(request.get("repositoryName")))
        upload = repository.uploads.get(str(request.get("uploadId")))
    except Exception:
        return  # moto answers the error itself
    if upload is not None:
        data = bytes(upload.layer_parts)
        _blobs(lifecycle)["sha256:" + hashlib.sha256(data).hexdigest()] = data


def blob(lifecycle: Lifecycle, path: str) -> Reply:
    data = _blobs(lifecycle).get(path.removeprefix(BLOB_PATH))
    if data is None:
        return Reply(404, b"NoSuchKey", [("Content-Type", "text/plain")])
    return Reply(200, data, [("Content-Type", "application/octet-stream")])
