"""Logs are never silent for long: a heartbeat line every 30 s during waits and bakes; live-table marks."""

from __future__ import annotations

import io

from lambdawait.aws.shift import ShiftEvent
from lambdawait.aws.waiter import WaitEvent, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.models import FunctionStatus
from lambdawait.output.render import HEARTBEAT_SECONDS, Output, plural
from lambdawait.output.render_progress import row_mark as _row_mark

REQ = WaitRequest("fn", None, Target.READY)
PENDING = FunctionStatus("fn", state="Pending", state_reason_code="Creating")


class Ticks:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _output() -> tuple[Output, io.StringIO, Ticks]:
    err, ticks = io.StringIO(), Ticks()
    out = Output("text", no_color=True, stdout=io.StringIO(), stderr=err, monotonic=ticks)
    return out, err, ticks


def test_a_long_unchanged_wait_logs_a_heartbeat_every_30_seconds() -> None:
    out, err, ticks = _output()
    for second in range(0, 95):  # one poll a second, always Pending
        ticks.t = float(second)
        out._log_event(WaitEvent(REQ, PENDING, float(second), second + 1, second == 0))
    lines = err.getvalue().splitlines()
    assert len(lines) == 4  # the transition at 0 s, then heartbeats at 30, 60 and 90 s
    assert all("fn: State Pending (Creating)" in line for line in lines)
    assert [line.split("]")[0].strip("[ s") for line in lines] == ["0.0", "30.0", "60.0", "90.0"]


def test_a_bake_logs_a_heartbeat_every_30_seconds_not_every_second() -> None:
    out, err, ticks = _output()
    for second in range(0, 65):
        ticks.t = float(second)
        message = "live: 10% on version 2 (step 1/2)"
        out.shift_event(ShiftEvent("live", 0.1, 1, 2, 300.0 - second, "ok", message))
    lines = err.getvalue().splitlines()
    assert len(lines) == 3  # at 0, 30 and 60 s
    assert "next step in 4m30s" in lines[1] and "next step in 4m" in lines[2]
    assert HEARTBEAT_SECONDS == 30.0


def test_counts_read_like_english_and_rows_are_marked_when_done() -> None:
    assert plural(1, "poll") == "1 poll" and plural(3, "poll") == "3 polls"
    assert "⏳" in _row_mark(PENDING)
    assert "✓" in _row_mark(FunctionStatus("fn", state="Active", last_update_status="Successful"))
    assert "✗" in _row_mark(FunctionStatus("fn", state="Failed", state_reason_code="InvalidZipFileException"))
    assert "✗" in _row_mark(FunctionStatus("fn", state="Active", last_update_status="Failed"))
