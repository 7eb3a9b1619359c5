"""Container images: URIs, the architectures a manifest names, the architecture check."""

from __future__ import annotations

import json

import pytest

from lambdawait.aws.images import ResolvedImage, architectures, check_architecture, parse
from lambdawait.core.errors import UsageError

REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app"
DIGEST = "sha256:" + "c" * 64


def test_parse_tag_digest_and_default_tag() -> None:
    tagged = parse(f"{REPO}:v1")
    assert (tagged.repository, tagged.tag, tagged.digest) == ("team/app", "v1", None)
    assert tagged.image_id == {"imageTag": "v1"}
    pinned = parse(f"{REPO}@{DIGEST}")
    assert (pinned.tag, pinned.image_id) == (None, {"imageDigest": DIGEST})
    assert parse(REPO).tag == "latest"
    with pytest.raises(UsageError, match="not an ECR image URI"):
        parse("docker.io/library/alpine:3")


def _index(*platforms: tuple[str, str]) -> str:
    entries = [{"digest": DIGEST, "platform": {"os": os, "architecture": arch}} for os, arch in platforms]
    return json.dumps({"mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries})


def test_architectures_from_an_index_skip_attestations() -> None:
    assert architectures(_index(("linux", "arm64"), ("unknown", "unknown"))) == ("arm64",)
    assert architectures(_index(("linux", "amd64"), ("linux", "arm64"))) == ("x86_64", "arm64")
    assert architectures(json.dumps({"config": {"digest": DIGEST}, "layers": []})) == ()
    assert architectures("not json") == ()
    # JSON that is not an object (a truncated or foreign answer) says nothing about the platform.
    assert architectures("[1, 2]") == () and architectures('{"manifests": "x", "config": 3}') == ()


def test_check_refuses_the_other_architecture_with_the_fix() -> None:
    arm = ResolvedImage(f"{REPO}:v1", f"{REPO}@{DIGEST}", DIGEST, ("arm64",))
    with pytest.raises(UsageError, match="built for arm64 but the function runs on x86_64") as info:
        check_architecture(arm, "x86_64")
    assert "--platform linux/amd64" in (info.value.hint or "")
    check_architecture(arm, "arm64")
    check_architecture(ResolvedImage(REPO, REPO, DIGEST, ()), "x86_64")  # unknown: not refused
