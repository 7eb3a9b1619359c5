"""The WSGI layer in front of moto: control endpoints, call counting, faults, Lambda handlers."""

from __future__ import annotations

import io
import json
import random
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from lambdawait.sim import handlers, invoke, operations
from lambdawait.sim.faults import FaultInjector
from lambdawait.sim.lifecycle import Lifecycle
from lambdawait.sim.scenario import Scenario, ScenarioError
from lambdawait.sim.wire import Reply, SimError

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

HANDLERS: dict[str, handlers.Handler] = {
    "CreateFunction": handlers.create_function,
    "GetFunction": handlers.get_function,
    "GetFunctionConfiguration": handlers.get_function_configuration,
    "ListVersionsByFunction": handlers.list_versions_by_function,
    "ListFunctions": handlers.list_functions,
    "UpdateFunctionCode": handlers.update_function,
    "UpdateFunctionConfiguration": handlers.update_function,
    "PublishVersion": handlers.publish_version,
    "TagResource": handlers.tag_resource,
    "UntagResource": handlers.tag_resource,
    "DeleteFunction": handlers.delete_function,
    "CreateAlias": handlers.create_alias,
    "UpdateAlias": handlers.update_alias,
    "Invoke": invoke.invoke,
    "InvokeAsync": invoke.invoke_async,
}
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")
_DEACTIVATE = re.compile(r"^/_sim/functions/([^/]+)/deactivate$")


class CallLog:
    """Counts Lambda operations by botocore name; `mutating` counts the non-read ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, int] = {}
        self._faulted: dict[str, int] = {}

    def record(self, operation: str) -> None:
        with self._lock:
            self._calls[operation] = self._calls.get(operation, 0) + 1

    def record_fault(self, operation: str) -> None:
        with self._lock:
            self._faulted[operation] = self._faulted.get(operation, 0) + 1

    def calls(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)

    def mutating(self) -> int:
        with self._lock:
            return sum(n for op, n in self._calls.items() if operations.is_mutating(op))

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            faulted = dict(self._faulted)
        return {"calls": self.calls(), "mutating": self.mutating(), "faulted": faulted}

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._faulted.clear()


class SimApp:
    """Wraps moto's dispatcher; only Lambda requests and /_sim/ paths are handled here."""

    def __init__(self, inner: WSGIApp, scenario: Scenario) -> None:
        self.inner = inner
        self.lifecycle = Lifecycle(scenario)
        self.call_log = CallLog()
        self.faults = FaultInjector(scenario.seed)
        self.context = handlers.Context(self.lifecycle, random.Random(scenario.seed))

    def set_scenario(self, scenario: Scenario) -> None:
        with self.lifecycle.lock:
            self.lifecycle.advance()  # transitions due under the old rules happen under them
            self.lifecycle.scenario = scenario
            self.context.rng = random.Random(scenario.seed)
        self.faults.reseed(scenario.seed)

    def events(self) -> list[dict[str, Any]]:
        with self.lifecycle.lock:
            self.lifecycle.advance()
            return list(self.lifecycle.events)

    def deactivate(self, name: str, region: str = "us-east-1") -> None:
        with self.lifecycle.lock:
            now = self.lifecycle.advance()
            rec = self.lifecycle.get(region, name)
            if rec is None:
                raise SimError(404, "ResourceNotFoundException", f"Function not found: {name}")
            self.lifecycle.deactivate(rec, now)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_sim/"):
            return _send(self._control(environ, path), start_response)
        scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if scope is None or scope.group(2) != "lambda":
            return self.inner(environ, start_response)
        return _send(self._lambda(environ, path, scope.group(1)), start_response)

    def _lambda(self, environ: dict[str, Any], path: str, region: str) -> Reply:
        body = _read_body(environ)
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        method = environ.get("REQUEST_METHOD", "GET")
        found = operations.match(method, path, set(query))
        if found is None:
            return self._forward(environ, body)
        self.call_log.record(found.operation)
        fault = self.faults.apply(self.lifecycle.scenario.faults, found.operation)
        if fault is not None:
            self.call_log.record_fault(found.operation)
            return fault.reply()
        call = handlers.Call(
            operation=found.operation,
            params=found.params,
            query=query,
            body=body,
            region=region,
            headers=_headers(environ),
            forward=lambda payload: self._forward(environ, payload),
        )
        handler = HANDLERS.get(found.operation)
        with self.lifecycle.lock:
            self.lifecycle.advance()
            try:
                return handler(self.context, call) if handler else call.forward(body)
            except SimError as exc:
                return exc.reply()

    def _forward(self, environ: dict[str, Any], body: bytes) -> Reply:
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return lambda data: None

        result = self.inner(env, capture)
        try:
            chunks = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return Reply(int(seen["status"].split()[0]), chunks, list(seen["headers"]))

    def _control(self, environ: dict[str, Any], path: str) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == "/_sim/health" and method == "GET":
                return Reply.json(200, {"status": "ok"})
            if path == "/_sim/calls" and method == "GET":
                return Reply.json(200, self.call_log.snapshot())
            if path == "/_sim/reset-calls" and method == "POST":
                self.call_log.reset()
                return Reply.json(200, {"status": "ok"})
            if path == "/_sim/events" and method == "GET":
                return Reply.json(200, {"events": self.events()})
            if path == "/_sim/scenario" and method == "POST":
                self.set_scenario(Scenario.from_dict(json.loads(_read_body(environ) or b"{}")))
                return Reply.json(200, {"status": "ok"})
            deactivate = _DEACTIVATE.match(path)
            if deactivate and method == "POST":
                region = parse_qs(environ.get("QUERY_STRING", "")).get("region", ["us-east-1"])[0]
                self.deactivate(deactivate.group(1), region)
                return Reply.json(200, {"status": "ok"})
        except (ScenarioError, ValueError) as exc:
            return Reply.json(400, {"error": str(exc)})
        except SimError as exc:
            return Reply.json(exc.status, {"error": exc.message})
        return Reply.json(404, {"error": f"no control endpoint {method} {path}"})


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if length <= 0 or stream is None:
        return b""
    data: bytes = stream.read(length)
    return data


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    return {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }


def _send(reply: Reply, start_response: StartResponse) -> Iterable[bytes]:
    drop = {"content-length", "x-amz-crc32", "status", "transfer-encoding"}
    body = b"" if reply.status in (204, 304) else reply.body  # HTTP forbids a body here
    headers = [(k, str(v)) for k, v in reply.headers if k.lower() not in drop]
    headers.append(("Content-Length", str(len(body))))
    phrase = _PHRASES.get(reply.status, "")
    start_response(f"{reply.status} {phrase}".rstrip(), headers)
    return [body]


_PHRASES = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    404: "Not Found",
    409: "Conflict",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
