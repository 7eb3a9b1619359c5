"""One account-wide request budget: every mutating Lambda call through one adaptive limiter.

Lambda's control plane allows 15 requests/s per account and region, shared by every operation but
invocations and GetFunction (100/s of its own). Parallel deploys that ignore it fail from the 16th
function. The budget is installed on the botocore client as `before-send` hooks, so every attempt
(retries included) of every call made anywhere in the process draws from it, and a 429 seen in
`needs-retry` lowers the rate (halved), which then climbs back additively while calls succeed.
Restores take a token ahead of every other waiting call (`priority`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.client import BaseClient

# Well under the 15/s quota: other tools (and people) share the account.
DEFAULT_RATE = 10.0
DEFAULT_READ_RATE = 60.0
# A plan only reads: it may use most of GetFunction's own 100/s quota.
PLAN_READ_RATE = 90.0
# Restores run alone (every other call is stopped), so they may use nearly all of the quota.
RESTORE_RATE = 14.0
MIN_RATE = 1.0
# Operations drawing from the GetFunction quota (100/s), not the shared control plane.
READ_OPERATIONS = frozenset({"GetFunction"})
# Calls no quota meters (invocations are limited by concurrency instead).
UNMETERED = frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream"})


class Closed(Exception):
    """The budget is closed (a restore is under way): ordinary calls are not sent at all."""


class AdaptiveLimiter:
    """A token bucket whose rate halves on a 429 and climbs back while calls succeed.

    Ordinary callers pass one at a time through a turnstile, each booking one token and sleeping
    until it is due, so no queue of booked tokens builds up ahead of a restore: a `priority` caller
    skips the turnstile and books at once, at most one token behind the ordinary caller in it.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.ceiling = rate
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._next = clock()  # when the next token is due
        self._lock = threading.Lock()
        self._turnstile = threading.Lock()
        self.closed = False
        self.throttled = 0
        self.acquired = 0

    def acquire(self, *, priority: bool = False) -> float:
        """Take one token, sleeping until it is due; returns the seconds waited."""
        if priority:
            return self._take()
        with self._turnstile:
            if self.closed:
                raise Closed("the request budget is closed: a restore is under way")
            return self._take()

    def _take(self) -> float:
        with self._lock:
            now = self._clock()
            # At most one second of idle time carries over: a quiet spell is not a burst.
            due = max(self._next, now - 1.0)
            self._next = due + 1.0 / self.rate
            self.acquired += 1
            wait = max(0.0, due - now)
        if wait > 0:
            self._sleep(wait)
        return wait

    def close(self, restore_rate: float | None = None) -> None:
        """No more ordinary calls; restores (priority) go on, at `restore_rate` when given."""
        with self._lock:
            self.closed = True
            if restore_rate is not None:
                self.rate = self.ceiling = restore_rate

    def throttled_once(self) -> None:
        """AWS said 429: halve the rate (never below MIN_RATE) and push the next token back."""
        with self._lock:
            self.throttled += 1
            self.rate = max(MIN_RATE, self.rate / 2)
            self._next = max(self._next, self._clock()) + 1.0 / self.rate

    def succeeded(self) -> None:
        """A call went through: climb back towards the configured rate (additively, slowly)."""
        if self.rate < self.ceiling:
            with self._lock:
                self.rate = min(self.ceiling, self.rate + 0.1)


@dataclass
class Budget:
    """The two limiters a many-function run shares: mutating calls and GetFunction reads."""

    mutating: AdaptiveLimiter
    reads: AdaptiveLimiter

    @classmethod
    def create(cls, rate: float = DEFAULT_RATE, read_rate: float = DEFAULT_READ_RATE) -> Budget:
        return cls(AdaptiveLimiter(rate), AdaptiveLimiter(read_rate))

    def limiter_for(self, operation: str) -> AdaptiveLimiter | None:
        if operation in UNMETERED:
            return None
        return self.reads if operation in READ_OPERATIONS else self.mutating

    def close(self, restore_rate: float | None = None) -> None:
        self.mutating.close(restore_rate)
        self.reads.close()

    @property
    def throttled(self) -> int:
        return self.mutating.throttled + self.reads.throttled


class _Priority(threading.local):
    on = False  # per thread: set inside `priority()`


_priority = _Priority()


@contextmanager
def priority() -> Iterator[None]:
    """Calls made by this thread inside the block go ahead of every other waiting call."""
    _priority.on = True
    try:
        yield
    finally:
        _priority.on = False


def install(client: BaseClient, budget: Budget) -> Callable[[], None]:
    """Meter every attempt of `client`'s calls; returns a function that removes the hooks.

    `client` is a botocore client (or a wrapper with `.meta`); `before-send` fires once per attempt,
    so botocore's own retries draw from the budget too.
    """
    events = client.meta.events

    def before_send(event_name: str = "", **kwargs: object) -> None:
        limiter = budget.limiter_for(event_name.rsplit(".", 1)[-1])
        if limiter is not None:
            limiter.acquire(priority=_priority.on)
        return None  # a value here would replace the HTTP response

    def needs_retry(event_name: str = "", response: object = None, **kwargs: object) -> None:
        # `response` is botocore's (HTTP response, parsed body), or None when no answer came back.
        limiter = budget.limiter_for(event_name.rsplit(".", 1)[-1])
        if limiter is None or not isinstance(response, tuple) or not response:
            return None
        status: object = getattr(response[0], "status_code", 0)
        if status == 429:
            limiter.throttled_once()
        elif isinstance(status, int) and status < 400:
            limiter.succeeded()
        return None

    events.register("before-send.lambda", before_send, unique_id="lambdawait-budget-send")
    events.register("needs-retry.lambda", needs_retry, unique_id="lambdawait-budget-retry")

    def remove() -> None:
        events.unregister("before-send.lambda", unique_id="lambdawait-budget-send")
        events.unregister("needs-retry.lambda", unique_id="lambdawait-budget-retry")

    return remove


def restore_capacity(rate: float, window: float = 10.0, reads_per_restore: int = 1) -> int:
    """How many aliases can be restored inside a cancellation window at `rate` (GetAlias + UpdateAlias
    each: GetAlias counts against the same control-plane quota)."""
    return int(window * rate // (1 + reads_per_restore))
