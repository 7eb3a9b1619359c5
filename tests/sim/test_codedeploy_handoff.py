"""cd_handoff.ensure against the simulator: refusals change nothing; configs and groups made once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.aws.cd_handoff import HandOff, ensure
from lambdawait.core.errors import UsageError
from lambdawait.core.strategy import parse_strategy
from lambdawait.sim import Simulator


@pytest.fixture
def cd() -> Iterator[Any]:
    with Simulator() as sim:
        yield sim.client("codedeploy"), sim.role_arn()


def test_no_role_is_refused_before_anything_is_created(cd: Any) -> None:
    client, _ = cd
    with pytest.raises(UsageError, match="needs its service role"):
        ensure(client, "fn", "live", parse_strategy("canary:25:7m"), HandOff())
    with pytest.raises(ClientError, match="DeploymentConfigDoesNotExist"):
        client.get_deployment_config(deploymentConfigName="lambdawait.Canary25Percent7Minutes")
    with pytest.raises(ClientError, match="ApplicationDoesNotExist"):
        client.get_application(applicationName="lambdawait-fn")
    with pytest.raises(UsageError, match="no deployment group g in application a"):
        ensure(client, "fn", "live", parse_strategy("AllAtOnce"), HandOff(app="a", group="g"))


def test_custom_config_and_group_are_created_once_with_alarms_and_rollback(cd: Any) -> None:
    client, role = cd
    handoff = HandOff(role=role, alarms=("errors",))
    first = ensure(client, "fn", "live", parse_strategy("linear:20:2m"), handoff)
    assert first == ("lambdawait-fn", "fn-live", "lambdawait.Linear20PercentEvery2Minutes")
    assert ensure(client, "fn", "live", parse_strategy("linear:20:2m"), handoff) == first  # no "exists" error
    group = client.get_deployment_group(applicationName="lambdawait-fn", deploymentGroupName="fn-live")
    info = group["deploymentGroupInfo"]
    assert info["alarmConfiguration"] == {"enabled": True, "alarms": [{"name": "errors"}]}
    assert info["autoRollbackConfiguration"]["events"] == ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
    config = client.get_deployment_config(deploymentConfigName=first[2])["deploymentConfigInfo"]
    assert config["trafficRoutingConfig"]["timeBasedLinear"] == {"linearPercentage": 20, "linearInterval": 2}
