"""The WSGI layer in front of moto: control endpoints, call counting, faults, Lambda handlers."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import random
import re
import socket
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from lambdawait.sim import control, ecr, handlers, images, invoke, operations, paging, provisioned, roles
from lambdawait.sim.codedeploy import CodeDeploySim
from lambdawait.sim.control import CallLog
from lambdawait.sim.faults import CLOSE_CONNECTION, FaultInjector, bad_gateway
from lambdawait.sim.lifecycle import Event, Lifecycle
from lambdawait.sim.operations import unknown_operation, unsupported
from lambdawait.sim.quotas import QuotaGate
from lambdawait.sim.scenario import Faults, Scenario
from lambdawait.sim.wire import Reply, SimError, environ_str, read_body

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

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
    **provisioned.HANDLERS,  # provisioned concurrency, and its hooks on alias and function changes
    **images.HANDLERS,  # image functions follow the simulated ECR's digests
}
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")


class _DropConnection(Exception):
    """The reply is lost: close the connection without answering."""


class SimApp:
    """Wraps moto's dispatcher; only Lambda requests and /_sim/ paths are handled here."""

    def __init__(self, inner: WSGIApplication, scenario: Scenario) -> None:
        self.inner = inner
        self.lifecycle = Lifecycle(scenario)
        self.call_log = CallLog()
        self.faults = FaultInjector(scenario.seed)
        self.quotas = QuotaGate()
        self.context = handlers.Context(self.lifecycle, random.Random(scenario.seed))
        self.codedeploy = CodeDeploySim(self.context)

    def set_scenario(self, scenario: Scenario) -> None:
        with self.lifecycle.lock:
            self.lifecycle.advance()  # transitions due under the old rules happen under them
            self.lifecycle.scenario = scenario
            self.context.rng = random.Random(scenario.seed)
        self.faults.reseed(scenario.seed)

    def set_faults(self, faults: Faults) -> None:
        """New faults on the running scenario; their draws and lost-reply ordinals start over."""
        with self.lifecycle.lock:
            scenario = dataclasses.replace(self.lifecycle.scenario, faults=faults)
            self.lifecycle.scenario = scenario
        self.faults.reseed(scenario.seed)

    def events(self) -> list[Event]:
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

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ_str(environ, "PATH_INFO")
        self.codedeploy.advance()  # deployments move with time: bring them to now before any answer
        if path.startswith(ecr.BLOB_PATH):  # an ECR layer download (lambdawait.sim.ecr)
            return _send(ecr.blob(self.lifecycle, path), start_response)
        if path.startswith("/_sim/"):
            return _send(control.handle(self, environ, path, read_body(environ)), start_response)
        scope = _CREDENTIAL_SCOPE.search(environ_str(environ, "HTTP_AUTHORIZATION"))
        if scope is not None and scope.group(2) == "codedeploy":
            target = environ_str(environ, "HTTP_X_AMZ_TARGET")
            reply = self.codedeploy.handle(target, read_body(environ), scope.group(1))
            return _send(reply, start_response)
        if scope is not None and scope.group(2) == "ecr":
            answered = ecr.intercept(self.lifecycle, environ, scope.group(1))
            if answered is not None:
                return _send(answered, start_response)
        if scope is None or scope.group(2) != "lambda":
            return self.inner(environ, start_response)
        try:
            reply = self._lambda(environ, path, scope.group(1))
        except _DropConnection:
            _close(environ)
            # werkzeug treats a ConnectionError as the peer having gone: it writes nothing more.
            raise ConnectionAbortedError("simulated lost reply") from None
        return _send(reply, start_response)

    def _lambda(self, environ: WSGIEnvironment, path: str, region: str) -> Reply:
        body = read_body(environ)
        query = {k: v[0] for k, v in parse_qs(environ_str(environ, "QUERY_STRING")).items()}
        method = environ_str(environ, "REQUEST_METHOD", "GET")
        found = operations.match(method, path, set(query))
        if found is None:
            return unknown_operation(method, path).reply()
        operation = found.operation
        self.call_log.record(operation)
        faults = self.lifecycle.scenario.faults
        refused = self._refusal(region, operation, faults)
        if refused is not None:
            return refused.reply()
        call = handlers.Call(
            operation=operation,
            params=found.params,
            query=query,
            body=body,
            region=region,
            headers=_headers(environ),
            forward=lambda payload: self._forward(environ, payload),
        )
        reply = self._execute(call)
        lost = self.faults.lost_reply(faults, operation)
        if lost is None:
            return reply
        self.call_log.record_lost(operation)
        if lost == CLOSE_CONNECTION:
            raise _DropConnection
        return bad_gateway()

    def _refusal(self, region: str, operation: str, faults: Faults) -> SimError | None:
        """Why this call is answered without being carried out, if it is: an operation the
        simulator lacks (always, whatever the quotas and faults), the account's quota, a fault."""
        if operation not in HANDLERS and not operations.moto_implements(operation):
            return unsupported(operation)
        over_quota = self.quotas.admit(self.lifecycle.scenario.quotas, region, operation)
        if over_quota is not None:
            self.call_log.record_throttled(operation)
            return over_quota
        fault = self.faults.apply(faults, operation)
        if fault is not None:
            self.call_log.record_fault(operation)
        return fault

    def _execute(self, call: handlers.Call) -> Reply:
        handler = HANDLERS.get(call.operation)
        with self.lifecycle.lock:
            self.lifecycle.advance()
            try:
                propagation = self.lifecycle.scenario.role_propagation_seconds
                roles.check_assumable(call.operation, call.body, propagation)
                reply = handlers.dispatch(self.context, call, handler)
                return paging.paginate(call.operation, call.query, reply)
            except SimError as exc:
                return exc.reply()

    def _forward(self, environ: WSGIEnvironment, body: bytes) -> Reply:
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
        seen: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            seen.append((status, headers))
            return lambda data: None

        result = self.inner(env, capture)
        try:
            chunks = b"".join(result)
        finally:
            close: object = getattr(result, "close", None)
            if callable(close):
                close()
        status, headers = seen[-1]
        return Reply(int(status.split()[0]), chunks, list(headers))


def _close(environ: Mapping[str, object]) -> None:
    """Shut the client's connection so it sees the stream end with no response at all."""
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _headers(environ: Mapping[str, object]) -> dict[str, str]:
    return {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }


def _send(reply: Reply, start_response: StartResponse) -> Iterable[bytes]:
    # moto's request ids are 52 random characters; AWS's are UUIDs, one on every reply.
    drop = {"content-length", "x-amz-crc32", "status", "transfer-encoding", "x-amzn-requestid"}
    body = b"" if reply.status in (204, 304) else reply.body  # HTTP forbids a body here
    headers = [(k, str(v)) for k, v in reply.headers if k.lower() not in drop]
    headers.append(("x-amzn-RequestId", str(uuid.uuid4())))
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
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
