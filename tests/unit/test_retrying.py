"""The retrying client proxy: transient errors retried within a budget, others passed through."""

from __future__ import annotations

import random
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.aws.retrying import RetryingClient
from tests.fakes import FakeClock, client_error


class Flaky:
    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = list(failures)
        self.calls = 0

    def update_alias(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return {"ok": kwargs}

    def get_paginator(self, name: str) -> str:
        return f"paginator {name}"


def proxy(inner: Flaky, clock: FakeClock, budget: float = 30.0) -> Any:
    return RetryingClient(inner, sleep=clock.sleep, clock=clock.now, budget=budget, rng=random.Random(3))


def test_throttling_and_5xx_are_retried_until_success() -> None:
    clock = FakeClock()
    inner = Flaky([client_error("TooManyRequestsException", 429), client_error("ServiceException", 502)])
    assert proxy(inner, clock).update_alias(Name="live") == {"ok": {"Name": "live"}}
    assert inner.calls == 3
    assert len(clock.sleeps) == 2 and all(s > 0 for s in clock.sleeps)


def test_retry_after_is_honoured() -> None:
    clock = FakeClock()
    inner = Flaky([client_error("TooManyRequestsException", 429, **{"retry-after": "3"})])
    proxy(inner, clock).update_alias()
    assert clock.sleeps[0] >= 3


def test_gives_up_when_the_budget_is_spent() -> None:
    clock = FakeClock()
    inner = Flaky([client_error("TooManyRequestsException", 429)] * 1000)
    with pytest.raises(ClientError):
        proxy(inner, clock, budget=10).update_alias()
    assert clock.t - 1000 <= 10


def test_other_errors_are_not_retried_but_marked_after_a_retry() -> None:
    clock = FakeClock()
    stale = client_error("PreconditionFailedException", 412)
    inner = Flaky([client_error("ServiceException", 500), stale])
    with pytest.raises(ClientError) as caught:
        proxy(inner, clock).update_alias()
    assert caught.value is stale
    # Our own retry may have been the second delivery of a call that landed: say so for reconcile.
    assert stale.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert inner.calls == 2


def test_first_attempt_errors_pass_through_unmarked() -> None:
    clock = FakeClock()
    denied = client_error("AccessDeniedException", 403)
    with pytest.raises(ClientError):
        proxy(Flaky([denied]), clock).update_alias()
    assert denied.response["ResponseMetadata"].get("RetryAttempts", 0) == 0


def test_non_call_attributes_are_the_client_own() -> None:
    assert proxy(Flaky([]), FakeClock()).get_paginator("x") == "paginator x"


def test_a_long_retry_says_so_once_and_a_short_one_stays_quiet() -> None:
    # Throttled for ~10 s: one progress line naming the call and AWS's answer, not one per retry.
    clock, notices = FakeClock(), []
    inner = Flaky([client_error("TooManyRequestsException", 429)] * 6)
    client = RetryingClient(
        inner, sleep=clock.sleep, clock=clock.now, budget=30, rng=random.Random(3), on_notice=notices.append
    )
    client.update_alias()
    assert sum(clock.sleeps) >= 5 and len(clock.sleeps) == 6
    assert len(notices) == 1
    assert notices[0].startswith("UpdateAlias: AWS answered TooManyRequestsException; still retrying")
    # Two quick throttles (well under 5 s of retrying): nothing to say.
    quiet: list[str] = []
    short = Flaky([client_error("TooManyRequestsException", 429)] * 2)
    RetryingClient(short, sleep=clock.sleep, clock=clock.now, on_notice=quiet.append).update_alias()
    assert quiet == []
