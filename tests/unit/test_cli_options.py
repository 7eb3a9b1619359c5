"""Options shared by commands are declared once (cli/options.py) and reach every command as one
object per group: each command that talks to AWS takes --region/--profile/--endpoint-url as a
`Connection`, each command with a result takes -o/--no-color/--query as `OutputOptions`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import pytest
import typer
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from lambdawait.cli.app import app
from lambdawait.cli.codedeploy import CodeDeployOptions
from lambdawait.cli.deploy import FunctionOptions
from lambdawait.cli.options import Connection, Omit, OutputMode, OutputOptions, option, shared
from lambdawait.cli.release import GateOptions


def _root() -> TyperGroup:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    return root


ROOT = _root()

# The least each command needs to run, and whether it shows --verbose.
MINIMAL = {
    "wait": (["wait", "--deployment", "d-1"], True),
    "status": (["status", "fn"], False),
    "deploy": (["deploy", "fn"], True),
    "publish": (["publish", "fn"], True),
    "shift": (["shift", "fn", "--alias", "live", "--to-version", "2"], True),
    "rollback": (["rollback", "fn", "--alias", "live"], True),
    "plan": (["plan"], True),
    "apply": (["apply"], True),
}
CONNECTION = ["--region", "eu-west-3", "--profile", "ci", "--endpoint-url", "http://127.0.0.1:9"]
OUTPUT = ["-o", "json", "--no-color", "--query", "version"]


def _options(name: str) -> set[str]:
    command = ROOT.commands[name]
    return {opt for param in command.params for opt in param.opts}


def _record(monkeypatch: pytest.MonkeyPatch, name: str) -> dict[str, object]:
    """Replace command `name`'s body (behind @shared) with one that keeps what it was given."""
    seen: dict[str, object] = {}
    info = next(info for info in app.registered_commands if info.name == name)
    monkeypatch.setattr(info.callback, "_command", lambda **values: seen.update(values))
    return seen


def test_the_shared_options_are_on_exactly_the_commands_that_declare_their_group() -> None:
    with_connection = {name for name in ROOT.commands if "--endpoint-url" in _options(name)}
    with_output = {name for name in ROOT.commands if "-o" in _options(name)}
    assert with_connection == set(MINIMAL)
    assert with_output == {*MINIMAL, "explain"}
    for name, (_, verbose) in MINIMAL.items():
        assert ("--verbose" in _options(name)) is verbose, name


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_every_command_gets_its_connection_and_output_as_one_object(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no lambdawait.toml: deploy's file defaults stay out of it
    seen = _record(monkeypatch, name)
    argv, verbose = MINIMAL[name]
    result = CliRunner().invoke(app, [*argv, *CONNECTION, *OUTPUT, *(["-v"] if verbose else [])])
    assert result.exit_code == 0, result.output
    assert seen["connection"] == Connection(
        region="eu-west-3", profile="ci", endpoint_url="http://127.0.0.1:9"
    )
    expected = OutputOptions(output=OutputMode.json, no_color=True, verbose=verbose, query="version")
    assert seen["display"] == expected
    assert not {"region", "profile", "endpoint_url", "output", "no_color", "query"} & set(seen)


@pytest.mark.parametrize("name", ["deploy", "shift"])
def test_release_options_arrive_as_gates_and_codedeploy(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _record(monkeypatch, name)
    argv = [*MINIMAL[name][0], "--strategy", "canary:10:1m", "--alarm", "a1", "--alarm", "a2"]
    argv += ["--on-interrupt", "keep", "--engine", "codedeploy", "--codedeploy-app", "app"]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    gates = seen["gates"]
    assert isinstance(gates, GateOptions)
    assert (gates.strategy, gates.alarm, gates.on_interrupt, gates.force) == (
        "canary:10:1m",
        ["a1", "a2"],
        "keep",
        False,
    )
    assert seen["codedeploy"] == CodeDeployOptions(engine="codedeploy", codedeploy_app="app")


def test_deploy_file_defaults_reach_the_option_groups_and_the_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lambdawait.toml").write_text(
        "[functions.api]\nmemory = 512\nstrategy = 'Canary10Percent5Minutes'\nalias = 'live'\n"
    )
    monkeypatch.chdir(tmp_path)
    seen = _record(monkeypatch, "deploy")
    result = CliRunner().invoke(app, ["deploy", "api", "--strategy", "AllAtOnce"])
    assert result.exit_code == 0, result.output
    settings, gates = seen["settings"], seen["gates"]
    assert isinstance(settings, FunctionOptions) and isinstance(gates, GateOptions)
    assert settings.memory == "512" and gates.strategy == "AllAtOnce"
    assert seen["alias"] == "live" and seen["publish"] is True


def test_a_group_may_leave_out_options_and_a_name_is_declared_once() -> None:
    mini = typer.Typer()

    @shared
    def show(*, display: Annotated[OutputOptions, Omit("verbose")]) -> None:
        typer.echo(repr(display))

    mini.command()(show)
    assert "output=<OutputMode.json" in CliRunner().invoke(mini, ["-o", "json"]).output
    assert CliRunner().invoke(mini, ["--verbose"]).exit_code == 2

    def clash(*, connection: Connection, region: Annotated[str, option("--where", help="x")] = "") -> None:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="declared twice"):
        shared(clash)

    def unknown(*, display: Annotated[OutputOptions, Omit("colour")]) -> None:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="no option"):
        shared(unknown)


def test_help_shows_each_group_under_its_own_heading_in_declaration_order() -> None:
    text = CliRunner().invoke(app, ["deploy", "--help"], env={"COLUMNS": "200"}).output
    assert re.findall(r"^(\w[\w ]*):$", text, re.M) == [
        "Arguments",
        "Options",
        "Function code and configuration",
        "Traffic shifting",
        "AWS connection",
        "Output",
        "CodeDeploy engine",
    ]
    connection = text.split("\nAWS connection:\n")[1].split("\n\n")[0]
    assert re.findall(r"--[\w-]+", connection) == ["--region", "--profile", "--endpoint-url"]


def test_a_broken_functions_file_is_reported_as_o_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is read while FUNCTION and --config are parsed, before -o: its error waits for
    # deploy's own boundary, so `-o json` gets a JSON document (it used to get the text line).
    (tmp_path / "lambdawait.toml").write_text("[functions.api\nmemory = 512\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["deploy", "api", "-o", "json", "--endpoint-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["outcome"] == "usage-error" and "lambdawait.toml" in document["error"]["message"]
    text = CliRunner().invoke(app, ["deploy", "api", "--endpoint-url", "http://127.0.0.1:9"])
    assert text.exit_code == 2 and text.stdout == "" and "lambdawait.toml" in text.stderr
