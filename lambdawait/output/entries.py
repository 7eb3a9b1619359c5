"""The per-function and per-alias entries of the JSON contract, built from domain objects (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait.core.doc_types import AliasDoc, FunctionDoc, StepsDoc

if TYPE_CHECKING:
    from lambdawait.core.ledger import DeploySteps
    from lambdawait.core.models import AliasInfo, FunctionStatus

__all__ = ["alias_doc", "alias_entry", "function_entry", "steps_doc"]


def alias_doc(alias: AliasInfo | None) -> AliasDoc | None:
    """An alias as the JSON contract shows it (null when there is none)."""
    return alias_entry(alias) if alias is not None else None


def alias_entry(alias: AliasInfo) -> AliasDoc:
    """An alias as the JSON contract shows it."""
    return {
        "name": alias.name,
        "functionVersion": alias.function_version,
        "additionalVersionWeights": alias.weights,
        "revisionId": alias.revision_id,
    }


def function_entry(
    status: FunctionStatus | None,
    *,
    function: str | None = None,
    qualifier: str | None = None,
    remediation: str | None = None,
) -> FunctionDoc:
    """The fields every per-function entry of the JSON contract carries (null when not seen).

    When there is a remediation, its steps are chosen for what the status shows (a failed creation
    is re-created, a failed update is updated again) and `remediation` is those steps on one line.
    """
    steps: tuple[str, ...] = ()
    if remediation and status is not None:
        from lambdawait.core.reasons import failure_steps

        steps = failure_steps(status)
    s = status
    return {
        "function": function or (s.function if s else None),
        "qualifier": qualifier,
        "state": s.state if s else None,
        "stateReason": s.state_reason if s else None,
        "stateReasonCode": s.state_reason_code if s else None,
        "lastUpdateStatus": s.last_update_status if s else None,
        "lastUpdateStatusReason": s.last_update_status_reason if s else None,
        "lastUpdateStatusReasonCode": s.last_update_status_reason_code if s else None,
        "remediation": "; ".join(steps) if steps else remediation,
        "remediationSteps": list(steps) if steps else ([remediation] if remediation else []),
        "version": s.version if s else None,
        "codeSha256": s.code_sha256 if s else None,
        "revisionId": s.revision_id if s else None,
    }


def steps_doc(steps: DeploySteps) -> StepsDoc:
    """How far a deploy got, as the document names it."""
    return {
        "applied": list(steps.applied),
        "notApplied": list(steps.not_applied),
        "unconfirmed": list(steps.unconfirmed),
        "liveCodeSha256": steps.live_code_sha256,
        "version": steps.version,
    }
