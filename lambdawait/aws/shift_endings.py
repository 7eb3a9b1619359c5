"""The errors that end a shift: what happened, where the alias is left, and how to repair it.

Shifter._unwind restores the alias first, then picks one of these to say why the shift stopped;
each carries the same details (the alias as read, the versions, the weights applied, the run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lambdawait.aws import aliases
from lambdawait.aws.aliases import repair_command, split_text
from lambdawait.aws.gates import GateFired, stop_reason
from lambdawait.core.errors import (
    AliasSplitError,
    ErrorDetails,
    InterruptedError_,
    LambdawaitError,
    RolledBackError,
)
from lambdawait.core.models import AliasInfo

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi
    from lambdawait.aws.shift_model import LiveAlias, ShiftRequest


def get_alias_quietly(client: LambdaApi, req: ShiftRequest) -> AliasInfo | None:
    """The shift's alias for a report, or None when even that read fails."""
    return aliases.get_alias_quietly(client, req.function, req.alias)


def details(req: ShiftRequest, state: LiveAlias, alias: AliasInfo | None, *, run_id: str) -> ErrorDetails:
    return {
        "alias": alias,
        "fromVersion": state.old,
        "toVersion": req.to_version,
        "weightsApplied": list(state.applied),
        "run": run_id,
    }


def stopped(
    req: ShiftRequest,
    state: LiveAlias,
    cause: BaseException,
    final: AliasInfo | None,
    *,
    run_id: str,
    note: Callable[[str], None],
) -> BaseException:
    """The error that ends a shift whose alias is whole again on the old version."""
    restored = f"alias {req.alias} restored to version {state.old}"
    if not state.touched:
        restored = f"alias {req.alias} untouched ({split_text(final)})"
    found = details(req, state, final, run_id=run_id)
    if isinstance(cause, GateFired):
        f = cause.failure
        return RolledBackError(
            f"{f.gate} gate fired: {f.detail}; alias {req.alias} rolled back to version {state.old}",
            hint=f"version {req.to_version} stays published for inspection; "
            f"`lambdawait status {req.function}`",
            reason_code=f.gate,
            details={"gate": f.gate, "gateDetail": f.detail, **found},
        )
    if isinstance(cause, KeyboardInterrupt):
        return InterruptedError_(
            f"interrupted during the shift of {req.alias}; {restored}",
            hint="re-run the shift when ready",
            details=found,
        )
    if isinstance(cause, LambdawaitError):
        cause.message = f"{cause.message}; {restored}"
        cause.args = (cause.message,)
        cause.details = {**cause.details, **found}
        return cause
    note(f"{restored} after {type(cause).__name__}")
    return cause


def split_left(
    client: LambdaApi,
    req: ShiftRequest,
    state: LiveAlias,
    cause: BaseException,
    failed: Exception,
    *,
    run_id: str,
) -> AliasSplitError:
    """The restore itself failed: name the split left and the command that repairs it (exit 6)."""
    alias = get_alias_quietly(client, req)
    where = split_text(alias) if alias else "in an unknown state (it could not be read)"
    why = failed.message if isinstance(failed, LambdawaitError) else f"{type(failed).__name__}: {failed}"
    reason = stop_reason(cause)
    fix = repair_command(req.function, req.alias, state.old)
    return AliasSplitError(
        f"the shift of {req.alias} stopped ({reason}) and restoring it failed ({why}); "
        f"alias {req.alias} is left on {where}",
        hint=f"run `{fix}` (or `aws lambda update-alias --function-name {req.function} --name "
        f"{req.alias} --function-version {state.old} --routing-config AdditionalVersionWeights={{}}`)",
        reason_code="AliasSplit",
        details={**details(req, state, alias, run_id=run_id), "repairCommand": fix},
    )


def kept(client: LambdaApi, req: ShiftRequest, state: LiveAlias, *, run_id: str) -> InterruptedError_:
    """Interrupted with --on-interrupt keep: the alias stays where the shift had got to."""
    final = get_alias_quietly(client, req)
    where = split_text(final) if final else "as it was"
    return InterruptedError_(
        f"interrupted during the shift of {req.alias}; alias left on {where} (--on-interrupt keep)",
        hint=f"re-run the shift when ready, or `{repair_command(req.function, req.alias, state.old)}`",
        details=details(req, state, final, run_id=run_id),
    )


def interrupted_before_traffic(client: LambdaApi, req: ShiftRequest) -> InterruptedError_:
    """Interrupted during the checks: nothing of ours to undo; report the alias as it is."""
    from lambdawait.core.signals import deferred

    with deferred():
        final = get_alias_quietly(client, req)
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
