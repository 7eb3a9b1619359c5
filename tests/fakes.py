"""Test doubles: a clock that advances instantly, the base of the Lambda doubles, and a Lambda client
that replays a script."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from lambdawait.aws.api import LambdaApi


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


class LambdaDouble(LambdaApi):
    """The base of every Lambda test double: each LambdaApi operation fails the test unless the
    double overrides it, so a double type-checks as a LambdaApi and an unexpected call is loud."""

    def _unexpected(self, operation: str) -> AssertionError:
        return AssertionError(f"{type(self).__name__} does not expect {operation}")

    def get_function(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("get_function")

    def create_function(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("create_function")

    def update_function_code(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("update_function_code")

    def update_function_configuration(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("update_function_configuration")

    def publish_version(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("publish_version")

    def list_versions_by_function(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("list_versions_by_function")

    def get_alias(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("get_alias")

    def create_alias(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("create_alias")

    def update_alias(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("update_alias")

    def delete_alias(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("delete_alias")

    def list_aliases(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("list_aliases")

    def list_tags(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("list_tags")

    def get_layer_version(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("get_layer_version")

    def get_provisioned_concurrency_config(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("get_provisioned_concurrency_config")

    def list_provisioned_concurrency_configs(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("list_provisioned_concurrency_configs")

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        raise self._unexpected("invoke")

    def tag_resource(self, **kwargs: Any) -> object:
        raise self._unexpected("tag_resource")


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
            "ResponseMetadata": {
                "RequestId": "req-1",
                "HostId": "",
                "HTTPStatusCode": status,
                "HTTPHeaders": headers,
                "RetryAttempts": 0,
            },
        },
        "GetFunction",
    )


class ScriptedLambda(LambdaDouble):
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
