"""Showing many functions: a live table on a terminal, one line per transition in logs, plan text."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.output.render import Output

if TYPE_CHECKING:
    from lambdawait.core.doc_types import ResultDocument
    from lambdawait.core.events import WaitEvent

Sink = Callable[[str | None, str, str], None]


class QuietSteps(Output):
    """The command's Output for the engines underneath, with their step lines sent to `sink`.

    Deploy's engines speak one function at a time ("→ updating code of fn"); with many functions
    the table (or the transition lines) already says that, so their lines become table updates.
    Everything else is the command's Output: the same streams, consoles, lock and settings.
    """

    def __init__(self, out: Output, sink: Sink) -> None:
        # Not Output.__init__: this is `out` (its state shared), with two methods of its own.
        vars(self).update(vars(out))
        self._sink = sink

    def step(self, text: str) -> None:
        function = _function_of(text)
        self._sink(function, "deploy", text)

    def transition(self, event: WaitEvent) -> None:
        if event.changed and event.status is not None:
            status = event.status
            self._sink(event.request.function, "wait", f"{status.state}/{status.last_update_status}")


def _function_of(text: str) -> str | None:
    for marker in (" of ", "creating ", "tagging ", "waiting for "):
        if marker in text:
            rest = text.split(marker, 1)[1]
            return rest.split(":", 1)[0].split(" ", 1)[0] or None
    return None


@contextmanager
def progress(out: Output, names: Sequence[str]) -> Iterator[Sink]:
    """A live table (function, phase, state, elapsed) on a terminal; one line per transition elsewhere."""
    start = time.monotonic()
    if out.rich_err and not out.json and not out.github:
        with _live(out, names, start) as sink:
            yield sink
        return
    lock = threading.Lock()
    last: dict[str | None, tuple[str, str]] = {}

    def line(function: str | None, phase: str, state: str) -> None:
        with lock:
            if last.get(function) == (phase, state):
                return
            last[function] = (phase, state)
        what = f"{function}: {phase}: {state}" if function else state
        out.log(f"[{time.monotonic() - start:6.1f}s] {what}")

    yield line


@dataclass
class _Row:
    """One row of the live table: the phase, its state, and since when."""

    phase: str
    state: str
    since: float


@contextmanager
def _live(out: Output, names: Sequence[str], start: float) -> Iterator[Sink]:
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

    rows: dict[str, _Row] = {name: _Row("plan", "reading", start) for name in names}
    rows["(release)"] = _Row("release", "waiting", start)
    lock = threading.Lock()

    def table() -> Table:
        grid = Table("function", "phase", "state", "elapsed", box=None, padding=(0, 2))
        now = time.monotonic()
        for name, row in rows.items():
            grid.add_row(Text(name), row.phase, Text(row.state), f"{now - row.since:5.1f}s")  # never markup
        return grid

    with Live(table(), console=out._console(err=True), refresh_per_second=8, transient=True) as live:

        def sink(function: str | None, phase: str, state: str) -> None:
            with lock:
                key = function if function in rows else "(release)"
                row = rows[key]
                if row.phase != phase:
                    row.since = time.monotonic()
                row.phase, row.state = phase, state
                live.update(table())

        yield sink


def show(out: Output, document: ResultDocument) -> None:
    """The result: JSON (or --query) as every command does; otherwise plan/apply text."""
    if not out._emit(document):
        _text(out, document)
    # Changes found by `plan --detailed-exitcode` are news, not errors: no ::error annotations.
    if document["outcome"] == "changes":
        news: ResultDocument = {**document, "ok": True}
        out._ci(news)
    else:
        out._ci(document)


def _text(out: Output, document: ResultDocument) -> None:
    command = document["command"]
    for entry in document["functions"]:
        mark = "~" if entry.get("changes") else "="
        if command == "plan":
            out.out(f"{mark} {entry['function']}: {'changes' if entry.get('changes') else 'no changes'}")
            plan = entry.get("plan")
            for step in plan["steps"] if plan else []:
                out.out(f"    {step}")
        else:
            version = f" version {entry['version']}" if entry.get("version") else ""
            out.out(f"{entry['function']}: {entry.get('outcome')}{version}")
    total = document.get("total")
    if total:
        out.out(
            f"Plan: {total['changed']} to change, {total['unchanged']} unchanged "
            f"({total['functions']} function{'' if total['functions'] == 1 else 's'})"
        )
    release = document.get("release")
    for alias in release.get("aliases", []) if release else []:
        where = f"{alias['function']}:{alias['alias']}"
        out.out(f"  {where} -> version {alias['toVersion']} ({alias['outcome']})")
    from lambdawait.output.render import OK_OUTCOMES

    outcome = document["outcome"]
    mark, colour = ("✓", "green") if outcome in OK_OUTCOMES or outcome == "changes" else ("✗", "red")
    out.out(f"{mark} {command}: {outcome}", f"[{colour}]{mark}[/] {command}: [bold]{outcome}[/]")
