"""Container images: pin a tag to its digest through ECR, and check the image's architecture.

Lambda resolves an image tag to a digest when the function is created or updated and keeps
running that digest: a later push to the same tag is not what runs, and deploying the same tag
again looks like "no change". So `deploy --image-uri REPO:TAG` asks ECR for the digest first and
deploys `REPO@sha256:...`. An image built for the other architecture fails only at the first
invoke ("exec format error"): its platform (from the manifest list / image index, or the image
config) is checked against the function's architecture before any change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lambdawait.core.errors import UsageError, client_error_code, client_error_message, translate_client_error
from lambdawait.core.responses import mapping
from lambdawait.core.spec import FunctionSpec

if TYPE_CHECKING:
    from http.client import HTTPResponse

    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecr.type_defs import ImageIdentifierTypeDef

_URI = re.compile(
    r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[a-z0-9._/-]+?)(?::(?P<tag>[\w.-]+)|@(?P<digest>sha256:[0-9a-f]{64}))?"
)
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
# Image platforms in Go's terms; Lambda's architecture names.
_LAMBDA_ARCH = {"amd64": "x86_64", "arm64": "arm64"}


@dataclass(frozen=True)
class ImageRef:
    """An ECR image URI taken apart."""

    account: str
    region: str
    repository: str
    registry: str
    tag: str | None
    digest: str | None

    @property
    def repository_uri(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def image_id(self) -> ImageIdentifierTypeDef:
        return {"imageDigest": self.digest} if self.digest else {"imageTag": self.tag or "latest"}


@dataclass(frozen=True)
class ResolvedImage:
    """What ECR says an image URI is: its digest, and the architectures it was built for."""

    given: str
    pinned: str  # REPO@sha256:...
    digest: str
    architectures: tuple[str, ...]  # Lambda's names; empty when the manifest does not say


def parse(uri: str) -> ImageRef:
    m = _URI.fullmatch(uri.strip())
    if m is None:
        raise UsageError(
            f"--image-uri {uri!r} is not an ECR image URI",
            hint="ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG (or @sha256:DIGEST)",
        )
    registry = uri.strip().split("/", 1)[0]
    tag = m.group("tag") or (None if m.group("digest") else "latest")
    return ImageRef(m.group("account"), m.group("region"), m.group("repo"), registry, tag, m.group("digest"))


def resolve(ecr: ECRClient, uri: str) -> ResolvedImage:
    """Ask ECR for the image's digest and manifest (one BatchGetImage, read-only)."""
    import botocore.exceptions

    ref = parse(uri)
    try:
        answer = ecr.batch_get_image(
            registryId=ref.account,
            repositoryName=ref.repository,
            imageIds=[ref.image_id],
            acceptedMediaTypes=[*INDEX_TYPES, *MANIFEST_TYPES],
        )
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "RepositoryNotFoundException":
            raise _not_found(uri, client_error_message(exc)) from exc
        raise translate_client_error(exc, action=f"reading image {uri} from ECR") from exc
    images = answer.get("images") or []
    if not images:
        failures = answer.get("failures") or []
        reason = failures[0].get("failureReason") if failures else None
        raise _not_found(uri, str(reason or "image not found"))
    image = images[0]
    digest = str(image["imageId"]["imageDigest"])
    manifest = image.get("imageManifest") or "{}"
    archs = architectures(manifest) or config_architectures(ecr, ref, manifest)
    return ResolvedImage(
        given=uri, pinned=f"{ref.repository_uri}@{digest}", digest=digest, architectures=archs
    )


def config_architectures(ecr: ECRClient, ref: ImageRef, manifest_text: str) -> tuple[str, ...]:
    """A single-platform image's architecture, from its config blob (a layer download from ECR);
    nothing when it cannot be read (then the image is not checked)."""
    import urllib.request

    try:
        digest = mapping(_json(manifest_text).get("config")).get("digest")
        if not digest:
            return ()
        url = ecr.get_download_url_for_layer(
            registryId=ref.account, repositoryName=ref.repository, layerDigest=str(digest)
        )["downloadUrl"]
        if not str(url).startswith(("https://", "http://")):
            return ()
        # For an http(s) URL urlopen answers an HTTPResponse (typeshed leaves its result untyped).
        opened: HTTPResponse = urllib.request.urlopen(url, timeout=10)
        with opened as answer:
            body = answer.read(1_000_000)
        blob = _json(body)
    except Exception:
        return ()  # a config we cannot read is no reason to refuse the deploy
    arch = _LAMBDA_ARCH.get(str(blob.get("architecture")))
    return (arch,) if arch else ()


def _json(text: str | bytes) -> Mapping[str, object]:
    """A JSON document's top-level object (ValueError when the text is not JSON)."""
    document: object = json.loads(text)
    return mapping(document)


def _not_found(uri: str, why: str) -> UsageError:
    return UsageError(
        f"image {uri} is not in ECR: {why}",
        hint="push it first (docker push), or check the repository, tag and region",
    )


def architectures(manifest_text: str) -> tuple[str, ...]:
    """The Lambda architectures an image index/manifest list names in its platform entries.

    Attestation entries ("unknown/unknown", as buildx pushes) are not images. A single-platform
    manifest names none: its platform is in the image config, which ECR serves as a layer blob.
    """
    try:
        manifest = _json(manifest_text)
    except ValueError:
        return ()
    found = []
    entries = manifest.get("manifests")
    for entry in entries if isinstance(entries, list) else []:
        platform = mapping(mapping(entry).get("platform"))
        arch = _LAMBDA_ARCH.get(str(platform.get("architecture")))
        if arch and platform.get("os", "linux") == "linux" and arch not in found:
            found.append(arch)
    config_platform = mapping(mapping(manifest.get("config")).get("platform"))
    config_arch = _LAMBDA_ARCH.get(str(config_platform.get("architecture")))
    if config_arch and config_arch not in found:
        found.append(config_arch)
    return tuple(found)


def check_architecture(image: ResolvedImage, architecture: str) -> None:
    """An image built only for the other architecture is refused (exit 2), before any change."""
    if not image.architectures or architecture in image.architectures:
        return
    built = ", ".join(image.architectures)
    platform = "linux/amd64" if architecture == "x86_64" else "linux/arm64"
    other = image.architectures[0]
    raise UsageError(
        f"image {image.given} is built for {built} but the function runs on {architecture}: "
        "Lambda would fail at the first invoke (exec format error)",
        hint=f"rebuild with `docker buildx build --platform {platform}` and push, "
        f"or deploy with --architecture {other}",
        details={"imageArchitectures": list(image.architectures), "functionArchitecture": architecture},
    )


def pin(
    ecr: ECRClient, spec: FunctionSpec, current_architecture: str | None, say: Callable[[str], None]
) -> FunctionSpec:
    """The spec with its image tag replaced by the digest ECR resolves it to, after the
    architecture check; a digest given is used as is (still checked)."""
    if spec.code is None or spec.code.kind != "image" or not spec.code.image_uri:
        return spec
    image = resolve(ecr, spec.code.image_uri)
    check_architecture(image, spec.architecture or current_architecture or "x86_64")
    if image.pinned != spec.code.image_uri:
        say(f"image {image.given} is {image.pinned}: deploying the digest (Lambda pins it anyway)")
    return replace(spec, code=replace(spec.code, image_uri=image.pinned))
