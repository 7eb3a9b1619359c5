"""Shifting alias traffic step by step, with health gates, and never leaving the alias split.

Once the first UpdateAlias has gone out, the shift is a transaction: every way out of it (a gate, a
signal, an AWS error, a closed pipe, a bug) goes through `Shifter._unwind`, which restores the alias
wholly to the old version (lambdawait.aws.restore) or, when that truly cannot be done, reports the split
that is left and the command that repairs it (exit 6).

What a shift refuses before its first write is in shift_checks; the errors that end it, with the
alias as left and its repair, in shift_endings; its request, result and live state in shift_model.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from lambdawait.aws import provisioned
from lambdawait.aws.aliases import Intent, create_alias, get_alias, keep_record, update_alias
from lambdawait.aws.gates import GateFailure, GateFired, Gates
from lambdawait.aws.guard import raise_for_wait
from lambdawait.aws.restore import NotOurs, restore_alias
from lambdawait.aws.shift_checks import (
    check_current,
    found_split,
    validate_alias_name,
    validate_version,
    version_role,
    weighted,
)
from lambdawait.aws.shift_endings import (
    details,
    get_alias_quietly,
    interrupted_before_traffic,
    kept,
    split_left,
    stopped,
)
from lambdawait.aws.shift_model import LiveAlias, ShiftRequest, ShiftResult
from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core import record
from lambdawait.core.acceptors import Target
from lambdawait.core.clock import Clock
from lambdawait.core.errors import RolledBackError
from lambdawait.core.events import ShiftEvent as ShiftEvent
from lambdawait.core.models import AliasInfo
from lambdawait.core.strategy import Step

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi

# The shift's names, and those its callers (rollback, deploy, CodeDeploy) have always found here.
__all__ = [
    "VERSION_WAIT_TIMEOUT",
    "ShiftEvent",
    "ShiftRequest",
    "ShiftResult",
    "Shifter",
    "found_split",
    "get_alias",
    "update_alias",
    "validate_alias_name",
    "validate_version",
    "weighted",
]

ALARM_POLL_SECONDS = 1.0
VERSION_WAIT_TIMEOUT = 900.0
PROVISIONED_WAIT_TIMEOUT = 900.0  # allocating environments can take minutes


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
        target_role = version_role(self.client, req.function, req.to_version)
        current = get_alias(self.client, req.function, req.alias)
        if current is not None:
            check_current(self.client, req, current, target_role, functools.partial(self._emit_text, req))
            self.provisioned, denied = provisioned.read_if_allowed(self.client, req.function, req.alias)
            if denied:
                self._emit_text(req, f"warning: {denied}")
        self.gates.check_alarms_exist()
        return current

    # -- the shift --------------------------------------------------------------------------------

    def run(self, req: ShiftRequest) -> ShiftResult:
        start = self.clock.now()
        try:
            prepared = self._prepare(req, start)
        except KeyboardInterrupt:
            raise interrupted_before_traffic(self.client, req) from None
        if isinstance(prepared, ShiftResult):
            return prepared
        old = prepared.function_version
        state = LiveAlias(prepared, record.ReleaseRecord(self.run_id, old, req.to_version, record.SHIFTING))
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

    def _apply(self, req: ShiftRequest, state: LiveAlias, weight: float) -> None:
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

    def _bake(self, req: ShiftRequest, state: LiveAlias, step: Step, index: int, total: int) -> None:
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

    def _keep_record(self, req: ShiftRequest, state: LiveAlias, rec: record.ReleaseRecord) -> None:
        """The record goes to the function tag when the alias description has no room for it."""
        if record.write(state.alias.description, rec) is not None:
            return
        if not keep_record(self.client, req.function, state.alias, rec):
            self._emit_text(req, f"warning: could not store the release record of {req.alias}")

    # -- getting back to a whole alias ------------------------------------------------------------

    def _unwind(self, req: ShiftRequest, state: LiveAlias, cause: BaseException) -> BaseException:
        """The one way out once the alias may have changed: restore it, then say why we stopped."""
        from lambdawait.core.signals import deferred

        with deferred():
            interrupted = isinstance(cause, KeyboardInterrupt)
            if interrupted and req.on_interrupt == "keep":
                return kept(self.client, req, state, run_id=self.run_id)
            if isinstance(cause, GateFired):
                f = cause.failure
                self._emit_text(
                    req, f"{req.alias}: {f.gate} gate fired, rolling back to version {state.old}",
                    f"{f.gate} failed",
                )  # fmt: skip
            note = functools.partial(self._emit_text, req)
            if not state.touched:
                # Nothing of ours reached the alias: whatever it holds is not ours to undo.
                alias = get_alias_quietly(self.client, req)
                return stopped(req, state, cause, alias, run_id=self.run_id, note=note)
            try:
                final = self._restore(req, state)
            except NotOurs as conflict:
                alias = get_alias_quietly(self.client, req)
                conflict.details = details(req, state, alias, run_id=self.run_id)
                return conflict
            except Exception as failed:
                return split_left(self.client, req, state, cause, failed, run_id=self.run_id)
            return stopped(req, state, cause, final, run_id=self.run_id, note=note)

    def _restore(self, req: ShiftRequest, state: LiveAlias) -> AliasInfo | None:
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
