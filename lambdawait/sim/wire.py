"""HTTP replies and Lambda's REST-JSON error format, as botocore expects to parse them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

CONFLICT_PREFIX = "The operation cannot be performed at this time."
REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


@dataclass
class Reply:
    """A complete HTTP answer; headers keep their order and case."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
        return cls(status, json.dumps(payload).encode(), [*(headers or []), _JSON_TYPE])

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def data(self) -> Any:
        return json.loads(self.body) if self.body else None

    def with_json(self, payload: Any) -> Reply:
        """The same reply with a rewritten JSON body (Content-Length is recomputed on send)."""
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        return Reply(self.status, json.dumps(payload).encode(), headers)


_JSON_TYPE = ("Content-Type", "application/json")


class SimError(Exception):
    """An AWS error answer: botocore reads the code from x-amzn-ErrorType, the text from 'message'."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        kind: str = "User",
        extra: dict[str, str] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.kind = kind
        self.extra = extra or {}
        self.headers = headers or []

    def reply(self) -> Reply:
        body = {"Type": self.kind, "message": self.message, **self.extra}
        return Reply.json(self.status, body, [("x-amzn-ErrorType", self.code), *self.headers])


def conflict_in_progress(arn: str) -> SimError:
    return SimError(
        409,
        "ResourceConflictException",
        f"{CONFLICT_PREFIX} An update is in progress for resource: {arn}",
    )


def conflict_state(state: str) -> SimError:
    return SimError(
        409,
        "ResourceConflictException",
        f"{CONFLICT_PREFIX} The function is currently in the following state: {state}",
    )


def precondition_failed() -> SimError:
    return SimError(412, "PreconditionFailedException", REVISION_MISMATCH)


def invalid_parameter(message: str) -> SimError:
    return SimError(400, "InvalidParameterValueException", message)


def validation(value: str, member: str, constraint: str) -> SimError:
    return SimError(
        400,
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{member}' "
        f"failed to satisfy constraint: {constraint}",
    )


def not_found(arn: str) -> SimError:
    return SimError(404, "ResourceNotFoundException", f"Function not found: {arn}")
