"""HTTP replies and Lambda's REST-JSON error format, as botocore expects to parse them; WSGI reads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from lambdawait.sim.jsondata import JSONObject, as_object, parse, parse_object

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
    def json(cls, status: int, payload: object, headers: list[tuple[str, str]] | None = None) -> Reply:
        return cls(status, json.dumps(payload).encode(), [*(headers or []), _JSON_TYPE])

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def data(self) -> object:
        """The JSON body as parsed; None when there is none."""
        if not self.body:
            return None
        return parse(self.body)

    def json_object(self) -> JSONObject:
        """The JSON object a successful reply carries (moto's always is one); ValueError otherwise."""
        return parse_object(self.body)

    def with_json(self, payload: object) -> Reply:
        """The same reply with a rewritten JSON body (Content-Length is recomputed on send)."""
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        return Reply(self.status, json.dumps(payload).encode(), headers)


_JSON_TYPE = ("Content-Type", "application/json")


# A WSGI environ is read as a Mapping[str, object]: its values are whatever the server put there.
def environ_str(environ: Mapping[str, object], key: str, default: str = "") -> str:
    """A string member of the WSGI environ (PATH_INFO, HTTP_*...); `default` when absent."""
    value = environ.get(key, default)
    return value if isinstance(value, str) else default


@runtime_checkable
class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def read_body(environ: Mapping[str, object]) -> bytes:
    """The request body: CONTENT_LENGTH bytes of wsgi.input (none without a length)."""
    try:
        length = int(environ_str(environ, "CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if length <= 0 or not isinstance(stream, _Readable):
        return b""
    return stream.read(length)


# AWS's error bodies spell the text field differently per exception (botocore's model agrees):
# "Message" for these, "message" for the rest.
_UPPER_MESSAGE = {"ResourceNotFoundException", "ServiceException"}
# Request validation happens before Lambda proper: these bodies carry no "Type".
_NO_TYPE = {"ValidationException", "RequestEntityTooLargeException"}


class SimError(Exception):
    """An AWS error answer: botocore reads the code from x-amzn-ErrorType, the text from the body.

    `kind` is the body's "Type" ("User", "Service"); None leaves it out, as AWS does for
    validation errors and a few others. By default it follows the exception's code.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        kind: str | None = "User",
        extra: dict[str, str] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.kind = None if code in _NO_TYPE else kind
        self.extra = extra or {}
        self.headers = headers or []

    def reply(self) -> Reply:
        key = "Message" if self.code in _UPPER_MESSAGE else "message"
        body: dict[str, str] = {} if self.kind is None else {"Type": self.kind}
        body.update({key: self.message, **self.extra})
        return Reply.json(self.status, body, [("x-amzn-ErrorType", self.code), *self.headers])


def conflict_in_progress(arn: str) -> SimError:
    return SimError(
        409,
        "ResourceConflictException",
        f"{CONFLICT_PREFIX} An update is in progress for resource: {arn}",
    )


def conflict_state(state: str) -> SimError:
    """What Invoke answers for a function that is not Active."""
    return SimError(
        409,
        "ResourceConflictException",
        f"{CONFLICT_PREFIX} The function is currently in the following state: {state}",
    )


def conflict_resource_state(arn: str, state: str, reason_code: str | None) -> SimError:
    """What an update, publish or tag answers while the function is Pending (AWS's own text)."""
    suffix = f" StateReasonCode: '{reason_code}'" if reason_code else ""
    return SimError(
        409,
        "ResourceConflictException",
        f"{CONFLICT_PREFIX} The resource {arn} is currently in the following state: '{state}'.{suffix}",
    )


def precondition_failed() -> SimError:
    return SimError(412, "PreconditionFailedException", REVISION_MISMATCH)


def invalid_parameter(message: str) -> SimError:
    return SimError(400, "InvalidParameterValueException", message)


def validation(value: str, member: str, rule: str) -> SimError:
    return validation_errors([constraint(value, member, rule)])


def not_found(arn: str) -> SimError:
    return SimError(404, "ResourceNotFoundException", f"Function not found: {arn}")


def alias_not_found(arn: str) -> SimError:
    """UpdateAlias's wording; GetAlias and qualifier lookups say "Cannot find alias arn: ..."."""
    return SimError(404, "ResourceNotFoundException", f"Alias not found: {arn}")


def validation_errors(errors: list[str]) -> SimError:
    """AWS's request validation: every failed constraint, counted, in one ValidationException."""
    noun = "validation error" if len(errors) == 1 else "validation errors"
    return SimError(400, "ValidationException", f"{len(errors)} {noun} detected: {'; '.join(errors)}")


def constraint(value: str, member: str, rule: str) -> str:
    """One clause of a ValidationException."""
    return f"Value '{value}' at '{member}' failed to satisfy constraint: {rule}"


def as_aws_error(reply: Reply) -> Reply:
    """moto's own error answers, in the body shape and codes AWS uses (x-amzn-ErrorType kept)."""
    if reply.status < 400:
        return reply
    try:
        body = as_object(reply.data())
    except ValueError:
        return reply
    if body is None:
        return reply
    code = reply.header("x-amzn-ErrorType") or body.get("__type")
    if not code or not isinstance(code, str):
        return reply
    code = _MOTO_CODES.get(code, code)
    message = str(body.get("message", body.get("Message", "")))
    error = SimError(reply.status, code, message, kind=str(body.get("Type", "User")))
    keep = [(k, v) for k, v in reply.headers if k.lower() not in ("content-type", "x-amzn-errortype")]
    shaped = error.reply()
    return Reply(shaped.status, shaped.body, [*keep, *shaped.headers])


# moto names a few exceptions its own way.
_MOTO_CODES = {"ConflictException": "ResourceConflictException"}
