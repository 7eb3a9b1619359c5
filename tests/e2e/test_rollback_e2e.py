"""`lambdawait rollback` as a fresh subprocess: the record lives in the alias, not on the machine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lambdawait.sim import Simulator
from tests.e2e.conftest import Run
from tests.e2e.shift_setup import alias_state, two_versions


def test_rollback_after_shift_from_fresh_process_with_empty_home(
    sim: Simulator, cli: Callable[..., Run], tmp_path: Path
) -> None:
    two_versions(sim)
    sim.client("lambda").update_alias(FunctionName="app", Name="live", Description="prod traffic")
    assert cli("shift", "app", "--alias", "live", "--to-version", "2").code == 0
    assert alias_state(sim) == ("2", {})
    elsewhere = tmp_path / "another-machine"
    elsewhere.mkdir()  # nothing on disk: the previous version must come from AWS
    run = cli("rollback", "app", "--alias", "live", "-o", "json", env={"HOME": str(elsewhere)})
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["outcome"] == "rolled-back" and doc["fromVersion"] == "2" and doc["toVersion"] == "1"
    assert alias_state(sim) == ("1", {})
    description = sim.client("lambda").get_alias(FunctionName="app", Name="live")["Description"]
    assert description.startswith("prod traffic [lambdawait ")  # the user's text survives
    assert list(elsewhere.iterdir()) == []


def test_rollback_of_mid_shift_alias_goes_to_its_primary(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    sim.client("lambda").update_alias(
        FunctionName="app", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.4}}
    )
    run = cli("rollback", "app", "--alias", "live", "-o", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["fromWeights"] == {"2": 0.4} and doc["toVersion"] == "1"
    assert alias_state(sim) == ("1", {})


def test_rollback_to_given_version_and_unchanged_when_there(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    run = cli("rollback", "app", "--alias", "live", "--to-version", "2", "-o", "json")
    assert run.code == 0, run.stderr
    assert alias_state(sim) == ("2", {})
    sim.reset_calls()
    again = cli("rollback", "app", "--alias", "live", "--to-version", "2", "-o", "json")
    assert again.code == 0 and again.json()["outcome"] == "unchanged"
    assert sim.mutating_calls() == 0


def test_rollback_after_gate_rollback_changes_nothing(sim: Simulator, cli: Callable[..., Run]) -> None:
    """A shift that a gate rolled back must not leave a record pointing at the bad version."""
    two_versions(sim)
    assert cli("shift", "app", "--alias", "live", "--to-version", "2", "--check-command", "false").code == 5
    sim.reset_calls()
    run = cli("rollback", "app", "--alias", "live", "-o", "json")
    assert run.code == 0, run.stderr
    assert run.json()["outcome"] == "unchanged"
    assert sim.mutating_calls() == 0
    assert alias_state(sim) == ("1", {})


def test_rollback_refusals(sim: Simulator, cli_mixed: Callable[..., Run]) -> None:
    cli = cli_mixed  # the first case through the installed executable, the rest in-process
    two_versions(sim)  # alias created outside lambdawait: no record of a previous version
    sim.reset_calls()
    cases = {
        "no-record": (("rollback", "app", "--alias", "live"), 2),
        "missing-version": (("rollback", "app", "--alias", "live", "--to-version", "9"), 2),
        "latest": (("rollback", "app", "--alias", "live", "--to-version", "$LATEST"), 2),
        "numeric-alias": (("rollback", "app", "--alias", "42"), 2),
        "missing-alias": (("rollback", "app", "--alias", "staging"), 4),
        "missing-function": (("rollback", "nope", "--alias", "live"), 4),
    }
    # In-process runs need the main thread: one after the other.
    runs = {case: cli(*argv, "-o", "json") for case, (argv, _) in cases.items()}
    for case, run in runs.items():
        expected = cases[case][1]
        assert run.code == expected, (case, run.stdout, run.stderr)
        doc = run.json()
        assert doc["ok"] is False and doc["exitCode"] == expected and doc["error"]["hint"], case
    assert sim.mutating_calls() == 0
    assert alias_state(sim) == ("1", {})
