"""The exit-code contract and the exception tree: every failure knows its exit code and a hint."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Literal, TypedDict

if TYPE_CHECKING:
    # Types only: what a use case adds to an error is already a part of the JSON contract.
    from lambdawait.core.doc_types import DeploymentDoc, FunctionDoc, ReleaseDoc
    from lambdawait.core.ledger import DeploySteps
    from lambdawait.core.models import AliasInfo, FunctionStatus


class ExitCode(enum.IntEnum):
    """Process exit codes; the README's table is generated from the same meanings."""

    OK = 0
    FAILED = 1  # the target reached a failed state (Failed, update Failed, Inactive)
    USAGE = 2  # bad input; nothing was changed
    TIMEOUT = 3  # timed out; the last state seen is reported
    AWS = 4  # AWS/API error: denied, not found, throttled beyond retries, conflict
    ROLLED_BACK = 5  # a traffic shift was rolled back by a health gate
    ALIAS_SPLIT = 6  # a shift failed and its alias could not be restored: split left, repair named
    CHANGES = 7  # `plan --detailed-exitcode` found changes (no other outcome uses 7)
    INTERNAL = 70  # a lambdawait bug (sysexits' EX_SOFTWARE): not something AWS or the input did
    INTERRUPTED = 130  # SIGINT/SIGTERM/SIGHUP, after cleanup


# Every outcome a result document can carry and the exit code it means. Documents and the process
# exit status both come from this table (`exit_code_for`), so the two cannot disagree.
OUTCOME_EXIT_CODES: Mapping[str, ExitCode] = MappingProxyType(
    {
        **dict.fromkeys(
            ("ready", "ok", "created", "updated", "unchanged", "planned", "published", "shifted", "applied"),
            ExitCode.OK,
        ),
        "rolled-back": ExitCode.OK,  # `lambdawait rollback` did what was asked
        "started": ExitCode.OK,  # handed to CodeDeploy with --detach: the rollout goes on there
        "changes": ExitCode.CHANGES,  # `plan --detailed-exitcode`: apply would change something
        "failed": ExitCode.FAILED,
        "inactive": ExitCode.FAILED,
        "unsupported-state": ExitCode.FAILED,
        "usage-error": ExitCode.USAGE,
        "timeout": ExitCode.TIMEOUT,
        "not-found": ExitCode.AWS,
        "error": ExitCode.AWS,
        "gate-failed": ExitCode.ROLLED_BACK,  # a health gate fired; the alias was put back
        "alias-split": ExitCode.ALIAS_SPLIT,
        "internal-error": ExitCode.INTERNAL,
        "interrupted": ExitCode.INTERRUPTED,
    }
)

# Which outcome speaks for several (`wait` on many functions): a failed target first, then an API
# error, then a timeout -- the order the README documents for the exit code.
_PRECEDENCE = (
    "internal-error",
    "failed",
    "inactive",
    "unsupported-state",
    "not-found",
    "error",
    "timeout",
)


def exit_code_for(outcome: str) -> ExitCode:
    """The exit code an outcome means; an outcome missing from the table is a bug, not exit 0."""
    try:
        return OUTCOME_EXIT_CODES[outcome]
    except KeyError:
        raise ValueError(f"outcome {outcome!r} has no exit code") from None


def worst_outcome(outcomes: Iterable[str], *, all_ok: str = "ready") -> str:
    """The outcome that stands for several: `all_ok` when every one succeeded, else the most severe."""
    failures = [o for o in outcomes if exit_code_for(o) is not ExitCode.OK]
    if not failures:
        return all_ok
    rank = {outcome: index for index, outcome in enumerate(_PRECEDENCE)}
    return min(failures, key=lambda o: rank.get(o, len(rank)))


@dataclass(frozen=True)
class Seen:
    """A function as Lambda last showed it, with the remediation chosen for what it shows."""

    status: FunctionStatus
    remediation: str | None = None


class ErrorDetails(TypedDict, total=False):
    """What an error knows beside its message, named as the result document names it.

    Engines put domain facts here (an AliasInfo, the functions as Lambda showed them, a deploy's
    steps); output.documents turns them into the document's fields, in the order they were added.
    A use case (lambdawait.app) may add parts of the document it built itself.
    """

    # the functions the error is about, as Lambda showed them (`functions` from a use case wins)
    statuses: list[Seen]
    functions: list[FunctionDoc]
    # a health gate
    gate: str
    gateDetail: str
    aliasVersion: str
    reasonCode: str | None
    # where a shift left its alias
    alias: AliasInfo | None
    fromVersion: str | None
    toVersion: str | None
    weightsApplied: list[float]
    run: str | None
    repairCommand: str
    # what a deploy changed before it stopped (core.ledger)
    steps: DeploySteps
    # refused input
    problems: list[str]
    warnings: list[str]
    envRemoved: list[str]
    code: str
    suggestions: list[str]
    imageArchitectures: list[str]
    functionArchitecture: str | None
    # many functions (app.many): the set release and how to retry it
    release: ReleaseDoc
    retryCommand: str
    # a CodeDeploy rollout (app.cd_shift)
    deploymentId: str
    deployment: DeploymentDoc
    function: str | None
    engine: Literal["codedeploy"]
    strategy: str


def failure_details(status: FunctionStatus | None, remediation: str | None) -> ErrorDetails:
    """Details naming the function a failure is about, as Lambda showed it (none when unseen)."""
    return {"statuses": [Seen(status, remediation)]} if status is not None else {}


def redact_details(details: ErrorDetails, clean: Callable[[str], str]) -> ErrorDetails:
    """`details` with `clean` applied to every free text in them (Lambda's reasons, the
    remediations, problems and warnings, a gate's detail): names, codes and versions stay."""
    out = details.copy()
    if "statuses" in details:
        out["statuses"] = [_clean_seen(seen, clean) for seen in details["statuses"]]
    if "problems" in details:
        out["problems"] = [clean(text) for text in details["problems"]]
    if "warnings" in details:
        out["warnings"] = [clean(text) for text in details["warnings"]]
    if "gateDetail" in details:
        out["gateDetail"] = clean(details["gateDetail"])
    return out


def _clean_seen(seen: Seen, clean: Callable[[str], str]) -> Seen:
    def text(value: str | None) -> str | None:
        return clean(value) if value else value

    s = seen.status
    status = replace(
        s,
        state_reason=text(s.state_reason),
        last_update_status_reason=text(s.last_update_status_reason),
        description=text(s.description),
    )
    return Seen(status, text(seen.remediation))


class LambdawaitError(Exception):
    """Base of every error lambdawait reports; carries a one-line message and a hint."""

    outcome: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        reason_code: str | None = None,
        details: ErrorDetails | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.reason_code = reason_code
        self.details: ErrorDetails = details.copy() if details else {}

    @property
    def exit_code(self) -> ExitCode:
        """Derived from the outcome, never set apart from it."""
        return exit_code_for(self.outcome)

    def one_line(self) -> str:
        """The message and the hint on one line, as printed to stderr."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(LambdawaitError):
    """Invalid input detected before any mutating call."""

    outcome = "usage-error"


class TargetFailedError(LambdawaitError):
    """The function or version reached a failed state."""

    outcome = "failed"


class WaitTimeoutError(LambdawaitError):
    """The deadline passed before the target was ready."""

    outcome = "timeout"


class AwsError(LambdawaitError):
    """An AWS API call failed in a way lambdawait cannot fix by waiting."""

    outcome = "error"


class ConfigurationError(AwsError):
    """Missing credentials or region: nothing could be called."""


class ConflictError(AwsError):
    """Someone else changed the function or alias (RevisionId mismatch)."""


class NotFoundError(AwsError):
    """The function, version or alias does not exist."""

    outcome = "not-found"


class RolledBackError(LambdawaitError):
    """A health gate fired and the alias was restored."""

    outcome = "gate-failed"


class AliasSplitError(LambdawaitError):
    """A shift stopped and its restore failed: the alias still splits traffic; the repair is named."""

    outcome = "alias-split"


class InterruptedError_(LambdawaitError):
    """SIGINT/SIGTERM/SIGHUP arrived; cleanup has run."""

    outcome = "interrupted"


class InternalError(LambdawaitError):
    """A lambdawait bug: an exception nothing expected. Reported as such, never as an AWS error."""

    outcome = "internal-error"


def client_error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, or None for anything else."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def client_error_message(exc: BaseException) -> str:
    """The AWS error message of a botocore ClientError (may be empty)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message", ""))
    return str(exc)


_AWS_HINTS: dict[str, str] = {
    "ResourceNotFoundException": "check the function name, qualifier and region",
    "AccessDeniedException": "grant the caller the lambda:* permission named in the message",
    "UnrecognizedClientException": "check the credentials (AWS_PROFILE / AWS_ACCESS_KEY_ID)",
    "InvalidSignatureException": "check the secret key and the machine clock",
    "ExpiredTokenException": "refresh the session credentials",
    "TooManyRequestsException": "the account's Lambda quota was exceeded beyond retries; retry later",
    "PreconditionFailedException": "someone else changed it meanwhile; re-run to act on the new state",
    "ResourceConflictException": "another update is in progress; wait for it, then re-run",
    "InvalidParameterValueException": "fix the parameter named in the message",
    "CodeStorageExceededException": "delete unused versions or raise the code storage quota",
}


def translate_client_error(exc: BaseException, *, action: str) -> LambdawaitError:
    """Turn a botocore ClientError into the lambdawait error that carries its exit code."""
    code = client_error_code(exc) or type(exc).__name__
    message = f"{action} failed: {code}: {client_error_message(exc)}".rstrip(": ")
    hint = _AWS_HINTS.get(code)
    if code == "ResourceNotFoundException":
        return NotFoundError(message, hint=hint, reason_code=code)
    if code == "PreconditionFailedException":
        return ConflictError(message, hint=hint, reason_code=code)
    if code in {"InvalidParameterValueException", "ValidationException"}:
        return UsageError(message, hint=hint, reason_code=code)
    return AwsError(message, hint=hint, reason_code=code)
