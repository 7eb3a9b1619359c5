"""Per-operation Lambda behaviour layered on moto: guards before, lifecycle fields after."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.sim import capacity, shapes, validation
from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.jsondata import JSONObject, as_object, object_at, objects_at, parse, str_map_at
from lambdawait.sim.lifecycle import LATEST, FunctionRecord, Lifecycle, new_revision
from lambdawait.sim.wire import (
    Reply,
    SimError,
    alias_not_found,
    as_aws_error,
    invalid_parameter,
    precondition_failed,
)

if TYPE_CHECKING:
    from moto.awslambda.models import LambdaFunction


@dataclass
class Call:
    """One Lambda request: its botocore operation name, URI parameters, body and region."""

    operation: str
    params: dict[str, str]
    query: dict[str, str]
    body: bytes
    region: str
    headers: dict[str, str]
    forward: Callable[[bytes], Reply]

    def json_body(self) -> JSONObject:
        if not self.body:
            return {}
        found = as_object(parse(self.body))
        if found is None:
            raise invalid_parameter("The request body must be a JSON object.")
        return found


@dataclass
class Context:
    lifecycle: Lifecycle
    rng: random.Random


Handler = Callable[[Context, Call], Reply]


def split_ref(raw: str) -> tuple[str, str | None]:
    """'name', 'name:qual', a full or partial ARN -> (name, qualifier or None)."""
    if ":function:" in raw:
        raw = raw.split(":function:", 1)[1]
    name, _, qualifier = raw.partition(":")
    return name, qualifier or None


def _record(ctx: Context, call: Call) -> FunctionRecord | None:
    name, _ = split_ref(call.params.get("FunctionName", ""))
    return ctx.lifecycle.get(call.region, name)


def _check_revision(given: object, current: str) -> None:
    if given is not None and given != current:
        raise precondition_failed()


def _patch_one(ctx: Context, rec: FunctionRecord | None, config: JSONObject) -> None:
    """Our lifecycle fields over moto's, then the configuration in AWS's shape (in place)."""
    if rec is None:
        shapes.configuration(config, None, "")
        return
    version = str(config.get("Version", LATEST))
    ver = rec.versions.get(version)
    status = rec.status if version == LATEST or ver is None else ver.status
    status.patch(config)
    shapes.configuration(config, moto.function(rec.region, rec.name, version), rec.region)
    capacity.patch(config, ctx.lifecycle.behaviour(rec))


def function_arn(region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{moto.ACCOUNT_ID}:function:{name}"


# --- every operation ---------------------------------------------------------------------


def dispatch(ctx: Context, call: Call, handler: Handler | None) -> Reply:
    """One Lambda call: the ARN checks AWS makes first, the handler (or moto), AWS's reply shapes."""
    raw_forward = call.forward
    call.forward = lambda payload: as_aws_error(raw_forward(payload))
    _check_arn(call)
    reply = handler(ctx, call) if handler is not None else call.forward(call.body)
    finish = _FINISH.get(call.operation)
    return finish(reply) if finish is not None and reply.status < 300 else reply


def _check_arn(call: Call) -> None:
    """A function ARN naming another region or account is refused, as AWS does."""
    raw = call.params.get("FunctionName", "")
    if ":function:" not in raw:
        return
    prefix = raw.split(":function:", 1)[0].split(":")
    region = prefix[3] if len(prefix) >= 5 else None
    account = prefix[-1]
    if region is not None and region != call.region:
        raise SimError(
            404,
            "ResourceNotFoundException",
            f"Functions from '{region}' are not reachable in this region ('{call.region}')",
        )
    if account != moto.ACCOUNT_ID:
        action = "lambda:" + _IAM_ACTIONS.get(call.operation, call.operation)
        raise SimError(
            403,
            "AccessDeniedException",
            f"User: arn:aws:sts::{moto.ACCOUNT_ID}:user/moto is not authorized to perform: {action} "
            f"on resource: {raw} because no resource-based policy allows the {action} action",
        )


_IAM_ACTIONS = {"Invoke": "InvokeFunction"}


def _alias_reply(reply: Reply) -> Reply:
    # moto answers GetAlias and UpdateAlias 201; AWS answers 200 (201 is CreateAlias's alone).
    return Reply(200, reply.with_json(shapes.alias(reply.json_object())).body, reply.headers)


def _aliases_reply(reply: Reply) -> Reply:
    data = reply.json_object()
    data["Aliases"] = [shapes.alias(alias) for alias in objects_at(data, "Aliases")]
    return reply.with_json(data)


def _no_content(reply: Reply) -> Reply:
    return Reply(204, b"", [(k, v) for k, v in reply.headers if k.lower() != "content-type"])


_FINISH: dict[str, Callable[[Reply], Reply]] = {
    "GetAlias": _alias_reply,
    "UpdateAlias": _alias_reply,
    "ListAliases": _aliases_reply,
    "DeleteAlias": _no_content,
}


# --- reads -------------------------------------------------------------------------------


def get_function(ctx: Context, call: Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    data = reply.json_object()
    _patch_one(ctx, _record(ctx, call), object_at(data, "Configuration"))
    return reply.with_json(data)


def get_function_configuration(ctx: Context, call: Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    data = reply.json_object()
    _patch_one(ctx, _record(ctx, call), data)
    return reply.with_json(data)


def list_versions_by_function(ctx: Context, call: Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    data = reply.json_object()
    rec = _record(ctx, call)
    for config in objects_at(data, "Versions"):
        _patch_one(ctx, rec, config)
    return reply.with_json(data)


def list_functions(ctx: Context, call: Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    data = reply.json_object()
    for config in objects_at(data, "Functions"):
        _patch_one(ctx, ctx.lifecycle.get(call.region, str(config["FunctionName"])), config)
    return reply.with_json(data)


# --- function mutations ------------------------------------------------------------------


def create_function(ctx: Context, call: Call) -> Reply:
    body = call.json_body()
    validation.function_request(body)
    validation.subnets(body, call.region)
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    config = reply.json_object()
    name = str(config["FunctionName"])
    arn = ":".join(str(config["FunctionArn"]).split(":")[:7])  # drop any qualifier
    now = ctx.lifecycle.clock()
    rec = ctx.lifecycle.create(call.region, name, arn, str_map_at(body, "Tags"), now)
    version = str(config.get("Version", LATEST))
    _remember(call.region, name, body, version)
    if version != LATEST:
        _register_publish(ctx, rec, version, now)
    rec.status.patch(config)
    shapes.configuration(config, moto.latest(call.region, name), call.region)
    return reply.with_json(config)


def _remember(region: str, name: str, body: JSONObject, version: str) -> None:
    """Keep the request's settings moto does not model on $LATEST (and on a version published with it)."""
    given: moto.Extras = {}
    if "Environment" in body:
        given["EnvironmentGiven"] = True
    logging = as_object(body.get("LoggingConfig"))
    if logging is not None:
        given["LoggingConfig"] = logging
    snapstart = as_object(body.get("SnapStart"))
    if snapstart is not None:
        given["SnapStart"] = snapstart
    targets = {LATEST, version}  # a version published with the call was copied before we got here
    for fn in (moto.function(region, name, qualifier) for qualifier in targets):
        if fn is not None and given:
            moto.set_extras(fn, given)


def _register_publish(ctx: Context, rec: FunctionRecord, version: str, now: float) -> None:
    fn = moto.latest(rec.region, rec.name)
    snapstart = fn is not None and moto.extras(fn).get("SnapStart", {}).get("ApplyOn") == "PublishedVersions"
    ctx.lifecycle.publish(rec, version, now, snapstart=snapstart)
    rec.published_fingerprint = moto.fingerprint(fn) if fn is not None else None


def _guarded_latest(ctx: Context, call: Call) -> tuple[FunctionRecord, LambdaFunction, JSONObject] | None:
    """$LATEST of a known function, its request body, after Lambda's busy and RevisionId checks.

    None when the simulator does not track the function: moto answers (e.g. its 404).
    """
    rec = _record(ctx, call)
    fn = moto.latest(call.region, rec.name) if rec is not None else None
    if rec is None or fn is None:
        return None
    body = call.json_body()
    Lifecycle.check_mutable(rec)
    _check_revision(body.get("RevisionId"), rec.status.revision_id)
    return rec, fn, body


def update_function(ctx: Context, call: Call) -> Reply:
    """UpdateFunctionCode and UpdateFunctionConfiguration share every rule."""
    validation.function_request(call.json_body())
    guarded = _guarded_latest(ctx, call)
    if guarded is None:
        return call.forward(call.body)
    rec, fn, body = guarded
    _check_package_type(fn, body)
    validation.subnets(body, call.region)
    if body.get("DryRun"):
        return get_function_configuration(ctx, call)
    restore = moto.snapshot(fn)
    previous_code = moto.code_bytes(fn)
    reply = call.forward(call.body)
    if reply.status >= 300:
        restore()  # moto may have half-applied a change it then rejected
        return reply
    now = ctx.lifecycle.clock()
    ctx.lifecycle.begin_update(rec, now, restore)
    moto.touch(fn, shapes.now())
    # Until the update completes, invokes still run the previous code (as AWS does).
    rec.serving_code = previous_code
    version = str(reply.json_object().get("Version", LATEST))
    _remember(call.region, rec.name, body, version)
    if version != LATEST:
        _register_publish(ctx, rec, version, now)
    # Read again: moto answered before the new LastModified and the settings kept beside it.
    config = moto.configuration(moto.function(call.region, rec.name, version))
    _patch_one(ctx, rec, config)
    return reply.with_json(config)


def _check_package_type(fn: LambdaFunction, body: JSONObject) -> None:
    if moto.package_type(fn) == "Image" and ("ZipFile" in body or "S3Bucket" in body):
        raise invalid_parameter("Please provide ImageUri when updating a function with packageType Image.")


def publish_version(ctx: Context, call: Call) -> Reply:
    guarded = _guarded_latest(ctx, call)
    if guarded is None:
        return call.forward(call.body)
    rec, fn, body = guarded
    wanted = body.get("CodeSha256")
    current = moto.code_sha256(fn)
    if wanted is not None and wanted != current:
        raise invalid_parameter(
            f"CodeSHA256 ({wanted}) is different from current CodeSHA256 in $LATEST "
            f"({current}). Please try again with the CodeSHA256 in $LATEST."
        )
    if rec.versions and moto.fingerprint(fn) == rec.published_fingerprint:
        # Nothing changed since the last publish: AWS hands back that version.
        last = max(rec.versions, key=int)
        existing = moto.version(call.region, rec.name, last)
        if existing is not None:
            config = moto.configuration(existing)
            _patch_one(ctx, rec, config)
            return Reply.json(201, config)
    moto.force_publish(fn)
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    config = reply.json_object()
    _register_publish(ctx, rec, str(config["Version"]), ctx.lifecycle.clock())
    _patch_one(ctx, rec, config)
    return reply.with_json(config)


def tag_resource(ctx: Context, call: Call) -> Reply:
    name, _ = split_ref(call.params.get("Resource", ""))
    rec = ctx.lifecycle.get(call.region, name)
    if rec is not None and call.operation == "TagResource":
        Lifecycle.check_mutable(rec)
    reply = call.forward(call.body)
    if rec is not None and reply.status < 300:
        rec.status.revision_id = new_revision()
    return reply


def delete_function(ctx: Context, call: Call) -> Reply:
    name, qualifier = split_ref(call.params.get("FunctionName", ""))
    reply = call.forward(call.body)
    if reply.status < 300:
        ctx.lifecycle.forget(call.region, name, qualifier or call.query.get("Qualifier"))
    return reply


# --- aliases -----------------------------------------------------------------------------


def create_alias(ctx: Context, call: Call) -> Reply:
    name, _ = split_ref(call.params.get("FunctionName", ""))
    body = call.json_body()
    validation.alias_name(str(body.get("Name", "")))
    arn = function_arn(call.region, name)
    validation.routing(call.region, arn, body.get("FunctionVersion"), body.get("RoutingConfig"))
    reply = call.forward(call.body)
    return reply.with_json(shapes.alias(reply.json_object())) if reply.status < 300 else reply


def update_alias(ctx: Context, call: Call) -> Reply:
    name, _ = split_ref(call.params.get("FunctionName", ""))
    alias_name = call.params.get("Name", "")
    alias = moto.alias(call.region, name, alias_name)
    if alias is None:
        if moto.latest(call.region, name) is None:
            return call.forward(call.body)  # moto's "Function not found"
        raise alias_not_found(f"{function_arn(call.region, name)}:{alias_name}")
    body = call.json_body()
    _check_revision(body.get("RevisionId"), moto.alias_revision(alias))
    primary = body.get("FunctionVersion") or moto.alias_version(alias)
    routing = body.get("RoutingConfig")
    current = moto.alias_routing(alias) if routing is None else routing
    validation.routing(call.region, function_arn(call.region, name), primary, current)
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    revision_id = new_revision()
    moto.set_alias_revision(alias, revision_id)
    data = reply.json_object()
    data["RevisionId"] = revision_id
    return reply.with_json(data)
