"""Provisioned concurrency: Put/Get/Delete/List configs that allocate over time, as AWS's do.

A config answers IN_PROGRESS until `provisioned_seconds` (per function rule) have passed, then
READY, or FAILED with `provisioned_reason` when the scenario says so (`provisioned_outcome`, or
`provisioned_fail_on`: the Nth allocation of the function, counting Puts and alias changes).
Every change of an alias's version or routing reallocates its capacity between the versions:
its config is IN_PROGRESS again for `provisioned_seconds`. A deleted alias takes its config along.
Errors and texts follow the recordings (test_provisioned_concurrency_exceptions, _lifecycle).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from lambdawait.sim import handlers, shapes
from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.lifecycle import LATEST, Lifecycle
from lambdawait.sim.wire import Reply, SimError, constraint, invalid_parameter, not_found, validation_errors

if TYPE_CHECKING:
    from moto.awslambda.models import LambdaAlias
    from mypy_boto3_lambda.type_defs import ProvisionedConcurrencyConfigListItemTypeDef

NO_CONFIG = "No Provisioned Concurrency Config found for this function"
ALIAS_ON_PROVISIONED_VERSION = (
    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version"
)
VERSION_UNDER_ALIAS = "Version is pointed by a Provisioned Concurrency alias"


@dataclass
class Config:
    """One config: what was asked, when its (re)allocation settles, and how it ends."""

    requested: int
    due: float
    fails: bool
    reason: str
    last_modified: str
    allocated_before: int = 0  # capacity already there while a reallocation runs

    def status(self, now: float) -> Literal["IN_PROGRESS", "FAILED", "READY"]:
        if now < self.due:
            return "IN_PROGRESS"
        return "FAILED" if self.fails else "READY"

    def allocated(self, now: float) -> int:
        """What is allocated now: all once READY, else what the previous allocation left."""
        return self.requested if self.status(now) == "READY" else self.allocated_before

    def shape(self, now: float) -> ProvisionedConcurrencyConfigListItemTypeDef:
        status = self.status(now)
        allocated = self.allocated(now)
        out: ProvisionedConcurrencyConfigListItemTypeDef = {
            "RequestedProvisionedConcurrentExecutions": self.requested,
            "AvailableProvisionedConcurrentExecutions": allocated,
            "AllocatedProvisionedConcurrentExecutions": allocated,
            "Status": status,
            "LastModified": self.last_modified,
        }
        if status == "FAILED":
            out["StatusReason"] = self.reason
        return out


@dataclass
class Store:
    """Every config of one simulator, keyed (region, function, qualifier)."""

    configs: dict[tuple[str, str, str], Config] = field(default_factory=dict)
    allocations: dict[tuple[str, str], int] = field(default_factory=dict)


_STORES: weakref.WeakKeyDictionary[Lifecycle, Store] = weakref.WeakKeyDictionary()


def store(lifecycle: Lifecycle) -> Store:
    return _STORES.setdefault(lifecycle, Store())


def _allocate(ctx: handlers.Context, region: str, name: str, requested: int, before: int) -> Config:
    """A new allocation: its ordinal (per function) decides whether the scenario fails it."""
    lifecycle = ctx.lifecycle
    rec = lifecycle.get(region, name)
    b = lifecycle.behaviour(rec) if rec is not None else lifecycle.scenario.defaults
    s = store(lifecycle)
    ordinal = s.allocations.get((region, name), 0) + 1
    s.allocations[(region, name)] = ordinal
    fails = b.provisioned_outcome == "failed" or ordinal in b.provisioned_fail_on
    now = lifecycle.clock()
    return Config(requested, now + b.provisioned_seconds, fails, b.provisioned_reason, shapes.now(), before)


def _target(call: handlers.Call) -> tuple[str, str, LambdaAlias | None]:
    """(function, qualifier, alias or None) after AWS's checks, in AWS's order and wording."""
    name, in_name = handlers.split_ref(call.params.get("FunctionName", ""))
    qualifier = call.query.get("Qualifier") or in_name or ""
    arn = handlers.function_arn(call.region, name)
    if qualifier == LATEST:
        if call.operation == "PutProvisionedConcurrencyConfig":
            raise invalid_parameter(
                "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
            )
        raise invalid_parameter("The function resource provided must be an alias or a published version.")
    if qualifier.isdigit():
        if moto.version(call.region, name, qualifier) is None:
            raise not_found(f"{arn}:{qualifier}")
        return name, qualifier, None
    alias = moto.alias(call.region, name, qualifier)
    if alias is None:
        raise SimError(404, "ResourceNotFoundException", f"Cannot find alias arn: {arn}:{qualifier}")
    return name, qualifier, alias


def _alias_versions(region: str, name: str, alias: LambdaAlias) -> set[str]:
    return {moto.alias_version(alias), *moto.alias_weights(alias)}


def put(ctx: handlers.Context, call: handlers.Call) -> Reply:
    body = call.json_body()
    amount = body.get("ProvisionedConcurrentExecutions")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise validation_errors(
            [
                constraint(
                    str(amount),
                    "provisionedConcurrentExecutions",
                    "Member must have value greater than or equal to 1",
                )
            ]
        )
    name, qualifier, alias = _target(call)
    s = store(ctx.lifecycle)
    region = call.region
    if alias is not None:
        if any((region, name, v) in s.configs for v in _alias_versions(region, name, alias)):
            raise SimError(409, "ResourceConflictException", ALIAS_ON_PROVISIONED_VERSION)
    else:
        for other in _provisioned_aliases(s, region, name):
            if qualifier in _alias_versions(region, name, other):
                raise SimError(409, "ResourceConflictException", VERSION_UNDER_ALIAS)
    old = s.configs.get((region, name, qualifier))
    before = old.allocated(ctx.lifecycle.clock()) if old else 0
    config = _allocate(ctx, region, name, amount, before)
    s.configs[(region, name, qualifier)] = config
    return Reply.json(202, config.shape(ctx.lifecycle.clock()))


def _provisioned_aliases(s: Store, region: str, name: str) -> list[LambdaAlias]:
    found = []
    for (r, n, q), _config in s.configs.items():
        if r == region and n == name and not q.isdigit():
            alias = moto.alias(region, name, q)
            if alias is not None:
                found.append(alias)
    return found


def get(ctx: handlers.Context, call: handlers.Call) -> Reply:
    name, qualifier, _ = _target(call)
    config = store(ctx.lifecycle).configs.get((call.region, name, qualifier))
    if config is None:
        raise SimError(404, "ProvisionedConcurrencyConfigNotFoundException", NO_CONFIG)
    return Reply.json(200, config.shape(ctx.lifecycle.clock()))


def delete(ctx: handlers.Context, call: handlers.Call) -> Reply:
    name, qualifier, _ = _target(call)
    store(ctx.lifecycle).configs.pop((call.region, name, qualifier), None)
    return Reply(204)  # also when there was none, as AWS answers


def list_configs(ctx: handlers.Context, call: handlers.Call) -> Reply:
    name, _ = handlers.split_ref(call.params.get("FunctionName", ""))
    if moto.latest(call.region, name) is None:
        raise not_found(handlers.function_arn(call.region, name))
    now = ctx.lifecycle.clock()
    arn = handlers.function_arn(call.region, name)
    configs: list[ProvisionedConcurrencyConfigListItemTypeDef] = [
        {"FunctionArn": f"{arn}:{q}", **config.shape(now)}
        for (r, n, q), config in sorted(store(ctx.lifecycle).configs.items())
        if r == call.region and n == name
    ]
    return Reply.json(200, {"ProvisionedConcurrencyConfigs": configs})


# --- hooks on alias and function changes ---------------------------------------------------


def update_alias(ctx: handlers.Context, call: handlers.Call) -> Reply:
    """UpdateAlias, then: a provisioned alias reallocates its capacity between its versions."""
    reply = handlers.update_alias(ctx, call)
    if reply.status >= 300:
        return reply
    name, _ = handlers.split_ref(call.params.get("FunctionName", ""))
    key = (call.region, name, call.params.get("Name", ""))
    s = store(ctx.lifecycle)
    old = s.configs.get(key)
    if old is not None:
        before = old.allocated(ctx.lifecycle.clock())
        s.configs[key] = _allocate(ctx, call.region, name, old.requested, before)
    return reply


def delete_alias(ctx: handlers.Context, call: handlers.Call) -> Reply:
    reply = call.forward(call.body)
    if reply.status < 300:
        name, _ = handlers.split_ref(call.params.get("FunctionName", ""))
        store(ctx.lifecycle).configs.pop((call.region, name, call.params.get("Name", "")), None)
    return reply


def delete_function(ctx: handlers.Context, call: handlers.Call) -> Reply:
    reply = handlers.delete_function(ctx, call)
    if reply.status < 300:
        name, qualifier = handlers.split_ref(call.params.get("FunctionName", ""))
        qualifier = qualifier or call.query.get("Qualifier")
        s = store(ctx.lifecycle)
        for key in [k for k in s.configs if k[:2] == (call.region, name)]:
            if qualifier in (None, LATEST) or key[2] == qualifier:
                del s.configs[key]
    return reply


HANDLERS: dict[str, handlers.Handler] = {
    "PutProvisionedConcurrencyConfig": put,
    "GetProvisionedConcurrencyConfig": get,
    "DeleteProvisionedConcurrencyConfig": delete,
    "ListProvisionedConcurrencyConfigs": list_configs,
    "UpdateAlias": update_alias,
    "DeleteAlias": delete_alias,
    "DeleteFunction": delete_function,
}
