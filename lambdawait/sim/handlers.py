"""Per-operation Lambda behaviour layered on moto: guards before, lifecycle fields after."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.lifecycle import LATEST, FunctionRecord, Lifecycle, new_revision
from lambdawait.sim.wire import (
    Reply,
    invalid_parameter,
    not_found,
    precondition_failed,
    validation,
)

ALIAS_PATTERN = "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"


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

    def json_body(self) -> dict[str, Any]:
        if not self.body:
            return {}
        data = json.loads(self.body)
        if not isinstance(data, dict):
            raise invalid_parameter("The request body must be a JSON object.")
        return data


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


def _check_revision(given: Any, current: str) -> None:
    if given is not None and given != current:
        raise precondition_failed()


def _patch_one(ctx: Context, rec: FunctionRecord | None, config: dict[str, Any]) -> None:
    if rec is None:
        return
    version = str(config.get("Version", LATEST))
    ver = rec.versions.get(version)
    status = rec.status if version == LATEST or ver is None else ver.status
    status.patch(config)


# --- reads -------------------------------------------------------------------------------


def get_function(ctx: Context, call: Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    data = reply.data()
    _patch_one(ctx, _record(ctx, call), data["Configuration"])
    return reply.with_json(data)


def get_function_configuration(ctx: Context, call: Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    data = reply.data()
    _patch_one(ctx, _record(ctx, call), data)
    return reply.with_json(data)


def list_versions_by_function(ctx: Context, call: Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    data = reply.data()
    rec = _record(ctx, call)
    for config in data.get("Versions", []):
        _patch_one(ctx, rec, config)
    return reply.with_json(data)


def list_functions(ctx: Context, call: Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    data = reply.data()
    for config in data.get("Functions", []):
        _patch_one(ctx, ctx.lifecycle.get(call.region, config["FunctionName"]), config)
    return reply.with_json(data)


# --- function mutations ------------------------------------------------------------------


def create_function(ctx: Context, call: Call) -> Reply:
    body = call.json_body()
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    config = reply.data()
    name = config["FunctionName"]
    arn = ":".join(str(config["FunctionArn"]).split(":")[:7])  # drop any qualifier
    now = ctx.lifecycle.clock()
    rec = ctx.lifecycle.create(call.region, name, arn, body.get("Tags") or {}, now)
    version = str(config.get("Version", LATEST))
    if version != LATEST:
        _register_publish(ctx, rec, version, now)
    rec.status.patch(config)
    return reply.with_json(config)


def _register_publish(ctx: Context, rec: FunctionRecord, version: str, now: float) -> None:
    ctx.lifecycle.publish(rec, version, now)
    fn = moto.latest(rec.region, rec.name)
    rec.published_fingerprint = moto.fingerprint(fn) if fn is not None else None


def _guarded_latest(ctx: Context, call: Call) -> tuple[FunctionRecord, Any, dict[str, Any]] | None:
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
    guarded = _guarded_latest(ctx, call)
    if guarded is None:
        return call.forward(call.body)
    rec, fn, body = guarded
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
    # Until the update completes, invokes still run the previous code (as AWS does).
    rec.serving_code = previous_code
    config = reply.data()
    version = str(config.get("Version", LATEST))
    if version != LATEST:
        _register_publish(ctx, rec, version, now)
    _patch_one(ctx, rec, config)
    return reply.with_json(config)


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
            f"({current}). Please try again with the current CodeSHA256."
        )
    if rec.versions and moto.fingerprint(fn) == rec.published_fingerprint:
        # Nothing changed since the last publish: AWS hands back that version.
        last = max(rec.versions, key=int)
        existing = moto.version(call.region, rec.name, last)
        if existing is not None:
            config = moto.configuration(existing)
            rec.versions[last].status.patch(config)
            return Reply.json(201, config)
    moto.force_publish(fn)
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    config = reply.data()
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
    alias_name = str(body.get("Name", ""))
    if not re.fullmatch(ALIAS_PATTERN, alias_name) or len(alias_name) > 128:
        raise validation(
            alias_name, "name", f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"
        )
    _validate_routing(call.region, name, body.get("FunctionVersion"), body.get("RoutingConfig"))
    return call.forward(call.body)


def update_alias(ctx: Context, call: Call) -> Reply:
    name, _ = split_ref(call.params.get("FunctionName", ""))
    alias = moto.alias(call.region, name, call.params.get("Name", ""))
    if alias is None:
        return call.forward(call.body)
    body = call.json_body()
    _check_revision(body.get("RevisionId"), alias.revision_id)
    primary = body.get("FunctionVersion") or alias.function_version
    routing = body.get("RoutingConfig")
    _validate_routing(call.region, name, primary, alias.routing_config if routing is None else routing)
    reply = call.forward(call.body)
    if reply.status >= 300:
        return reply
    alias.revision_id = new_revision()
    data = reply.data()
    data["RevisionId"] = alias.revision_id
    return reply.with_json(data)


def _validate_routing(region: str, name: str, primary: Any, routing: Any) -> None:
    """The checks AWS makes on an alias's AdditionalVersionWeights."""
    fn = moto.latest(region, name)
    if fn is None:
        return  # moto answers ResourceNotFoundException itself
    arn = fn.function_arn
    primary = str(primary) if primary is not None else None
    if primary not in (None, LATEST) and moto.version(region, name, primary) is None:
        raise not_found(f"{arn}:{primary}")
    weights = (routing or {}).get("AdditionalVersionWeights") or {}
    if not weights:
        return
    if len(weights) > 1:
        raise invalid_parameter(
            f"Number of items in AdditionalVersionWeights ({len(weights)}) exceeds the "
            "maximum of 1: an alias can point to at most 2 versions."
        )
    ((extra, weight),) = weights.items()
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
        raise validation(
            str(weight),
            f"routingConfig.additionalVersionWeights.{extra}",
            "Member must have value less than or equal to 1.0 and greater than or equal to 0.0",
        )
    if LATEST in (extra, primary):
        raise invalid_parameter("$LATEST is not supported for an alias pointing to more than 1 version")
    if extra == primary:
        raise invalid_parameter(
            f"Invalid function version {extra}: the additional version must be different "
            f"from the alias's primary version {primary}."
        )
    other = moto.version(region, name, str(extra))
    if other is None:
        raise not_found(f"{arn}:{extra}")
    first = moto.version(region, name, primary) if primary else None
    if first is not None and moto.role(first) != moto.role(other):
        raise invalid_parameter("Specified versions must be associated with the same execution role")
