"""Shifting alias traffic step by step, with health gates, and never leaving the alias split."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lambdawait import record
from lambdawait.acceptors import Target
from lambdawait.clock import Clock
from lambdawait.errors import (
    ConflictError,
    InterruptedError_,
    RolledBackError,
    UsageError,
    client_error_code,
    translate_client_error,
)
from lambdawait.gates import GateFailure, Gates
from lambdawait.guard import raise_for_wait
from lambdawait.models import AliasInfo
from lambdawait.report import alias_doc
from lambdawait.status import alias_info
from lambdawait.strategy import Step, Strategy
from lambdawait.waiter import Waiter, WaitRequest

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

ALIAS_NAME = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}")
ALARM_POLL_SECONDS = 1.0
VERSION_WAIT_TIMEOUT = 900.0


@dataclass(frozen=True)
class ShiftRequest:
    function: str
    alias: str
    to_version: str
    strategy: Strategy
    steps: tuple[Step, ...]
    on_interrupt: str = "rollback"  # or "keep"
    force: bool = False


@dataclass(frozen=True)
class ShiftEvent:
    """Progress: the weight now live, time to the next step, gate status."""

    alias: str
    weight: float
    step: int
    steps: int
    next_in: float
    gate_status: str
    message: str


@dataclass(frozen=True)
class ShiftResult:
    function: str
    alias: str
    from_version: str | None
    to_version: str
    outcome: str  # created | shifted | unchanged | rolled-back | interrupted
    final: AliasInfo | None
    weights_applied: tuple[float, ...] = ()
    gate: GateFailure | None = None
    elapsed: float = 0.0
    notes: tuple[str, ...] = field(default=())


def validate_alias_name(alias: str) -> None:
    if not ALIAS_NAME.fullmatch(alias):
        raise UsageError(
            f"invalid alias name {alias!r}: 1-128 letters, digits, '-' or '_', and not all digits",
            hint="a numeric name would be mistaken for a version; use e.g. live or prod",
        )


def validate_version(version: str) -> None:
    if not version.isdigit():
        raise UsageError(
            f"cannot shift traffic to {version!r}: an alias must point at a published version number",
            hint="publish first (`lambdawait publish FUNCTION`) and pass its number",
        )


def get_alias(client: LambdaClient, function: str, alias: str) -> AliasInfo | None:
    import botocore.exceptions

    try:
        return alias_info(client.get_alias(FunctionName=function, Name=alias))
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ResourceNotFoundException":
            return None
        raise translate_client_error(exc, action=f"reading alias {alias}") from exc


class Shifter:
    """One shift of one alias: pre-checks, steps with bakes and gates, rollback on any trouble."""

    def __init__(
        self,
        client: LambdaClient,
        waiter: Waiter,
        gates: Gates,
        clock: Clock,
        *,
        on_event: Callable[[ShiftEvent], None] | None = None,
        run_id: str | None = None,
    ) -> None:
        self.client = client
        self.waiter = waiter
        self.gates = gates
        self.clock = clock
        self.on_event = on_event or (lambda event: None)
        self.run_id = run_id or uuid.uuid4().hex[:12]

    # -- before any change ----------------------------------------------------------------------

    def precheck(self, req: ShiftRequest) -> AliasInfo | None:
        """Everything that can be refused, refused before the first mutating call."""
        validate_alias_name(req.alias)
        validate_version(req.to_version)
        target_role = self._version_role(req.function, req.to_version)
        current = get_alias(self.client, req.function, req.alias)
        if current is not None:
            if current.weights and not req.force:
                split = ", ".join(f"{w * 100:g}% to version {v}" for v, w in current.weights.items())
                raise UsageError(
                    f"alias {req.alias} is mid-shift (version {current.function_version}, {split})",
                    hint="another deploy may be running; finish it, `lambdawait rollback`, or pass --force",
                )
            if current.function_version == "$LATEST" or not current.function_version.isdigit():
                pass  # moving off $LATEST is allowed but cannot be weighted; handled by the plan
            elif current.function_version != req.to_version and _weighted(req.steps):
                # Only weighted routing needs one role; AllAtOnce just repoints the alias.
                old_role = self._version_role(req.function, current.function_version)
                if old_role != target_role:
                    raise UsageError(
                        f"versions {current.function_version} and {req.to_version} have different "
                        "execution roles; Lambda refuses weighted aliases across roles",
                        hint="deploy with the same --role, or shift with --strategy AllAtOnce",
                    )
        self.gates.check_alarms_exist()
        return current

    def _version_role(self, function: str, version: str) -> str | None:
        import botocore.exceptions

        try:
            config = self.client.get_function(FunctionName=function, Qualifier=version)["Configuration"]
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) == "ResourceNotFoundException":
                raise UsageError(
                    f"version {version} of {function} does not exist",
                    hint="publish it first, or check the number with `lambdawait status`",
                ) from exc
            raise translate_client_error(exc, action=f"reading version {version}") from exc
        if config.get("State") == "Failed":
            raise UsageError(
                f"version {version} of {function} is Failed ({config.get('StateReasonCode')})",
                hint=f"run `lambdawait explain {config.get('StateReasonCode')}`; publish a working version",
            )
        return config.get("Role")

    # -- the shift --------------------------------------------------------------------------------

    def run(self, req: ShiftRequest) -> ShiftResult:
        start = self.clock.now()
        try:
            prepared = self._prepare(req, start)
        except KeyboardInterrupt:
            raise self._interrupted_before_traffic(req) from None
        if isinstance(prepared, ShiftResult):
            return prepared
        current = prepared
        old = current.function_version
        state = _Live(current.revision_id, current.description, old)
        # $LATEST cannot carry weights, and a split whose primary is already the target (a --force
        # over someone's half rollback) only needs finishing.
        steps = req.steps if old.isdigit() and old != req.to_version else req.steps[-1:]
        try:
            for index, step in enumerate(steps, start=1):
                self._apply(req, state, step.weight)
                failure = self._bake(req, state, step, index, len(steps))
                if failure:
                    return self._gate_rollback(req, state, failure, start)
        except KeyboardInterrupt:
            return self._interrupted(req, state, start)
        final = get_alias(self.client, req.function, req.alias)
        return ShiftResult(
            req.function, req.alias, old, req.to_version, "shifted", final,
            tuple(state.applied), elapsed=self.clock.now() - start,
        )  # fmt: skip

    def _prepare(self, req: ShiftRequest, start: float) -> AliasInfo | ShiftResult:
        """Checks, the version wait and the smoke invoke: the alias to shift, or the whole result."""
        current = self.precheck(req)
        version_wait = self.waiter.wait(
            WaitRequest(req.function, req.to_version, Target.VERSION), VERSION_WAIT_TIMEOUT
        )
        raise_for_wait(version_wait, context=f"version {req.to_version} of {req.function}")
        if current is None:
            return self._create(req, start)
        if current.function_version == req.to_version and not current.weights:
            return ShiftResult(
                req.function, req.alias, current.function_version, req.to_version, "unchanged", current
            )
        old = current.function_version
        failure = self.gates.smoke_invoke(req.function, req.to_version)  # pre-traffic: nothing moved yet
        if failure:
            raise RolledBackError(
                f"{failure.gate} gate failed before any traffic moved: {failure.detail}",
                hint=f"alias {req.alias} still serves version {old}; fix version {req.to_version}",
                reason_code=failure.gate,
                details={"gate": failure.gate, "aliasVersion": old},
            )
        return current

    def _create(self, req: ShiftRequest, start: float) -> ShiftResult:
        failure = self.gates.smoke_invoke(req.function, req.to_version)
        if failure:
            raise RolledBackError(
                f"{failure.gate} gate failed: {failure.detail}",
                hint=f"alias {req.alias} was not created; fix version {req.to_version}",
                reason_code=failure.gate,
            )
        import botocore.exceptions

        try:
            response = self.client.create_alias(
                FunctionName=req.function,
                Name=req.alias,
                FunctionVersion=req.to_version,
                Description=record.write(None, record.AliasRecord(run=self.run_id)),
            )
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) == "ResourceConflictException":
                raise ConflictError(
                    f"alias {req.alias} was created by someone else meanwhile",
                    hint="nothing was overwritten; re-run to shift it",
                ) from exc
            raise translate_client_error(exc, action=f"creating alias {req.alias}") from exc
        return ShiftResult(
            req.function, req.alias, None, req.to_version, "created", alias_info(response),
            (1.0,), elapsed=self.clock.now() - start,
        )  # fmt: skip

    def _apply(self, req: ShiftRequest, state: _Live, weight: float) -> None:
        """One UpdateAlias with the RevisionId we last saw: another deployer's change stops us."""
        if weight >= 1.0:
            version, routing = req.to_version, {}
        else:
            version, routing = state.old, {req.to_version: weight}
        description = record.write(state.description, record.AliasRecord(self.run_id, state.old))
        state.pending = (version, dict(routing))
        response = self._update_alias(req, version, routing, state.revision_id, description)
        state.revision_id = response.get("RevisionId")
        state.pending = None
        state.description = description
        state.applied.append(weight)

    def _update_alias(
        self,
        req: ShiftRequest,
        version: str,
        routing: dict[str, float],
        revision: str | None,
        description: str,
    ) -> dict[str, Any]:
        return update_alias(
            self.client, req.function, req.alias, version, routing, revision, description, during="the shift"
        )

    def _bake(
        self, req: ShiftRequest, state: _Live, step: Step, index: int, total: int
    ) -> GateFailure | None:
        """Hold the weight for the bake, watching alarms throughout; then run every gate."""
        end = self.clock.now() + step.bake_seconds
        while True:
            remaining = end - self.clock.now()
            self._emit(req, step.weight, index, total, max(0.0, remaining), "ok")
            if remaining <= 0:
                break
            failure = self.gates.alarms()
            if failure:
                return failure
            self.clock.sleep(min(ALARM_POLL_SECONDS, remaining))
        env = {
            "LAMBDAWAIT_FUNCTION": req.function,
            "LAMBDAWAIT_ALIAS": req.alias,
            "LAMBDAWAIT_VERSION": req.to_version,
            "LAMBDAWAIT_PREVIOUS_VERSION": state.old,
            "LAMBDAWAIT_WEIGHT": f"{step.weight:g}",
        }
        return self.gates.step_end(req.function, req.to_version, env)

    def _emit(
        self, req: ShiftRequest, weight: float, index: int, total: int, next_in: float, gate: str
    ) -> None:
        message = f"{req.alias}: {weight * 100:g}% on version {req.to_version} (step {index}/{total})"
        self.on_event(ShiftEvent(req.alias, weight, index, total, next_in, gate, message))

    # -- getting back to a whole alias ------------------------------------------------------------

    def _restore(self, req: ShiftRequest, state: _Live) -> AliasInfo | None:
        """Point the alias wholly at the old version, if it is still ours to touch."""
        alias = get_alias(self.client, req.function, req.alias)
        if alias is None:
            return None
        # Only the RevisionId proves nobody touched the alias since our last update: an UpdateAlias
        # without a Description keeps our run marker, so the marker alone proves nothing.
        if not state.wrote(alias):
            raise ConflictError(
                f"alias {req.alias} was changed by someone else during the shift; "
                "lambdawait left it as they set it",
                hint="check `lambdawait status`",
                reason_code="PreconditionFailedException",
                details={"alias": alias_doc(alias), "fromVersion": state.old, "toVersion": req.to_version},
            )
        if not state.applied and state.pending is None:
            return alias  # nothing of ours to undo
        if alias.function_version == state.old and not alias.weights:
            return alias
        description = record.write(alias.description, record.AliasRecord(self.run_id, state.old))
        response = self._update_alias(req, state.old, {}, alias.revision_id, description)
        return alias_info(response)

    def _gate_rollback(
        self, req: ShiftRequest, state: _Live, failure: GateFailure, start: float
    ) -> ShiftResult:
        self.on_event(
            ShiftEvent(
                req.alias, 0.0, 0, 0, 0.0, f"{failure.gate} failed",
                f"{req.alias}: {failure.gate} gate fired, rolling back to version {state.old}",
            )
        )  # fmt: skip
        from lambdawait.signals import deferred

        with deferred():
            final = self._restore(req, state)
        raise RolledBackError(
            f"{failure.gate} gate fired: {failure.detail}; "
            f"alias {req.alias} rolled back to version {state.old}",
            hint=f"version {req.to_version} stays published for inspection; "
            f"`lambdawait status {req.function}`",
            reason_code=failure.gate,
            details={
                "gate": failure.gate,
                "gateDetail": failure.detail,
                "alias": alias_doc(final),
                "fromVersion": state.old,
                "toVersion": req.to_version,
                "weightsApplied": list(state.applied),
            },
        )

    def _interrupted_before_traffic(self, req: ShiftRequest) -> InterruptedError_:
        """Interrupted during the checks: nothing of ours to undo; report the alias as it is."""
        from lambdawait.signals import deferred

        with deferred():
            try:
                final = get_alias(self.client, req.function, req.alias)
            except Exception:  # the report is best effort; the interrupt is what matters
                final = None
        where = f"still on version {final.function_version}" if final else "not created"
        split = "".join(f", {w * 100:g}% on version {v}" for v, w in (final.weights if final else {}).items())
        return InterruptedError_(
            f"interrupted before any traffic moved; alias {req.alias} {where}{split}",
            hint="re-run the shift when ready",
            details={
                "alias": alias_doc(final),
                "fromVersion": final.function_version if final else None,
                "toVersion": req.to_version,
                "weightsApplied": [],
            },
        )

    def _interrupted(self, req: ShiftRequest, state: _Live, start: float) -> ShiftResult:
        from lambdawait.signals import deferred

        with deferred():
            if req.on_interrupt == "keep":
                final = get_alias(self.client, req.function, req.alias)
                split = "".join(
                    f", {w * 100:g}% on version {v}" for v, w in (final.weights if final else {}).items()
                )
                where = f"version {final.function_version}{split}" if final else "as it was"
                note = f"left on {where} (--on-interrupt keep)"
            else:
                final = self._restore(req, state)
                note = f"restored to version {state.old}"
        raise InterruptedError_(
            f"interrupted during the shift of {req.alias}; alias {note}",
            hint="re-run the shift when ready",
            details={
                "alias": alias_doc(final),
                "fromVersion": state.old,
                "toVersion": req.to_version,
                "weightsApplied": list(state.applied),
            },
        )


@dataclass
class _Live:
    """What we know of the alias while we change it."""

    revision_id: str | None
    description: str | None
    old: str
    applied: list[float] = field(default_factory=list)
    # The update sent but not yet answered: an interrupt can land between Lambda applying it
    # and our reading its new RevisionId.
    pending: tuple[str, dict[str, float]] | None = None

    def wrote(self, alias: AliasInfo) -> bool:
        """Whether the alias is exactly as we left it (nobody else has changed it since)."""
        if alias.revision_id is not None and alias.revision_id == self.revision_id:
            return True
        return self.pending is not None and (alias.function_version, alias.weights) == self.pending


def _weighted(steps: tuple[Step, ...]) -> bool:
    return any(step.weight < 1.0 for step in steps)


def update_alias(
    client: LambdaClient,
    function: str,
    alias: str,
    version: str,
    routing: dict[str, float],
    revision: str | None,
    description: str,
    *,
    during: str,
) -> dict[str, Any]:
    """One UpdateAlias guarded by the RevisionId last seen: another deployer's change stops us (exit 4)."""
    import botocore.exceptions

    kwargs: dict[str, Any] = {
        "FunctionName": function,
        "Name": alias,
        "FunctionVersion": version,
        "RoutingConfig": {"AdditionalVersionWeights": routing},
        "Description": description,
    }
    if revision:
        kwargs["RevisionId"] = revision
    try:
        return dict(client.update_alias(**kwargs))
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "PreconditionFailedException":
            raise ConflictError(
                f"alias {alias} was changed by someone else during {during} (RevisionId mismatch)",
                hint="lambdawait stopped without overwriting their change; check `lambdawait status`",
                reason_code="PreconditionFailedException",
            ) from exc
        raise translate_client_error(exc, action=f"updating alias {alias}") from exc
