"""Safe on every path, through the installed executable: lost replies, SIGHUP, a closed pipe, a kill.

Each test drives `lambdawait` as a subprocess against the simulator with real signals, and checks
the alias afterwards with a client of its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from lambdawait.sim import Simulator
from tests.e2e.conftest import EXE, Run, base_env
from tests.e2e.faults_setup import spawn
from tests.e2e.shift_setup import alias_state, read_until, two_versions

Cli = Callable[..., Run]
SHIFT = ("shift", "app", "--alias", "live", "--to-version", "2")


def _describe(sim: Simulator) -> str:
    return str(sim.client("lambda").get_alias(FunctionName="app", Name="live").get("Description", ""))


def test_a_lost_reply_on_each_alias_update_is_reconciled(sim: Simulator, cli: Cli) -> None:
    two_versions(sim)
    # The first (10 %) and the last (100 %) UpdateAlias land, then their replies are lost; botocore
    # retries and meets a RevisionId that moved (412). Today that is not "someone else".
    sim.set_faults(lost_reply_calls={"UpdateAlias": [1, 2]})
    run = cli(*SHIFT, "--strategy", "canary:10:0.2s", "-o", "json")
    assert run.code == 0, run.stderr
    assert run.json()["outcome"] == "shifted"
    assert sim.lost_replies().get("UpdateAlias") == 2
    assert alias_state(sim) == ("2", {})


def test_a_lost_reply_on_the_restore_is_reconciled_and_the_gate_exit_stands(
    sim: Simulator, cli: Cli, tmp_path: Path
) -> None:
    two_versions(sim)
    sim.set_faults(lost_reply_calls={"UpdateAlias": [2]}, lost_reply_status=502)  # the restore's
    run = cli(*SHIFT, "--strategy", "canary:10:0.2s", "--check-command", "exit 3", "-o", "json")
    assert run.code == 5, run.stderr
    assert sim.lost_replies().get("UpdateAlias") == 1
    assert alias_state(sim) == ("1", {})
    assert run.json()["alias"]["functionVersion"] == "1"


def test_a_lost_create_alias_reply_is_ours(sim: Simulator, cli: Cli) -> None:
    two_versions(sim, alias=None)
    sim.set_faults(lost_reply_calls={"CreateAlias": [1]})
    run = cli(*SHIFT, "-o", "json")
    assert run.code == 0, run.stderr
    assert run.json()["outcome"] == "created"
    assert alias_state(sim) == ("2", {})


def test_sighup_mid_bake_restores_like_ctrl_c(sim: Simulator, tmp_path: Path) -> None:
    two_versions(sim)
    proc = spawn(sim, tmp_path / "home", *SHIFT, "--strategy", "canary:10:30s", "-o", "json")
    assert proc.stderr is not None
    read_until(proc.stderr, "10% on version 2")
    proc.send_signal(signal.SIGHUP)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert alias_state(sim) == ("1", {})
    assert json.loads(out)["alias"]["functionVersion"] == "1"


def test_a_second_signal_during_the_restore_cannot_stop_it(sim: Simulator, tmp_path: Path) -> None:
    two_versions(sim)
    proc = spawn(sim, tmp_path / "home", *SHIFT, "--strategy", "canary:10:30s", "-o", "json")
    assert proc.stderr is not None
    read_until(proc.stderr, "10% on version 2")
    sim.set_faults(latency_ms=400, operations=["UpdateAlias"])  # the restore takes a while …
    proc.send_signal(signal.SIGINT)
    sim_calls = sim.calls()
    while sim.calls().get("GetAlias", 0) <= sim_calls.get("GetAlias", 0):
        time.sleep(0.005)  # … and the second signal lands once it has begun
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert alias_state(sim) == ("1", {})


def test_a_closed_pipe_changes_neither_the_alias_nor_the_exit_code(sim: Simulator, tmp_path: Path) -> None:
    # `lambdawait shift … -o json 2>&1 | head -1`: the reader goes away after one line.
    two_versions(sim)
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [str(EXE), *SHIFT, "--strategy", "linear:50:0.2s", "-o", "json"],
        env=base_env(sim, tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=write_end,
        stderr=write_end,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        reader.readline()
    assert proc.wait(timeout=20) == 0
    assert alias_state(sim) == ("2", {})


def test_an_unwritable_step_summary_is_a_warning_on_a_gate_rollback(sim: Simulator, cli: Cli) -> None:
    two_versions(sim)
    gha = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/nonexistent/dir/summary.md"}
    run = cli(*SHIFT, "--strategy", "canary:10:0.1s", "--check-command", "false", "-o", "json", env=gha)
    assert run.code == 5, run.stderr
    assert run.json()["exitCode"] == 5
    assert "Traceback" not in run.stderr and "warning" in run.stderr
    assert alias_state(sim) == ("1", {})


def test_after_a_kill_the_next_commands_say_what_they_found(
    sim: Simulator, cli: Cli, tmp_path: Path, app_dir: Path
) -> None:
    two_versions(sim)
    proc = spawn(sim, tmp_path / "home", *SHIFT, "--strategy", "canary:10:30s")
    assert proc.stderr is not None
    read_until(proc.stderr, "10% on version 2")
    proc.kill()  # SIGKILL: nothing can restore; the next command must say what is left
    proc.wait(timeout=10)
    assert alias_state(sim) == ("1", {"2": 0.1})
    again = cli(*SHIFT, "--strategy", "canary:10:1s")
    assert again.code == 2
    assert "is split: version 1, 10% on version 2 left by lambdawait run" in again.stderr
    assert "lambdawait rollback app --alias live --to-version 1" in again.stderr
    deploy = cli("deploy", "app", "--dir", str(app_dir), "--publish", "--alias", "live")
    assert deploy.code == 2
    assert "is split: version 1, 10% on version 2 left by lambdawait run" in deploy.stderr
    assert sim.calls().get("UpdateFunctionCode", 0) == 1  # two_versions' own update only
    first = cli("rollback", "app", "--alias", "live", "-o", "json")
    assert first.code == 0, first.stderr
    assert first.json()["message"] == "live: cleared a 10% to version 2 split; alias wholly on version 1"
    assert alias_state(sim) == ("1", {})


def test_rollback_three_times_always_leaves_the_known_good_version(sim: Simulator, cli: Cli) -> None:
    two_versions(sim)
    sim.client("lambda").update_alias(FunctionName="app", Name="live", Description="d" * 241)
    assert cli(*SHIFT).code == 0
    outcomes = []
    for _ in range(3):
        run = cli("rollback", "app", "--alias", "live", "-o", "json")
        assert run.code == 0, run.stderr
        outcomes.append(run.json()["outcome"])
        assert alias_state(sim) == ("1", {})
    assert outcomes == ["rolled-back", "unchanged", "unchanged"]
    assert "already on 1, the known-good version of release" in run.json()["message"]
    assert _describe(sim) == "d" * 241  # the user's text, never cut for the record
    forward = cli("rollback", "app", "--alias", "live", "--to-version", "2")
    assert forward.code == 0 and alias_state(sim) == ("2", {})


def test_rollback_of_a_missing_function_says_so(cli: Cli) -> None:
    run = cli("rollback", "nosuch-fn", "--alias", "live")
    assert run.code == 4
    assert "function nosuch-fn does not exist" in run.stderr
