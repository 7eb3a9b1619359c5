"""Image functions backed by moto's ECR (same port): tags resolve to the pushed image's digest.

When the repository named by an ImageUri exists in the simulated ECR, Lambda's view follows it as
AWS's does: CreateFunction/UpdateFunctionCode refuse an image that is not there, CodeSha256 is the
image digest, and Code.ResolvedImageUri is REPO@sha256:DIGEST (also for a URI given by digest).
An ImageUri whose repository was never created keeps moto's stub (a hash of the URI), so
recordings that never pushed an image still replay. An image function's failure codes
(ImageDeleted, ImageAccessDenied, InvalidImage) come from the scenario's create/update reasons.
"""

from __future__ import annotations

import re

from lambdawait.sim import handlers
from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.jsondata import JSONObject, object_at, parse_object, str_at
from lambdawait.sim.wire import Reply, invalid_parameter

_URI = re.compile(r"[^/]+/(?P<repo>[^:@]+)(?::(?P<tag>[^@]+)|@(?P<digest>sha256:[0-9a-f]+))?")


def _image(region: str, uri: str) -> moto.EcrImage | None:
    """The ECR image the URI names; None when its repository is not in the simulated ECR."""
    m = _URI.fullmatch(uri)
    if m is None:
        return None
    image_id = (
        {"imageDigest": m.group("digest")} if m.group("digest") else {"imageTag": m.group("tag") or "latest"}
    )
    images = moto.ecr_images(region, m.group("repo"), image_id)
    if images is None:
        return None
    if not images:
        raise invalid_parameter(f"Source image {uri} does not exist. Provide a valid source image.")
    return images[0]


def _pin(region: str, name: str, image: moto.EcrImage, config: JSONObject) -> None:
    """CodeSha256 is the image digest, on $LATEST and in the reply."""
    digest = image.digest.removeprefix("sha256:")
    fn = moto.latest(region, name)
    if fn is not None:
        try:
            size = object_at(parse_object(image.manifest), "config").get("size", 0)
            code_size = int(size) if isinstance(size, (int, float, str)) else 0
        except ValueError:
            code_size = 0
        moto.set_image_code(fn, digest, code_size)
    config["CodeSha256"] = digest


def _with_image(call: handlers.Call, uri: object, run: handlers.Handler, ctx: handlers.Context) -> Reply:
    image = _image(call.region, uri) if isinstance(uri, str) else None
    reply = run(ctx, call)
    if image is None or reply.status >= 300:
        return reply
    config = reply.json_object()
    _pin(call.region, str(config["FunctionName"]), image, config)
    return reply.with_json(config)


def create_function(ctx: handlers.Context, call: handlers.Call) -> Reply:
    uri = object_at(call.json_body(), "Code").get("ImageUri")
    return _with_image(call, uri, handlers.create_function, ctx)


def update_function_code(ctx: handlers.Context, call: handlers.Call) -> Reply:
    return _with_image(call, call.json_body().get("ImageUri"), handlers.update_function, ctx)


def get_function(ctx: handlers.Context, call: handlers.Call) -> Reply:
    """moto builds ResolvedImageUri by cutting the URI at its first ':' (wrong for a digest)."""
    reply = handlers.get_function(ctx, call)
    if reply.status >= 300:
        return reply
    data = reply.json_object()
    code = object_at(data, "Code")
    uri = code.get("ImageUri")
    if isinstance(uri, str):
        m = _URI.fullmatch(uri)
        if m is not None:
            registry = uri.split("/", 1)[0]
            sha = str_at(object_at(data, "Configuration"), "CodeSha256") or ""
            code["ResolvedImageUri"] = f"{registry}/{m.group('repo')}@sha256:{sha}"
            return reply.with_json(data)
    return reply


HANDLERS: dict[str, handlers.Handler] = {
    "CreateFunction": create_function,
    "UpdateFunctionCode": update_function_code,
    "GetFunction": get_function,
}
