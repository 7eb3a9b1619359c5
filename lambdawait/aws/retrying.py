"""Every AWS call outlives a burst of throttling: a client proxy with one retry policy for all calls.

botocore's standard mode retries each call 3 times within a second or two; Lambda's 15 requests/s
control-plane quota is shared by the whole account, so parallel deploys can throttle for longer.
On top of that, tenacity retries what lambdawait retries itself: throttling, 5xx and connection
errors, for a time budget. The waiter has its own deadline-bound loop and uses the bare client.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping

from lambdawait.core.errors import client_error_code

# Keep retrying throttling / 5xx / connection errors for this long before reporting exit 4.
RETRY_BUDGET_SECONDS = 30.0
FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0
# A call retried for longer than this says so once (`on_notice`): a deploy silent for 20 s while
# Lambda throttles looks hung in a CI log.
NOTICE_AFTER_SECONDS = 5.0
_NOT_CALLS = frozenset({"get_paginator", "get_waiter", "can_paginate", "close"})
# What is worth retrying: this proxy, the waiter's own loop and the restore all judge alike.
TRANSIENT_CODES = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "ServiceException",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def is_transient(exc: BaseException) -> bool:
    """Throttling, 5xx and connection trouble: worth retrying inside the deadline."""
    import botocore.exceptions as bex

    if isinstance(exc, bex.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return client_error_code(exc) in TRANSIENT_CODES or int(status or 0) >= 500
    connection_trouble = (
        bex.EndpointConnectionError,
        bex.ConnectionClosedError,
        bex.ReadTimeoutError,
        bex.ConnectTimeoutError,
    )
    return isinstance(exc, connection_trouble)


def retry_after(exc: BaseException) -> float:
    """The server's Retry-After hint in seconds, 0 when absent."""
    import botocore.exceptions

    if not isinstance(exc, botocore.exceptions.ClientError):
        return 0.0
    headers: Mapping[str, object] = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    value = headers.get("retry-after", 0)
    if not isinstance(value, str | int | float):
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0


class RetryingClient:
    """Wraps a boto3 client: transient failures are retried with jittered backoff and Retry-After."""

    def __init__(
        self,
        client: object,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        budget: float = RETRY_BUDGET_SECONDS,
        rng: random.Random | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._clock = clock
        self._budget = budget
        self._rng = rng or random.Random()
        self._on_notice = on_notice

    def __getattr__(self, name: str) -> object:
        """The wrapped client's attribute; its API calls come back wrapped in the retry policy.

        Typed `object`: the proxy is handed out as the client's own type (aws.clients), which is
        what its callers check against; here only "some attribute of the client" is known.
        """
        attr: object = getattr(self._client, name)
        if name.startswith("_") or name in _NOT_CALLS or not callable(attr):
            return attr
        method: Callable[..., object] = attr

        def call(*args: object, **kwargs: object) -> object:
            return self._call(method, args, kwargs)

        return call

    def _call(
        self, method: Callable[..., object], args: tuple[object, ...], kwargs: dict[str, object]
    ) -> object:
        from tenacity import RetryCallState, Retrying, retry_if_exception

        started = self._clock()
        deadline = started + self._budget
        attempts = 0
        noticed = False

        def attempt() -> object:
            nonlocal attempts
            attempts += 1
            return method(*args, **kwargs)

        def before_sleep(state: RetryCallState) -> None:
            nonlocal noticed
            waited = self._clock() - started + (state.upcoming_sleep or 0.0)
            if noticed or self._on_notice is None or waited < NOTICE_AFTER_SECONDS:
                return
            noticed = True
            failure = state.outcome.exception() if state.outcome else None
            # boto3's publish_version is AWS's PublishVersion: the name the API docs and logs use.
            name = str(getattr(method, "__name__", "the_call"))
            operation = "".join(part.title() for part in name.split("_"))
            self._on_notice(_notice(operation, failure, deadline - self._clock()))

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
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except Exception as exc:
            if attempts > 1 and not is_transient(exc):
                _mark_retried(exc, attempts - 1)
            raise


def _notice(operation: str, failure: BaseException | None, left: float) -> str:
    """What a long retry says: which call, what AWS answered, how long it may still go on."""
    import botocore.exceptions

    if isinstance(failure, botocore.exceptions.ClientError):
        why = f"AWS answered {client_error_code(failure)}"
    else:
        why = f"the connection failed ({type(failure).__name__})" if failure else "it failed"
    return f"{operation}: {why}; still retrying, for up to {max(0.0, left):.0f} s more"


def _mark_retried(exc: BaseException, attempts: int) -> None:
    """A 409/412 after our own retry may be our first attempt having landed: say it was retried."""
    import botocore.exceptions

    if not isinstance(exc, botocore.exceptions.ClientError):
        return
    meta = exc.response.get("ResponseMetadata")
    if meta is not None:
        meta["RetryAttempts"] = int(meta.get("RetryAttempts") or 0) + attempts
    else:  # botocore always answers with the metadata; one built without it gets an empty one
        exc.response["ResponseMetadata"] = {
            "RequestId": "",
            "HostId": "",
            "HTTPStatusCode": 0,
            "HTTPHeaders": {},
            "RetryAttempts": attempts,
        }
