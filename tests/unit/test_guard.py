"""guarded_call: busy waits, stale writes, lost replies reconciled, throttling; raise_for_wait."""

from __future__ import annotations

from typing import Any

import pytest

from lambdawait.aws.guard import MAX_BUSY_RETRIES, guarded_call, raise_for_wait, retried_after_transport_error
from lambdawait.core.errors import AwsError, ConflictError, ExitCode, NotFoundError, WaitTimeoutError
from lambdawait.core.models import FunctionStatus, WaitOutcome, WaitResult
from tests.unit.lambda_fake import error

IN_PROGRESS = "The operation cannot be performed at this time. An update is in progress for resource: arn"


class Script:
    """A call that raises the given errors in turn, then returns "done"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_success_is_returned_as_is() -> None:
    assert guarded_call("x", Script(), wait_idle=lambda: None) == "done"


def test_update_in_progress_waits_then_retries() -> None:
    waits: list[int] = []
    call = Script(error("ResourceConflictException", IN_PROGRESS, 409))
    assert guarded_call("x", call, wait_idle=lambda: waits.append(1)) == "done"
    assert call.count == 2 and waits == [1]


def test_pending_function_409_also_waits() -> None:
    waits: list[int] = []
    message = (
        "The operation cannot be performed at this time. The function is currently in the following state: "
    )
    message += "Pending"
    call = Script(error("ResourceConflictException", message, 409))
    assert guarded_call("x", call, wait_idle=lambda: waits.append(1)) == "done"
    assert waits == [1]


def test_pending_409_in_aws_quoted_wording_also_waits() -> None:
    # The text AWS sends for an update or publish while the function is still being created.
    message = (
        "The operation cannot be performed at this time. The resource "
        "arn:aws:lambda:us-east-1:123456789012:function:fn is currently in the following state: "
        "'Pending'. StateReasonCode: 'Creating'"
    )
    waits: list[int] = []
    call = Script(error("ResourceConflictException", message, 409))
    assert guarded_call("x", call, wait_idle=lambda: waits.append(1)) == "done"
    assert waits == [1]


def test_busy_retries_are_bounded() -> None:
    busy = [error("ResourceConflictException", IN_PROGRESS, 409) for _ in range(MAX_BUSY_RETRIES + 1)]
    call = Script(*busy)
    with pytest.raises(AwsError) as info:
        guarded_call("x", call, wait_idle=lambda: None)
    assert info.value.reason_code == "ResourceConflictException"
    assert call.count == MAX_BUSY_RETRIES + 1


def test_other_409_is_not_retried() -> None:
    call = Script(error("ResourceConflictException", "Function already exist: fn", 409))
    with pytest.raises(AwsError):
        guarded_call("x", call, wait_idle=lambda: pytest.fail("must not wait"))
    assert call.count == 1


def test_412_is_a_conflict_exit_4() -> None:
    call = Script(error("PreconditionFailedException", "revision mismatch", 412))
    with pytest.raises(ConflictError) as info:
        guarded_call("updating", call, wait_idle=lambda: None, reconcile=lambda: "unused")
    assert info.value.exit_code is ExitCode.AWS
    assert "RevisionId" in info.value.message and "nothing was overwritten" in (info.value.hint or "")


@pytest.mark.parametrize("code", ["PreconditionFailedException", "ResourceConflictException"])
def test_409_or_412_after_a_transport_retry_is_reconciled(code: str) -> None:
    message = "revision mismatch" if code.startswith("Pre") else "Function already exist"
    exc = error(code, message, 409, retries=1)
    assert retried_after_transport_error(exc)
    reads: list[int] = []

    def reconcile() -> Any:
        reads.append(1)
        return "landed"

    assert guarded_call("x", Script(exc), wait_idle=lambda: None, reconcile=reconcile) == "landed"
    assert reads == [1]


def test_reconcile_that_finds_nothing_still_raises_the_conflict() -> None:
    exc = error("PreconditionFailedException", "revision mismatch", 412, retries=2)
    with pytest.raises(ConflictError):
        guarded_call("x", Script(exc), wait_idle=lambda: None, reconcile=lambda: None)


def test_conflict_without_a_transport_retry_is_not_reconciled() -> None:
    exc = error("PreconditionFailedException", "revision mismatch", 412, retries=0)
    with pytest.raises(ConflictError):
        guarded_call("x", Script(exc), wait_idle=lambda: None, reconcile=lambda: pytest.fail("no reconcile"))


def test_throttle_is_left_to_the_client_and_reported_as_aws_error() -> None:
    with pytest.raises(AwsError) as info:
        throttled = Script(error("TooManyRequestsException", "Rate exceeded", 429))
        guarded_call("x", throttled, wait_idle=lambda: None)
    assert info.value.reason_code == "TooManyRequestsException"


def test_not_found_and_bad_parameter_are_translated() -> None:
    with pytest.raises(NotFoundError):
        guarded_call("x", Script(error("ResourceNotFoundException", "nope", 404)), wait_idle=lambda: None)
    with pytest.raises(AwsError) as info:
        guarded_call("x", Script(error("AccessDeniedException", "no", 403)), wait_idle=lambda: None)
    assert info.value.hint


def result(outcome: WaitOutcome, status: FunctionStatus | None = None) -> WaitResult:
    return WaitResult("fn", None, "ready", outcome, status, 1.0, 1, f"it is {outcome.value}")


def test_raise_for_wait_maps_outcomes_to_exit_codes() -> None:
    ok = FunctionStatus("fn", state="Active")
    assert raise_for_wait(result(WaitOutcome.READY, ok), context="c") is ok
    with pytest.raises(WaitTimeoutError):
        raise_for_wait(result(WaitOutcome.TIMEOUT), context="c")
    with pytest.raises(NotFoundError):
        raise_for_wait(result(WaitOutcome.NOT_FOUND), context="c")
    failed = FunctionStatus("fn", state="Failed", state_reason_code="InvalidImage")
    with pytest.raises(Exception) as info:
        raise_for_wait(result(WaitOutcome.FAILED, failed), context="c")
    assert getattr(info.value, "exit_code", None) is ExitCode.FAILED
    assert getattr(info.value, "reason_code", None) == "InvalidImage"
