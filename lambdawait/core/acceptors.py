"""botocore's Lambda waiter acceptors, applied to GetFunction responses (never retyped by hand)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from lambdawait.core.model import waiter_model
from lambdawait.core.responses import mapping


class Target(str, enum.Enum):
    """What `lambdawait wait --for` waits for."""

    READY = "ready"
    ACTIVE = "active"
    UPDATED = "updated"
    VERSION = "version"
    EXISTS = "exists"
    PROVISIONED = "provisioned"  # an alias's or version's provisioned concurrency is READY


class Verdict(str, enum.Enum):
    """An acceptor's decision about one response."""

    SUCCESS = "success"
    FAILURE = "failure"
    RETRY = "retry"
    UNMATCHED = "unmatched"


# Which botocore waiter(s) define each target; READY must satisfy both. PROVISIONED has none: it
# polls GetProvisionedConcurrencyConfig (lambdawait.aws.provisioned), not GetFunction.
WAITERS: dict[Target, tuple[str, ...]] = {
    Target.READY: ("FunctionActiveV2", "FunctionUpdatedV2"),
    Target.ACTIVE: ("FunctionActiveV2",),
    Target.UPDATED: ("FunctionUpdatedV2",),
    Target.VERSION: ("PublishedVersionActive",),
    Target.EXISTS: ("FunctionExists",),
}


@dataclass(frozen=True)
class Acceptor:
    """One botocore acceptor: when `matches(response)`, the waiter moves to `state`."""

    state: Verdict
    matches: Callable[[Mapping[str, object]], bool]


@cache
def acceptors(waiter_name: str) -> tuple[Acceptor, ...]:
    """The acceptors of a botocore Lambda waiter, adapted to a GetFunction response.

    Waiters defined on GetFunctionConfiguration (PublishedVersionActive) match the same fields
    one level down, under `Configuration`, so we poll GetFunction only (100 req/s quota instead of
    the 15 req/s shared with every mutating call).
    """
    config = waiter_model().get_waiter(waiter_name)
    on_configuration = config.operation == "GetFunctionConfiguration"
    result = []
    for acceptor in config.acceptors:
        func = acceptor.matcher_func
        if on_configuration and acceptor.matcher != "error":
            func = _under_configuration(func)
        result.append(Acceptor(Verdict(acceptor.state), func))
    return tuple(result)


def _under_configuration(
    func: Callable[[Mapping[str, object]], bool],
) -> Callable[[Mapping[str, object]], bool]:
    def matcher(response: Mapping[str, object]) -> bool:
        if "Error" in response:
            return bool(func(response))
        return bool(func(mapping(response.get("Configuration"))))

    return matcher


def classify_one(waiter_name: str, response: Mapping[str, object]) -> Verdict:
    """The first matching acceptor's verdict, as botocore's Waiter.wait would decide."""
    for acceptor in acceptors(waiter_name):
        if acceptor.matches(response):
            return acceptor.state
    return Verdict.UNMATCHED


def classify(target: Target, response: Mapping[str, object]) -> Verdict:
    """Combine the verdicts of the target's waiters.

    One failure fails, all successes succeed, and one retry keeps polling. For `ready`, a missing
    LastUpdateStatus (a function still being created has none yet) does not veto the State half.
    """
    verdicts = []
    for name in WAITERS[target]:
        verdict = classify_one(name, response)
        if (
            target is Target.READY
            and name == "FunctionUpdatedV2"
            and verdict is Verdict.UNMATCHED
            and "LastUpdateStatus" not in mapping(response.get("Configuration"))
        ):
            continue
        verdicts.append(verdict)
    if Verdict.FAILURE in verdicts:
        return Verdict.FAILURE
    if all(v is Verdict.SUCCESS for v in verdicts):
        return Verdict.SUCCESS
    if Verdict.RETRY in verdicts:
        return Verdict.RETRY
    return Verdict.UNMATCHED
