"""The Typer-free `wait` path parses every form exactly as the Typer command does, or defers to it."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from lambdawait.cli import fastpath
from lambdawait.cli.app import app

FORMS = [
    ["wait", "fn"],
    ["wait", "a", "b", "c"],
    ["wait", "fn", "--for", "updated", "--timeout", "12.5"],
    ["wait", "fn:3", "--for=version", "-o", "json"],
    ["wait", "--timeout", "5", "fn", "--region", "eu-west-1", "other"],
    ["wait", "fn", "-q", "7", "--for", "version", "--profile", "p", "--endpoint-url", "http://x:1"],
    ["wait", "fn", "--output=json", "--no-color", "-v"],
    ["wait", "fn", "-ojson"],
    ["wait", "fn", "--query", "functions[0].state", "-o", "json"],
]


def typer_values(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def capture(**kwargs: Any) -> None:  # keyword-only: the names are run_wait_command's own
        seen.update(kwargs)

    monkeypatch.setattr(fastpath, "run_wait_command", capture)
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    return seen


@pytest.mark.parametrize("argv", FORMS, ids=[" ".join(f) for f in FORMS])
def test_fast_path_parses_like_typer(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    args = fastpath.parse(argv)
    assert args is not None
    expected = typer_values(argv, monkeypatch)
    assert {**vars(args), "functions": list(args.functions)} == {
        **expected,
        "functions": list(expected["functions"]),
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["wait"],
        ["wait", "--help"],
        ["wait", "fn", "-h"],
        ["wait", "fn", "--for", "bogus"],
        ["wait", "fn", "--timeout", "-1"],
        ["wait", "fn", "--timeout", "soon"],
        ["wait", "fn", "--unknown"],
        ["wait", "fn", "-o", "xml"],
        ["status", "fn"],
        [],
    ],
)
def test_anything_else_falls_back_to_typer(argv: list[str]) -> None:
    assert fastpath.parse(argv) is None
