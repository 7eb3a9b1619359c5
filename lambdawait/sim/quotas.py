"""The account's Lambda request quotas as token buckets: over the rate, 429 CallerRateLimitExceeded."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from lambdawait.sim.scenario import Quotas
from lambdawait.sim.wire import SimError

# Invocations are limited by concurrency, not by the control-plane request rate.
UNMETERED = frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream"})


def quota_for(operation: str, quotas: Quotas) -> tuple[str, float] | None:
    """The bucket an operation draws from and its rate; None when no request quota applies."""
    if operation in UNMETERED:
        return None
    if operation == "GetFunction":
        return "GetFunction", quotas.get_function_per_second
    if operation == "GetPolicy":
        return "GetPolicy", quotas.get_policy_per_second
    return "control plane", quotas.control_plane_per_second


class TokenBucket:
    """`rate` tokens a second, holding at most `burst`; a request takes one token."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._last = now

    def take(self, now: float) -> float:
        """0 when a token was taken; otherwise the seconds until one will be there."""
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate


class QuotaGate:
    """One bucket per region and quota, created full; a refused request takes no token."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, float], TokenBucket] = {}

    def admit(self, quotas: Quotas, region: str, operation: str) -> SimError | None:
        """None when the request may go on, else the 429 AWS answers over the rate."""
        quota = None if not quotas.enabled else quota_for(operation, quotas)
        if quota is None:
            return None
        name, rate = quota
        now = self._clock()
        with self._lock:
            # Keyed by rate too, so a scenario that changes a rate starts that bucket afresh.
            key = (region, name, rate)
            bucket = self._buckets.get(key)
            if bucket is None:
                # Burst = rate, as AWS does not publish its burst; at least 1 so that a rate
                # below one request a second still lets a request through now and then.
                bucket = self._buckets[key] = TokenBucket(rate, max(1.0, rate), now)
            wait = bucket.take(now)
        if wait == 0:
            return None
        # Retry-After carries whole seconds (HTTP); the token is due sooner at AWS's rates.
        return SimError(
            429,
            "TooManyRequestsException",
            "Rate exceeded",
            extra={"Reason": "CallerRateLimitExceeded"},
            headers=[("Retry-After", str(max(1, math.ceil(wait))))],
        )
