"""Presentation: Rich for people on a terminal, plain lines for CI logs, JSON for machines.

Results go to stdout, progress and logs to stderr. Text is rendered from the same result documents
that `--output json` prints, so both always say the same thing. Both streams are SafeStreams: a
reader that goes away or an encoding that cannot show a character never reaches the command.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, cast

from lambdawait.core.errors import OUTCOME_EXIT_CODES, ExitCode, LambdawaitError
from lambdawait.output.render_text import describe_status, hanging_lines, plural
from lambdawait.output.streams import SafeStream

if TYPE_CHECKING:
    from rich.console import Console

    from lambdawait.core.doc_types import FunctionDoc, ResultDocument
    from lambdawait.core.events import ShiftEvent, WaitEvent
    from lambdawait.output.query import Query
    from lambdawait.output.render_failure import FailureView

# Outcomes shown with a ✓: those that mean exit 0 in the one outcome table.
OK_OUTCOMES = frozenset(o for o, code in OUTCOME_EXIT_CODES.items() if code is ExitCode.OK)
HEARTBEAT_SECONDS = 30.0
# A line for Rich as parts, each plain or (text, style): Text.assemble's arguments, never parsed.
Styled = Sequence["str | tuple[str, str]"]


class Output:
    """Owns stdout/stderr and decides between Rich, plain lines and JSON."""

    def __init__(
        self,
        mode: str = "text",
        *,
        no_color: bool = False,
        verbose: bool = False,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        query: str | None = None,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self.mode = mode
        self.query_text = query
        self._query: Query | None = None
        self.stdout = SafeStream(stdout if stdout is not None else sys.stdout)
        self.stderr = SafeStream(stderr if stderr is not None else sys.stderr)
        self.verbose = verbose
        # For "2 minutes ago" in `status`: the clock is a parameter so tests can fix it.
        self.now = now or (lambda: datetime.now(timezone.utc))
        # NO_COLOR is the Console's own to honour (colour off, the live display stays); --no-color,
        # a dumb terminal and a stream that is not a terminal get plain lines.
        plain = no_color or os.environ.get("TERM") == "dumb"
        self.rich_out = not plain and mode == "text" and self.stdout.isatty()
        self.rich_err = not plain and self.stderr.isatty()
        self._lock = threading.Lock()
        self._consoles: dict[bool, Console] = {}
        self._last_shift: tuple[int, str] | None = None
        # On a terminal: the last line written to stderr, and the shift line a bake counts down in.
        self._last_log: str | None = None
        self._shift_line: str | None = None
        # When each progress line was last written: a log (not a TTY) gets a heartbeat at least
        # every HEARTBEAT_SECONDS during a wait or a bake (CircleCI kills a step silent for 10 min).
        self._monotonic = monotonic or time.monotonic
        self._last_line: dict[str, float] = {}
        from lambdawait.output import github

        self.github = github.enabled()

    @property
    def json(self) -> bool:
        return self.mode == "json"

    # -- low level ---------------------------------------------------------------------------

    def _console(self, err: bool) -> Console:
        """The one Rich Console of a stream, built on first use (it measures the terminal once)."""
        if err not in self._consoles:
            from rich.console import Console

            # Rich writes through the SafeStream too (it only needs write, flush, isatty and encoding).
            stream = cast("IO[str]", self.stderr if err else self.stdout)
            self._consoles[err] = Console(file=stream, highlight=False, soft_wrap=True)
        return self._consoles[err]

    def out(self, text: str, markup: str | Styled | None = None, *, hang: int | None = None) -> None:
        """One result line on stdout; `markup` is the Rich version used on a colour terminal,
        where a long line wraps with its continuation indented by `hang` (default: its indent + 2).

        Markup as a string is for fixed words only; a line with AWS's or the user's words is Styled
        parts (Text.assemble), which Rich never parses: a `[bold]` or a trailing backslash in them
        is printed as it is, with no escaping to get wrong."""
        if self.rich_out:
            self._wrapped(err=False, text=text, markup=markup, hang=hang)
        else:
            self.stdout.write(text + "\n")
            self.stdout.flush()

    def log(self, text: str) -> None:
        """One progress/log line on stderr."""
        self._last_log = text
        if self.rich_err:
            self._wrapped(err=True, text=text, markup=None)
            return
        with self._lock:
            self.stderr.write(text + "\n")
            self.stderr.flush()

    def _wrapped(self, *, err: bool, text: str, markup: str | Styled | None, hang: int | None = None) -> None:
        """On a terminal: wrapped at word boundaries by Rich, continuation lines indented under the
        line's own indent (a terminal would cut mid-word); in logs lines are never wrapped."""
        from rich.text import Text

        if markup is None:
            line = Text(text)
        elif isinstance(markup, str):
            line = Text.from_markup(markup)
        else:
            line = Text.assemble(*markup)
        lead = len(line.plain) - len(line.plain.lstrip(" "))
        console = self._console(err)
        with self._lock:
            for part in hanging_lines(console, line[lead:], Text(" " * lead), hang or lead + 2):
                console.print(part, soft_wrap=True)

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A collapsible `::group::` in a GitHub Actions log; nothing elsewhere."""
        if self.github:
            self.log(f"::group::{title}")
        try:
            yield
        finally:
            if self.github:
                self.log("::endgroup::")

    def _ci(self, document: ResultDocument | None) -> None:
        """On GitHub Actions: `::error` annotations for failures, a step-summary section and the
        step outputs ($GITHUB_OUTPUT, written wherever it is set: other runners use it too).

        After the result itself, so that nothing here can keep the result from being printed; a
        file that cannot be written is a warning, never a different outcome.
        """
        if document is None:
            return
        from lambdawait.output import github

        problems = [github.append_outputs(document)]
        if self.github:
            for line in github.error_annotations(document):
                self.log(line)
            problems.append(github.append_summary(document))
        for problem in problems:
            if problem:
                self.warn(problem)

    def emit_json(self, document: Mapping[str, object]) -> None:
        self.stdout.write(json.dumps(document, indent=2, sort_keys=False) + "\n")
        self.stdout.flush()

    def compile_query(self) -> None:
        """Compile `--query` (raising UsageError for a bad one): called before any AWS call."""
        if self.query_text is not None and self._query is None:
            from lambdawait.output.query import Query

            self._query = Query(self.query_text)

    def _emit(self, document: ResultDocument) -> bool:
        """Print the document, or what `--query` picks from it, when JSON or a query asks for it."""
        if self._query is not None:
            from lambdawait.output.query import format_value

            try:
                value = self._query.search(document)
            except ValueError as exc:  # e.g. length() of a number: the outcome stands, stdout is empty
                self.warn(f"--query {self.query_text!r} could not be applied: {exc}")
                return True
            self.stdout.write(format_value(value, as_json=self.json) + "\n")
            self.stdout.flush()
            return True
        if self.json:
            self.emit_json(document)
            return True
        return False

    # -- errors -------------------------------------------------------------------------------

    def error(self, err: LambdawaitError, document: ResultDocument | None = None) -> None:
        """The error on stderr (and the JSON error document on stdout in JSON mode): one line, or
        for a failed function a headline, AWS's reason and the steps, as `explain` shows them.
        A command outside the JSON contract (the demo, `sim serve`) has no document: the functions
        its error is about are read from the error itself."""
        from lambdawait.output.documents import error_functions
        from lambdawait.output.render_failure import failed_entry, failure_view

        if document is not None:
            self._emit(document)
        entry = failed_entry(document["functions"] if document is not None else error_functions(err))
        if entry is not None:
            self.failure(failure_view(entry, err.message), err=True, plain_mark="error: ")
        else:
            self.log(f"error: {err.one_line()}")
        self._ci(document)

    def failure(self, view: FailureView, *, err: bool, plain_mark: str = "✗ ", suffix: str = "") -> None:
        """A failed function: a red ✗ headline, AWS's reason, what is live, then the steps as
        bullets; wrapped by Rich to the terminal, one item per line elsewhere."""
        from lambdawait.output.render_failure import failure_lines, rich_failure_lines

        if self.rich_err if err else self.rich_out:
            console = self._console(err)
            lines = rich_failure_lines(console, view, suffix=suffix)
            with self._lock:
                for line in lines:
                    console.print(line, soft_wrap=True)
            return
        for text in failure_lines(view, plain_mark=plain_mark, suffix=suffix):
            if err:
                self.log(text)
            else:
                self.out(text)

    # -- progress -----------------------------------------------------------------------------

    @contextmanager
    def wait_progress(self, labels: Sequence[str]) -> Iterator[Callable[[WaitEvent], None]]:
        """A sink for wait events: a live table on a terminal, one line per transition elsewhere."""
        with self.group("Waiting for " + ", ".join(labels)), self._wait_sink(labels) as sink:
            yield sink

    @contextmanager
    def _wait_sink(self, labels: Sequence[str]) -> Iterator[Callable[[WaitEvent], None]]:
        if self.rich_err and not self.json and not self.github:
            with self._live_progress(labels) as sink:
                yield sink
            return

        yield self._log_event

    @contextmanager
    def _live_progress(self, labels: Sequence[str]) -> Iterator[Callable[[WaitEvent], None]]:
        from lambdawait.output.render_progress import live_table

        with live_table(self._console(err=True), self._lock, labels) as sink:
            yield sink

    def transition(self, event: WaitEvent) -> None:
        """Default wait sink for multi-step commands: one line per state transition."""
        self._log_event(event, quiet_ready_start=True)

    def _log_event(self, event: WaitEvent, *, quiet_ready_start: bool = False) -> None:
        """One line per transition (every poll with --verbose); an already-ready start may stay quiet."""
        from lambdawait.output.render_progress import event_text, is_ready

        quiet = quiet_ready_start and event.polls == 1 and is_ready(event.status)
        label = event.request.label
        if (event.changed and not quiet) or event.note or self.verbose or self._heartbeat_due(label):
            what = event.note or event_text(event.status)
            self.log(f"[{event.elapsed:6.1f}s] {label}: {what}")
            self._last_line[label] = self._monotonic()

    def _heartbeat_due(self, key: str) -> bool:
        """A log line is due: nothing was written for `key` for HEARTBEAT_SECONDS (seeded on first use)."""
        now = self._monotonic()
        last = self._last_line.setdefault(key, now)
        return now - last >= HEARTBEAT_SECONDS

    def step(self, text: str) -> None:
        self.log(f"→ {text}")

    def warn(self, text: str) -> None:
        self.log(f"warning: {text}")

    def shift_event(self, event: ShiftEvent) -> None:
        """One line per step or gate change (not per second of bake), readable in a CI log; on a
        terminal the bake's line counts down in place, so a long bake is not a frozen screen."""
        from lambdawait.core.strategy import format_duration

        key = (event.step, event.gate_status)
        tail = f"; next step in {format_duration(round(event.next_in))}" if event.next_in >= 1 else ""
        line = f"⇄ {event.message}{tail}; gates {event.gate_status}"
        if key == self._last_shift and not self.verbose:
            if self.rich_err:
                self._rewrite_shift_line(line)
                return
            if not self._heartbeat_due(f"shift:{event.alias}"):
                return
        self._last_shift = key
        self._last_line[f"shift:{event.alias}"] = self._monotonic()
        self.log(line)
        self._shift_line = line

    def _rewrite_shift_line(self, line: str) -> None:
        """Replace the shift line just printed, when it is still the last line and fits one row."""
        shown = self._shift_line
        width = self._console(err=True).width
        if shown is None or shown != self._last_log or max(len(shown), len(line)) >= width:
            return
        with self._lock:
            self.stderr.write("\x1b[1A\x1b[2K")  # cursor up one line, erase it
        self.log(line)
        self._shift_line = line

    # -- documents ----------------------------------------------------------------------------

    def wait_result(self, document: ResultDocument) -> None:
        if not self._emit(document):
            for entry in document["functions"]:
                self.function_line(entry)
        self._ci(document)

    def function_line(self, entry: FunctionDoc) -> None:
        """One function's outcome, with reason and remediation when it is not ready."""
        from lambdawait.output.render_failure import failure_view, is_failing

        label = str(entry["function"]) + (f":{entry['qualifier']}" if entry.get("qualifier") else "")
        outcome = entry["outcome"]
        ok = outcome in OK_OUTCOMES
        mark, colour = ("✓", "green") if ok else ("✗", "red")
        polls = plural(entry["polls"], "poll") if "polls" in entry else ""
        timing = f" in {entry['elapsedSeconds']:.1f}s ({polls})" if polls else ""
        if not ok and is_failing(entry):
            self.failure(failure_view(entry, entry.get("message")), err=False, suffix=timing)
            return
        rest = f" — {describe_status(entry)}{timing}"
        styled: Styled = [(mark, colour), " ", (label, "bold"), ": ", (outcome, colour), rest]
        self.out(f"{mark} {label}: {outcome}{rest}", styled)
        message = entry.get("message")
        if not ok and message:
            self.out(f"  {message}")
        reason = entry.get("lastUpdateStatusReason") or entry.get("stateReason")
        if not ok and reason and reason not in (message or ""):
            self.out(f"  reason: {reason}", ["  ", ("reason:", "dim"), f" {reason}"])
        remediation = entry.get("remediation")
        if remediation:
            self.out(f"  fix: {remediation}", ["  ", ("fix:", "yellow"), f" {remediation}"])

    def result(self, document: ResultDocument) -> None:
        """deploy / publish / shift / rollback results: a summary line, then the details."""
        if not self._emit(document):
            self._result_text(document)
        self._ci(document)

    def _result_text(self, document: ResultDocument) -> None:
        from lambdawait.output.render_result import result_lines

        command, outcome = document["command"], document["outcome"]
        for line in result_lines(document):
            self.out(line)
        mark, colour = ("✓", "green") if outcome in OK_OUTCOMES else ("✗", "red")
        self.out(f"{mark} {command}: {outcome}", f"[{colour}]{mark}[/] {command}: [bold]{outcome}[/]")

    def status(self, document: ResultDocument) -> None:
        if not self._emit(document):
            for entry in document["functions"]:
                self._status_block(entry)
        self._ci(document)

    def _status_block(self, e: FunctionDoc) -> None:
        """The function's name, its rows aligned under it, then the steps to take (if any)."""
        from lambdawait.output.render_status import remediation_steps, status_rows

        label = str(e["function"]) + (f":{e['qualifier']}" if e.get("qualifier") else "")
        self.out(label, [(label, "bold")])
        for key, value in status_rows(e, self.now()):
            self.out(f"  {key:<14} {value}", ["  ", (f"{key:<14}", "dim"), f" {value}"], hang=17)
        steps = remediation_steps(e)
        if steps:
            from lambdawait.output.render_failure import FailureView

            self.failure(FailureView("", None, None, tuple(steps)), err=False, plain_mark="")

    def explain(self, document: ResultDocument) -> None:
        if self._emit(document):
            return
        for reason in document["reasons"]:
            where = ", ".join(reason["appliesTo"])
            self.out(f"{reason['code']} ({where})", [(reason["code"], "bold"), " ", (f"({where})", "dim")])
            self.out(f"  {reason['meaning']}")
            for step in reason["remediation"]:
                self.out(f"  - {step}", ["  ", ("-", "yellow"), f" {step}"])
