"""Every AWS call outlives a burst of throttling: a client proxy with one retry policy for all calls.

botocore's standard mode retries each call 3 times within a second or two; Lambda's 15 requests/s
control-plane quota is shared by the whole account, so parallel deploys can throttle for longer.
On top of that, tenacity retries what lambdawait retries itself: throttling, 5xx and connection
errors, for a time budget. The waiter has its own deadline-bound loop and uses the bare client.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

# Keep retrying throttling / 5xx / connection errors for this long before reporting exit 4.
RETRY_BUDGET_SECONDS = 30.0
FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0
_NOT_CALLS = frozenset({"get_paginator", "get_waiter", "can_paginate", "close"})


class RetryingClient:
    """Wraps a boto3 client: transient failures are retried with jittered backoff and Retry-After."""

    def __init__(
        self,
        client: Any,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        budget: float = RETRY_BUDGET_SECONDS,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._clock = clock
        self._budget = budget
        self._rng = rng or random.Random()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name.startswith("_") or name in _NOT_CALLS or not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(attr, args, kwargs)

        return call

    def _call(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        from tenacity import RetryCallState, Retrying, retry_if_exception

        from lambdawait.aws.waiter import is_transient, retry_after

        deadline = self._clock() + self._budget
        attempts = 0

        def attempt() -> Any:
            nonlocal attempts
            attempts += 1
            return method(*args, **kwargs)

        def wait(state: RetryCallState) -> float:
            n = state.attempt_number
            backoff = min(MAX_BACKOFF, FIRST_BACKOFF * 2.0 ** (n - 1)) * self._rng.uniform(0.5, 1.0)
            failure = state.outcome.exception() if state.outcome else None
            return max(retry_after(failure) if failure else 0.0, backoff)

        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            wait=wait,
            # Tenacity computes the wait before asking whether to stop: never sleep past the budget.
            stop=lambda state: self._clock() + (state.upcoming_sleep or 0.0) > deadline,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except Exception as exc:
            if attempts > 1 and not is_transient(exc):
                _mark_retried(exc, attempts - 1)
            raise


def _mark_retried(exc: BaseException, attempts: int) -> None:
    """A 409/412 after our own retry may be our first attempt having landed: say it was retried."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        meta = response.setdefault("ResponseMetadata", {})
        meta["RetryAttempts"] = int(meta.get("RetryAttempts", 0) or 0) + attempts
