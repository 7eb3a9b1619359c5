"""What the renderer hands to CI: step outputs in $GITHUB_OUTPUT, whatever else fails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lambdawait.core.errors import UsageError
from lambdawait.output.render import Output

DOC = {
    "command": "publish",
    "ok": True,
    "outcome": "published",
    "exitCode": 0,
    "functions": [],
    "version": "4",
}


def test_outputs_are_written_wherever_github_output_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    Output("text", stdout=io.StringIO(), stderr=io.StringIO()).result(DOC)
    assert (tmp_path / "out").read_text() == "version=4\noutcome=published\nexit-code=0\n"


def test_an_error_still_writes_its_outcome_and_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    doc = {"command": "deploy", "ok": False, "outcome": "usage-error", "exitCode": 2, "functions": []}
    Output("json", stdout=io.StringIO(), stderr=io.StringIO()).error(UsageError("bad"), doc)
    assert (tmp_path / "out").read_text() == "outcome=usage-error\nexit-code=2\n"


def test_unwritable_outputs_are_one_warning_after_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path))  # a directory
    stdout, stderr = io.StringIO(), io.StringIO()
    Output("text", no_color=True, stdout=stdout, stderr=stderr).result(DOC)
    assert "publish: published" in stdout.getvalue()
    (line,) = stderr.getvalue().splitlines()
    assert line.startswith("warning: could not write the step outputs to $GITHUB_OUTPUT")
