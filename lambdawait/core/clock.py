"""Time from outside: a clock/sleep seam, a cancellable real clock, and a shared rate limiter."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic time and sleep; tests pass a fake that advances instantly."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock; `cancel()` wakes every sleeper at once (used on SIGINT/SIGTERM)."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._cancelled.wait(seconds)

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


class RateLimiter:
    """A token bucket shared by every poll in the process, so N waits never exceed one quota."""

    def __init__(self, rate_per_second: float, clock: Clock, burst: float | None = None) -> None:
        self.rate = rate_per_second
        self.capacity = burst if burst is not None else max(1.0, rate_per_second / 5)
        self._tokens = self.capacity
        self._clock = clock
        self._last = clock.now()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is due; returns the seconds waited."""
        with self._lock:
            now = self._clock.now()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        # Sleep outside the lock: the debt is already booked, so later callers queue behind us.
        if wait > 0:
            self._clock.sleep(wait)
        return wait
