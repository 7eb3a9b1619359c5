"""Entry point for `lambdawait` and `python -m lambdawait`."""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn


def main() -> None:
    # `--version` is what scripts probe most; answer it without importing Typer, Rich or boto3.
    if sys.argv[1:] == ["--version"]:
        from lambdawait import __version__

        sys.stdout.write(f"lambdawait {__version__}\n")
        return
    if sys.argv[1:2] == ["wait"]:
        from lambdawait import fastpath

        try:
            fastpath.main(sys.argv[1:])  # returns only when Typer should parse the command line
        except SystemExit as exc:
            _exit(exc.code)
    from lambdawait.cli import app

    try:
        code = app(prog_name="lambdawait", standalone_mode=False)
    except _usage_errors() as exc:
        _usage_error(exc, sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _exit(code: object) -> NoReturn:
    # The command's result is out: a signal now cannot change it, so it must not change the exit code.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
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
    from lambdawait.errors import UsageError
    from lambdawait.render import Output
    from lambdawait.report import error_document

    err = UsageError(exc.format_message(), hint=f"run `{ctx.command_path} --help`")
    command = ctx.info_name or "lambdawait"
    documented = command in ("wait", "status", "explain", "deploy", "publish", "shift", "rollback")
    json_mode = documented and _wants_json(argv)
    Output("json" if json_mode else "text").error(err, error_document(command, err, 0.0))
    sys.exit(int(err.exit_code))


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for JSON (parsing stopped at the bad option, maybe before it)."""
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return any(
        arg in ("--output=json", "-ojson") or (arg in ("-o", "--output") and value == "json")
        for arg, value in pairs
    )


if __name__ == "__main__":
    main()
