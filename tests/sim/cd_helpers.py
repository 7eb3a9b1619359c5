"""CodeDeploy set-ups shared by the simulator and end-to-end tests: a function, a group, a deployment."""

from __future__ import annotations

import json
from typing import Any

from lambdawait.sim import Simulator
from tests.sim.helpers import create, make_zip, poll


def function(sim: Simulator, name: str = "fn") -> None:
    create(sim, name)
    lam = sim.client("lambda")
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=make_zip({"handler.py": "# two\n"}))
    poll(
        lambda: lam.get_function_configuration(FunctionName=name),
        lambda c: c["LastUpdateStatus"] == "Successful",
    )
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")


def group(
    sim: Simulator, *, alarms: list[str] = (), config: str = "CodeDeployDefault.LambdaAllAtOnce"
) -> Any:
    cd = sim.client("codedeploy")
    cd.create_application(applicationName="app", computePlatform="Lambda")
    cd.create_deployment_group(
        applicationName="app",
        deploymentGroupName="grp",
        serviceRoleArn=sim.role_arn(),
        deploymentConfigName=config,
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        alarmConfiguration={"enabled": bool(alarms), "alarms": [{"name": a} for a in alarms]},
        autoRollbackConfiguration={
            "enabled": True,
            "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
        },
    )
    return cd


def deploy(cd: Any, *, config: str | None = None, hooks: dict[str, str] | None = None) -> str:
    appspec = {
        "version": 0.0,
        "Resources": [
            {
                "fn": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": "fn",
                        "Alias": "live",
                        "CurrentVersion": "1",
                        "TargetVersion": "2",
                    },
                }
            }
        ],
        "Hooks": [{k: v} for k, v in (hooks or {}).items()],
    }
    extra = {"deploymentConfigName": config} if config else {}
    return str(
        cd.create_deployment(
            applicationName="app",
            deploymentGroupName="grp",
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(appspec)}},
            **extra,
        )["deploymentId"]
    )


def deployment_info(cd: Any, dep: str) -> Any:
    return cd.get_deployment(deploymentId=dep)["deploymentInfo"]


def finished(info: Any) -> bool:
    return info["status"] in ("Succeeded", "Failed", "Stopped")
