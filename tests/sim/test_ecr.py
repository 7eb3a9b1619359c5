"""The simulated ECR: layer uploads kept by digest and served, so an image config can be read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdawait.aws.images import check_architecture, resolve
from lambdawait.core.errors import UsageError

pytestmark = pytest.mark.timeout(30)


def _push(ecr: Any, repo: str, config: dict[str, Any], tag: str) -> str:
    """What `docker push` does: upload the config blob, then put the manifest naming it."""
    data = json.dumps(config).encode()
    upload = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(
        repositoryName=repo, uploadId=upload, partFirstByte=0, partLastByte=len(data) - 1, layerPartBlob=data
    )
    digest = ecr.complete_layer_upload(repositoryName=repo, uploadId=upload, layerDigests=["x"])[
        "layerDigest"
    ]
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": len(data),
            "digest": digest,
        },
        "layers": [
            {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1, "digest": digest}
        ],
    }
    ecr.put_image(repositoryName=repo, imageManifest=json.dumps(manifest), imageTag=tag)
    return str(digest)


def test_a_single_platform_image_is_checked_through_its_config(lambda_sim: Any) -> None:
    ecr = lambda_sim.client("ecr")
    uri = ecr.create_repository(repositoryName="app")["repository"]["repositoryUri"]
    _push(ecr, "app", {"architecture": "arm64", "os": "linux"}, "arm")
    image = resolve(ecr, f"{uri}:arm")
    assert image.architectures == ("arm64",)
    with pytest.raises(UsageError, match="built for arm64"):
        check_architecture(image, "x86_64")

    _push(ecr, "app", {"architecture": "amd64", "os": "linux"}, "x86")
    assert resolve(ecr, f"{uri}:x86").architectures == ("x86_64",)


def test_an_unknown_layer_is_not_found(lambda_sim: Any) -> None:
    ecr = lambda_sim.client("ecr")
    ecr.create_repository(repositoryName="app")
    with pytest.raises(ecr.exceptions.LayersNotFoundException):
        ecr.get_download_url_for_layer(repositoryName="app", layerDigest="sha256:" + "0" * 64)
