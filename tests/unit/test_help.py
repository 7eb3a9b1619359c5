"""`--help` reads like a person wrote it: named values, choices shown, summaries that are not cut off."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from lambdawait.cli.app import app

ROOT = typer.main.get_command(app)


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _paths(sub, (*prefix, name))
    return found


PATHS = _paths(ROOT)


def help_of(*path: str) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "lambdawait")
def test_no_python_type_metavars(path: tuple[str, ...]) -> None:
    text = help_of(*path)
    assert not re.search(r"<[\w\[\]|, ]+>", text), text  # <str>, <list[str]>, <float range>
    assert not re.search(r"\{\w+\}", text), text  # {function}


def test_every_command_is_in_the_list_whole_and_in_the_description() -> None:
    text = help_of()
    description, commands = text.split("Options:")[0], text.split("Commands:")[1]
    for name, command in ROOT.commands.items():
        summary = command.get_short_help_str(limit=1000)
        assert re.search(rf"^  {name} +{re.escape(summary)}$", commands, re.M), (name, commands)
        assert not summary.endswith("...") and len(summary) <= 62
        assert re.search(rf"\b{name}\b", description), name


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (("deploy",), "--architecture [x86_64|arm64]"),
        (("deploy",), "--on-interrupt [rollback|keep]"),
        (("shift",), "--on-interrupt [rollback|keep]"),
        (("wait",), "--for [ready|active|updated|version|exists|provisioned]"),
        (("status",), "--output [text|json]"),
        (("wait",), "Usage: lambdawait wait [OPTIONS] [FUNCTION...]"),
        (("deploy",), "--env KEY=VALUE"),
        (("shift",), "--check-timeout SECONDS"),
    ],
)
def test_values_and_choices_are_named(path: tuple[str, ...], shown: str) -> None:
    assert shown in help_of(*path)
