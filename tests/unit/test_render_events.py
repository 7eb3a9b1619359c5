"""Progress lines on stderr: one per transition, every poll with --verbose."""

from __future__ import annotations

import io

from lambdawait.aws.waiter import WaitEvent, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.models import FunctionStatus
from lambdawait.output.render import Output

REQ = WaitRequest("fn", None, Target.READY)
PENDING = FunctionStatus("fn", state="Pending", state_reason_code="Creating")
READY = FunctionStatus("fn", state="Active", last_update_status="Successful")


def lines(verbose: bool, events: list[WaitEvent], *, multi_step: bool = False) -> list[str]:
    err = io.StringIO()
    out = Output("text", no_color=True, verbose=verbose, stdout=io.StringIO(), stderr=err)
    for event in events:
        (out.transition if multi_step else out._log_event)(event)
    return err.getvalue().splitlines()


EVENTS = [
    WaitEvent(REQ, PENDING, 0.0, 1, True),
    WaitEvent(REQ, PENDING, 0.1, 2, False),
    WaitEvent(REQ, READY, 0.3, 3, True),
]


def test_one_line_per_transition() -> None:
    assert [line.split(": ", 1)[1] for line in lines(False, EVENTS)] == [
        "State Pending (Creating)",
        "State Active, LastUpdateStatus Successful",
    ]


def test_verbose_logs_every_poll() -> None:
    # The unchanged second poll is the line only --verbose writes, with its own elapsed time.
    assert lines(True, EVENTS) == [
        "[   0.0s] fn: State Pending (Creating)",
        "[   0.1s] fn: State Pending (Creating)",
        "[   0.3s] fn: State Active, LastUpdateStatus Successful",
    ]


def test_multi_step_commands_stay_quiet_when_already_ready() -> None:
    assert lines(False, [WaitEvent(REQ, READY, 0.0, 1, True)], multi_step=True) == []
    assert len(lines(False, [WaitEvent(REQ, READY, 0.0, 1, True)])) == 1
