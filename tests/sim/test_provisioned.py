"""Provisioned concurrency in the simulator: allocation over time, failure, reallocation on alias changes."""

from __future__ import annotations

from typing import Any

import pytest

from lambdawait.sim import Simulator
from lambdawait.sim.scenario import Scenario, ScenarioError
from tests.sim.helpers import create, poll, wait_active

pytestmark = pytest.mark.timeout(30)


def _published(sim: Simulator, name: str) -> tuple[Any, str, str]:
    client = sim.client("lambda")
    create(sim, name)
    wait_active(sim, name)
    v1 = client.publish_version(FunctionName=name)["Version"]
    client.update_function_configuration(FunctionName=name, Description="two")
    poll(
        lambda: client.get_function(FunctionName=name)["Configuration"],
        lambda c: c["LastUpdateStatus"] == "Successful",
    )
    v2 = client.publish_version(FunctionName=name)["Version"]
    return client, v1, v2


def _status(client: Any, name: str, qualifier: str) -> dict[str, Any]:
    return client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)  # type: ignore[no-any-return]


def test_config_is_in_progress_then_ready_with_capacity_allocated(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(
        {"defaults": {"create_seconds": 0.05, "update_seconds": 0.05, "provisioned_seconds": 0.2}}
    )
    client, v1, _ = _published(sim, "pc")
    put = client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=v1, ProvisionedConcurrentExecutions=3
    )
    assert (put["Status"], put["AllocatedProvisionedConcurrentExecutions"]) == ("IN_PROGRESS", 0)
    ready = poll(lambda: _status(client, "pc", v1), lambda c: c["Status"] != "IN_PROGRESS")
    assert ready["Status"] == "READY"
    assert ready["AllocatedProvisionedConcurrentExecutions"] == 3
    assert "StatusReason" not in ready
    listed = client.list_provisioned_concurrency_configs(FunctionName="pc")["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in listed] == [v1]


def test_failed_allocation_carries_its_reason(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(
        {
            "defaults": {"create_seconds": 0.05, "update_seconds": 0.05, "provisioned_seconds": 0.05},
            "functions": [
                {
                    "match": "bad",
                    "provisioned_outcome": "failed",
                    "provisioned_reason": "FUNCTION_ERROR_INIT_FAILURE",
                }
            ],
        }
    )
    client, v1, _ = _published(sim, "bad")
    client.put_provisioned_concurrency_config(
        FunctionName="bad", Qualifier=v1, ProvisionedConcurrentExecutions=1
    )
    failed = poll(lambda: _status(client, "bad", v1), lambda c: c["Status"] != "IN_PROGRESS")
    assert (failed["Status"], failed["StatusReason"]) == ("FAILED", "FUNCTION_ERROR_INIT_FAILURE")


def test_alias_change_reallocates_and_the_nth_allocation_can_fail(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(
        {
            "defaults": {"create_seconds": 0.05, "update_seconds": 0.05, "provisioned_seconds": 0.3},
            "functions": [{"match": "pc", "provisioned_fail_on": [3]}],
        }
    )
    client, v1, v2 = _published(sim, "pc")
    client.create_alias(FunctionName="pc", Name="live", FunctionVersion=v1)
    client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    poll(lambda: _status(client, "pc", "live"), lambda c: c["Status"] == "READY")

    client.update_alias(FunctionName="pc", Name="live", RoutingConfig={"AdditionalVersionWeights": {v2: 0.1}})
    moving = _status(client, "pc", "live")
    # The capacity already there stays while it is reallocated between the versions.
    assert (moving["Status"], moving["AllocatedProvisionedConcurrentExecutions"]) == ("IN_PROGRESS", 2)
    poll(lambda: _status(client, "pc", "live"), lambda c: c["Status"] == "READY")

    client.update_alias(FunctionName="pc", Name="live", FunctionVersion=v2, RoutingConfig={})
    third = poll(lambda: _status(client, "pc", "live"), lambda c: c["Status"] != "IN_PROGRESS")
    assert third["Status"] == "FAILED"


def test_scenario_rejects_a_bad_outcome_and_ordinals() -> None:
    with pytest.raises(ScenarioError, match="provisioned_outcome"):
        Scenario.from_dict({"defaults": {"provisioned_outcome": "maybe"}})
    with pytest.raises(ScenarioError, match="provisioned_fail_on"):
        Scenario.from_dict({"defaults": {"provisioned_fail_on": [0]}})
    assert Scenario.from_dict({"defaults": {"provisioned_seconds": 2}}).defaults.provisioned_seconds == 2.0
