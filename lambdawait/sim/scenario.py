"""Scenario files: how each simulated function behaves (timings, outcomes, invoke results, faults)."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lambdawait.sim.cd_rollout import Settings as CodeDeploySettings
from lambdawait.sim.cd_rollout import parse_settings as parse_codedeploy
from lambdawait.sim.jsondata import as_mapping, as_sequence, is_number
from lambdawait.sim.tables import ScenarioError as ScenarioError
from lambdawait.sim.tables import (
    operations,
    ordinal_list,
    ordinals_by_operation,
    rate,
    reject_unknown,
    replaced,
    seconds,
    table_of,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CREATE_OUTCOMES = ("active", "failed")
UPDATE_OUTCOMES = ("successful", "failed")
PUBLISH_OUTCOMES = ("active", "failed")
PROVISIONED_OUTCOMES = ("ready", "failed")
LOST_REPLY_STATUSES = (0, 502)  # 0: close the connection without an answer


@dataclass(frozen=True)
class InvokeRule:
    """What Invoke answers when the executed version matches `version` (an fnmatch pattern)."""

    version: str = "*"
    payload: object = None  # any JSON value
    function_error: str | None = None


@dataclass(frozen=True)
class Behaviour:
    """The resolved behaviour of one function: defaults overlaid by the first matching rule."""

    create_seconds: float = 1.0
    create_outcome: str = "active"
    create_reason_code: str = "InternalError"
    create_reason: str = "The function could not be created (simulated failure)."
    update_seconds: float = 1.0
    update_outcome: str = "successful"
    update_fail_on: tuple[int, ...] = ()
    update_reason_code: str = "InternalError"
    update_reason: str = "The function could not be updated (simulated failure)."
    publish_seconds: float = 0.0
    publish_outcome: str = "active"
    publish_reason_code: str = "InternalError"
    publish_reason: str = "The version could not be published (simulated failure)."
    # Provisioned concurrency (lambdawait.sim.provisioned): allocation time and how it ends.
    provisioned_seconds: float = 1.0
    provisioned_outcome: str = "ready"
    provisioned_fail_on: tuple[int, ...] = ()  # allocation ordinals (Puts and alias changes)
    provisioned_reason: str = "FUNCTION_ERROR_INIT_FAILURE"
    # SnapStart (ApplyOn=PublishedVersions): a published version stays Pending while its snapshot
    # is taken, then Active (OptimizationStatus On) or Failed with this init error.
    snapstart_seconds: float = 2.0
    snapstart_outcome: str = "active"
    snapstart_reason_code: str = "FunctionError.InitTimeout"
    snapstart_reason: str = "Function initialization timed out while Lambda took the SnapStart snapshot."
    # Lambda Managed Instances (lambdawait.sim.capacity): on a capacity provider (its ARN), $LATEST
    # settles in ActiveNonInvocable and a published version is Pending while instances start.
    capacity_provider: str | None = None
    instances_seconds: float = 3.0
    idle_after_seconds: float | None = None
    reactivate_seconds: float | None = None
    invoke: tuple[InvokeRule, ...] = ()

    def update_fails(self, ordinal: int) -> bool:
        """Whether the update with this 1-based ordinal (per function) ends Failed."""
        return self.update_outcome == "failed" or ordinal in self.update_fail_on

    def reactivation_seconds(self) -> float:
        return self.create_seconds if self.reactivate_seconds is None else self.reactivate_seconds


@dataclass(frozen=True)
class FunctionRule:
    """Selects functions by name pattern and/or creation tag; `fields` override the defaults."""

    match: str | None = None
    tag: str | None = None
    fields: Mapping[str, object] = field(default_factory=dict)

    def matches(self, name: str, tags: Mapping[str, str]) -> bool:
        if self.match is not None and not fnmatch.fnmatchcase(name, self.match):
            return False
        if self.tag is not None:
            key, _, value = self.tag.partition("=")
            if tags.get(key) != value:
                return False
        return True


@dataclass(frozen=True)
class Faults:
    """Injected trouble on Lambda calls: throttles, server errors, latency and lost replies.

    Throttles, errors and latency hit the calls in `operations` and stop them. A lost reply
    hits a call that was carried out: the change is made, then the client gets no answer
    (`lost_reply_status` 0: the connection is closed) or a 502. `lost_reply_calls` loses
    exactly the Nth executed call of an operation, counted from when these faults were set.
    """

    throttle_rate: float = 0.0
    error_rate: float = 0.0
    error_status: int = 500
    latency_ms: float = 0.0
    retry_after_seconds: int = 1
    operations: tuple[str, ...] = ()
    lost_reply_rate: float = 0.0
    lost_reply_status: int = 0
    lost_reply_operations: tuple[str, ...] = ()
    lost_reply_calls: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    def applies_to(self, operation: str) -> bool:
        return not self.operations or operation in self.operations

    def loses_reply(self, operation: str, ordinal: int, draw: float | None) -> bool:
        """Whether the `ordinal`-th executed call of `operation` loses its reply."""
        if ordinal in self.lost_reply_calls.get(operation, ()):
            return True
        in_scope = not self.lost_reply_operations or operation in self.lost_reply_operations
        return in_scope and draw is not None and draw < self.lost_reply_rate


@dataclass(frozen=True)
class Quotas:
    """The account's request-rate quotas per region, as token buckets whose burst is the rate.

    AWS's numbers by default: 15 control-plane requests/s shared by every operation except
    invocations, GetFunction and GetPolicy; GetFunction 100/s; GetPolicy 15/s of its own.
    """

    enabled: bool = True
    control_plane_per_second: float = 15.0
    get_function_per_second: float = 100.0
    get_policy_per_second: float = 15.0


@dataclass(frozen=True)
class Scenario:
    """A whole simulation setup. Build it with `load`, `from_dict` or the constructor."""

    defaults: Behaviour = Behaviour()
    functions: tuple[FunctionRule, ...] = ()
    faults: Faults = Faults()
    seed: int | None = None
    quotas: Quotas = Quotas()
    # A role younger than this cannot be assumed by Lambda yet (IAM propagation); 0: at once.
    role_propagation_seconds: float = 0.0
    # CodeDeploy deployments (lambdawait.sim.codedeploy): time_scale and forced hook results.
    codedeploy: CodeDeploySettings = field(default_factory=CodeDeploySettings)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """Read a `.toml` or `.json` scenario file."""
        p = Path(path)
        text = p.read_text(encoding="utf-8")
        try:
            data: object = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ScenarioError(f"{p}: {exc}") from exc
        return parse_scenario(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Scenario:
        return parse_scenario(data)

    @classmethod
    def _from_table(cls, data: Mapping[str, object]) -> Scenario:
        known = {"defaults", "functions", "faults", "seed", "quotas", "role_propagation_seconds"}
        known |= {"codedeploy"}
        reject_unknown(data, known, "scenario")
        defaults = _behaviour(Behaviour(), table_of(data.get("defaults", {}), "defaults"))
        rules = as_sequence(data.get("functions", []))
        if rules is None or isinstance(rules, str):
            raise ScenarioError("'functions' must be an array of tables")
        seed = data.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ScenarioError("'seed' must be an integer")
        return cls(
            defaults=defaults,
            functions=tuple(_rule(r, i) for i, r in enumerate(rules)),
            faults=_faults(table_of(data.get("faults", {}), "faults")),
            seed=seed,
            quotas=_quotas(table_of(data.get("quotas", {}), "quotas")),
            role_propagation_seconds=seconds(
                "role_propagation_seconds", data.get("role_propagation_seconds", 0.0)
            ),
            codedeploy=_codedeploy(data.get("codedeploy", {})),
        )

    def behaviour_for(self, name: str, tags: Mapping[str, str]) -> Behaviour:
        """First matching rule wins; fields it does not set fall back to the defaults."""
        for rule in self.functions:
            if rule.matches(name, tags):
                return _behaviour(self.defaults, rule.fields)
        return self.defaults


_FLOAT_FIELDS = {
    "create_seconds",
    "update_seconds",
    "publish_seconds",
    "provisioned_seconds",
    "snapstart_seconds",
    "instances_seconds",
}
_OPTIONAL_FLOAT_FIELDS = {"idle_after_seconds", "reactivate_seconds"}
_CHOICES = {
    "create_outcome": CREATE_OUTCOMES,
    "update_outcome": UPDATE_OUTCOMES,
    "publish_outcome": PUBLISH_OUTCOMES,
    "provisioned_outcome": PROVISIONED_OUTCOMES,
    "snapstart_outcome": PUBLISH_OUTCOMES,
}
_STR_FIELDS = {
    "create_reason_code",
    "create_reason",
    "update_reason_code",
    "update_reason",
    "publish_reason_code",
    "publish_reason",
    "provisioned_reason",
    "snapstart_reason_code",
    "snapstart_reason",
}


def parse_scenario(raw: object) -> Scenario:
    """A whole scenario from a parsed file or a dict; ScenarioError when it is not a table."""
    data = as_mapping(raw)
    if data is None:
        raise ScenarioError("a scenario must be a table/object")
    return Scenario._from_table(data)


def _behaviour(base: Behaviour, raw: Mapping[str, object]) -> Behaviour:
    known = {f.name for f in dataclasses.fields(Behaviour)}
    reject_unknown(raw, known, "function behaviour")
    changes: dict[str, object] = {}
    for key, value in raw.items():
        changes[key] = _coerce(key, value)
    return replaced(base, changes)


def _coerce(key: str, value: object) -> object:
    if key in _FLOAT_FIELDS or (key in _OPTIONAL_FLOAT_FIELDS and value is not None):
        return seconds(key, value)
    if key in _OPTIONAL_FLOAT_FIELDS:
        return None
    if key == "capacity_provider":
        if value is not None and not isinstance(value, str):
            raise ScenarioError("'capacity_provider' must be a capacity provider ARN (a string)")
        return value
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            raise ScenarioError(f"'{key}' must be one of {', '.join(_CHOICES[key])}")
        return value
    if key in _STR_FIELDS:
        if not isinstance(value, str):
            raise ScenarioError(f"'{key}' must be a string")
        return value
    if key in ("update_fail_on", "provisioned_fail_on"):
        found = ordinal_list(value)
        if found is None:
            raise ScenarioError(f"'{key}' must be a list of ordinals (1, 2, ...)")
        return found
    if key == "invoke":
        return _invoke_rules(value)
    raise ScenarioError(f"unsupported key '{key}'")  # pragma: no cover - guarded by known set


def _invoke_rules(value: object) -> tuple[InvokeRule, ...]:
    # A bare table is the common case ("every version answers this"), so accept it as one rule.
    items = [value] if as_mapping(value) is not None else as_sequence(value)
    if items is None or isinstance(items, str):
        raise ScenarioError("'invoke' must be a table or an array of tables")
    rules = []
    for item in items:
        raw = table_of(item, "invoke")
        reject_unknown(raw, {"version", "payload", "function_error"}, "invoke rule")
        version = raw.get("version", "*")
        error = raw.get("function_error")
        if not isinstance(version, str) or (error is not None and not isinstance(error, str)):
            raise ScenarioError("invoke 'version' and 'function_error' must be strings")
        rules.append(InvokeRule(version=version, payload=raw.get("payload"), function_error=error))
    return tuple(rules)


def _rule(raw: object, index: int) -> FunctionRule:
    table = table_of(raw, f"functions[{index}]")
    match = table.get("match")
    tag = table.get("tag")
    if match is None and tag is None:
        raise ScenarioError(f"functions[{index}] needs 'match' (a name pattern) and/or 'tag'")
    if match is not None and not isinstance(match, str):
        raise ScenarioError(f"functions[{index}].match must be a string")
    if tag is not None and (not isinstance(tag, str) or "=" not in tag):
        raise ScenarioError(f"functions[{index}].tag must look like 'key=value'")
    fields = {k: v for k, v in table.items() if k not in ("match", "tag")}
    _behaviour(Behaviour(), fields)  # validate now so a bad file fails at load, not mid-test
    return FunctionRule(match=match, tag=tag, fields=fields)


def parse_faults(raw: object) -> Faults:
    """A `[faults]` table on its own, e.g. to change the faults of a running simulator."""
    return _faults(table_of(raw, "faults"))


def _faults(raw: Mapping[str, object]) -> Faults:
    reject_unknown(raw, {f.name for f in dataclasses.fields(Faults)}, "faults")
    out = Faults()
    out = dataclasses.replace(
        out,
        throttle_rate=rate(raw, "throttle_rate", out.throttle_rate),
        error_rate=rate(raw, "error_rate", out.error_rate),
        lost_reply_rate=rate(raw, "lost_reply_rate", out.lost_reply_rate),
    )
    if "latency_ms" in raw:
        out = dataclasses.replace(out, latency_ms=seconds("latency_ms", raw["latency_ms"]))
    if "error_status" in raw:
        status = raw["error_status"]
        if not is_number(status) or status not in (500, 502, 503):
            raise ScenarioError("faults.error_status must be 500, 502 or 503")
        out = dataclasses.replace(out, error_status=int(status))
    if "lost_reply_status" in raw:
        status = raw["lost_reply_status"]
        if not is_number(status) or status not in LOST_REPLY_STATUSES:
            raise ScenarioError("faults.lost_reply_status must be 0 (close the connection) or 502")
        out = dataclasses.replace(out, lost_reply_status=int(status))
    if "retry_after_seconds" in raw:
        value = raw["retry_after_seconds"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ScenarioError("faults.retry_after_seconds must be an integer >= 0")
        out = dataclasses.replace(out, retry_after_seconds=value)
    if "operations" in raw:
        out = dataclasses.replace(out, operations=operations(raw["operations"], "faults.operations"))
    if "lost_reply_operations" in raw:
        ops = operations(raw["lost_reply_operations"], "faults.lost_reply_operations")
        out = dataclasses.replace(out, lost_reply_operations=ops)
    if "lost_reply_calls" in raw:
        out = dataclasses.replace(out, lost_reply_calls=ordinals_by_operation(raw["lost_reply_calls"]))
    return out


def _quotas(raw: Mapping[str, object]) -> Quotas:
    reject_unknown(raw, {f.name for f in dataclasses.fields(Quotas)}, "quotas")
    changes: dict[str, object] = {}
    for key, value in raw.items():
        if key == "enabled":
            if not isinstance(value, bool):
                raise ScenarioError("quotas.enabled must be true or false")
            changes[key] = value
        elif not is_number(value) or value <= 0:
            raise ScenarioError(f"quotas.{key} must be a number of requests per second > 0")
        else:
            changes[key] = float(value)
    return replaced(Quotas(), changes)


def _codedeploy(raw: object) -> CodeDeploySettings:
    table = as_mapping(raw)
    try:
        return parse_codedeploy(dict(table) if table is not None else raw)
    except ValueError as exc:
        raise ScenarioError(str(exc)) from exc
