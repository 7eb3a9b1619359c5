"""Fault injection on Lambda calls: throttling, server errors, latency and lost replies, seeded."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from lambdawait.sim.scenario import Faults
from lambdawait.sim.wire import Reply, SimError

CLOSE_CONNECTION = 0
# What a gateway in front of the service answers when the service's own reply never reached it.
_BAD_GATEWAY = b"<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"


class FaultInjector:
    """Decides, per call, whether to delay it, fail it instead of answering, or lose its reply."""

    def __init__(self, seed: int | None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._sleep = sleep
        self._executed: dict[str, int] = {}

    def reseed(self, seed: int | None) -> None:
        """Start over: a fresh seeded sequence, and lost-reply ordinals counted from zero again."""
        with self._lock:
            self._rng = random.Random(seed)
            self._executed.clear()

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

    def lost_reply(self, faults: Faults, operation: str) -> int | None:
        """For a call that was carried out: None to answer it, else the lost reply's status.

        0 (CLOSE_CONNECTION) means close the connection without a word. Every executed call is
        counted, so `lost_reply_calls` ordinals are exact. A random draw is taken only when a
        rate is set, so seeds chosen for throttles and errors keep their sequence.
        """
        with self._lock:
            ordinal = self._executed[operation] = self._executed.get(operation, 0) + 1
            draw = self._rng.random() if faults.lost_reply_rate > 0 else None
        if faults.loses_reply(operation, ordinal, draw):
            return faults.lost_reply_status
        return None


def bad_gateway() -> Reply:
    """The 502 a client gets when the reply was lost between the service and the gateway."""
    return Reply(502, _BAD_GATEWAY, [("Content-Type", "text/html")])
