"""The poller over scripted GetFunction sequences, with an injected clock: no real waiting."""

from __future__ import annotations

import random
from typing import Any

import pytest

from lambdawait.aws.waiter import PollSchedule, Waiter, WaitEvent, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.clock import RateLimiter
from lambdawait.core.models import WaitOutcome
from tests.fakes import FakeClock, ScriptedLambda, client_error, config


def run(
    script: list[Any], target: Target = Target.READY, timeout: float = 300.0, qualifier: str | None = None
) -> tuple[Any, ScriptedLambda, FakeClock, list[WaitEvent]]:
    clock = FakeClock()
    client = ScriptedLambda(script, clock)
    events: list[WaitEvent] = []
    waiter = Waiter(
        client,
        clock=clock,
        limiter=RateLimiter(1000, clock),
        on_event=events.append,
        rng=random.Random(1),
    )
    result = waiter.wait(WaitRequest("fn", qualifier, target), timeout)
    return result, client, clock, events


def test_already_ready_costs_one_call_and_no_sleep() -> None:
    result, client, clock, _ = run([config()])
    assert result.outcome is WaitOutcome.READY
    assert len(client.calls) == 1
    assert clock.sleeps == []


def test_pending_then_active() -> None:
    script = [config("Pending", None, state_code="Creating")] * 3 + [config()]
    result, client, _, events = run(script)
    assert result.outcome is WaitOutcome.READY
    assert result.polls == 4 == len(client.calls)
    assert [e.changed for e in events] == [True, False, False, True]


@pytest.mark.parametrize("code", ["InvalidSubnet", "EniLimitExceeded", "InvalidImage", "KMSKeyNotFound"])
def test_pending_then_failed_stops_at_once_with_remediation(code: str) -> None:
    script = [config("Pending", None, state_code="Creating"), config("Failed", "Failed", state_code=code)]
    script.append(config())  # must never be reached
    result, client, _, _ = run(script)
    assert result.outcome is WaitOutcome.FAILED
    assert len(client.calls) == 2
    assert result.status is not None and result.status.state_reason_code == code
    assert code in result.message
    assert result.remediation


def test_update_in_progress_then_successful() -> None:
    script = [config("Active", "InProgress")] * 2 + [config()]
    result, client, _, _ = run(script, Target.UPDATED)
    assert result.outcome is WaitOutcome.READY
    assert len(client.calls) == 3


def test_update_failed_reports_update_reason_code() -> None:
    script = [config("Active", "InProgress"), config("Active", "Failed", update_code="InvalidRuntime")]
    result, _, _, _ = run(script)
    assert result.outcome is WaitOutcome.FAILED
    assert result.status is not None and result.status.reason_code == "InvalidRuntime"
    assert "InvalidRuntime" in result.message
    assert result.remediation


def test_ready_requires_both_state_and_update() -> None:
    script = [config("Active", "InProgress")] * 2 + [config()]
    result, client, _, _ = run(script, Target.READY)
    assert result.outcome is WaitOutcome.READY and len(client.calls) == 3
    # `active` alone is satisfied by the first response.
    result, client, _, _ = run(script, Target.ACTIVE)
    assert result.outcome is WaitOutcome.READY and len(client.calls) == 1


def test_inactive_is_reported_at_once() -> None:
    result, client, _, _ = run([config("Inactive", "Successful", state_code="Idle"), config()])
    assert result.outcome is WaitOutcome.INACTIVE
    assert len(client.calls) == 1
    assert "invoke or an update reactivates" in result.message
    assert result.remediation


def test_inactive_is_fine_when_only_the_update_matters() -> None:
    result, _, _, _ = run([config("Inactive", "Successful", state_code="Idle")], Target.UPDATED)
    assert result.outcome is WaitOutcome.READY


@pytest.mark.parametrize(
    ("state", "qualifier"),
    [("Deactivating", "3"), ("Deactivated", None), ("ActiveNonInvocable", "3"), ("Deleting", "3")],
)
def test_newer_states_are_reported_not_polled(state: str, qualifier: str | None) -> None:
    # ActiveNonInvocable on $LATEST is a Managed Instances function's normal state (test_managed.py).
    result, client, _, _ = run([config(state, "Successful"), config()], qualifier=qualifier)
    assert result.outcome is WaitOutcome.UNSUPPORTED_STATE
    assert state in result.message
    assert len(client.calls) == 1


def test_throttling_burst_is_retried_within_the_deadline() -> None:
    throttle = client_error("TooManyRequestsException", 429, "Rate exceeded")
    script: list[Any] = [throttle, throttle, client_error("ServiceException", 500), config()]
    result, client, clock, events = run(script)
    assert result.outcome is WaitOutcome.READY
    assert len(client.calls) == 4
    assert any(e.note and "TooManyRequests" in e.note for e in events)
    assert len(clock.sleeps) == 3 and all(s > 0 for s in clock.sleeps)


def test_one_throttle_late_in_a_wait_backs_off_briefly() -> None:
    """The backoff grows with throttles in a row, not with the polls before: no seconds-long gap."""
    throttle = client_error("TooManyRequestsException", 429)
    script: list[Any] = [config("Active", "InProgress")] * 8 + [throttle, config()]
    result, _, clock, _ = run(script)
    assert result.outcome is WaitOutcome.READY
    assert 0 < clock.sleeps[8] <= 0.2


def test_backoff_grows_while_throttling_lasts() -> None:
    throttle = client_error("TooManyRequestsException", 429)
    result, _, clock, _ = run([throttle] * 4 + [config()])
    assert result.outcome is WaitOutcome.READY
    for sleep, ceiling in zip(clock.sleeps, [0.2, 0.4, 0.8, 1.6], strict=True):
        assert ceiling / 2 <= sleep <= ceiling  # jittered in [50 %, 100 %] of the doubling step


def test_retry_after_header_is_honoured() -> None:
    throttle = client_error("TooManyRequestsException", 429, **{"retry-after": "2"})
    result, _, clock, _ = run([throttle, config()])
    assert result.outcome is WaitOutcome.READY
    assert clock.sleeps[0] >= 2.0


def test_throttled_until_the_deadline_is_an_api_error() -> None:
    throttle = client_error("TooManyRequestsException", 429)
    result, _, clock, _ = run([throttle], timeout=10)
    assert result.outcome is WaitOutcome.ERROR
    assert result.error_code == "TooManyRequestsException"
    assert clock.t - 1000.0 == pytest.approx(10.0)


def test_timeout_exactly_on_time_with_last_state() -> None:
    result, client, clock, _ = run([config("Pending", None, state_code="Creating")], timeout=7.5)
    assert result.outcome is WaitOutcome.TIMEOUT
    assert clock.t - 1000.0 == pytest.approx(7.5)  # no extra sleep past the deadline
    assert client.call_times[-1] == pytest.approx(1007.5)  # one last look at the deadline
    assert "Pending" in result.message and "Creating" in result.message


def test_missing_function_fails_at_once() -> None:
    result, client, _, _ = run([client_error("ResourceNotFoundException", 404, "Function not found")])
    assert result.outcome is WaitOutcome.NOT_FOUND
    assert len(client.calls) == 1


def test_access_denied_is_not_retried() -> None:
    result, client, _, _ = run([client_error("AccessDeniedException", 403)])
    assert result.outcome is WaitOutcome.ERROR and result.error_code == "AccessDeniedException"
    assert len(client.calls) == 1


def test_exists_retries_not_found() -> None:
    missing = client_error("ResourceNotFoundException", 404)
    result, client, _, _ = run([missing, missing, config("Pending", None)], Target.EXISTS)
    assert result.outcome is WaitOutcome.READY and len(client.calls) == 3


def test_version_target_uses_qualifier_and_published_version_acceptors() -> None:
    script = [config("Pending", None, Version="3"), config("Active", None, Version="3")]
    result, client, _, _ = run(script, Target.VERSION, qualifier="3")
    assert result.outcome is WaitOutcome.READY
    assert client.calls[0] == {"FunctionName": "fn", "Qualifier": "3"}


def test_version_failed() -> None:
    script = [config("Failed", None, state_code="InvalidImage", Version="3")]
    result, _, _, _ = run(script, Target.VERSION, qualifier="3")
    assert result.outcome is WaitOutcome.FAILED and result.remediation


def test_schedule_is_fast_early_and_backs_off() -> None:
    schedule = PollSchedule(jitter=0)
    rng = random.Random(0)
    intervals = [schedule.interval(n, rng) for n in range(1, 30)]
    assert intervals[0] == pytest.approx(0.1)
    assert intervals == sorted(intervals)
    assert intervals[-1] == pytest.approx(schedule.cap)


def test_schedule_slows_to_one_second_after_the_settle_time() -> None:
    schedule = PollSchedule(jitter=0)
    rng = random.Random(0)
    assert schedule.interval(50, rng, elapsed=29.9) == pytest.approx(schedule.cap)
    assert schedule.interval(50, rng, elapsed=30.0) == pytest.approx(schedule.slow_cap)


def test_poll_spacing_during_a_long_wait() -> None:
    _, client, _, _ = run([config("Pending", None)], timeout=90)
    start = client.call_times[0]
    gaps = [(a - start, b - a) for a, b in zip(client.call_times, client.call_times[1:], strict=False)]
    early = [gap for at, gap in gaps if at < 29]
    late = [gap for at, gap in gaps if at > 31]
    assert early[0] < 0.12 and max(early) <= 0.34  # quick detection while a change is likely
    assert late and all(0.85 <= gap <= 1.1 for gap in late[:-1])  # then botocore's pace
    assert len(client.calls) < 180  # far fewer than 900 polls at 0.1 s


def test_wait_many_shares_the_rate_limit_and_keeps_order() -> None:
    clock = FakeClock()
    client = ScriptedLambda([config()], clock)
    waiter = Waiter(client, clock=clock, limiter=RateLimiter(10, clock, burst=1))
    requests = [WaitRequest(f"fn{i}", None, Target.READY) for i in range(5)]
    results = waiter.wait_many(requests, 30)
    assert [r.function for r in results] == [f"fn{i}" for i in range(5)]
    assert all(r.ok for r in results)
    assert len(client.calls) == 5


def test_rate_limiter_spaces_calls_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock, burst=1)
    waits = [limiter.acquire() for _ in range(5)]
    # The first call is free; each later one waits for the next token at 10/s.
    assert waits[0] == 0
    assert waits[1:] == pytest.approx([0.1] * 4)


def test_cancelled_wait_stops() -> None:
    clock = FakeClock()
    client = ScriptedLambda([config("Pending", None)], clock)
    waiter = Waiter(client, clock=clock, cancelled=lambda: len(client.calls) >= 2)
    result = waiter.wait(WaitRequest("fn", None, Target.READY), 300)
    assert result.outcome is WaitOutcome.ERROR and result.message == "interrupted"
    assert len(client.calls) == 2


def test_failed_creation_remediation_says_to_recreate_not_update() -> None:
    result, _, _, _ = run([config("Failed", "Failed", state_code="SubnetOutOfIPAddresses")])
    assert result.remediation is not None
    assert "delete-function --function-name fn" in result.remediation
    # ... and only that: no "update the function again" beside it, the delete advice once.
    assert "update the function again" not in result.remediation
    assert result.remediation.count("delete-function") == 1


def test_failed_update_of_a_live_function_keeps_the_catalogue_advice() -> None:
    result, _, _, _ = run([config("Active", "Failed", update_code="SubnetOutOfIPAddresses")])
    assert result.remediation is not None and "delete-function" not in result.remediation
