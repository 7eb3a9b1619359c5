"""`lambdawait shift` as a subprocess against the simulator: steps, gates, signals, conflicts, refusals."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import EXE, Run, base_env
from tests.e2e.shift_setup import (
    ALARM,
    QUICK,
    alias_state,
    finish,
    make_alarm,
    read_until,
    two_versions,
)

SHIFT = ("shift", "app", "--alias", "live", "--to-version", "2")


def _spawn(sim: Simulator, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    home = tmp_path / "home-bg"
    home.mkdir(exist_ok=True)
    return subprocess.Popen(
        [str(EXE), *args],
        env=base_env(sim, home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# -- strategies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strategy", "weights"),
    [
        ("AllAtOnce", [1.0]),
        ("canary:10:1s", [0.1, 1.0]),
        ("linear:50:1s", [0.5, 1.0]),
    ],
)
def test_shift_applies_each_weight_then_points_alias_at_new_version(
    sim: Simulator, cli: Callable[..., Run], strategy: str, weights: list[float]
) -> None:
    two_versions(sim)
    sim.reset_calls()
    run = cli(*SHIFT, "--strategy", strategy, "-o", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["outcome"] == "shifted" and doc["weightsApplied"] == weights
    assert doc["alias"]["functionVersion"] == "2" and doc["alias"]["additionalVersionWeights"] == {}
    assert alias_state(sim) == ("2", {})
    assert sim.calls().get("UpdateAlias") == len(weights)
    if len(weights) > 1:
        assert f"{weights[0] * 100:g}% on version 2 (step 1/{len(weights)})" in run.stderr
        assert doc["elapsedSeconds"] >= 1.0  # the bake really was held


def test_plan_prints_schedule_and_total_without_mutating(
    sim: Simulator, cli_mixed: Callable[..., Run]
) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    two_versions(sim)
    sim.reset_calls()
    run = cli(*SHIFT, "--strategy", "linear:25:1s", "--plan")
    assert run.code == 0, run.stderr
    for pct in (25, 50, 75, 100):
        assert f"{pct}% -> version 2" in run.stdout
    assert "total: 3s" in run.stdout and "at       3s  100% -> version 2" in run.stdout
    doc = cli(*SHIFT, "--strategy", "Canary10Percent5Minutes", "--plan", "-o", "json").json()
    assert doc["outcome"] == "planned" and doc["totalSeconds"] == 300
    assert [s["weight"] for s in doc["schedule"]] == [0.1, 1.0]
    assert sim.mutating_calls() == 0
    assert alias_state(sim) == ("1", {})


def test_plan_to_the_version_already_served_says_unchanged(
    sim: Simulator, cli_mixed: Callable[..., Run]
) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    two_versions(sim)
    run = cli("shift", "app", "--alias", "live", "--to-version", "1", "--strategy", "linear:25:1s", "--plan")
    assert run.code == 0, run.stderr
    assert "already serves version 1: nothing to shift" in run.stdout and "100%" not in run.stdout
    doc = cli("shift", "app", "--alias", "live", "--to-version", "1", "--plan", "-o", "json").json()
    assert doc["outcome"] == "unchanged" and doc["schedule"] == []


def test_unchanged_when_alias_already_on_version(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    sim.reset_calls()
    run = cli("shift", "app", "--alias", "live", "--to-version", "1", "-o", "json")
    assert run.code == 0, run.stderr
    assert run.json()["outcome"] == "unchanged"
    assert sim.mutating_calls() == 0


def test_missing_alias_is_created_on_the_version(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim, alias=None)
    run = cli(*SHIFT, "--strategy", "canary:10:1s", "-o", "json")
    assert run.code == 0, run.stderr
    assert run.json()["outcome"] == "created"
    assert alias_state(sim) == ("2", {})
    assert sim.calls().get("CreateAlias") == 1


# -- refusals: exit 2, nothing changed ---------------------------------------------------------------


REFUSED = {
    "latest": ("--to-version", "$LATEST"),
    "numeric-alias": ("--alias", "123"),
    "bad-form": ("--strategy", "canary:10"),
    "unknown-name": ("--strategy", "Linear5PercentEvery1Minute"),
    "missing-version": ("--to-version", "7"),
    "missing-alarm": ("--alarm", "no-such-alarm"),
    "bad-on-interrupt": ("--on-interrupt", "ignore"),
    "bad-payload": ("--smoke-invoke", "{not json"),
}


def test_refused_with_exit_2_and_no_mutating_call(sim: Simulator, cli_mixed: Callable[..., Run]) -> None:
    cli = cli_mixed  # the first case through the installed executable, the rest in-process
    two_versions(sim)
    sim.reset_calls()

    def run(override: tuple[str, str]) -> Run:
        opts = dict(zip(SHIFT[2::2], SHIFT[3::2], strict=True))
        opts[override[0]] = override[1]
        return cli("shift", "app", *(x for kv in opts.items() for x in kv), "-o", "json")

    runs = dict(zip(REFUSED, map(run, REFUSED.values()), strict=True))  # in-process: the main thread
    for case, result in runs.items():
        assert result.code == 2, (case, result.stdout, result.stderr)
        doc = result.json()  # exactly one JSON document, even for errors
        assert doc["ok"] is False and doc["exitCode"] == 2 and doc["error"]["message"], case
    assert sim.mutating_calls() == 0
    assert alias_state(sim) == ("1", {})


def test_mid_shift_alias_refused_without_force(sim: Simulator, cli_mixed: Callable[..., Run]) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    two_versions(sim)
    sim.client("lambda").update_alias(
        FunctionName="app", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}}
    )
    sim.reset_calls()
    run = cli(*SHIFT, "-o", "json")
    assert run.code == 2
    assert "is split: version 1, 30% on version 2" in run.json()["error"]["message"]
    assert sim.mutating_calls() == 0
    forced = cli(*SHIFT, "--force", "-o", "json")
    assert forced.code == 0, forced.stderr
    assert alias_state(sim) == ("2", {})


def test_versions_with_different_roles(sim: Simulator, cli_mixed: Callable[..., Run]) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    other = sim.client("iam").create_role(RoleName="other", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    two_versions(sim, v2_role=other)
    sim.reset_calls()
    run = cli(*SHIFT, "--strategy", "canary:10:1s", "-o", "json")
    assert run.code == 2, run.stderr
    assert "execution roles" in run.json()["error"]["message"]
    assert sim.mutating_calls() == 0
    # No weights, no shared-role rule: all at once is allowed (and the hint says so).
    assert cli(*SHIFT, "--strategy", "AllAtOnce").code == 0
    assert alias_state(sim) == ("2", {})


# -- gates -----------------------------------------------------------------------------------------


def test_alarm_mid_bake_rolls_back(sim: Simulator, tmp_path: Path) -> None:
    two_versions(sim)
    make_alarm(sim)
    proc = _spawn(sim, tmp_path, *SHIFT, "--strategy", "canary:10:20s", "--alarm", ALARM, "-o", "json")
    assert proc.stderr is not None
    read_until(proc.stderr, "10% on version 2")
    assert alias_state(sim) == ("1", {"2": 0.1})
    sim.client("cloudwatch").set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="5 errors")
    code, out, err = finish(proc)
    assert code == 5, err
    doc = json.loads(out)
    assert doc["gate"] == "alarm" and doc["error"]["code"] == "alarm"
    assert ALARM in doc["gateDetail"]
    assert doc["alias"]["functionVersion"] == "1" and doc["alias"]["additionalVersionWeights"] == {}
    assert alias_state(sim) == ("1", {})
    assert doc["elapsedSeconds"] < 15  # stopped mid-bake, not at its end


def test_check_command_failure_rolls_back(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    # Passes at 10%, fails once the alias is wholly on 2: rolled back from 100% too.
    check = 'test "$LAMBDAWAIT_WEIGHT" = 0.1 && test "$LAMBDAWAIT_PREVIOUS_VERSION" = 1'
    run = cli(*SHIFT, "--strategy", "canary:10:1s", "--check-command", check, "-o", "json")
    assert run.code == 5, run.stderr
    doc = run.json()
    assert doc["gate"] == "check-command" and doc["weightsApplied"] == [0.1, 1.0]
    assert alias_state(sim) == ("1", {})


def test_check_command_failing_at_first_step(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    run = cli(*SHIFT, "--strategy", "linear:50:1s", "--check-command", "exit 3", "-o", "json")
    assert run.code == 5
    assert run.json()["weightsApplied"] == [0.5]
    assert alias_state(sim) == ("1", {})


def test_smoke_invoke_error_stops_before_traffic_moves(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim, v2_sim={"function_error": "Unhandled", "payload": {"errorMessage": "boom"}})
    sim.reset_calls()
    run = cli(*SHIFT, "--strategy", "canary:10:1s", "--smoke-invoke", "{}", "-o", "json")
    assert run.code == 5, run.stderr
    doc = run.json()
    assert doc["gate"] == "smoke-invoke" and "boom" in doc["error"]["message"]
    assert sim.mutating_calls() == 0
    assert alias_state(sim) == ("1", {})


def test_smoke_invoke_passes_on_healthy_version(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    run = cli(*SHIFT, "--smoke-invoke", '{"ping": 1}')
    assert run.code == 0, run.stderr
    assert alias_state(sim) == ("2", {})


# -- signals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_mid_bake_restores_alias(sim: Simulator, tmp_path: Path, sig: signal.Signals) -> None:
    two_versions(sim)
    proc = _spawn(sim, tmp_path, *SHIFT, "--strategy", "linear:25:30s", "-o", "json")
    assert proc.stderr is not None
    read_until(proc.stderr, "25% on version 2")
    proc.send_signal(sig)
    code, out, err = finish(proc)
    assert code == 130, err
    doc = json.loads(out)
    assert doc["exitCode"] == 130 and "restored to version 1" in doc["error"]["message"]
    assert alias_state(sim) == ("1", {})


def test_signal_with_on_interrupt_keep_leaves_split(sim: Simulator, tmp_path: Path) -> None:
    two_versions(sim)
    args = ("--strategy", "canary:10:30s", "--on-interrupt", "keep", "-o", "json")
    proc = _spawn(sim, tmp_path, *SHIFT, *args)
    assert proc.stderr is not None
    read_until(proc.stderr, "10% on version 2")
    proc.send_signal(signal.SIGINT)
    code, out, err = finish(proc)
    assert code == 130, err
    assert "--on-interrupt keep" in err  # says so on stderr ...
    doc = json.loads(out)  # ... and in the JSON document
    assert "10% on version 2" in doc["error"]["message"]
    assert doc["alias"]["additionalVersionWeights"] == {"2": 0.1}
    assert alias_state(sim) == ("1", {"2": 0.1})


# -- conflicts -------------------------------------------------------------------------------------


def test_someone_else_changes_alias_during_bake(sim: Simulator, tmp_path: Path) -> None:
    two_versions(sim)
    proc = _spawn(sim, tmp_path, *SHIFT, "--strategy", "linear:50:1.5s", "-o", "json")
    assert proc.stderr is not None
    read_until(proc.stderr, "50% on version 2")
    theirs = {"AdditionalVersionWeights": {"2": 0.2}}
    sim.client("lambda").update_alias(
        FunctionName="app", Name="live", FunctionVersion="1", RoutingConfig=theirs, Description="manual"
    )
    code, out, err = finish(proc)
    assert code == 4, err
    assert "PreconditionFailed" in out or "changed by someone else" in out
    assert alias_state(sim) == ("1", {"2": 0.2})  # their change stands


def test_someone_else_changes_alias_then_gate_fires(sim: Simulator, tmp_path: Path) -> None:
    """Their change keeps our description (no Description passed): the rollback must still not undo it."""
    two_versions(sim)
    make_alarm(sim)
    proc = _spawn(sim, tmp_path, *SHIFT, "--strategy", "canary:10:20s", "--alarm", ALARM, "-o", "json")
    assert proc.stderr is not None
    read_until(proc.stderr, "10% on version 2")
    sim.client("lambda").update_alias(
        FunctionName="app",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    sim.client("cloudwatch").set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="errors")
    code, out, err = finish(proc)
    assert code == 4, err
    assert json.loads(out)["alias"]["additionalVersionWeights"] == {"2": 0.5}
    assert alias_state(sim) == ("1", {"2": 0.5})


def test_two_concurrent_shifts_one_wins(sim: Simulator, tmp_path: Path) -> None:
    two_versions(sim)
    # A slow smoke invoke sits between each process's read of the alias and its first update,
    # so both hold the same RevisionId when they write.
    faults = {"latency_ms": 1000, "operations": ["Invoke"]}
    sim.set_scenario(Scenario.from_dict({**QUICK, "faults": faults}))
    args = (*SHIFT, "--smoke-invoke", "{}", "-o", "json")
    procs = [_spawn(sim, tmp_path, *args) for _ in range(2)]
    results = [finish(p, timeout=30) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 4], [err for _, _, err in results]
    assert alias_state(sim) == ("2", {})
