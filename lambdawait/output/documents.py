"""Pure: core results -> the JSON result documents of the README's contract (output.doc_types)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from lambdawait.core.doc_types import (
    DocumentFields,
    ExitNumber,
    FunctionDoc,
    ProvisionedDoc,
    ResultDocument,
    VersionDoc,
    as_command,
    as_outcome,
    is_command,
)
from lambdawait.core.errors import ErrorDetails, ExitCode, LambdawaitError, exit_code_for, worst_outcome
from lambdawait.core.models import FunctionReport, WaitOutcome, WaitResult
from lambdawait.output.entries import alias_doc as alias_doc
from lambdawait.output.entries import alias_entry, steps_doc
from lambdawait.output.entries import function_entry as function_entry

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from lambdawait.core.reasons import Reason

# The number each exit code prints as (the schema's enum of exitCode).
EXIT_NUMBERS: Mapping[ExitCode, ExitNumber] = MappingProxyType(
    {
        ExitCode.OK: 0,
        ExitCode.FAILED: 1,
        ExitCode.USAGE: 2,
        ExitCode.TIMEOUT: 3,
        ExitCode.AWS: 4,
        ExitCode.ROLLED_BACK: 5,
        ExitCode.ALIAS_SPLIT: 6,
        ExitCode.CHANGES: 7,
        ExitCode.INTERNAL: 70,
        ExitCode.INTERRUPTED: 130,
    }
)


def document(
    command: str,
    outcome: str,
    elapsed: float,
    /,
    *,
    functions: Sequence[FunctionDoc] = (),
    **fields: Unpack[DocumentFields],
) -> ResultDocument:
    """A result document; `ok` and `exitCode` follow from `outcome` (errors.OUTCOME_EXIT_CODES)."""
    code = exit_code_for(outcome)
    doc: ResultDocument = {
        "command": as_command(command),
        "ok": code is ExitCode.OK,
        "outcome": as_outcome(outcome),
        "exitCode": EXIT_NUMBERS[code],
        "elapsedSeconds": round(elapsed, 3),
        "functions": list(functions),
        **fields,
    }
    # The types keep a caller from passing these; an untyped caller's (a library user's) cannot
    # make the document disagree with the outcome either. Assigning keeps each key in its place.
    doc["command"], doc["ok"], doc["outcome"] = as_command(command), code is ExitCode.OK, as_outcome(outcome)
    doc["exitCode"] = EXIT_NUMBERS[code]
    return doc


def overall_outcome(outcomes: Sequence[str]) -> str:
    """`ready` when all are; otherwise the outcome that decides the exit code."""
    return worst_outcome(outcomes, all_ok=WaitOutcome.READY.value)


def wait_entry(result: WaitResult) -> FunctionDoc:
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


def wait_document(results: Sequence[WaitResult], elapsed: float) -> ResultDocument:
    """The whole `lambdawait wait` result."""
    outcome = overall_outcome([r.outcome.value for r in results])
    return document("wait", outcome, elapsed, functions=[wait_entry(r) for r in results])


def status_entry(report: FunctionReport) -> FunctionDoc:
    """One function of `lambdawait status` (environment variable names only, values masked)."""
    from lambdawait.core.managed import meaning

    s = report.status
    versions: list[VersionDoc] = [
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
    ]
    provisioned: list[ProvisionedDoc] = [
        {
            "qualifier": p.qualifier,
            "requested": p.requested,
            "allocated": p.allocated,
            "status": p.status,
            "statusReason": p.reason,
        }
        for p in report.provisioned
    ]
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
        "versions": versions,
        "aliases": [alias_entry(a) for a in report.aliases],
        "provisionedConcurrency": provisioned,
    }


def status_document(reports: Sequence[FunctionReport], elapsed: float) -> ResultDocument:
    return document("status", "ok", elapsed, functions=[status_entry(r) for r in reports])


def error_functions(error: LambdawaitError) -> list[FunctionDoc]:
    """The functions an error is about: as a use case showed them, else as Lambda last did."""
    details = error.details
    if "functions" in details:
        return details["functions"]
    return [function_entry(s.status, remediation=s.remediation) for s in details.get("statuses", [])]


def error_document(command: str, error: LambdawaitError, elapsed: float) -> ResultDocument | None:
    """What `--output json` prints when a command ends in an error: its outcome and exit code are
    the error's own (errors.OUTCOME_EXIT_CODES), as is the process's exit status. None for a
    command outside the JSON contract (the demo, `sim serve`, a usage error before any command):
    they print text only."""
    if not is_command(command):
        return None
    details = error.details
    fields: DocumentFields = {
        "error": {
            "type": type(error).__name__.rstrip("_"),
            "message": error.message,
            "hint": error.hint,
            "code": error.reason_code,
        },
        **error_fields(details),
    }
    return document(command, error.outcome, elapsed, functions=error_functions(error), **fields)


def error_fields(details: ErrorDetails) -> DocumentFields:
    """The document's fields for what an error knows, in the order the facts were added."""
    fields: DocumentFields = {}
    for key in details:
        _copy(key, details, fields)
    return fields


def _copy(key: str, d: ErrorDetails, f: DocumentFields) -> None:
    match key:
        case "alias":
            f["alias"] = alias_doc(d["alias"])
        case "steps":
            steps = steps_doc(d["steps"])
            f.setdefault("applied", steps["applied"])
            f.setdefault("notApplied", steps["notApplied"])
            f.setdefault("unconfirmed", steps["unconfirmed"])
            f.setdefault("liveCodeSha256", steps["liveCodeSha256"])
            f.setdefault("version", steps["version"])
        case "gate" | "gateDetail" | "repairCommand" | "code" | "retryCommand" | "deploymentId" | "strategy":
            _copy_text(key, d, f)
        case "aliasVersion":
            f["aliasVersion"] = d["aliasVersion"]
        case "reasonCode":
            f["reasonCode"] = d["reasonCode"]
        case "fromVersion":
            f["fromVersion"] = d["fromVersion"]
        case "toVersion":
            f["toVersion"] = d["toVersion"]
        case "weightsApplied":
            f["weightsApplied"] = d["weightsApplied"]
        case "run":
            f["run"] = d["run"]
        case "problems" | "warnings" | "envRemoved" | "suggestions" | "imageArchitectures":
            _copy_names(key, d, f)
        case "functionArchitecture":
            f["functionArchitecture"] = d["functionArchitecture"]
        case "release":
            f["release"] = d["release"]
        case "deployment":
            f["deployment"] = d["deployment"]
        case "function":
            f["function"] = d["function"]
        case "engine":
            f["engine"] = d["engine"]
        # statuses and functions are the document's functions (error_document)


def _copy_text(key: str, d: ErrorDetails, f: DocumentFields) -> None:
    match key:
        case "gate":
            f["gate"] = d["gate"]
        case "gateDetail":
            f["gateDetail"] = d["gateDetail"]
        case "repairCommand":
            f["repairCommand"] = d["repairCommand"]
        case "code":
            f["code"] = d["code"]
        case "retryCommand":
            f["retryCommand"] = d["retryCommand"]
        case "deploymentId":
            f["deploymentId"] = d["deploymentId"]
        case "strategy":
            f["strategy"] = d["strategy"]


def _copy_names(key: str, d: ErrorDetails, f: DocumentFields) -> None:
    match key:
        case "problems":
            f["problems"] = d["problems"]
        case "warnings":
            f["warnings"] = d["warnings"]
        case "envRemoved":
            f["envRemoved"] = d["envRemoved"]
        case "suggestions":
            f["suggestions"] = d["suggestions"]
        case "imageArchitectures":
            f["imageArchitectures"] = d["imageArchitectures"]


def explain_document(reasons: Sequence[Reason]) -> ResultDocument:
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
