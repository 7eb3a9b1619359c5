"""The exit-code contract and the exception tree: every failure knows its exit code and a hint."""

from __future__ import annotations

import enum
from typing import Any


class ExitCode(enum.IntEnum):
    """Process exit codes; the README's table is generated from the same meanings."""

    OK = 0
    FAILED = 1  # the target reached a failed state (Failed, update Failed, Inactive)
    USAGE = 2  # bad input; nothing was changed
    TIMEOUT = 3  # timed out; the last state seen is reported
    AWS = 4  # AWS/API error: denied, not found, throttled beyond retries, conflict
    ROLLED_BACK = 5  # a traffic shift was rolled back by a health gate
    ALIAS_SPLIT = 6  # a shift failed and its alias could not be restored: split left, repair named
    INTERRUPTED = 130  # SIGINT/SIGTERM, after cleanup


class LambdawaitError(Exception):
    """Base of every error lambdawait reports; carries a one-line message and a hint."""

    exit_code: ExitCode = ExitCode.AWS

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        reason_code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.reason_code = reason_code
        self.details: dict[str, Any] = dict(details or {})

    def one_line(self) -> str:
        """The message and the hint on one line, as printed to stderr."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(LambdawaitError):
    """Invalid input detected before any mutating call."""

    exit_code = ExitCode.USAGE


class TargetFailedError(LambdawaitError):
    """The function or version reached a failed state."""

    exit_code = ExitCode.FAILED


class WaitTimeoutError(LambdawaitError):
    """The deadline passed before the target was ready."""

    exit_code = ExitCode.TIMEOUT


class AwsError(LambdawaitError):
    """An AWS API call failed in a way lambdawait cannot fix by waiting."""

    exit_code = ExitCode.AWS


class ConfigurationError(AwsError):
    """Missing credentials or region: nothing could be called."""


class ConflictError(AwsError):
    """Someone else changed the function or alias (RevisionId mismatch)."""


class NotFoundError(AwsError):
    """The function, version or alias does not exist."""


class RolledBackError(LambdawaitError):
    """A health gate fired and the alias was restored."""

    exit_code = ExitCode.ROLLED_BACK


class AliasSplitError(LambdawaitError):
    """A shift stopped and its restore failed: the alias still splits traffic; the repair is named."""

    exit_code = ExitCode.ALIAS_SPLIT


class InterruptedError_(LambdawaitError):
    """SIGINT/SIGTERM arrived; cleanup has run."""

    exit_code = ExitCode.INTERRUPTED


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
    "AccessDeniedExceptionException": "grant the caller the permission named in the message",
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


def exit_code_for_outcomes(outcomes: list[str]) -> ExitCode:
    """One exit code for several waits: a failed target first, then API errors, then timeouts."""
    if all(o == "ready" for o in outcomes):
        return ExitCode.OK
    if any(o in ("failed", "inactive", "unsupported-state") for o in outcomes):
        return ExitCode.FAILED
    if any(o in ("error", "not-found") for o in outcomes):
        return ExitCode.AWS
    return ExitCode.TIMEOUT
