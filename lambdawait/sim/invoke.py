"""Invoke without Docker: lifecycle gates, weighted alias routing and scenario-chosen results."""

from __future__ import annotations

import fnmatch
import io
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.handlers import Call, Context, split_ref
from lambdawait.sim.jsondata import as_object, is_number, parse
from lambdawait.sim.lifecycle import LATEST, FunctionRecord, Lifecycle
from lambdawait.sim.scenario import InvokeRule
from lambdawait.sim.wire import CONFLICT_PREFIX, Reply, SimError, conflict_state, not_found

if TYPE_CHECKING:
    from moto.awslambda.models import LambdaFunction

SIM_FILE = "lambdawait-sim.json"


@dataclass(frozen=True)
class Result:
    payload: object  # any JSON value
    function_error: str | None = None


def invoke(ctx: Context, call: Call) -> Reply:
    name, qualifier = split_ref(call.params.get("FunctionName", ""))
    qualifier = qualifier or call.query.get("Qualifier") or LATEST
    rec = ctx.lifecycle.get(call.region, name)
    fn = moto.latest(call.region, name)
    if rec is None or fn is None:
        raise not_found(moto_arn(call.region, name))
    now = ctx.lifecycle.clock()
    if rec.status.state == "Inactive":
        ctx.lifecycle.reactivate(rec, now)
        raise _inactive_error(fn)
    Lifecycle.check_invocable(rec.status)
    executed = _executed_version(ctx, rec, qualifier)
    if executed != LATEST:
        Lifecycle.check_invocable(ctx.lifecycle.status_of(rec, executed))
    rec.last_used = now
    result = _result(ctx, rec, executed)
    headers = [("X-Amz-Executed-Version", executed)]
    invocation_type = call.headers.get("x-amz-invocation-type", "RequestResponse")
    if invocation_type == "Event":
        return Reply(202, b"", headers)
    if invocation_type == "DryRun":
        return Reply(204, b"", headers)
    if result.function_error:
        headers.append(("X-Amz-Function-Error", result.function_error))
    return Reply.json(200, result.payload, headers)


def invoke_async(ctx: Context, call: Call) -> Reply:
    """The deprecated InvokeAsync: accepted (202) when an Invoke would be; never runs Docker."""
    call.headers["x-amz-invocation-type"] = "Event"
    invoke(ctx, call)
    return Reply.json(202, {"Status": 202})


def moto_arn(region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{moto.ACCOUNT_ID}:function:{name}"


def _inactive_error(fn: LambdaFunction) -> SimError:
    # AWS: a VPC function answers ResourceNotReadyException (502); others fail like any
    # not-ready function, with the state named. Either way the invoke wakes the function up.
    if moto.has_vpc(fn):
        return SimError(
            502,
            "ResourceNotReadyException",
            f"{CONFLICT_PREFIX} The function is currently in the following state: Inactive",
            kind="Service",
        )
    return conflict_state("Inactive")


def _executed_version(ctx: Context, rec: FunctionRecord, qualifier: str) -> str:
    if qualifier == LATEST:
        return LATEST
    if qualifier.isdigit():
        if qualifier not in rec.versions:
            raise not_found(f"{rec.arn}:{qualifier}")
        return qualifier
    alias = moto.alias(rec.region, rec.name, qualifier)
    if alias is None:
        raise not_found(f"{rec.arn}:{qualifier}")
    primary = moto.alias_version(alias)
    for extra, weight in moto.alias_weights(alias).items():
        # One weighted draw per invoke, as AWS routes each request independently.
        # (UpdateAlias admits only numbers as weights: anything else never gets here.)
        if ctx.rng.random() < (float(weight) if is_number(weight) else 0.0):
            return str(extra)
    return primary


def _result(ctx: Context, rec: FunctionRecord, executed: str) -> Result:
    if executed == LATEST:
        fn = moto.latest(rec.region, rec.name)
        code = rec.serving_code if rec.serving_code is not None else moto.code_bytes(fn)
    else:
        code = moto.code_bytes(moto.version(rec.region, rec.name, executed))
    from_zip = result_from_zip(code)
    if from_zip is not None:
        return from_zip
    rules = ctx.lifecycle.behaviour(rec).invoke
    return result_from_rules(rules, executed) or Result(
        {"ok": True, "function": rec.name, "version": executed}
    )


def result_from_zip(code: bytes) -> Result | None:
    """A lambdawait-sim.json at the zip root travels with the code into every version."""
    if not code:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            if SIM_FILE not in archive.namelist():
                return None
            raw = archive.read(SIM_FILE)
    except zipfile.BadZipFile:
        return None
    try:
        spec = as_object(parse(raw))
        if spec is None:
            raise ValueError("not an object")
    except ValueError as exc:
        return Result(
            {"errorMessage": f"{SIM_FILE} is not a JSON object: {exc}", "errorType": "SimError"},
            "Unhandled",
        )
    error = spec.get("function_error")
    return Result(spec.get("payload"), str(error) if error else None)


def result_from_rules(rules: tuple[InvokeRule, ...], executed: str) -> Result | None:
    for rule in rules:
        if fnmatch.fnmatchcase(executed, rule.version):
            return Result(rule.payload, rule.function_error)
    return None
