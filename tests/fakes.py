"""Test doubles: a clock that advances instantly and a Lambda client that replays a script."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.t += seconds


def config(
    state: str = "Active",
    update: str | None = "Successful",
    *,
    state_code: str | None = None,
    update_code: str | None = None,
    reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A GetFunction response with the given State / LastUpdateStatus."""
    cfg: dict[str, Any] = {"FunctionName": "fn", "State": state, "Version": "$LATEST", **extra}
    if update is not None:
        cfg["LastUpdateStatus"] = update
    if state_code:
        cfg["StateReasonCode"] = state_code
        cfg["StateReason"] = reason or f"state reason {state_code}"
    if update_code:
        cfg["LastUpdateStatusReasonCode"] = update_code
        cfg["LastUpdateStatusReason"] = reason or f"update reason {update_code}"
    return {"Configuration": cfg}


def client_error(code: str, status: int = 400, message: str = "boom", **headers: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers},
        },
        "GetFunction",
    )


class ScriptedLambda:
    """Answers GetFunction from a script; the last entry repeats. Exceptions in it are raised."""

    def __init__(self, script: Iterable[dict[str, Any] | BaseException], clock: FakeClock | None = None):
        self.script = list(script)
        self.calls: list[dict[str, Any]] = []
        self.call_times: list[float] = []
        self.clock = clock

    def get_function(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if self.clock:
            self.call_times.append(self.clock.now())
        item = self.script[min(len(self.calls) - 1, len(self.script) - 1)]
        if isinstance(item, BaseException):
            raise item
        return item
