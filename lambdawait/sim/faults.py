"""Fault injection on Lambda calls: throttling, server errors and latency, from a seeded RNG."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from lambdawait.sim.scenario import Faults
from lambdawait.sim.wire import SimError


class FaultInjector:
    """Decides, per call, whether to delay it and whether to fail it instead of answering."""

    def __init__(self, seed: int | None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._sleep = sleep

    def reseed(self, seed: int | None) -> None:
        with self._lock:
            self._rng = random.Random(seed)

    def apply(self, faults: Faults, operation: str) -> SimError | None:
        """Sleep the configured latency, then return the error to answer, if any."""
        if not faults.applies_to(operation):
            return None
        if faults.latency_ms > 0:
            self._sleep(faults.latency_ms / 1000.0)
        with self._lock:
            # Two draws always, so a given seed yields the same sequence whatever the rates.
            throttle_draw = self._rng.random()
            error_draw = self._rng.random()
        if throttle_draw < faults.throttle_rate:
            retry_after = str(faults.retry_after_seconds)
            return SimError(
                429,
                "TooManyRequestsException",
                "Rate exceeded",
                extra={"retryAfterSeconds": retry_after, "Reason": "CallerRateLimitExceeded"},
                headers=[("Retry-After", retry_after)],
            )
        if error_draw < faults.error_rate:
            return SimError(
                faults.error_status,
                "ServiceException",
                "An internal error occurred (simulated).",
                kind="Service",
            )
        return None
