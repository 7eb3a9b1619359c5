"""Pure: core results -> the JSON result documents of the README's contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lambdawait.core.entries import alias_doc as alias_doc
from lambdawait.core.entries import function_entry as function_entry
from lambdawait.core.errors import ExitCode, LambdawaitError, exit_code_for, worst_outcome
from lambdawait.core.models import (
    FunctionReport,
    WaitOutcome,
    WaitResult,
)

if TYPE_CHECKING:
    from lambdawait.core.reasons import Reason

# The fields that say how a command ended: decided here from the outcome alone, never passed in.
_DECIDED = frozenset({"command", "ok", "outcome", "exitCode"})


def document(command: str, outcome: str, elapsed: float, /, **fields: Any) -> dict[str, Any]:
    """A result document; `ok` and `exitCode` follow from `outcome` (errors.OUTCOME_EXIT_CODES)."""
    code = exit_code_for(outcome)
    head: dict[str, Any] = {
        "command": command,
        "ok": code is ExitCode.OK,
        "outcome": outcome,
        "exitCode": int(code),
        "elapsedSeconds": round(elapsed, 3),
        "functions": [],
    }
    return {**head, **{key: value for key, value in fields.items() if key not in _DECIDED}}


def overall_outcome(outcomes: Sequence[str]) -> str:
    """`ready` when all are; otherwise the outcome that decides the exit code."""
    return worst_outcome(outcomes, all_ok=WaitOutcome.READY.value)


def wait_entry(result: WaitResult) -> dict[str, Any]:
    """The per-function entry of a wait result."""
    return {
        **function_entry(
            result.status,
            function=result.function,
            qualifier=result.qualifier,
            remediation=result.remediation,
        ),
        "target": result.target,
        "outcome": result.outcome.value,
        "message": result.message,
        "errorCode": result.error_code,
        "elapsedSeconds": round(result.elapsed, 3),
        "polls": result.polls,
    }


def wait_document(results: Sequence[WaitResult], elapsed: float) -> dict[str, Any]:
    """The whole `lambdawait wait` result."""
    outcome = overall_outcome([r.outcome.value for r in results])
    return document("wait", outcome, elapsed, functions=[wait_entry(r) for r in results])


def status_entry(report: FunctionReport) -> dict[str, Any]:
    """One function of `lambdawait status` (environment variable names only, values masked)."""
    from lambdawait.core.managed import meaning

    s = report.status
    return {
        **function_entry(s, qualifier=s.qualifier, remediation=report.remediation),
        "runtime": s.runtime,
        "handler": s.handler,
        "architecture": s.architecture,
        "packageType": s.package_type,
        "codeSize": s.code_size,
        "lastModified": s.last_modified,
        "memorySize": s.memory,
        "timeout": s.timeout,
        "environment": {name: "****" for name in s.env_names},
        "stateMeaning": meaning(s.state) or None,  # the Managed Instances states (lambdawait.core.managed)
        "versions": [
            {
                "version": v.version,
                "state": v.state,
                "stateReasonCode": v.state_reason_code,
                "stateMeaning": meaning(v.state) or None,
                "codeSha256": v.code_sha256,
                "lastModified": v.last_modified,
                "description": v.description,
            }
            for v in report.versions
        ],
        "aliases": [alias_doc(a) for a in report.aliases],
        "provisionedConcurrency": [
            {
                "qualifier": p.qualifier,
                "requested": p.requested,
                "allocated": p.allocated,
                "status": p.status,
                "statusReason": p.reason,
            }
            for p in report.provisioned
        ],
    }


def status_document(reports: Sequence[FunctionReport], elapsed: float) -> dict[str, Any]:
    return document("status", "ok", elapsed, functions=[status_entry(r) for r in reports])


def error_document(command: str, error: LambdawaitError, elapsed: float) -> dict[str, Any]:
    """What `--output json` prints when a command ends in an error: its outcome and exit code are
    the error's own (errors.OUTCOME_EXIT_CODES), as is the process's exit status."""
    return document(
        command,
        error.outcome,
        elapsed,
        error={
            "type": type(error).__name__.rstrip("_"),
            "message": error.message,
            "hint": error.hint,
            "code": error.reason_code,
        },
        **error.details,
    )


def explain_document(reasons: Sequence[Reason]) -> dict[str, Any]:
    """`lambdawait explain`: each code with what it means and the steps that fix it."""
    return document(
        "explain",
        "ok",
        0.0,
        reasons=[
            {
                "code": r.code,
                "appliesTo": sorted(r.applies_to),
                "meaning": r.meaning,
                "remediation": list(r.remediation),
            }
            for r in reasons
        ],
    )
