"""Wait progress for people: a wait event's status in words, its mark, and the live table a
terminal shows while functions are waited on (logs get one line per transition instead, render.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from lambdawait.output.render_text import describe_status, plural

if TYPE_CHECKING:
    import threading

    from rich.console import Console
    from rich.table import Table

    from lambdawait.core.events import WaitEvent
    from lambdawait.core.models import FunctionStatus


@contextmanager
def live_table(
    console: Console, lock: threading.Lock, labels: Sequence[str]
) -> Iterator[Callable[[WaitEvent], None]]:
    """A table with a row per label, redrawn in place on CONSOLE by the sink it yields; LOCK is
    the stream's, held while a row changes (other threads write to the same stream)."""
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

    rows: dict[str, tuple[str, float, int]] = {label: ("waiting", 0.0, 0) for label in labels}

    marks: dict[str, str] = {label: "[cyan]⏳[/]" for label in labels}

    def table() -> Table:
        grid = Table.grid(padding=(0, 2))
        for label, (text, elapsed, polls) in rows.items():
            # A status text is AWS's words: Text, never markup.
            grid.add_row(marks[label], Text(label), Text(text), f"{elapsed:5.1f}s", plural(polls, "poll"))
        return grid

    with Live(table(), console=console, refresh_per_second=10, transient=True) as live:

        def sink(event: WaitEvent) -> None:
            text = event.note or event_text(event.status)
            with lock:
                rows[event.request.label] = (text, event.elapsed, event.polls)
                marks[event.request.label] = row_mark(event.status)
                live.update(table())

        yield sink


def event_text(status: FunctionStatus | None) -> str:
    """`State Pending (Creating), LastUpdateStatus InProgress`, or `waiting` before the first read."""
    if status is None:
        return "waiting"
    return describe_status(
        {
            "state": status.state,
            "stateReasonCode": status.state_reason_code,
            "lastUpdateStatus": status.last_update_status,
            "lastUpdateStatusReasonCode": status.last_update_status_reason_code,
        }
    )


def row_mark(status: FunctionStatus | None) -> str:
    """The live table's mark: ⏳ while waiting, ✓ once ready, ✗ on a failed state."""
    if status is not None and "Failed" in (status.state, status.last_update_status):
        return "[red]✗[/]"
    return "[green]✓[/]" if is_ready(status) else "[cyan]⏳[/]"


def is_ready(status: FunctionStatus | None) -> bool:
    """Active with no update in progress or failed: what a plain wait waits for."""
    return (
        status is not None and status.state == "Active" and status.last_update_status in ("Successful", None)
    )
