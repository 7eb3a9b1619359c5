"""`lambdawait wait` and `status` as a subprocess against the simulator over HTTP."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import Run


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def _create(sim: Simulator, name: str, **extra: Any) -> None:
    sim.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=sim.role_arn(),
        Handler="app.handler",
        Code={"ZipFile": _zip()},
        **extra,
    )


def test_wait_sees_pending_then_active(sim: Simulator, cli: Callable[..., Run]) -> None:
    # Pending for longer than a loaded machine's CLI start-up, so the first poll sees it.
    sim.set_scenario(Scenario.from_dict({"defaults": {"create_seconds": 4.0}}))
    _create(sim, "fresh")
    run = cli("wait", "fresh", "-o", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["ok"] is True and doc["outcome"] == "ready"
    entry = doc["functions"][0]
    assert entry["state"] == "Active" and entry["lastUpdateStatus"] == "Successful"
    assert entry["polls"] >= 2  # it really was Pending first
    assert "Pending (Creating)" in run.stderr  # one plain line per transition on stderr


def test_wait_on_ready_function_costs_one_get_function(sim: Simulator, cli: Callable[..., Run]) -> None:
    _create(sim, "ready")
    assert cli("wait", "ready").code == 0
    sim.reset_calls()
    run = cli("wait", "ready")
    assert run.code == 0
    assert sim.calls() == {"GetFunction": 1}


def test_failed_create_exits_1_with_reason_and_remediation(sim: Simulator, cli: Callable[..., Run]) -> None:
    sim.set_scenario(
        Scenario.from_dict(
            {
                "defaults": {"create_seconds": 0.2},
                "functions": [
                    {
                        "match": "broken-*",
                        "create_outcome": "failed",
                        "create_reason_code": "SubnetOutOfIPAddresses",
                        "create_reason": "All subnets are out of IP addresses.",
                    }
                ],
            }
        )
    )
    _create(sim, "broken-fn")
    run = cli("wait", "broken-fn")
    assert run.code == 1
    assert "SubnetOutOfIPAddresses" in run.stdout
    assert "All subnets are out of IP addresses." in run.stdout
    assert "fix:" in run.stdout


def test_timeout_exits_3_on_time_with_last_state(sim: Simulator, cli: Callable[..., Run]) -> None:
    sim.set_scenario(Scenario.from_dict({"defaults": {"create_seconds": 30}}))
    _create(sim, "slow")
    run = cli("wait", "slow", "--timeout", "1", "-o", "json")
    assert run.code == 3
    doc = run.json()
    assert doc["outcome"] == "timeout"
    assert doc["functions"][0]["state"] == "Pending"
    assert doc["elapsedSeconds"] < 3


def test_several_functions_wait_concurrently(sim: Simulator, cli: Callable[..., Run]) -> None:
    # Creations that outlast the wait: each of the four waits runs to the shared 2 s deadline.
    sim.set_scenario(Scenario.from_dict({"defaults": {"create_seconds": 60.0}}))
    for i in range(4):
        _create(sim, f"many-{i}")
    run = cli("wait", *[f"many-{i}" for i in range(4)], "--timeout", "2", "-o", "json")
    assert run.code == 3, run.stderr
    doc = run.json()
    assert [f["function"] for f in doc["functions"]] == [f"many-{i}" for i in range(4)]
    assert all(f["outcome"] == "timeout" for f in doc["functions"])
    # Concurrent, not sequential: four 2 s waits one after another could not end before 8 s.
    waited = sum(f["elapsedSeconds"] for f in doc["functions"])
    assert waited >= 7.5 and doc["elapsedSeconds"] < waited / 2, (waited, doc["elapsedSeconds"])


def test_missing_function_exits_4(sim: Simulator, cli: Callable[..., Run]) -> None:
    run = cli("wait", "nope", "-o", "json")
    assert run.code == 4
    assert run.json()["functions"][0]["outcome"] == "not-found"


def test_inactive_reported_at_once(sim: Simulator, cli: Callable[..., Run]) -> None:
    _create(sim, "idle")
    assert cli("wait", "idle").code == 0
    sim.deactivate("idle")
    sim.reset_calls()
    run = cli("wait", "idle", "--timeout", "30")
    assert run.code == 1
    assert "Inactive" in run.stdout and "reactivates" in run.stdout
    assert sim.calls() == {"GetFunction": 1}


def test_status_masks_environment_values(sim: Simulator, cli_mixed: Callable[..., Run]) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    _create(sim, "secretive", Environment={"Variables": {"DB_PASSWORD": "hunter2-planted"}})
    cli("wait", "secretive")
    sim.client("lambda").publish_version(FunctionName="secretive")
    for mode in ("text", "json"):
        run = cli("status", "secretive", "-o", mode)
        assert run.code == 0, run.stderr
        assert "hunter2-planted" not in run.stdout + run.stderr
        assert "DB_PASSWORD" in run.stdout
    doc = cli("status", "secretive", "-o", "json").json()
    assert doc["functions"][0]["versions"][0]["version"] == "1"


def test_missing_credentials_exit_4_one_line(sim: Simulator, cli: Callable[..., Run]) -> None:
    run = cli(
        "wait",
        "x",
        env={
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    )
    assert run.code == 4
    assert run.stderr.strip().count("\n") == 0
    assert "credentials" in run.stderr and "Traceback" not in run.stderr
