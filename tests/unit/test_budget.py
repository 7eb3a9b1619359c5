"""The account-wide request budget: its rate, its adaptation to 429s, closing, and the botocore hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lambdawait.core.budget import AdaptiveLimiter, Budget, Closed, install, priority, restore_capacity
from lambdawait.sim import Simulator


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def limiter(rate: float) -> tuple[AdaptiveLimiter, FakeClock]:
    clock = FakeClock()
    return AdaptiveLimiter(rate, clock=clock.now, sleep=clock.sleep), clock


def test_calls_are_spaced_at_the_rate_and_an_idle_spell_is_at_most_one_second_of_burst() -> None:
    lim, clock = limiter(10.0)
    for _ in range(30):
        lim.acquire()
    assert clock.t - 100.0 == pytest.approx(2.9)  # no burst to start with: one every 0.1 s
    clock.t += 60.0  # a long idle spell ...
    start = clock.t
    for _ in range(20):
        lim.acquire()
    assert clock.t - start == pytest.approx(0.9)  # ... carries over one second (10 calls), no more


def test_a_429_halves_the_rate_and_success_climbs_back_to_the_ceiling() -> None:
    lim, _ = limiter(10.0)
    lim.throttled_once()
    lim.throttled_once()
    assert lim.rate == 2.5 and lim.throttled == 2
    for _ in range(200):
        lim.succeeded()
    assert lim.rate == 10.0
    for _ in range(10):
        lim.throttled_once()
    assert lim.rate == 1.0  # never below MIN_RATE


def test_a_closed_budget_refuses_ordinary_calls_but_not_restores() -> None:
    lim, _ = limiter(10.0)
    lim.close(restore_rate=14.0)
    with pytest.raises(Closed):
        lim.acquire()
    assert lim.acquire(priority=True) == 0.0 and lim.rate == 14.0


def test_restore_capacity_counts_one_read_and_one_write_per_alias() -> None:
    assert restore_capacity(14.0, 10.0, reads_per_restore=0) == 140
    assert restore_capacity(10.0, 10.0) == 50


@pytest.fixture
def quota_sim(lambda_sim_factory: Callable[[Any], Simulator]) -> Simulator:
    return lambda_sim_factory({"quotas": {"control_plane_per_second": 2.0}})


def test_hooks_meter_each_attempt_by_quota_and_adapt_to_429(quota_sim: Simulator) -> None:
    client = quota_sim.client("lambda", config=_no_retries())
    budget = Budget.create(rate=1000.0, read_rate=1000.0)
    remove = install(client, budget)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function(FunctionName="nope")  # the GetFunction quota's limiter
    assert (budget.reads.acquired, budget.mutating.acquired) == (1, 0)
    throttled = 0
    for _ in range(4):  # over the simulator's 2/s control plane: its 429 lowers our rate
        try:
            client.list_functions()
        except client.exceptions.TooManyRequestsException:
            throttled += 1
    assert throttled >= 1 and budget.mutating.throttled == throttled
    assert budget.mutating.rate < 1000.0
    budget.close()
    with pytest.raises(Closed):
        client.list_functions()
    sent = quota_sim.calls().get("ListFunctions", 0)
    with priority(), pytest.raises(client.exceptions.TooManyRequestsException):
        client.list_functions()  # a restore still goes out (the simulator's own quota refuses it)
    assert quota_sim.calls().get("ListFunctions", 0) == sent + 1
    remove()


def _no_retries() -> Any:
    from botocore.config import Config

    return Config(retries={"mode": "standard", "total_max_attempts": 1})
