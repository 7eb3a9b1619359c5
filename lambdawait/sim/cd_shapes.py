"""CodeDeploy's shapes for the simulator: deploymentInfo, Lambda targets, groups, configs, AppSpecs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import TypedDict

from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.cd_rollout import Deployment, TrafficConfig, target_status
from lambdawait.sim.jsondata import JSONObject, as_list, as_object, object_at, parse

Wall = Callable[[float | None], float | None]
Raise = Callable[[str, str], Exception]  # (CodeDeploy error code, message) -> the error to raise


class ApplicationInfo(TypedDict):
    applicationId: str
    applicationName: str
    createTime: float
    linkedToGitHub: bool
    computePlatform: str


class DeploymentStyle(TypedDict):
    deploymentType: str
    deploymentOption: str


class DeploymentGroupInfo(TypedDict):
    """A deployment group as GetDeploymentGroup answers it (configs echoed as they were given)."""

    applicationName: str
    deploymentGroupName: str
    deploymentConfigName: str
    serviceRoleArn: str
    alarmConfiguration: JSONObject
    autoRollbackConfiguration: JSONObject
    deploymentStyle: DeploymentStyle
    computePlatform: str
    deploymentGroupId: str


class AppSpec(TypedDict):
    """What a Lambda AppSpec names: the alias, its current and target versions, the hooks."""

    function: str
    alias: str
    current: str
    target: str
    hooks: dict[str, str]


def _blue_green() -> DeploymentStyle:
    return {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}


def uid() -> str:
    return str(uuid.uuid4())


def group(app: ApplicationInfo, name: str, p: JSONObject, config: str, group_id: str) -> DeploymentGroupInfo:
    return {
        "applicationName": app["applicationName"],
        "deploymentGroupName": name,
        "deploymentConfigName": config,
        "serviceRoleArn": str(p["serviceRoleArn"]),
        "alarmConfiguration": as_object(p.get("alarmConfiguration")) or {"enabled": False, "alarms": []},
        "autoRollbackConfiguration": as_object(p.get("autoRollbackConfiguration")) or {"enabled": False},
        "deploymentStyle": _blue_green(),
        "computePlatform": app["computePlatform"],
        "deploymentGroupId": group_id,
    }


def parse_config(name: str, routing: JSONObject, error: Raise) -> TrafficConfig:
    kind = str(routing.get("type", "AllAtOnce"))
    if kind == "AllAtOnce":
        return TrafficConfig(name, kind)
    key = {"TimeBasedCanary": "timeBasedCanary", "TimeBasedLinear": "timeBasedLinear"}.get(kind)
    body = object_at(routing, key or "")
    prefix = "canary" if kind == "TimeBasedCanary" else "linear"
    percent, interval = body.get(f"{prefix}Percentage"), body.get(f"{prefix}Interval")
    if (
        key is None
        or not isinstance(percent, int)
        or not isinstance(interval, int)
        or not 0 < percent < 100
        or interval < 1
    ):
        raise error(
            "InvalidDeploymentConfigNameException"
            if key is None
            else "InvalidMinimumHealthyHostValueException",
            f"The traffic routing configuration is not valid: {routing}",
        )
    return TrafficConfig(name, kind, percent, interval)


def config_info(config: TrafficConfig) -> JSONObject:
    return {
        "deploymentConfigId": uid(),
        "deploymentConfigName": config.name,
        "createTime": time.time(),
        "computePlatform": "Lambda",
        "trafficRoutingConfig": config.routing(),
    }


def target_id(dep: Deployment) -> str:
    return f"{dep.function}:{dep.alias}"


def _clean(data: Mapping[str, object]) -> JSONObject:
    # AWS leaves absent fields out rather than sending nulls.
    return {k: v for k, v in data.items() if v is not None}


def deployment_info(dep: Deployment, wall: Wall) -> JSONObject:
    status = target_status(dep)
    overview = dict.fromkeys(("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready"), 0)
    overview[status if status in overview else "Failed"] = 1
    return _clean(
        {
            "applicationName": dep.application,
            "deploymentGroupName": dep.group,
            "deploymentConfigName": dep.config.name,
            "deploymentId": dep.id,
            "revision": dep.revision,
            "status": dep.status,
            "errorInformation": dep.error,
            "createTime": wall(dep.created),
            "startTime": wall(dep.started),
            "completeTime": wall(dep.completed),
            "deploymentOverview": overview,
            "description": dep.description or None,
            "creator": dep.creator,
            "rollbackInfo": dep.rollback_info,
            "deploymentStyle": _blue_green(),
            "computePlatform": "Lambda",
        }
    )


def target(dep: Deployment, wall: Wall) -> JSONObject:
    events = [
        _clean(
            {
                "lifecycleEventName": e.name,
                "diagnostics": e.diagnostics,
                "startTime": wall(e.start),
                "endTime": wall(e.end),
                "status": e.status,
            }
        )
        for e in dep.events
    ]
    arn = f"arn:aws:lambda:{dep.region}:{moto.ACCOUNT_ID}:function:{dep.function}:{dep.alias}"
    return {
        "deploymentTargetType": "LambdaTarget",
        "lambdaTarget": {
            "deploymentId": dep.id,
            "targetId": target_id(dep),
            "targetArn": arn,
            "status": target_status(dep),
            "lastUpdatedAt": wall(dep.completed or dep.started or dep.created),
            "lifecycleEvents": events,
            "lambdaFunctionInfo": {
                "functionName": dep.function,
                "functionAlias": dep.alias,
                "currentVersion": dep.current,
                "targetVersion": dep.target,
                "targetVersionWeight": round(dep.weight / 100.0, 6),
            },
        },
    }


def appspec(revision: JSONObject, error: Raise) -> AppSpec:
    """The alias, versions and hooks a Lambda AppSpec (JSON or YAML) names."""
    content = object_at(revision, "appSpecContent").get("content") or object_at(revision, "string").get(
        "content"
    )
    if revision.get("revisionType") not in ("AppSpecContent", "String") or not content:
        raise error("InvalidRevisionException", "A Lambda deployment needs an AppSpecContent revision")
    try:
        doc = _object(_load(str(content)))
        resource = _object(_object(next(iter(_object(_list(doc["Resources"])[0]).values())))["Properties"])
        hooks = {k: str(v) for item in _list(doc.get("Hooks") or []) for k, v in _object(item).items()}
        return {
            "function": str(resource["Name"]),
            "alias": str(resource["Alias"]),
            "current": str(resource["CurrentVersion"]),
            "target": str(resource["TargetVersion"]),
            "hooks": hooks,
        }
    except (ValueError, KeyError, IndexError, TypeError, StopIteration, AttributeError) as exc:
        raise error("InvalidRevisionException", f"The AppSpec file is not valid: {exc!r}") from exc


def _object(value: object) -> JSONObject:
    found = as_object(value)
    if found is None:
        raise TypeError(f"expected a mapping, not {type(value).__name__}")
    return found


def _list(value: object) -> list[object]:
    found = as_list(value)
    if found is None:
        raise TypeError(f"expected a list, not {type(value).__name__}")
    return found


def _load(content: str) -> object:
    """AppSpec content is JSON or YAML; YAML only when PyYAML is there (moto does not need it)."""
    try:
        return parse(content)
    except ValueError:
        pass
    try:
        import yaml
    except ImportError:
        raise ValueError("a YAML AppSpec needs PyYAML in the simulator's environment") from None
    try:
        loaded: object = yaml.safe_load(content)
        return loaded
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from exc
