"""Shifting alias traffic step by step, with health gates, and never leaving the alias split.

Once the first UpdateAlias has gone out, the shift is a transaction: every way out of it (a gate, a
signal, an AWS error, a closed pipe, a bug) goes through `Shifter._unwind`, which restores the alias
wholly to the old version (lambdawait.aws.restore) or, when that truly cannot be done, reports the split
that is left and the command that repairs it (exit 6).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lambdawait.aws import aliases, provisioned
from lambdawait.aws.aliases import (
    Intent,
    create_alias,
    get_alias,
    keep_record,
    read_record,
    repair_command,
    split_text,
    update_alias,
)
from lambdawait.aws.gates import GateFailure, GateFired, Gates, stop_reason
from lambdawait.aws.guard import raise_for_wait
from lambdawait.aws.restore import NotOurs, restore_alias
from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core import record
from lambdawait.core.acceptors import Target
from lambdawait.core.clock import Clock
from lambdawait.core.errors import (
    AliasSplitError,
    ErrorDetails,
    InterruptedError_,
    LambdawaitError,
    RolledBackError,
    UsageError,
    client_error_code,
    translate_client_error,
)
from lambdawait.core.events import ShiftEvent as ShiftEvent
from lambdawait.core.models import AliasInfo
from lambdawait.core.strategy import Step, Strategy

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi

__all__ = ["ShiftEvent", "ShiftRequest", "ShiftResult", "Shifter", "get_alias", "update_alias"]

ALIAS_NAME = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}")
ALARM_POLL_SECONDS = 1.0
VERSION_WAIT_TIMEOUT = 900.0
PROVISIONED_WAIT_TIMEOUT = 900.0  # allocating environments can take minutes


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
class ShiftResult:
    function: str
    alias: str
    from_version: str | None
    to_version: str
    outcome: str  # created | shifted | unchanged
    final: AliasInfo | None
    weights_applied: tuple[float, ...] = ()
    elapsed: float = 0.0


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


def weighted(steps: tuple[Step, ...]) -> bool:
    return any(step.weight < 1.0 for step in steps)


def found_split(function: str, alias: AliasInfo, rec: record.ReleaseRecord) -> str:
    """What an earlier run left on an alias, for the next command to say."""
    who = f" left by lambdawait run {rec.run} ({rec.good} -> {rec.new})" if rec.run else ""
    return f"alias {alias.name} of {function} is split: {split_text(alias)}{who}"


class Shifter:
    """One shift of one alias: pre-checks, steps with bakes and gates, one way back on any trouble."""

    def __init__(
        self,
        client: LambdaApi,
        waiter: Waiter,
        gates: Gates,
        clock: Clock,
        *,
        on_event: Callable[[ShiftEvent], None] | None = None,
        run_id: str | None = None,
        restore_client: LambdaApi | None = None,
        restore: Callable[..., AliasInfo | None] = restore_alias,
    ) -> None:
        self.client = client
        self.waiter = waiter
        self.gates = gates
        self.clock = clock
        self.on_event = on_event or (lambda event: None)
        self.run_id = run_id or uuid.uuid4().hex[:12]
        # The restore uses the bare client: its own loop retries, and its first attempt must not
        # sit behind the retrying client's backoff.
        self.restore_client = restore_client or client
        self._restore_alias = restore
        self.provisioned: provisioned.ProvisionedConfig | None = None  # the alias's, read in precheck

    # -- before any change ----------------------------------------------------------------------

    def precheck(self, req: ShiftRequest) -> AliasInfo | None:
        """Everything that can be refused, refused before the first mutating call."""
        validate_alias_name(req.alias)
        validate_version(req.to_version)
        target_role = self._version_role(req.function, req.to_version)
        current = get_alias(self.client, req.function, req.alias)
        if current is not None:
            self._check_current(req, current, target_role)
            self.provisioned, denied = provisioned.read_if_allowed(self.client, req.function, req.alias)
            if denied:
                self._emit_text(req, f"warning: {denied}")
        self.gates.check_alarms_exist()
        return current

    def _check_current(self, req: ShiftRequest, current: AliasInfo, target_role: str | None) -> None:
        if current.weights:
            rec = read_record(self.client, req.function, current)
            found = found_split(req.function, current, rec)
            if not req.force:
                fix = repair_command(req.function, req.alias, current.function_version)
                raise UsageError(found, hint=f"finish it, or `{fix}`, or pass --force")
            self._emit_text(req, f"{found}; --force: shifting over it")
        if not current.function_version.isdigit():
            if weighted(req.steps) and current.function_version != req.to_version:
                raise UsageError(
                    f"alias {req.alias} serves {current.function_version}, which cannot carry weights, "
                    f"so a {req.strategy.name} shift is impossible",
                    hint=f"point it at a version first: `lambdawait shift {req.function} --alias "
                    f"{req.alias} --to-version N --strategy AllAtOnce`, then shift gradually",
                )
        elif current.function_version != req.to_version and weighted(req.steps):
            # Only weighted routing needs one role; AllAtOnce just repoints the alias.
            old_role = self._version_role(req.function, current.function_version)
            if old_role != target_role:
                raise UsageError(
                    f"versions {current.function_version} and {req.to_version} have different "
                    "execution roles; Lambda refuses weighted aliases across roles",
                    hint="deploy with the same --role, or shift with --strategy AllAtOnce",
                )

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
        role = config.get("Role")
        return str(role) if role is not None else None

    # -- the shift --------------------------------------------------------------------------------

    def run(self, req: ShiftRequest) -> ShiftResult:
        start = self.clock.now()
        try:
            prepared = self._prepare(req, start)
        except KeyboardInterrupt:
            raise self._interrupted_before_traffic(req) from None
        if isinstance(prepared, ShiftResult):
            return prepared
        old = prepared.function_version
        state = _Live(prepared, record.ReleaseRecord(self.run_id, old, req.to_version, record.SHIFTING))
        # $LATEST cannot carry weights (precheck refused a weighted shift off it), and a split whose
        # primary is already the target (a --force over someone's half rollback) only needs finishing.
        steps = req.steps if old.isdigit() and old != req.to_version else req.steps[-1:]
        try:
            self._keep_record(req, state, state.record)
            if self.provisioned is not None:
                self._emit_text(
                    req,
                    f"{req.alias} has provisioned concurrency "
                    f"({self.provisioned.requested}): each step waits for it to be READY",
                )
            for index, step in enumerate(steps, start=1):
                self._apply(req, state, step.weight)
                self._await_capacity(req, step.weight, index, len(steps))
                self._bake(req, state, step, index, len(steps))
            from lambdawait.core.signals import hold

            hold()  # the release has landed and passed its gates: from here on a signal cannot undo it
        except BaseException as first:
            # Every way out, once anything may have changed. No call sits between the except
            # clause and the try below, so a signal cannot slip past the restore here.
            error: BaseException = first
            while True:
                try:
                    ending = self._unwind(req, state, error)
                except KeyboardInterrupt as again:  # arrived before the restore deferred signals
                    if not isinstance(error, KeyboardInterrupt):
                        error = again
                    continue
                if ending is error:
                    raise
                raise ending from error
        self._keep_record(req, state, state.record)
        return ShiftResult(
            req.function, req.alias, old, req.to_version, "shifted", state.alias,
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
            failure = self.gates.smoke_invoke(req.function, req.to_version)
            if failure:
                raise RolledBackError(
                    f"{failure.gate} gate failed: {failure.detail}",
                    hint=f"alias {req.alias} was not created; fix version {req.to_version}",
                    reason_code=failure.gate,
                )
            return self._create(req, start)
        if current.function_version == req.to_version and not current.weights:
            return ShiftResult(
                req.function, req.alias, current.function_version, req.to_version, "unchanged", current
            )
        failure = self.gates.smoke_invoke(req.function, req.to_version)  # pre-traffic: nothing moved yet
        if failure:
            raise RolledBackError(
                f"{failure.gate} gate failed before any traffic moved: {failure.detail}",
                hint=f"alias {req.alias} still serves version {current.function_version}; "
                f"fix version {req.to_version}",
                reason_code=failure.gate,
                details={"gate": failure.gate, "aliasVersion": current.function_version},
            )
        return current

    def _create(self, req: ShiftRequest, start: float) -> ShiftResult:
        rec = record.ReleaseRecord(self.run_id, None, req.to_version, record.RELEASED)
        intent = Intent(req.to_version, {}, record.write(None, rec))
        created = create_alias(self.client, req.function, req.alias, intent)
        return ShiftResult(
            req.function, req.alias, None, req.to_version, "created", created,
            (1.0,), elapsed=self.clock.now() - start,
        )  # fmt: skip

    def _apply(self, req: ShiftRequest, state: _Live, weight: float) -> None:
        """One UpdateAlias with the RevisionId we last saw: another deployer's change stops us."""
        done = weight >= 1.0
        version, routing = (req.to_version, {}) if done else (state.old, {req.to_version: weight})
        rec = state.record.moved(record.RELEASED if done else record.SHIFTING)
        intent = Intent(version, routing, record.write(state.alias.description, rec))
        state.pending = intent
        state.alias = update_alias(
            self.client, req.function, req.alias, intent, state.alias.revision_id, during="the shift"
        )
        state.pending = None
        state.record = rec
        state.applied.append(weight)

    def _await_capacity(self, req: ShiftRequest, weight: float, index: int, total: int) -> None:
        """Every alias change reallocates its provisioned environments between the versions: until
        READY, the weight just set is served by cold starts. FAILED is a gate (rolls back)."""
        if self.provisioned is None:
            return
        message = f"{req.alias}: {weight * 100:g}% on version {req.to_version} (step {index}/{total}), "
        message += "waiting for provisioned concurrency to be READY before the bake"
        self._send(ShiftEvent(req.alias, weight, index, total, 0.0, "pending", message))
        ready, seen = provisioned.wait_ready(self.waiter, req.function, req.alias, PROVISIONED_WAIT_TIMEOUT)
        if not ready:
            raise GateFired(GateFailure("provisioned-concurrency", seen))

    def _bake(self, req: ShiftRequest, state: _Live, step: Step, index: int, total: int) -> None:
        """Hold the weight for the bake, watching alarms throughout; then run every gate."""
        end = self.clock.now() + step.bake_seconds
        while True:
            remaining = end - self.clock.now()
            self._emit(req, step.weight, index, total, max(0.0, remaining), "ok")
            if remaining <= 0:
                break
            failure = self.gates.alarms()
            if failure:
                raise GateFired(failure)
            self.clock.sleep(min(ALARM_POLL_SECONDS, remaining))
        env = {
            "LAMBDAWAIT_FUNCTION": req.function,
            "LAMBDAWAIT_ALIAS": req.alias,
            "LAMBDAWAIT_VERSION": req.to_version,
            "LAMBDAWAIT_PREVIOUS_VERSION": state.old,
            "LAMBDAWAIT_WEIGHT": f"{step.weight:g}",
            "LAMBDAWAIT_PERCENT": str(round(step.weight * 100)),
        }
        failure = self.gates.step_end(req.function, req.to_version, env)
        if failure:
            raise GateFired(failure)

    def _emit(
        self, req: ShiftRequest, weight: float, index: int, total: int, next_in: float, gate: str
    ) -> None:
        message = f"{req.alias}: {weight * 100:g}% on version {req.to_version} (step {index}/{total})"
        self._send(ShiftEvent(req.alias, weight, index, total, next_in, gate, message))

    def _emit_text(self, req: ShiftRequest, message: str, gate: str = "ok") -> None:
        self._send(ShiftEvent(req.alias, 0.0, 0, 0, 0.0, gate, message))

    def _send(self, event: ShiftEvent) -> None:
        # Progress is a courtesy: a closed pipe or an unencodable line must not change the shift.
        with contextlib.suppress(Exception):
            self.on_event(event)

    def _keep_record(self, req: ShiftRequest, state: _Live, rec: record.ReleaseRecord) -> None:
        """The record goes to the function tag when the alias description has no room for it."""
        if record.write(state.alias.description, rec) is not None:
            return
        if not keep_record(self.client, req.function, state.alias, rec):
            self._emit_text(req, f"warning: could not store the release record of {req.alias}")

    # -- getting back to a whole alias ------------------------------------------------------------

    def _unwind(self, req: ShiftRequest, state: _Live, cause: BaseException) -> BaseException:
        """The one way out once the alias may have changed: restore it, then say why we stopped."""
        from lambdawait.core.signals import deferred

        with deferred():
            interrupted = isinstance(cause, KeyboardInterrupt)
            if interrupted and req.on_interrupt == "keep":
                return self._kept(req, state)
            if isinstance(cause, GateFired):
                f = cause.failure
                self._emit_text(
                    req, f"{req.alias}: {f.gate} gate fired, rolling back to version {state.old}",
                    f"{f.gate} failed",
                )  # fmt: skip
            if not state.applied and state.pending is None:
                # Nothing of ours reached the alias: whatever it holds is not ours to undo.
                return self._stopped(req, state, cause, get_alias_quietly(self.client, req))
            try:
                final = self._restore(req, state)
            except NotOurs as conflict:
                conflict.details = self._details(req, state, get_alias_quietly(self.client, req))
                return conflict
            except Exception as failed:
                return self._split_left(req, state, cause, failed)
            return self._stopped(req, state, cause, final)

    def _restore(self, req: ShiftRequest, state: _Live) -> AliasInfo | None:
        rolled = state.record.moved(record.ROLLED_BACK)
        final = self._restore_alias(
            self.restore_client,
            req.function,
            req.alias,
            state.old,
            ours=state.wrote,
            description=lambda alias: record.write(alias.description, rolled),
        )
        if final is not None:
            state.alias, state.record = final, rolled
            self._keep_record(req, state, rolled)
        return final

    def _stopped(
        self, req: ShiftRequest, state: _Live, cause: BaseException, final: AliasInfo | None
    ) -> BaseException:
        """The error that ends a shift whose alias is whole again on the old version."""
        restored = f"alias {req.alias} restored to version {state.old}"
        if not state.applied and state.pending is None:
            restored = f"alias {req.alias} untouched ({split_text(final)})"
        details = self._details(req, state, final)
        if isinstance(cause, GateFired):
            f = cause.failure
            return RolledBackError(
                f"{f.gate} gate fired: {f.detail}; alias {req.alias} rolled back to version {state.old}",
                hint=f"version {req.to_version} stays published for inspection; "
                f"`lambdawait status {req.function}`",
                reason_code=f.gate,
                details={"gate": f.gate, "gateDetail": f.detail, **details},
            )
        if isinstance(cause, KeyboardInterrupt):
            return InterruptedError_(
                f"interrupted during the shift of {req.alias}; {restored}",
                hint="re-run the shift when ready",
                details=details,
            )
        if isinstance(cause, LambdawaitError):
            cause.message = f"{cause.message}; {restored}"
            cause.args = (cause.message,)
            cause.details = {**cause.details, **details}
            return cause
        self._emit_text(req, f"{restored} after {type(cause).__name__}")
        return cause

    def _split_left(
        self, req: ShiftRequest, state: _Live, cause: BaseException, failed: Exception
    ) -> AliasSplitError:
        alias = get_alias_quietly(self.client, req)
        where = split_text(alias) if alias else "in an unknown state (it could not be read)"
        why = failed.message if isinstance(failed, LambdawaitError) else f"{type(failed).__name__}: {failed}"
        stopped = stop_reason(cause)
        fix = repair_command(req.function, req.alias, state.old)
        return AliasSplitError(
            f"the shift of {req.alias} stopped ({stopped}) and restoring it failed ({why}); "
            f"alias {req.alias} is left on {where}",
            hint=f"run `{fix}` (or `aws lambda update-alias --function-name {req.function} --name "
            f"{req.alias} --function-version {state.old} --routing-config AdditionalVersionWeights={{}}`)",
            reason_code="AliasSplit",
            details={**self._details(req, state, alias), "repairCommand": fix},
        )

    def _kept(self, req: ShiftRequest, state: _Live) -> InterruptedError_:
        final = get_alias_quietly(self.client, req)
        where = split_text(final) if final else "as it was"
        return InterruptedError_(
            f"interrupted during the shift of {req.alias}; alias left on {where} (--on-interrupt keep)",
            hint=f"re-run the shift when ready, or `{repair_command(req.function, req.alias, state.old)}`",
            details=self._details(req, state, final),
        )

    def _details(self, req: ShiftRequest, state: _Live, alias: AliasInfo | None) -> ErrorDetails:
        return {
            "alias": alias,
            "fromVersion": state.old,
            "toVersion": req.to_version,
            "weightsApplied": list(state.applied),
            "run": self.run_id,
        }

    def _interrupted_before_traffic(self, req: ShiftRequest) -> InterruptedError_:
        """Interrupted during the checks: nothing of ours to undo; report the alias as it is."""
        from lambdawait.core.signals import deferred

        with deferred():
            final = get_alias_quietly(self.client, req)
        where = f"still on {split_text(final)}" if final else "not created"
        return InterruptedError_(
            f"interrupted before any traffic moved; alias {req.alias} {where}",
            hint="re-run the shift when ready",
            details={
                "alias": final,
                "fromVersion": final.function_version if final else None,
                "toVersion": req.to_version,
                "weightsApplied": [],
            },
        )


def get_alias_quietly(client: LambdaApi, req: ShiftRequest) -> AliasInfo | None:
    """The shift's alias for a report, or None when even that read fails."""
    return aliases.get_alias_quietly(client, req.function, req.alias)


@dataclass
class _Live:
    """What we know of the alias while we change it."""

    alias: AliasInfo
    record: record.ReleaseRecord
    applied: list[float] = field(default_factory=list)
    # The update sent but not yet answered: an interrupt can land between Lambda applying it
    # and our reading its new RevisionId.
    pending: Intent | None = None
    old: str = field(init=False)

    def __post_init__(self) -> None:
        self.old = self.alias.function_version

    def wrote(self, alias: AliasInfo) -> bool:
        """Whether the alias is exactly as we left it (nobody else has changed it since)."""
        if alias.revision_id is not None and alias.revision_id == self.alias.revision_id:
            return True
        return self.pending is not None and self.pending.met_by(alias)
