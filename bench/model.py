"""What-if: detection lag and call counts of candidate poll schedules, simulated on the measured RTT."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from harness import percentile

from lambdawait.aws.waiter import PollSchedule

LONG_WAIT = 5.0
BOTOCORE_DELAY = 1.0

_DEFAULT = PollSchedule()
CANDIDATES: dict[str, PollSchedule] = {
    f"current ({_DEFAULT.first:g} s x{_DEFAULT.factor:g} -> {_DEFAULT.cap:g} s, "
    f"{_DEFAULT.slow_cap:g} s after {_DEFAULT.settle_after:g} s)": _DEFAULT,
    "cap 0.5 s, 1 s after 30 s": PollSchedule(cap=0.5),
    "cap 0.35 s, 1 s after 30 s": PollSchedule(cap=0.35),
    "0.1 s x1.25 -> 1 s (no settle phase)": PollSchedule(cap=1.0),
    "0.2 s x1.5 -> 1 s": PollSchedule(first=0.2, factor=1.5, cap=1.0),
    "botocore (fixed 1 s)": PollSchedule(
        first=BOTOCORE_DELAY, factor=1.0, cap=BOTOCORE_DELAY, slow_cap=BOTOCORE_DELAY, jitter=0.0
    ),
}


def _interval(schedule: PollSchedule, polls: int, elapsed: float, rng: random.Random) -> float:
    return schedule.interval(polls, rng, elapsed)


def simulate_one(
    schedule: PollSchedule, duration: float, rtt: float, rng: random.Random
) -> tuple[float, int]:
    """Lag (s) and polls of one wait: poll k is seen by the server at t_k + rtt/2; the flip is at `duration`.

    The update's own reply takes one RTT, so the first poll leaves at t = rtt (after the update arrives
    at rtt/2); each non-terminal poll is followed by the schedule's sleep.
    """
    sent = rtt / 2  # relative to the update's arrival at the server
    polls = 0
    while True:
        polls += 1
        if sent + rtt / 2 >= duration:
            return sent + rtt - duration, polls
        sent += rtt + _interval(schedule, polls, sent, rng)


def evaluate(nominals: Sequence[float], spread: float, rtt: float, samples: int = 2000) -> dict[str, Any]:
    """Each candidate over the benchmark's own duration mix (nominal x U(1 - spread, 1 + spread))."""
    rng = random.Random(11)
    out: dict[str, Any] = {}
    for name, schedule in CANDIDATES.items():
        lags: list[float] = []
        calls: list[int] = []
        long_calls: list[int] = []
        for nominal in nominals:
            for _ in range(samples):
                duration = nominal * rng.uniform(1 - spread, 1 + spread)
                lag, polls = simulate_one(schedule, duration, rtt, rng)
                lags.append(lag * 1000)
                calls.append(polls)
                if nominal > LONG_WAIT:
                    long_calls.append(polls)
        out[name] = {
            "lag_p50_ms": percentile(lags, 50),
            "lag_p95_ms": percentile(lags, 95),
            "calls_mean": sum(calls) / len(calls),
            "calls_over_5s_mean": sum(long_calls) / len(long_calls) if long_calls else float("nan"),
            "calls_10s": simulate_one(schedule, 10.0, rtt, random.Random(3))[1],
            "calls_300s": simulate_one(schedule, 300.0, rtt, random.Random(3))[1],
        }
    return out
