"""CodeDeploy's shapes for the simulator: deploymentInfo, Lambda targets, groups, configs, AppSpecs."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.cd_rollout import Deployment, TrafficConfig, target_status

Wall = Callable[[float | None], float | None]


def uid() -> str:
    return str(uuid.uuid4())


def group(app: dict[str, Any], name: str, p: dict[str, Any], config: str) -> dict[str, Any]:
    return {
        "applicationName": app["applicationName"],
        "deploymentGroupName": name,
        "deploymentConfigName": config,
        "serviceRoleArn": p["serviceRoleArn"],
        "alarmConfiguration": p.get("alarmConfiguration") or {"enabled": False, "alarms": []},
        "autoRollbackConfiguration": p.get("autoRollbackConfiguration") or {"enabled": False},
        "deploymentStyle": {
            "deploymentType": "BLUE_GREEN",
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
        },
        "computePlatform": app.get("computePlatform", "Lambda"),
    }


def parse_config(name: str, routing: dict[str, Any], error: Callable[[str, str], Exception]) -> TrafficConfig:
    kind = routing.get("type", "AllAtOnce")
    if kind == "AllAtOnce":
        return TrafficConfig(name, kind)
    key = {"TimeBasedCanary": "timeBasedCanary", "TimeBasedLinear": "timeBasedLinear"}.get(kind)
    body = routing.get(key or "") or {}
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


def config_info(config: TrafficConfig) -> dict[str, Any]:
    return {
        "deploymentConfigId": uid(),
        "deploymentConfigName": config.name,
        "createTime": time.time(),
        "computePlatform": "Lambda",
        "trafficRoutingConfig": config.routing(),
    }


def target_id(dep: Deployment) -> str:
    return f"{dep.function}:{dep.alias}"


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    # AWS leaves absent fields out rather than sending nulls.
    return {k: v for k, v in data.items() if v is not None}


def deployment_info(dep: Deployment, wall: Wall) -> dict[str, Any]:
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
            "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            "computePlatform": "Lambda",
        }
    )


def target(dep: Deployment, wall: Wall) -> dict[str, Any]:
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


def appspec(revision: dict[str, Any], error: Callable[[str, str], Exception]) -> dict[str, Any]:
    """The alias, versions and hooks a Lambda AppSpec (JSON or YAML) names."""
    content = (revision.get("appSpecContent") or {}).get("content") or revision.get("string", {}).get(
        "content"
    )
    if revision.get("revisionType") not in ("AppSpecContent", "String") or not content:
        raise error("InvalidRevisionException", "A Lambda deployment needs an AppSpecContent revision")
    try:
        doc = _load(str(content))
        resource = next(iter(doc["Resources"][0].values()))["Properties"]
        hooks = {k: str(v) for item in doc.get("Hooks") or [] for k, v in item.items()}
        return {
            "function": str(resource["Name"]),
            "alias": str(resource["Alias"]),
            "current": str(resource["CurrentVersion"]),
            "target": str(resource["TargetVersion"]),
            "hooks": hooks,
        }
    except (ValueError, KeyError, IndexError, TypeError, StopIteration, AttributeError) as exc:
        raise error("InvalidRevisionException", f"The AppSpec file is not valid: {exc!r}") from exc


def _load(content: str) -> Any:
    """AppSpec content is JSON or YAML; YAML only when PyYAML is there (moto does not need it)."""
    try:
        return json.loads(content)
    except ValueError:
        pass
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise ValueError("a YAML AppSpec needs PyYAML in the simulator's environment") from None
    try:
        return yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from exc
