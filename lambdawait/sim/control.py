"""Call counting and the /_sim/ control endpoints that observe and steer a running simulator."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import parse_qs

from lambdawait.sim import operations
from lambdawait.sim.jsondata import parse
from lambdawait.sim.scenario import ScenarioError, parse_faults, parse_scenario
from lambdawait.sim.wire import Reply, SimError, environ_str

if TYPE_CHECKING:
    from lambdawait.sim.app import SimApp

_DEACTIVATE = re.compile(r"^/_sim/functions/([^/]+)/deactivate$")
# The tallies besides plain calls: injected faults, lost replies, and the account quota's 429s.
_TALLIES = ("faulted", "lost", "throttled")


class CallsSnapshot(TypedDict):
    """GET /_sim/calls: every call by operation, the mutating count, and each tally."""

    calls: dict[str, int]
    mutating: int
    faulted: dict[str, int]
    lost: dict[str, int]
    throttled: dict[str, int]


class CallLog:
    """Counts Lambda operations by botocore name; `mutating` counts the non-read ones.

    Besides every call received (`calls`), it counts the calls answered with an injected fault
    (`faulted`), those whose reply was lost after the change was made (`lost`), and those
    refused by the account's request quotas (`throttled`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, int] = {}
        self._tallies: dict[str, dict[str, int]] = {name: {} for name in _TALLIES}

    def record(self, operation: str) -> None:
        with self._lock:
            self._calls[operation] = self._calls.get(operation, 0) + 1

    def record_fault(self, operation: str) -> None:
        self._tally("faulted", operation)

    def record_lost(self, operation: str) -> None:
        self._tally("lost", operation)

    def record_throttled(self, operation: str) -> None:
        self._tally("throttled", operation)

    def _tally(self, name: str, operation: str) -> None:
        with self._lock:
            counts = self._tallies[name]
            counts[operation] = counts.get(operation, 0) + 1

    def calls(self) -> dict[str, int]:
        with self._lock:
            return dict(self._calls)

    def tally(self, name: str) -> dict[str, int]:
        with self._lock:
            return dict(self._tallies[name])

    def mutating(self) -> int:
        with self._lock:
            return sum(n for op, n in self._calls.items() if operations.is_mutating(op))

    def snapshot(self) -> CallsSnapshot:
        return {
            "calls": self.calls(),
            "mutating": self.mutating(),
            "faulted": self.tally("faulted"),
            "lost": self.tally("lost"),
            "throttled": self.tally("throttled"),
        }

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            for counts in self._tallies.values():
                counts.clear()


def handle(app: SimApp, environ: Mapping[str, object], path: str, body: bytes) -> Reply:
    """Answer one /_sim/ request; never faulted, throttled or counted."""
    method = environ_str(environ, "REQUEST_METHOD", "GET")
    try:
        reply = _route(app, method, path, body, environ_str(environ, "QUERY_STRING"))
    except (ScenarioError, ValueError) as exc:
        return Reply.json(400, {"error": str(exc)})
    except SimError as exc:
        return Reply.json(exc.status, {"error": exc.message})
    return reply or Reply.json(404, {"error": f"no control endpoint {method} {path}"})


def _route(app: SimApp, method: str, path: str, body: bytes, query: str) -> Reply | None:
    ok = Reply.json(200, {"status": "ok"})
    if method == "GET":
        views: dict[str, Callable[[], object]] = {
            "/_sim/health": lambda: {"status": "ok"},
            "/_sim/calls": app.call_log.snapshot,
            "/_sim/events": lambda: {"events": app.events()},
        }
        view = views.get(path)
        return Reply.json(200, view()) if view else None
    if method != "POST":
        return None
    if path == "/_sim/reset-calls":
        app.call_log.reset()
        return ok
    if path == "/_sim/scenario":
        app.set_scenario(parse_scenario(_json(body)))
        return ok
    if path == "/_sim/faults":
        app.set_faults(parse_faults(_json(body)))
        return ok
    deactivate = _DEACTIVATE.match(path)
    if deactivate:
        region = parse_qs(query).get("region", ["us-east-1"])[0]
        app.deactivate(deactivate.group(1), region)
        return ok
    return None


def _json(body: bytes) -> object:
    return parse(body or b"{}")
