"""Releasing many functions as one: every alias on one schedule, gates across the set, restore-all.

Once the first alias write has gone out, the release is a transaction, as a single shift is
(aws.shift.Shifter): every way out (a gate, a signal, an AWS error, a bug) goes through
`SetRelease._unwind`, which closes the request budget (no ordinary call is sent any more), lets the
writes already on the wire finish, and then restores every alias that moved, concurrently, ahead
of any other call. A restore writes with the RevisionId this release last saw (one call per alias);
only when that meets someone else's change does it fall back to re-reading (restore.restore_alias).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lambdawait.aws.aliases import (
    Intent,
    create_alias,
    get_alias,
    get_alias_quietly,
    split_text,
    update_alias,
)
from lambdawait.aws.gates import GateFailure, GateFired, Gates, stop_reason
from lambdawait.core import record
from lambdawait.core.budget import RESTORE_RATE, Budget, Closed, priority
from lambdawait.core.errors import (
    AliasSplitError,
    ConflictError,
    InterruptedError_,
    LambdawaitError,
    RolledBackError,
)
from lambdawait.core.models import AliasInfo
from lambdawait.core.strategy import Step

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi
    from lambdawait.core.clock import SystemClock

ALARM_POLL_SECONDS = 1.0
# How each move ended; "pending" until the release (or its unwind) decides.
PENDING, UNCHANGED, RELEASED, RESTORED, SPLIT, NOT_OURS = (
    "pending", "unchanged", "released", "restored", "left-split", "not-ours",
)  # fmt: skip


@dataclass
class Move:
    """One alias of the release: where it was, and what this release last wrote to it."""

    function: str
    alias: str
    to_version: str
    gates: Gates
    wave: int = 0  # `after` in the file: a move goes once every earlier wave's has landed
    before: AliasInfo | None = None
    live: AliasInfo | None = None
    pending: Intent | None = None  # sent, not yet answered: it may have landed
    applied: list[float] = field(default_factory=list)
    created: bool = False
    outcome: str = PENDING
    detail: str | None = None

    @property
    def old(self) -> str | None:
        return self.before.function_version if self.before else None

    @property
    def touched(self) -> bool:
        return bool(self.applied) or self.pending is not None or self.created

    def wrote(self, alias: AliasInfo) -> bool:
        """The alias is exactly as this release left it (nobody else has changed it since)."""
        if self.live is not None and alias.revision_id and alias.revision_id == self.live.revision_id:
            return True
        return self.pending is not None and self.pending.met_by(alias)


class SetRelease:
    """Moves a set of aliases on one schedule; see the module docstring for its one way out."""

    def __init__(
        self,
        client: LambdaApi,
        budget: Budget,
        clock: SystemClock,
        *,
        each: Callable[..., None],
        on_event: Callable[[Move | None, str], None],
        run_id: str | None = None,
        keep_on_interrupt: bool = False,
    ) -> None:
        self.keep_on_interrupt = keep_on_interrupt  # on_interrupt = "keep": a signal restores nothing
        self.client = client
        self.budget = budget
        self.clock = clock
        self.each = each
        self.on_event = on_event
        self.run_id = run_id or uuid.uuid4().hex[:8]

    def run(self, moves: Sequence[Move], steps: tuple[Step, ...]) -> None:
        """Every alias at weight 1.0 on its new version, or an error after restoring all of them."""
        from lambdawait.core.signals import hold

        self.each(moves, self._read)
        active = [m for m in moves if m.outcome == PENDING]
        # A weighted step needs a published version on each side; a new alias just appears at the end.
        split = [m for m in active if m.old is not None and m.old.isdigit()]
        try:
            self._smoke(active)
            for index, step in enumerate(steps, start=1):
                final = step.weight >= 1.0
                moving = active if final else split
                self._step(moving, step.weight)
                self.on_event(None, f"release: {step.weight * 100:g}% (step {index}/{len(steps)})")
                self._bake(active, step)
            hold()  # every alias landed and passed its gates: a signal can no longer undo the release
        except BaseException as first:
            error: BaseException = first
            while True:
                try:
                    ending = self._unwind(moves, error)
                except KeyboardInterrupt as again:  # before the unwind deferred signals
                    if not isinstance(error, KeyboardInterrupt):
                        error = again
                    continue
                if ending is error:
                    raise
                raise ending from error
        for move in active:
            move.outcome = RELEASED

    def _step(self, moves: Sequence[Move], weight: float) -> None:
        """Every alias to `weight`, concurrently within a wave, wave after wave (`after`)."""
        for wave in sorted({m.wave for m in moves}):
            in_wave = [m for m in moves if m.wave == wave]
            self.each(in_wave, functools.partial(self._apply, weight=weight), on_abort=self._close)

    def _read(self, move: Move) -> None:
        move.before = move.live = get_alias(self.client, move.function, move.alias)
        if move.before is not None and move.old == move.to_version and not move.before.weights:
            move.outcome = UNCHANGED

    def _smoke(self, moves: Sequence[Move]) -> None:
        """Pre-traffic: every new version answers its smoke invoke before any alias moves."""
        failures: list[GateFailure] = []

        def one(move: Move) -> None:
            failure = move.gates.smoke_invoke(move.function, move.to_version)
            if failure:
                failures.append(failure)

        self.each(moves, one)
        if failures:
            raise GateFired(failures[0])

    def _record(self, move: Move, state: str) -> record.ReleaseRecord:
        return record.ReleaseRecord(self.run_id, move.old, move.to_version, state)

    def _apply(self, move: Move, weight: float) -> None:
        done = weight >= 1.0
        rec = self._record(move, record.RELEASED if done else record.SHIFTING)
        if move.before is None:
            intent = Intent(move.to_version, {}, record.write(None, rec))
            move.created = True  # from here an unwind deletes what may exist
            move.live = create_alias(self.client, move.function, move.alias, intent)
            move.applied.append(1.0)
            self.on_event(move, f"{move.alias} created on version {move.to_version}")
            return
        assert move.live is not None and move.old is not None
        version, routing = (move.to_version, {}) if done else (move.old, {move.to_version: weight})
        intent = Intent(version, routing, record.write(move.live.description, rec))
        move.pending = intent
        try:
            move.live = update_alias(
                self.client, move.function, move.alias, intent, move.live.revision_id, during="the release"
            )
        except Closed:
            move.pending = None  # never sent: the budget closed before its turn
            raise
        move.pending = None
        move.applied.append(weight)
        self.on_event(move, f"{move.alias}: {weight * 100:g}% on version {move.to_version}")

    def _bake(self, moves: Sequence[Move], step: Step) -> None:
        """Hold the step, watching every alarm of the set; then run every gate once per step."""
        gates = _distinct_gates(moves)
        end = self.clock.now() + step.bake_seconds
        while (remaining := end - self.clock.now()) > 0:
            for gate in gates:
                failure = gate.alarms()
                if failure:
                    raise GateFired(failure)
            self.clock.sleep(min(ALARM_POLL_SECONDS, remaining))
        env = {
            "LAMBDAWAIT_FUNCTIONS": " ".join(m.function for m in moves),
            "LAMBDAWAIT_WEIGHT": f"{step.weight:g}",
            "LAMBDAWAIT_PERCENT": str(round(step.weight * 100)),
        }
        for gate in gates:
            failure = gate.alarms() or gate.check_command(env)
            if failure:
                raise GateFired(failure)
        if step.weight < 1.0:
            self._smoke(moves)

    def _close(self) -> None:
        """Stop every ordinary call at once; restores keep the budget, at nearly the whole quota."""
        self.budget.close(RESTORE_RATE)

    # -- the one way out -------------------------------------------------------------------------

    def _unwind(self, moves: Sequence[Move], cause: BaseException) -> BaseException:
        from lambdawait.core.signals import deferred

        with deferred():
            self._close()
            if isinstance(cause, KeyboardInterrupt) and self.keep_on_interrupt:
                left = "; ".join(f"{m.function}:{m.alias} {split_text(m.live)}" for m in moves if m.touched)
                return InterruptedError_(
                    f"interrupted during the release; aliases left as they are (on_interrupt = keep): {left}",
                    hint="apply again to finish, or `lambdawait rollback -c FILE` to undo",
                )
            if isinstance(cause, GateFired):
                self.on_event(None, f"{cause.failure.gate} gate fired: restoring every alias")
            touched = [m for m in moves if m.touched]
            self.each(touched, self._restore, on_abort=None)
            return self._ending(moves, cause)

    def _restore(self, move: Move) -> None:
        from lambdawait.aws.restore import NotOurs, restore_alias

        with priority():
            try:
                if move.created:
                    self._delete_created(move)
                    return
                assert move.old is not None
                rolled = self._record(move, record.ROLLED_BACK)
                old = move.old
                try:
                    live = move.live
                    assert live is not None
                    intent = Intent(old, {}, record.write(live.description, rolled))
                    move.live = update_alias(
                        self.client, move.function, move.alias, intent, live.revision_id, during="the restore"
                    )
                except ConflictError:
                    # Our pending write may have landed, or someone else wrote: read, then decide.
                    move.live = restore_alias(
                        self.client, move.function, move.alias, old, ours=move.wrote,
                        description=lambda alias: record.write(alias.description, rolled),
                    )  # fmt: skip
                move.outcome, move.pending = RESTORED, None
                self.on_event(move, f"{move.alias} restored to version {old}")
            except NotOurs as conflict:
                move.outcome, move.detail = NOT_OURS, conflict.message
            except Exception as failed:
                move.outcome = SPLIT
                move.detail = failed.message if isinstance(failed, LambdawaitError) else repr(failed)
                move.live = _quietly(self.client, move)

    def _delete_created(self, move: Move) -> None:
        """An alias this release created did not exist before: whole again means gone again."""
        import botocore.exceptions

        try:
            self.client.delete_alias(FunctionName=move.function, Name=move.alias)
        except botocore.exceptions.ClientError as exc:
            from lambdawait.core.errors import client_error_code

            if client_error_code(exc) != "ResourceNotFoundException":
                raise
        move.outcome, move.live = RESTORED, None
        self.on_event(move, f"{move.alias} removed (it did not exist before the release)")

    def _ending(self, moves: Sequence[Move], cause: BaseException) -> BaseException:
        split = [m for m in moves if m.outcome == SPLIT]
        restored = [m for m in moves if m.outcome == RESTORED]
        said = f"{len(restored)} alias{'' if len(restored) == 1 else 'es'} restored"
        theirs = [m for m in moves if m.outcome == NOT_OURS]
        if theirs:
            said += f"; {len(theirs)} changed by someone else, left as they set it"
        if split:
            names = ", ".join(f"{m.function}:{m.alias} ({split_text(m.live)})" for m in split)
            fixes = "; ".join(
                f"lambdawait rollback {m.function} --alias {m.alias} --to-version {m.old}" for m in split
            )
            return AliasSplitError(
                f"the release stopped ({stop_reason(cause)}) and {len(split)} alias(es) could not be "
                f"restored: {names}",
                hint=f"run {fixes}",
                reason_code="AliasSplit",
            )
        if isinstance(cause, GateFired):
            f = cause.failure
            return RolledBackError(
                f"{f.gate} gate fired: {f.detail}; {said}",
                hint="the new versions stay published for inspection; fix and apply again",
                reason_code=f.gate,
                details={"gate": f.gate, "gateDetail": f.detail},
            )
        if isinstance(cause, KeyboardInterrupt):
            return InterruptedError_(f"interrupted during the release; {said}", hint="apply again when ready")
        if isinstance(cause, LambdawaitError):
            cause.message = f"{cause.message}; {said}"
            cause.args = (cause.message,)
            return cause
        return cause


def _distinct_gates(moves: Sequence[Move]) -> list[Gates]:
    """One Gates per distinct alarm set and check command: the set is watched, not each member."""
    seen: dict[tuple[tuple[str, ...], str | None], Gates] = {}
    for move in moves:
        spec = move.gates.spec
        seen.setdefault((spec.alarms, spec.check_command), move.gates)
    return list(seen.values())


def _quietly(client: LambdaApi, move: Move) -> AliasInfo | None:
    return get_alias_quietly(client, move.function, move.alias)
