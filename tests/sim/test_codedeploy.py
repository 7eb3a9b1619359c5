"""The simulator's CodeDeploy: Lambda deployments that move the alias, watch alarms, run hooks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.sim import Simulator
from lambdawait.sim.scenario import Scenario, ScenarioError
from tests.sim.cd_helpers import deploy, deployment_info, finished, function, group
from tests.sim.helpers import create, make_zip, poll

# CodeDeployDefault.LambdaCanary10Percent5Minutes bakes 300 s: at 2000x that is 0.15 s.
SCALE = 2000
BASE: dict[str, Any] = {
    "defaults": {"create_seconds": 0, "update_seconds": 0},
    "codedeploy": {"time_scale": SCALE},
}


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(Scenario.from_dict(BASE)) as running:
        yield running


def test_canary_moves_the_alias_then_succeeds_with_lifecycle_events(sim: Simulator) -> None:
    function(sim)
    cd = group(sim)
    lam = sim.client("lambda")
    dep = deploy(cd, config="CodeDeployDefault.LambdaCanary10Percent5Minutes")
    alias = lam.get_alias(FunctionName="fn", Name="live")
    assert alias["FunctionVersion"] == "1"
    assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}
    assert deployment_info(cd, dep)["status"] == "InProgress"
    info = poll(lambda: deployment_info(cd, dep), finished)
    assert info["status"] == "Succeeded" and "errorInformation" not in info
    alias = lam.get_alias(FunctionName="fn", Name="live")
    assert alias["FunctionVersion"] == "2" and not alias.get("RoutingConfig")
    assert cd.list_deployment_targets(deploymentId=dep)["targetIds"] == ["fn:live"]
    target = cd.get_deployment_target(deploymentId=dep, targetId="fn:live")["deploymentTarget"]
    events = target["lambdaTarget"]["lifecycleEvents"]
    assert [(e["lifecycleEventName"], e["status"]) for e in events] == [
        ("BeforeAllowTraffic", "Succeeded"),
        ("AllowTraffic", "Succeeded"),
        ("AfterAllowTraffic", "Succeeded"),
    ]
    assert target["lambdaTarget"]["lambdaFunctionInfo"]["targetVersionWeight"] == 1.0


def test_an_alarm_stops_the_deployment_and_puts_the_alias_back(sim: Simulator) -> None:
    function(sim)
    cw = sim.client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="errors",
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    cd = group(sim, alarms=["errors"])
    dep = deploy(cd, config="CodeDeployDefault.LambdaCanary10Percent30Minutes")
    cw.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="test")
    info = deployment_info(cd, dep)
    assert info["status"] == "Stopped"
    assert (
        info["errorInformation"]["code"] == "ALARM_ACTIVE" and "errors" in info["errorInformation"]["message"]
    )
    assert info["rollbackInfo"]["rollbackDeploymentId"].startswith("d-")
    alias = sim.client("lambda").get_alias(FunctionName="fn", Name="live")
    assert alias["FunctionVersion"] == "1" and not alias.get("RoutingConfig")


def test_a_failing_hook_fails_the_deployment_naming_it(sim: Simulator) -> None:
    function(sim)
    create(
        sim,
        "hook",
        zip_bytes=make_zip(
            sim={"function_error": "Unhandled", "payload": {"errorMessage": "smoke test failed"}}
        ),
    )
    cd = group(sim)
    dep = deploy(cd, hooks={"BeforeAllowTraffic": "hook"})
    info = poll(lambda: deployment_info(cd, dep), finished)
    assert info["status"] == "Failed" and info["errorInformation"]["code"] == "HOOK_EXECUTION_FAILURE"
    target = cd.get_deployment_target(deploymentId=dep, targetId="fn:live")["deploymentTarget"]
    first = target["lambdaTarget"]["lifecycleEvents"][0]
    assert first["status"] == "Failed" and first["diagnostics"]["message"] == "smoke test failed"
    assert first["diagnostics"]["scriptName"] == "hook"


def test_stop_with_and_without_rollback(sim: Simulator) -> None:
    function(sim)
    cd = group(sim)
    lam = sim.client("lambda")
    dep = deploy(cd, config="CodeDeployDefault.LambdaLinear10PercentEvery10Minutes")
    with pytest.raises(ClientError, match="DeploymentLimitExceeded"):
        deploy(cd)
    cd.stop_deployment(deploymentId=dep, autoRollbackEnabled=False)
    assert deployment_info(cd, dep)["errorInformation"]["code"] == "MANUAL_STOP"
    assert lam.get_alias(FunctionName="fn", Name="live")["RoutingConfig"]["AdditionalVersionWeights"] == {
        "2": 0.1
    }
    lam.update_alias(FunctionName="fn", Name="live", FunctionVersion="1", RoutingConfig={})
    again = deploy(cd, config="CodeDeployDefault.LambdaLinear10PercentEvery10Minutes")
    cd.stop_deployment(deploymentId=again, autoRollbackEnabled=True)
    assert "rollbackInfo" in deployment_info(cd, again)
    assert not lam.get_alias(FunctionName="fn", Name="live").get("RoutingConfig")
    listed = cd.list_deployments(
        applicationName="app", deploymentGroupName="grp", includeOnlyStatuses=["Stopped"]
    )
    assert set(listed["deployments"]) == {dep, again}


def test_custom_config_and_scenario_validation(sim: Simulator) -> None:
    cd = sim.client("codedeploy")
    cd.create_deployment_config(
        deploymentConfigName="canary-10-5m",
        computePlatform="Lambda",
        trafficRoutingConfig={
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5},
        },
    )
    got = cd.get_deployment_config(deploymentConfigName="canary-10-5m")["deploymentConfigInfo"]
    assert got["trafficRoutingConfig"]["timeBasedCanary"] == {"canaryPercentage": 10, "canaryInterval": 5}
    with pytest.raises(ScenarioError, match="time_scale"):
        Scenario.from_dict({"codedeploy": {"time_scale": 0}})


def test_the_scenario_can_force_a_hook_result() -> None:
    scenario = Scenario.from_dict({**BASE, "codedeploy": {"time_scale": SCALE, "hooks": {"post": "Failed"}}})
    with Simulator(scenario) as sim:
        function(sim)
        create(sim, "post")  # its invoke succeeds: the scenario overrides it
        cd = group(sim)
        dep = deploy(cd, hooks={"AfterAllowTraffic": "post"})
        got = poll(lambda: deployment_info(cd, dep), finished)
        assert got["status"] == "Failed" and got["rollbackInfo"]["rollbackDeploymentId"]
        alias = sim.client("lambda").get_alias(FunctionName="fn", Name="live")
        assert alias["FunctionVersion"] == "1"  # after all traffic moved, the failure rolled it back


def test_a_scenario_file_carries_the_codedeploy_table(tmp_path: Any) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text('[codedeploy]\ntime_scale = 600\nhooks = { "pre" = "Failed" }\n')
    settings = Scenario.load(path).codedeploy
    assert settings.time_scale == 600.0 and settings.hooks == {"pre": "Failed"}
    with pytest.raises(ScenarioError, match="unknown key"):
        Scenario.from_dict({"codedeploy": {"timescale": 2}})
