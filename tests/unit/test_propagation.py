"""Retrying exactly Lambda's IAM propagation refusal, within a budget, on a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.aws.propagation import (
    ROLE_NOT_ASSUMABLE,
    is_role_propagation_error,
    retry_while_role_propagates,
)


def _error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "CreateFunction")


NOT_YET = _error("InvalidParameterValueException", ROLE_NOT_ASSUMABLE)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _failing(times: int, error: Exception = NOT_YET) -> Callable[[], str]:
    calls = {"n": 0}

    def call() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise error
        return f"created after {calls['n']} calls"

    return call


def test_only_the_propagation_refusal_is_recognised() -> None:
    assert is_role_propagation_error(NOT_YET)
    assert not is_role_propagation_error(_error("InvalidParameterValueException", "Unzipped size too big"))
    assert not is_role_propagation_error(_error("AccessDeniedException", ROLE_NOT_ASSUMABLE))
    assert not is_role_propagation_error(RuntimeError(ROLE_NOT_ASSUMABLE))


def test_retries_until_the_role_has_propagated() -> None:
    t = FakeTime()
    told: list[float] = []
    result = retry_while_role_propagates(
        _failing(3), sleep=t.sleep, clock=t.clock, on_retry=told.append
    )
    assert result == "created after 4 calls"
    assert len(t.slept) == 3 and all(1.0 <= s <= 5.0 for s in t.slept)
    assert told == t.slept


def test_gives_up_with_the_error_once_the_budget_is_spent() -> None:
    t = FakeTime()
    with pytest.raises(ClientError) as exc:
        retry_while_role_propagates(_failing(10_000), budget_seconds=20, sleep=t.sleep, clock=t.clock)
    assert exc.value is NOT_YET
    assert t.now == pytest.approx(20.0)  # the last wait is cut to the budget, never past it
    assert len(t.slept) >= 4


@pytest.mark.parametrize(
    "error",
    [_error("InvalidParameterValueException", "The runtime parameter of python2.7 is no longer supported"),
     ValueError("not an AWS error")],
)
def test_other_errors_are_raised_at_once(error: Any) -> None:
    t = FakeTime()
    with pytest.raises(type(error)):
        retry_while_role_propagates(_failing(1, error), sleep=t.sleep, clock=t.clock)
    assert t.slept == []
