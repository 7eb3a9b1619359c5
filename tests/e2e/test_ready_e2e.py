"""Ready means ready, end to end: the installed executable against the simulator over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import Run
from tests.e2e.shift_setup import QUICK, alias_state, two_versions

pytestmark = pytest.mark.timeout(60)


def _provisioned(sim: Simulator, **rule: Any) -> None:
    """QUICK timings, provisioned concurrency allocated in 0.2 s; `rule` applies to `app`."""
    defaults = {**QUICK["defaults"], "provisioned_seconds": 0.2}
    sim.set_scenario(Scenario.from_dict({"defaults": defaults, "functions": [{"match": "app", **rule}]}))


def _put(sim: Simulator, qualifier: str, amount: int = 2) -> None:
    sim.client("lambda").put_provisioned_concurrency_config(
        FunctionName="app", Qualifier=qualifier, ProvisionedConcurrentExecutions=amount
    )


def test_wait_for_provisioned_ready_failed_and_missing(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    _provisioned(sim, provisioned_fail_on=[2])
    _put(sim, "live")
    ready = cli("wait", "app:live", "--for", "provisioned", "-o", "json")
    assert ready.code == 0, ready.stderr
    assert ready.json()["functions"][0]["outcome"] == "ready"

    _put(sim, "2", 1)  # the function's second allocation: the scenario fails it
    failed = cli("wait", "app:2", "--for", "provisioned")
    assert failed.code == 1, failed.stderr
    assert "FUNCTION_ERROR_INIT_FAILURE" in failed.stdout + failed.stderr
    assert "initialisation" in failed.stdout + failed.stderr  # the remediation

    missing = cli("wait", "app:1", "--for", "provisioned")
    assert missing.code == 2
    assert "app:1 has no provisioned concurrency config" in missing.stderr


def test_canary_waits_for_ready_at_each_step_and_status_shows_it(
    sim: Simulator, cli: Callable[..., Run]
) -> None:
    two_versions(sim)
    _provisioned(sim)
    _put(sim, "live")
    plan = cli("shift", "app", "--alias", "live", "--to-version", "2", "--strategy", "canary:10:1s", "--plan")
    assert "waits until it is READY again before the bake" in plan.stdout + plan.stderr
    run = cli("shift", "app", "--alias", "live", "--to-version", "2", "--strategy", "canary:10:1s")
    assert run.code == 0, run.stderr
    assert run.stderr.count("waiting for provisioned concurrency to be READY") == 2
    assert "each step waits for it to be READY" in run.stderr
    assert alias_state(sim) == ("2", {})
    # Every poll came after the alias change that started a reallocation, once a second.
    assert sim.calls()["GetProvisionedConcurrencyConfig"] >= 3

    status = cli("status", "app", "-o", "json").json()["functions"][0]
    assert status["provisionedConcurrency"] == [
        {"qualifier": "live", "requested": 2, "allocated": 2, "status": "READY", "statusReason": None}
    ]
    assert "provisioned live" in cli("status", "app").stdout


def test_canary_rolls_back_when_provisioned_concurrency_fails(
    sim: Simulator, cli: Callable[..., Run]
) -> None:
    two_versions(sim)
    _provisioned(sim, provisioned_fail_on=[2])  # the Put is the 1st allocation, the first step the 2nd
    _put(sim, "live")
    run = cli(
        "shift", "app", "--alias", "live", "--to-version", "2", "--strategy", "canary:10:1s", "-o", "json"
    )
    assert run.code == 5, run.stderr
    doc = run.json()
    assert doc["outcome"] == "gate-failed"
    assert "provisioned-concurrency" in run.stderr + run.stdout
    assert alias_state(sim) == ("1", {})


def test_deploy_snapstart_publish_waits_for_the_snapshot(
    sim: Simulator, cli: Callable[..., Run], app_dir: Any
) -> None:
    defaults = {**QUICK["defaults"], "snapstart_seconds": 0.3}
    sim.set_scenario(Scenario.from_dict({"defaults": defaults}))
    base = [
        "--dir",
        str(app_dir),
        "--runtime",
        "python3.12",
        "--handler",
        "app.handler",
        "--role",
        sim.role_arn(),
    ]
    run = cli("deploy", "snap", *base, "--snapstart", "--publish", "-o", "json")
    assert run.code == 0, run.stderr
    assert "Pending while Lambda runs its init and takes the SnapStart snapshot" in run.stderr
    version = run.json()["version"]
    config = sim.client("lambda").get_function_configuration(FunctionName="snap", Qualifier=version)
    assert config["State"] == "Active"  # the command returned only once the snapshot was taken
    assert config["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}

    sim.reset_calls()
    refused = cli("deploy", "snap", "--runtime", "nodejs20.x", "--snapstart")
    assert refused.code == 2
    assert "SnapStart does not support nodejs20.x" in refused.stderr
    assert sim.mutating_calls() == 0
