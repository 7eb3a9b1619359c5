"""Name Lambda HTTP requests the way botocore does, from its own service model's request URIs."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lambdawait.core import model
from lambdawait.sim.jsondata import as_object, object_at
from lambdawait.sim.wire import SimError

_READ_PREFIXES = ("Get", "List", "Invoke")


@dataclass(frozen=True)
class Route:
    """One botocore operation: HTTP method, compiled request-URI pattern, required query keys."""

    operation: str
    method: str
    pattern: re.Pattern[str]
    query_keys: tuple[str, ...]
    literal_chars: int


@dataclass(frozen=True)
class Match:
    operation: str
    params: dict[str, str]


def unsupported(operation: str) -> SimError:
    """The answer to a Lambda operation the simulator does not implement (moto's is an HTML 404).

    400, not 501: clients retry 5xx, and retrying cannot make the operation appear.
    """
    return SimError(400, "UnsupportedOperationException", f"lambdawait sim does not implement {operation}")


def unknown_operation(method: str, path: str) -> SimError:
    """The answer to a request at the Lambda endpoint that names no Lambda operation at all."""
    return SimError(404, "UnknownOperationException", f"No Lambda operation matches {method} {path}")


@functools.cache
def moto_implements(operation: str) -> bool:
    """Whether moto's Lambda has the operation: those without a simulator handler go to moto."""
    from moto.awslambda.responses import LambdaResponse
    from moto.core.utils import camelcase_to_underscores

    return callable(getattr(LambdaResponse, camelcase_to_underscores(operation), None))


def is_mutating(operation: str) -> bool:
    """Every Lambda operation that is not Get*/List*/Invoke* changes something."""
    return not operation.startswith(_READ_PREFIXES)


@functools.lru_cache(maxsize=1)
def _routes() -> tuple[Route, ...]:
    routes = []
    for name, op in object_at(model.service_data(), "operations").items():
        http = object_at(as_object(op) or {}, "http")
        uri = str(http["requestUri"])
        path, _, query = uri.partition("?")
        query_keys = tuple(q.split("=", 1)[0] for q in query.split("&") if q)
        regex, literal = _compile(path.rstrip("/"))
        routes.append(Route(name, str(http["method"]), regex, query_keys, literal))
    # The most literal template wins, so /functions/{F}/configuration beats /functions/{F}.
    routes.sort(key=lambda r: (-len(r.query_keys), -r.literal_chars))
    return tuple(routes)


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    out = []
    literal = 0
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{"):
            name = part[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            out.append(f"(?P<{name}>{'.+' if greedy else '[^/]+'})")
        else:
            literal += len(part)
            out.append(re.escape(part))
    return re.compile("^" + "".join(out) + "/?$"), literal


def match(method: str, path: str, query_keys: set[str]) -> Match | None:
    """The operation for a request; `path` is the decoded PATH_INFO."""
    for route in _routes():
        if route.method != method:
            continue
        if not set(route.query_keys) <= query_keys:
            continue
        m = route.pattern.match(path)
        if m:
            return Match(route.operation, m.groupdict())
    return None
