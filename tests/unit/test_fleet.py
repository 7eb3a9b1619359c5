"""Many functions at once: the concurrency helper's abort, and `deploy NAME` reading the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lambdawait.app.fleet import each
from lambdawait.cli.app import app


def test_each_stops_starting_work_after_the_first_failure_and_raises_it() -> None:
    ran: list[int] = []
    aborted: list[bool] = []

    def work(item: int) -> None:
        ran.append(item)
        if item == 2:
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        each(list(range(10)), work, on_abort=lambda: aborted.append(True), workers=1)
    assert ran == [0, 1, 2] and aborted == [True]


def test_each_without_on_abort_runs_everything_then_raises_the_first_failure() -> None:
    ran: list[int] = []

    def work(item: int) -> None:
        ran.append(item)
        if item in (3, 5):
            raise ValueError(f"fail {item}")

    with pytest.raises(ValueError, match="fail 3"):
        each(list(range(8)), work, workers=1)
    assert ran == list(range(8))


def test_deploy_name_with_a_broken_file_is_exit_2_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lambdawait.toml").write_text("[functions.api]\nhandlr = 'x'\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: no call may go out
    result = CliRunner().invoke(app, ["deploy", "api", "--dry-run"])
    assert result.exit_code == 2
    assert "'handlr'" in result.output and "'handler'" in result.output
