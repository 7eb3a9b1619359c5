"""CodeDeploy end to end: the installed executable against the simulator's CodeDeploy and Lambda."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lambdawait.sim import Simulator
from tests.e2e.conftest import EXE, RESULT_SCHEMA, Run, base_env
from tests.sim.cd_helpers import deploy, deployment_info, function, group

# 300x: CodeDeployDefault.LambdaCanary10Percent5Minutes holds 10% for 1 s, ...30Minutes for 6 s.
SCENARIO: dict[str, Any] = {
    "defaults": {"create_seconds": 0, "update_seconds": 0, "publish_seconds": 0},
    "codedeploy": {"time_scale": 300},
}
CANARY_5 = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
CANARY_30 = "CodeDeployDefault.LambdaCanary10Percent30Minutes"


@pytest.fixture
def sim(lambda_sim_factory: Callable[[Any], Simulator]) -> Simulator:
    return lambda_sim_factory(SCENARIO)


def _slower(sim: Simulator, time_scale: float) -> None:
    """For a test that acts while a rollout is in flight: room enough for a loaded CI machine."""
    from lambdawait.sim import Scenario

    sim.set_scenario(Scenario.from_dict({**SCENARIO, "codedeploy": {"time_scale": time_scale}}))


def _alias(sim: Simulator) -> Any:
    return sim.client("lambda").get_alias(FunctionName="fn", Name="live")


def _start(sim: Simulator, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return subprocess.Popen(
        [str(EXE), *args],
        env=base_env(sim, home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def _read_until(proc: subprocess.Popen[str], needle: str) -> None:
    """Synchronise on lambdawait's own progress line (stderr), never on a sleep."""
    assert proc.stderr is not None
    seen: list[str] = []
    while not seen or needle not in seen[-1]:
        line = proc.stderr.readline()
        assert line, f"exited ({proc.wait()}) before {needle!r}: {''.join(seen)}"
        seen.append(line)


def test_wait_follows_a_deployment_created_through_the_api(sim: Simulator, cli: Callable[..., Run]) -> None:
    """As SAM would: the deployment is CodeDeploy's own; lambdawait only follows it."""
    function(sim)
    cd = group(sim)
    dep = deploy(cd, config=CANARY_5)
    assert _alias(sim)["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}
    run = cli("wait", "--deployment", dep, "-o", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    RESULT_SCHEMA.validate(doc)
    assert doc["outcome"] == "ok" and doc["deploymentId"] == dep
    assert doc["deployment"]["status"] == "Succeeded"
    assert doc["alias"]["functionVersion"] == "2" and doc["alias"]["additionalVersionWeights"] == {}
    assert f"{dep} Succeeded" in run.stderr
    assert _alias(sim)["FunctionVersion"] == "2"


def test_an_alarm_during_a_canary_is_exit_5_naming_it_with_the_alias_back(
    sim: Simulator, tmp_path: Path
) -> None:
    function(sim)
    cw = sim.client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="fn-errors",
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    args = _shift_args(sim, "Canary10Percent30Minutes", "--alarm", "fn-errors")
    proc = _start(sim, tmp_path, *args)
    _read_until(proc, "10% -> version 2")  # lambdawait is following the live canary
    cw.set_alarm_state(AlarmName="fn-errors", StateValue="ALARM", StateReason="errors")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 5, err
    assert "Activated alarms: <fn-errors>" in err and not out  # one error line, on stderr
    alias = _alias(sim)
    assert alias["FunctionVersion"] == "1" and not alias.get("RoutingConfig")


def test_a_failed_hook_is_exit_1_naming_event_hook_and_reason_and_a_timeout_is_3(
    sim: Simulator, cli: Callable[..., Run]
) -> None:
    from tests.sim.helpers import create, make_zip

    function(sim)
    failing = make_zip(
        sim={"function_error": "Unhandled", "payload": {"errorMessage": "smoke test: 500 on /health"}}
    )
    create(sim, "pre-traffic", zip_bytes=failing)
    cd = group(sim)
    dep = deploy(cd, hooks={"BeforeAllowTraffic": "pre-traffic"})
    run = cli("wait", "--deployment", dep)
    assert run.code == 1, run.stderr
    assert "BeforeAllowTraffic (hook pre-traffic) failed: smoke test: 500 on /health" in run.stdout
    assert _alias(sim)["FunctionVersion"] == "1"

    slow = deploy(cd, config=CANARY_30)
    run = cli("wait", "--deployment", slow, "--timeout", "0.3", "-o", "json")
    assert run.code == 3, run.stderr
    RESULT_SCHEMA.validate(run.json())
    assert run.json()["outcome"] == "timeout"
    assert deployment_info(cd, slow)["status"] == "InProgress"  # waiting gave up; the rollout did not


def _shift_args(sim: Simulator, strategy: str, *extra: str) -> tuple[str, ...]:
    return (
        "shift", "fn", "--alias", "live", "--to-version", "2", "--strategy", strategy,
        "--engine", "codedeploy", "--codedeploy-role", sim.role_arn(), *extra,
    )  # fmt: skip


def test_a_detached_canary_returns_its_id_at_once_and_wait_follows_it(
    sim: Simulator, cli: Callable[..., Run], tmp_path: Path
) -> None:
    _slower(sim, 60)  # canary:10:5m holds 10% for 5 s: still live when the detached run has returned
    function(sim)
    outputs = tmp_path / "github_output"
    run = cli(
        *_shift_args(sim, "canary:10:5m", "--detach", "-o", "json"), env={"GITHUB_OUTPUT": str(outputs)}
    )
    assert run.code == 0, run.stderr
    doc = run.json()
    RESULT_SCHEMA.validate(doc)
    dep = doc["deploymentId"]
    assert doc["outcome"] == "started" and doc["engine"] == "codedeploy"
    assert doc["deployment"]["config"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    assert f"deployment-id={dep}" in outputs.read_text()
    assert _alias(sim)["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}  # the canary is live
    group = sim.client("codedeploy").get_deployment_group(
        applicationName="lambdawait-fn", deploymentGroupName="fn-live"
    )
    assert group["deploymentGroupInfo"]["autoRollbackConfiguration"]["enabled"] is True
    waited = cli("wait", "--deployment", dep)
    assert waited.code == 0, waited.stderr
    # The canary may have ended before wait started: the weights were seen moving above and below.
    assert f"⇄ {dep}" in waited.stderr and "live now on version 2" in waited.stdout
    assert _alias(sim)["FunctionVersion"] == "2"


def test_sigterm_while_following_leaves_the_deployment_running_and_says_so(
    sim: Simulator, tmp_path: Path
) -> None:
    _slower(sim, 30)  # the 30-minute canary holds 10% for 60 s: in flight when the signal lands
    function(sim)
    proc = _start(sim, tmp_path, *_shift_args(sim, "Canary10Percent30Minutes"))
    _read_until(proc, "⇄")  # following: CodeDeploy holds the 10% canary
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    dep = sim.client("codedeploy").list_deployments(applicationName="lambdawait-fn")["deployments"][0]
    assert f"deployment {dep} goes on in CodeDeploy" in err
    assert f"lambdawait wait --deployment {dep}" in err and "lambdawait rollback fn --alias live" in err
    assert deployment_info(sim.client("codedeploy"), dep)["status"] == "InProgress"
    assert _alias(sim)["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}


def test_rollback_stops_a_deployment_in_flight_and_waits_until_the_alias_is_whole(
    sim: Simulator, cli: Callable[..., Run], app_dir: Path
) -> None:
    """Started by `deploy --engine codedeploy --detach` (the shift's options on deploy)."""
    _slower(sim, 30)  # the 30-minute canary holds 10% for 60 s: in flight until the rollback
    function(sim)
    started = cli(
        "deploy", "fn", "--dir", str(app_dir), "--runtime", "python3.12", "--handler", "app.handler",
        "--role", sim.role_arn(), "--publish", "--alias", "live", "--strategy", "Canary10Percent30Minutes",
        "--engine", "codedeploy", "--codedeploy-role", sim.role_arn(), "--detach", "-o", "json",
    )  # fmt: skip
    assert started.code == 0, started.stderr
    assert started.json()["shift"]["outcome"] == "started"
    dep = started.json()["deploymentId"]
    status = cli("status", "fn", "-o", "json")
    assert status.json()["functions"][0]["deployments"][0]["deploymentId"] == dep
    run = cli("rollback", "fn", "--alias", "live", "-o", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    RESULT_SCHEMA.validate(doc)
    assert doc["outcome"] == "rolled-back" and doc["deploymentId"] == dep
    assert doc["alias"]["functionVersion"] == "1" and doc["alias"]["additionalVersionWeights"] == {}
    info = deployment_info(sim.client("codedeploy"), dep)
    assert info["status"] == "Stopped" and info["errorInformation"]["code"] == "MANUAL_STOP"
    assert not _alias(sim).get("RoutingConfig")
