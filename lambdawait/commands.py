"""Application services behind each command: build the engine, run it, return a result document."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from lambdawait.acceptors import Target
from lambdawait.clock import SystemClock
from lambdawait.errors import UsageError
from lambdawait.signals import interrupts
from lambdawait.status import split_qualifier
from lambdawait.waiter import Waiter, WaitRequest


def wait_requests(functions: Sequence[str], target: str, qualifier: str | None) -> list[WaitRequest]:
    """Parse FUNCTION[:QUALIFIER] arguments; `version` needs a numeric qualifier."""
    requests = []
    for name in functions:
        function, qual = split_qualifier(name, qualifier)
        if not function:
            raise UsageError(f"empty function name in {name!r}", hint="pass FUNCTION or FUNCTION:VERSION")
        if target == Target.VERSION.value and not (qual and qual.isdigit()):
            raise UsageError(
                f"--for version needs a published version number for {name}",
                hint="pass --qualifier N or FUNCTION:N",
            )
        requests.append(WaitRequest(function, qual, Target(target)))
    return requests


def run_wait(
    clients: Any,
    out: Any,
    functions: Sequence[str],
    target: str,
    qualifier: str | None,
    timeout: float,
    start: float,
) -> dict[str, Any]:
    """`lambdawait wait`: every function concurrently, one shared rate limit."""
    from lambdawait.report import wait_document

    requests = wait_requests(functions, target, qualifier)
    client = clients.lambda_()
    clock = SystemClock()
    with out.wait_progress([r.label for r in requests]) as sink, interrupts(clock):
        waiter = Waiter(client, clock=clock, on_event=sink, cancelled=lambda: clock.cancelled)
        results = waiter.wait_many(requests, timeout)
    return wait_document(results, time.monotonic() - start)


def run_status(clients: Any, functions: Sequence[str], start: float) -> dict[str, Any]:
    """`lambdawait status`: read-only."""
    from lambdawait.describe import describe
    from lambdawait.report import status_document

    client = clients.lambda_()
    reports = [describe(client, name) for name in functions]
    return status_document(reports, time.monotonic() - start)
