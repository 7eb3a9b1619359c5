"""The entry point: Click's usage errors become lambdawait's one-line error (or JSON document), exit 2."""

from __future__ import annotations

import errno
import gc
import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdawait.__main__ import _STOP_SIGNALS, _wants_json, main


@pytest.fixture(autouse=True)
def _keep_pytests_signal_handlers() -> Iterator[None]:
    # main() installs the entry point's startup handlers in this process; put pytest's back.
    saved = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    gc.unfreeze()  # main() freezes the heap for its exit; pytest's process goes on collecting


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["lambdawait", *argv])
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("status", "fn", "--output", "xml"), "'xml' is not one of"),
        # Click words it "No such option: --bogus" or "No such option '--bogus'" by version.
        (("wait", "fn", "--bogus"), ("No such option", "--bogus")),
        (("shift", "fn", "--alias", "live"), "Missing option '--to-version'"),
        (("nonsense",), "No such command 'nonsense'"),
    ],
)
def test_usage_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    needle: str | tuple[str, ...],
) -> None:
    code, out, err = run(monkeypatch, capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert all(part in err for part in ((needle,) if isinstance(needle, str) else needle)), err
    assert "--help`)" in err


def test_usage_error_in_json_mode_is_one_document(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(monkeypatch, capsys, "wait", "fn", "--for", "nonsense", "-o", "json")
    doc = json.loads(out)
    assert code == 2 == doc["exitCode"] and doc["ok"] is False and doc["command"] == "wait"
    assert "--for" in doc["error"]["message"] and doc["error"]["type"] == "UsageError"
    assert err.count("\n") == 1


def test_no_arguments_still_shows_the_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(monkeypatch, capsys)
    assert code == 2 and "Usage" in out + err and "Commands" in out + err


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["-o", "json"], True),
        (["--output=json"], True),
        (["-ojson"], True),
        (["--output", "text"], False),
        (["--env", "json"], False),
        (["-o"], False),
    ],
)
def test_wants_json(argv: list[str], wanted: bool) -> None:
    assert _wants_json(argv) is wanted


def test_version_is_answered_without_importing_the_cli_or_aws_libraries() -> None:
    import platform
    import subprocess
    import sys

    import botocore

    probe = (
        "import sys; sys.argv = ['lambdawait', '--version']\n"
        "from lambdawait.__main__ import main; main()\n"
        "heavy = {'typer', 'rich', 'boto3', 'botocore', 'importlib.metadata'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    line, loaded = run.stdout.splitlines()
    from lambdawait import __version__

    python, aws = platform.python_version(), botocore.__version__
    assert line == f"lambdawait {__version__} (Python {python}, botocore {aws})"
    assert loaded == "[]"


def test_a_demo_step_that_goes_wrong_is_one_error_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("lambdawait.app.demo._run_step", lambda *args: 3)
    code, out, err = run(monkeypatch, capsys, "demo")
    assert code == 1 and "[1] Create a function" in out
    assert err == "error: demo: step 1 exited 3, expected 0\n"


@pytest.mark.parametrize(
    ("raised", "exit_code", "stderr"),
    [
        (KeyboardInterrupt(), 130, "error: interrupted ("),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), 141, ""),  # as a write raises it: Click exits 1
    ],
)
def test_the_demo_ends_through_the_one_error_boundary(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: BaseException,
    exit_code: int,
    stderr: str,
) -> None:
    def run_demo(write: object) -> None:
        raise raised

    monkeypatch.setattr("lambdawait.app.demo.run_demo", run_demo)
    code, out, err = run(monkeypatch, capsys, "demo")
    assert code == exit_code and out == "" and err.startswith(stderr)
    assert len(err.splitlines()) == (1 if stderr else 0)  # a reader that left: nothing more to say


def test_a_scenario_that_does_not_load_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "scenario.toml"
    bad.write_text("functions = [", encoding="utf-8")
    code, out, err = run(monkeypatch, capsys, "sim", "serve", "--port", "0", "--scenario", str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: cannot load scenario {bad}")


def test_the_heap_is_frozen_before_the_exit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The interpreter's last collection then skips every object of the command (~15% of its CPU).
    gc.unfreeze()
    code, out, _ = run(monkeypatch, capsys, "explain", "EniLimitExceeded")
    assert code == 0 and "EniLimitExceeded" in out
    assert gc.get_freeze_count() > 0
