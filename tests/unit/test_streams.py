"""Output failures (closed pipes, closed files, encodings, the step summary) never reach a command."""

from __future__ import annotations

import errno
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from lambdawait.cli.boundary import command
from lambdawait.core.errors import UsageError
from lambdawait.output.render import Output
from lambdawait.output.streams import SafeStream, flush_quietly

DOC: dict[str, Any] = {
    "command": "publish",
    "ok": True,
    "outcome": "published",
    "exitCode": 0,
    "elapsedSeconds": 0.1,
    "functions": [],
    "version": "3",
}


class Broken(io.StringIO):
    """A stream whose reader went away after `survives` writes."""

    def __init__(self, exc: BaseException, survives: int = 0) -> None:
        super().__init__()
        self.exc = exc
        self.survives = survives
        self.calls = 0

    def write(self, text: str) -> int:
        self.calls += 1
        if self.calls > self.survives:
            raise self.exc
        return super().write(text)


FAILURES = [
    BrokenPipeError(errno.EPIPE, "Broken pipe"),
    OSError(errno.EPIPE, "Broken pipe"),
    OSError(errno.EIO, "Input/output error"),  # the terminal went away
    ValueError("I/O operation on closed file."),
]


@pytest.mark.parametrize("exc", FAILURES, ids=repr)
def test_a_failed_write_marks_the_stream_dead_and_later_writes_are_no_ops(exc: BaseException) -> None:
    inner = Broken(exc, survives=1)
    stream = SafeStream(inner)
    stream.write("first\n")
    stream.write("second\n")  # raises inside: swallowed
    stream.write("third\n")  # not even tried
    stream.flush()
    assert stream.dead and inner.calls == 2 and inner.getvalue() == "first\n"


def test_a_failed_flush_marks_the_stream_dead() -> None:
    class FlushFails(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    stream = SafeStream(FlushFails())
    stream.write("x")
    stream.flush()
    assert stream.dead


def test_unencodable_text_is_escaped_not_raised() -> None:
    raw = io.BytesIO()
    stream = SafeStream(io.TextIOWrapper(raw, encoding="ascii"))
    stream.write("✓ fn: ready — done\n")
    stream.flush()
    assert raw.getvalue() == b"\\u2713 fn: ready \\u2014 done\n" and not stream.dead


def test_a_missing_stream_is_dead_from_the_start() -> None:
    # Python sets sys.stdout to None when fd 1 was closed before it started.
    stream = SafeStream(None)
    assert stream.write("x") == 1 and stream.dead and not stream.isatty()


def test_a_real_closed_pipe_is_silenced_so_the_exit_flush_cannot_fail() -> None:
    read_fd, write_fd = os.pipe()
    os.close(read_fd)  # the reader went away (`| head -1`)
    with os.fdopen(write_fd, "w") as raw:
        stream = SafeStream(raw)
        stream.write("x" * 100_000)  # more than the buffer: the write itself hits EPIPE
        stream.flush()
        assert stream.dead
        # The descriptor now points at /dev/null: what is still buffered flushes without error.
        assert os.fstat(write_fd).st_rdev == os.stat(os.devnull).st_rdev
        raw.write("late\n")
        flush_quietly(raw)


def test_flush_quietly_silences_a_broken_stream() -> None:
    read_fd, write_fd = os.pipe()
    with os.fdopen(write_fd, "w") as raw:
        raw.write("pending")  # buffered
        os.close(read_fd)
        flush_quietly(raw)  # no exception
        assert os.fstat(write_fd).st_rdev == os.stat(os.devnull).st_rdev


@pytest.mark.parametrize("exc", FAILURES, ids=repr)
def test_output_survives_every_stream_failure(exc: BaseException) -> None:
    out = Output("text", no_color=True, stdout=Broken(exc), stderr=Broken(exc))
    out.result(DOC)
    out.step("publishing")
    out.error(UsageError("bad"), DOC)
    json_out = Output("json", stdout=Broken(exc), stderr=Broken(exc))
    json_out.result(DOC)
    json_out.error(UsageError("bad"), DOC)


def test_a_command_keeps_its_exit_code_when_both_streams_are_gone() -> None:
    pipe = BrokenPipeError(errno.EPIPE, "Broken pipe")
    out = Output("json", stdout=Broken(pipe), stderr=Broken(pipe))
    with pytest.raises(SystemExit) as info, command("deploy", out):
        raise UsageError("--memory 64 is out of range")
    assert info.value.code == 2  # not 1 (BrokenPipeError) and not 70 (a bug)


def test_text_output_survives_an_ascii_stream() -> None:
    raw = io.BytesIO()
    out = Output("text", no_color=True, stdout=io.TextIOWrapper(raw, encoding="ascii"), stderr=io.StringIO())
    out.result(DOC)
    assert b"\\u2713 publish: published" in raw.getvalue()


def test_an_unwritable_step_summary_is_one_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))  # a directory
    stdout, stderr = io.StringIO(), io.StringIO()
    failed = {**DOC, "ok": False, "outcome": "gate-failed", "exitCode": 5, "error": {"message": "gate"}}
    out = Output("json", stdout=stdout, stderr=stderr)
    with pytest.raises(SystemExit) as info, command("shift", out):
        from lambdawait.core.errors import RolledBackError

        raise RolledBackError("check-command gate fired", details={"gate": "check-command"})
    assert info.value.code == 5 and json.loads(stdout.getvalue())["outcome"] == "gate-failed"
    warnings = [line for line in stderr.getvalue().splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "GITHUB_STEP_SUMMARY" in warnings[0] and str(tmp_path) in warnings[0]
    out.result(failed)  # and on a plain result too
    assert stderr.getvalue().count("warning:") == 2
