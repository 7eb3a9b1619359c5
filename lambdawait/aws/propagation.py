"""Riding out IAM propagation: a role created moments ago is refused by Lambda for a while.

Right after CreateRole, CreateFunction (and UpdateFunctionConfiguration with a new role) can
answer 400 InvalidParameterValueException "The role defined for the function cannot be assumed
by Lambda." for seconds, sometimes a minute or more, until IAM's change has propagated. The same
text also means a role whose trust policy does not name lambda.amazonaws.com, which no wait
fixes: hence a bounded budget, after which the error is raised as it came.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from lambdawait.core.errors import client_error_code, client_error_message

T = TypeVar("T")

ROLE_NOT_ASSUMABLE = "The role defined for the function cannot be assumed by Lambda."
# How long a deploy keeps retrying the error above. IAM usually propagates in seconds; tools
# that create roles and functions together wait on the order of a minute or two.
ROLE_PROPAGATION_BUDGET_SECONDS = 60.0
FIRST_WAIT = 1.0
MAX_WAIT = 5.0


def is_role_propagation_error(exc: BaseException) -> bool:
    """Exactly Lambda's "role cannot be assumed" refusal, and nothing else."""
    return (
        client_error_code(exc) == "InvalidParameterValueException"
        and ROLE_NOT_ASSUMABLE in client_error_message(exc)
    )


def retry_while_role_propagates(
    call: Callable[[], T],
    *,
    budget_seconds: float = ROLE_PROPAGATION_BUDGET_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_retry: Callable[[float], None] | None = None,
) -> T:
    """`call()`, retried while it fails with the role propagation error, for `budget_seconds`.

    Waits grow from 1 s to 5 s (exponential, jittered). Every other error, and the propagation
    error once the budget is spent, is raised unchanged. `on_retry(delay)` is told before each
    wait, e.g. to print a progress line.
    """
    from tenacity import RetryCallState, Retrying, retry_if_exception, wait_random_exponential

    deadline = clock() + budget_seconds
    backoff = wait_random_exponential(multiplier=FIRST_WAIT, min=FIRST_WAIT, max=MAX_WAIT)

    def wait(state: RetryCallState) -> float:
        # Never sleep past the budget: the last attempt comes as it runs out.
        return max(0.0, min(backoff(state), deadline - clock()))

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is not None and state.next_action is not None:
            on_retry(state.next_action.sleep)

    retrying = Retrying(
        retry=retry_if_exception(is_role_propagation_error),
        stop=lambda state: clock() >= deadline,
        wait=wait,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(call)
