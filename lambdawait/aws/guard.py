"""Mutating calls that never race Lambda's update lock and never clobber someone else's change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.errors import (
    ConflictError,
    ErrorDetails,
    Seen,
    TargetFailedError,
    WaitTimeoutError,
    client_error_code,
    client_error_message,
    translate_client_error,
)
from lambdawait.core.models import FunctionStatus, WaitOutcome, WaitResult

T = TypeVar("T")
BUSY = "ResourceConflictException"
STALE = "PreconditionFailedException"
MAX_BUSY_RETRIES = 5
# Lambda's 409 wordings for "not now, wait": an update running, or the function still Pending.
# Updates and publishes quote the state ('Pending'); Invoke does not.
_BUSY_PHRASES = (
    "update is in progress",
    "currently in the following state: 'pending'",
    "currently in the following state: pending",
)


def retried_after_transport_error(exc: BaseException) -> bool:
    """botocore retried this call: an earlier attempt may have reached Lambda and succeeded."""
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0) > 0


def raise_for_wait(result: WaitResult, *, context: str) -> FunctionStatus:
    """The status of a successful wait, or the lambdawait error its outcome stands for."""
    if result.ok and result.status is not None:
        return result.status
    details: ErrorDetails = {"reasonCode": result.status.reason_code if result.status else None}
    code = result.status.reason_code if result.status else result.error_code
    message = f"{context}: {result.message}"
    if result.outcome in (WaitOutcome.FAILED, WaitOutcome.INACTIVE, WaitOutcome.UNSUPPORTED_STATE):
        hint: str | None = result.remediation
        if result.status is not None and result.remediation:
            # The steps for what failed (a version, an update), and the function that shows them.
            from lambdawait.core.reasons import failure_remediation

            hint = failure_remediation(result.status) or result.remediation
            details["statuses"] = [Seen(result.status, hint)]
        raise TargetFailedError(message, hint=hint, reason_code=code, details=details)
    if result.outcome is WaitOutcome.TIMEOUT:
        # "timeout" alone would read as the function's own Timeout (deploy --timeout).
        hint = (
            "raise --wait-timeout (how long lambdawait waits; not the function's Timeout), "
            "or check `lambdawait status`"
        )
        raise WaitTimeoutError(message, hint=hint)
    from lambdawait.core.errors import AwsError, NotFoundError

    if result.outcome is WaitOutcome.NOT_FOUND:
        raise NotFoundError(message, hint="check the function name and region", reason_code=code)
    raise AwsError(message, reason_code=code)


def wait_ready(waiter: Waiter, function: str, timeout: float, context: str) -> FunctionStatus:
    """Block until $LATEST is Active and its last update Successful, or raise why not."""
    result = waiter.wait(WaitRequest(function, None, Target.READY), timeout)
    return raise_for_wait(result, context=context)


def guarded_call(
    action: str,
    call: Callable[[], T],
    *,
    wait_idle: Callable[[], object],
    reconcile: Callable[[], T | None] | None = None,
) -> T:
    """Run a mutating call: wait out "update in progress", detect lost replies, refuse stale writes.

    A 409/412 right after botocore retried a lost reply may be our own first attempt having landed,
    so `reconcile` re-reads the function and returns the result if the change is already there.
    Throttling is the client's business (lambdawait.aws.retrying), not this function's.
    """
    import botocore.exceptions

    busy = 0
    while True:
        try:
            return call()
        except botocore.exceptions.ClientError as exc:
            code = client_error_code(exc)
            if code in (BUSY, STALE) and reconcile is not None and retried_after_transport_error(exc):
                landed = reconcile()
                if landed is not None:
                    return landed
            message = client_error_message(exc).lower()
            in_progress = any(phrase in message for phrase in _BUSY_PHRASES)
            if code == BUSY and in_progress and busy < MAX_BUSY_RETRIES:
                busy += 1
                wait_idle()
                continue
            if code == STALE:
                raise ConflictError(
                    f"{action} refused: the function changed since lambdawait read it (RevisionId "
                    "mismatch), so someone else is changing it",
                    hint="nothing was overwritten; check `lambdawait status`, then re-run",
                    reason_code=code,
                ) from exc
            raise translate_client_error(exc, action=action) from exc
