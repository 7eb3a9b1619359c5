"""Entry point for `lambdawait` and `python -m lambdawait`."""

from __future__ import annotations

import gc
import os
import signal
import sys

TYPE_CHECKING = False  # not `from typing`: typing costs milliseconds on every start
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType
    from typing import Any, NoReturn

# What a cancelled CI job, Ctrl-C and a closed terminal send.
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def main() -> None:
    _startup()
    # `--version` is what scripts probe most; answer it without importing Typer, Rich or boto3.
    if sys.argv[1:] == ["--version"]:
        from lambdawait.core.version import version_line

        sys.stdout.write(version_line() + "\n")
        return
    try:
        code = _run(sys.argv[1:])
    except BrokenPipeError:
        # Only output outside the commands' SafeStreams gets here (help, the demo): the reader left.
        from lambdawait.cli.boundary import BROKEN_PIPE_EXIT
        from lambdawait.output.streams import silence

        silence(sys.stdout)
        code = BROKEN_PIPE_EXIT
    _exit(code)


def _run(argv: Sequence[str]) -> object:
    if argv[:1] == ["wait"]:
        from lambdawait.cli import fastpath

        try:
            fastpath.main(argv)  # returns only when Typer should parse the command line
        except SystemExit as exc:
            return exc.code
    from lambdawait.cli.app import app

    try:
        return app(prog_name="lambdawait", standalone_mode=False)
    except _usage_errors() as exc:
        _usage_error(exc, argv)
    except SystemExit as exc:
        return exc.code


def _startup() -> None:
    """Before anything is imported: quiet signals, and output that cannot fail on encoding."""
    # A signal before a command has its own handlers (Python startup, imports, option parsing:
    # ~0.15 s) stops a process that has changed nothing: exit 130, no traceback, no output.
    for sig in _STOP_SIGNALS:
        signal.signal(sig, _signal_at_startup)
    # An ASCII or C locale (PYTHONIOENCODING=ascii) must not turn a ✓ into a UnicodeEncodeError in
    # the middle of a command: escape what cannot be shown, as Python already does on stderr.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not stream.closed:  # None or closed: SafeStream copes
            reconfigure(errors="backslashreplace")


def _signal_at_startup(signum: int, frame: FrameType | None) -> None:
    # runner.command sets `started` once its own handlers are in place; when they are removed again
    # this handler is back, and by then the result is decided (and maybe printed): it stands.
    runner = sys.modules.get("lambdawait.cli.boundary")
    if runner is not None and getattr(runner, "started", False):
        return
    os._exit(130)


def _exit(code: object) -> NoReturn:
    # The command's result is out: a signal now cannot change it, so it must not change the exit code.
    for sig in _STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    # Nor can a reader that went away: flushing into a closed pipe at exit would print "Exception
    # ignored ..." and make the interpreter exit 120.
    from lambdawait.output.streams import flush_quietly

    flush_quietly(sys.stdout)
    flush_quietly(sys.stderr)
    # The interpreter's last garbage collection would walk every object botocore, Typer and Rich
    # made (~35 ms of a ~450 ms command) to free memory the process is about to give back anyway.
    # Frozen objects are skipped; atexit handlers, `with` blocks and stream flushes all still run.
    gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)


def _usage_errors() -> type[Exception]:
    """Click's UsageError: Typer >= 0.20 vendors Click as typer._click, older ones use click."""
    try:
        from typer._click.exceptions import UsageError
    except ImportError:  # pragma: no cover - older Typer
        from click.exceptions import UsageError  # type: ignore[assignment,unused-ignore]
    return UsageError


def _usage_error(exc: Any, argv: Sequence[str]) -> NoReturn:
    """One line on stderr (and the error document with -o json) instead of Click's usage box."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" or ctx is None:
        exc.show()  # `lambdawait` or `lambdawait sim` alone: the help is the answer
        sys.exit(exc.exit_code)
    from lambdawait.cli.boundary import fail
    from lambdawait.core.errors import UsageError
    from lambdawait.output.render import Output

    err = UsageError(exc.format_message(), hint=f"run `{ctx.command_path} --help`")
    command = ctx.info_name or "lambdawait"
    documented = command in ("wait", "status", "explain", "deploy", "publish", "shift", "rollback")
    json_mode = documented and _wants_json(argv)
    fail(Output("json" if json_mode else "text"), command, err)


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for JSON (parsing stopped at the bad option, maybe before it)."""
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return any(
        arg in ("--output=json", "-ojson") or (arg in ("-o", "--output") and value == "json")
        for arg, value in pairs
    )


if __name__ == "__main__":
    main()
