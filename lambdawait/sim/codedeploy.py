"""Simulated AWS CodeDeploy for Lambda: applications, groups, configs and deployments that run.

moto stores CodeDeploy deployments but nothing happens to them, and lacks StopDeployment and the
deployment targets, so the simulator answers CodeDeploy's JSON 1.1 protocol
(`X-Amz-Target: CodeDeploy_20141006.<Op>`) itself. Deployments move the real alias (moto's Lambda
backend) through `cd_rollout`; alarms are read from the simulator's CloudWatch.
"""

from __future__ import annotations

import json
import random
import string
import time
from collections.abc import Callable, Mapping

from lambdawait.sim import cd_rollout as rollout
from lambdawait.sim import cd_shapes as shapes
from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.cd_rollout import Deployment, TrafficConfig
from lambdawait.sim.handlers import Context
from lambdawait.sim.jsondata import JSONObject, as_object, list_at, object_at, objects_at, parse_object
from lambdawait.sim.lifecycle import LATEST, new_revision
from lambdawait.sim.wire import Reply

_JSON = ("Content-Type", "application/x-amz-json-1.1")
PREFIX = "CodeDeploy_20141006."


class CodeDeployError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    def reply(self) -> Reply:
        return Reply(400, json.dumps({"__type": self.code, "message": self.message}).encode(), [_JSON])


class CodeDeploySim:
    """Every CodeDeploy resource of the simulator, keyed by region and name."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.lifecycle = context.lifecycle
        self.apps: dict[tuple[str, str], shapes.ApplicationInfo] = {}
        self.groups: dict[tuple[str, str, str], shapes.DeploymentGroupInfo] = {}
        self.configs: dict[tuple[str, str], TrafficConfig] = {}
        self.deployments: dict[str, Deployment] = {}
        self._wall_offset = time.time() - self.lifecycle.clock()
        self._rng = random.Random()

    # --- time ------------------------------------------------------------------------------

    @property
    def time_scale(self) -> float:
        return self.lifecycle.scenario.codedeploy.time_scale

    def wall(self, instant: float | None) -> float | None:
        return None if instant is None else round(instant + self._wall_offset, 3)

    def advance(self) -> None:
        """Carry every deployment in flight to now (callers may or may not hold the lock)."""
        # Under the lock even to look: requests arrive on several threads, and one may be adding a
        # deployment while another iterates them.
        with self.lifecycle.lock:
            active = [dep for dep in self.deployments.values() if dep.active]
            now = self.lifecycle.clock()
            for dep in active:
                rollout.advance(dep, now, self)

    # --- what a deployment asks of the simulator (cd_rollout.Environment) -------------------

    def set_weight(self, dep: Deployment, percent: float) -> None:
        alias = moto.alias(dep.region, dep.function, dep.alias)
        if alias is None:
            return  # deleted under the deployment; nothing left to move
        if percent >= 100.0:
            moto.route_alias(alias, dep.target, None)
        else:
            weights = {dep.target: round(percent / 100.0, 6)} if percent > 0 else None
            moto.route_alias(alias, dep.current, {"AdditionalVersionWeights": weights} if weights else None)
        moto.set_alias_revision(alias, new_revision())

    def firing_alarm(self, names: tuple[str, ...]) -> str | None:
        # Every deployment in this simulator lives in one region at a time; read that region's.
        regions = {d.region for d in self.deployments.values() if d.active}
        for region in regions:
            for name in names:
                if moto.alarm_firing(region, name):
                    return name
        return None

    def run_hook(self, dep: Deployment, function: str) -> str | None:
        from lambdawait.sim import invoke

        forced = self.lifecycle.scenario.codedeploy.hooks.get(function)
        if forced is not None:
            return None if forced == "Succeeded" else "the scenario makes this hook fail"
        rec = self.lifecycle.get(dep.region, function)
        if rec is None:
            return f"the hook function {function} does not exist"
        result = invoke._result(self.context, rec, LATEST)
        if not result.function_error:
            return None
        payload = as_object(result.payload) or {}
        return str(payload.get("errorMessage") or result.function_error)

    def rolled_back(self, dep: Deployment, now: float) -> str:
        back = Deployment(
            id=self._new_id(),
            region=dep.region,
            application=dep.application,
            group=dep.group,
            config=rollout.PREDEFINED["CodeDeployDefault.LambdaAllAtOnce"],
            function=dep.function,
            alias=dep.alias,
            current=dep.target,
            target=dep.current,
            hooks={},
            alarms=(),
            rollback_events=(),
            created=now,
            creator="codeDeployRollback",
            status="Succeeded",
            started=now,
            completed=now,
        )
        back.rollback_info = {"rollbackTriggeringDeploymentId": dep.id}
        for event in back.events:
            event.status, event.start, event.end = "Succeeded", now, now
        self.deployments[back.id] = back
        return back.id

    def _new_id(self) -> str:
        alphabet = string.ascii_uppercase + string.digits
        return "d-" + "".join(self._rng.choice(alphabet) for _ in range(9))

    # --- the protocol ----------------------------------------------------------------------

    def handle(self, target: str, body: bytes, region: str) -> Reply:
        operation = target.removeprefix(PREFIX)
        handler = _OPERATIONS.get(operation)
        if handler is None:
            return CodeDeployError(
                "InvalidOperationException",
                f"The lambdawait simulator does not implement CodeDeploy {operation}",
            ).reply()
        try:
            params = parse_object(body or b"{}")
            with self.lifecycle.lock:
                self.advance()
                return Reply(200, json.dumps(handler(self, region, params)).encode(), [_JSON])
        except CodeDeployError as exc:
            return exc.reply()

    def app(self, region: str, name: object) -> shapes.ApplicationInfo:
        found = self.apps.get((region, str(name)))
        if found is None:
            raise CodeDeployError(
                "ApplicationDoesNotExistException", f"No application found for name: {name}"
            )
        return found

    def group(self, region: str, app: object, name: object) -> shapes.DeploymentGroupInfo:
        self.app(region, app)
        found = self.groups.get((region, str(app), str(name)))
        if found is None:
            raise CodeDeployError(
                "DeploymentGroupDoesNotExistException", f"No Deployment Group found for name: {name}"
            )
        return found

    def config(self, region: str, name: object) -> TrafficConfig:
        found = rollout.PREDEFINED.get(str(name)) or self.configs.get((region, str(name)))
        if found is None:
            raise CodeDeployError(
                "DeploymentConfigDoesNotExistException", f"No deployment configuration found for name: {name}"
            )
        return found

    def deployment(self, params: JSONObject) -> Deployment:
        dep = self.deployments.get(str(params.get("deploymentId", "")))
        if dep is None:
            raise CodeDeployError(
                "DeploymentDoesNotExistException",
                f"The deployment {params.get('deploymentId')} could not be found.",
            )
        return dep


def _create_application(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    name = str(p.get("applicationName", ""))
    if (region, name) in sim.apps:
        raise CodeDeployError("ApplicationAlreadyExistsException", f"{name} already exists in your account")
    app_id = shapes.uid()
    sim.apps[(region, name)] = {
        "applicationId": app_id,
        "applicationName": name,
        "createTime": time.time(),
        "linkedToGitHub": False,
        "computePlatform": str(p.get("computePlatform", "Server")),
    }
    return {"applicationId": app_id}


def _create_group(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    app = sim.app(region, p.get("applicationName"))
    name = str(p.get("deploymentGroupName", ""))
    key = (region, app["applicationName"], name)
    if key in sim.groups:
        raise CodeDeployError(
            "DeploymentGroupAlreadyExistsException", f"A deployment group named {name} already exists"
        )
    if not p.get("serviceRoleArn"):
        raise CodeDeployError("RoleRequiredException", "Role ARN is required for deployment group creation.")
    alarms = list_at(object_at(p, "alarmConfiguration"), "alarms")
    if len(alarms) > 10:
        raise CodeDeployError(
            "AlarmsLimitExceededException",
            "The maximum number of alarms for a deployment group (10) has been exceeded.",
        )
    config = sim.config(region, p.get("deploymentConfigName", "CodeDeployDefault.LambdaAllAtOnce"))
    group_id = shapes.uid()
    sim.groups[key] = shapes.group(app, name, p, config.name, group_id)
    return {"deploymentGroupId": group_id}


def _create_config(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    name = str(p.get("deploymentConfigName", ""))
    if name in rollout.PREDEFINED or (region, name) in sim.configs:
        raise CodeDeployError(
            "DeploymentConfigAlreadyExistsException",
            f"A deployment configuration named {name} already exists",
        )
    sim.configs[(region, name)] = shapes.parse_config(
        name, object_at(p, "trafficRoutingConfig"), CodeDeployError
    )
    return {"deploymentConfigId": shapes.uid()}


def _get_config(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    config = sim.config(region, p.get("deploymentConfigName"))
    return {"deploymentConfigInfo": shapes.config_info(config)}


def _create_deployment(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    group = sim.group(region, p.get("applicationName"), p.get("deploymentGroupName"))
    config = sim.config(region, p.get("deploymentConfigName") or group["deploymentConfigName"])
    for other in sim.deployments.values():
        if other.active and (other.application, other.group) == (
            group["applicationName"],
            group["deploymentGroupName"],
        ):
            raise CodeDeployError(
                "DeploymentLimitExceededException",
                f"The Deployment Group '{other.group}' already has an active Deployment '{other.id}'",
            )
    spec = shapes.appspec(object_at(p, "revision"), CodeDeployError)
    if moto.alias(region, spec["function"], spec["alias"]) is None:
        raise CodeDeployError(
            "InvalidLambdaFunctionException", f"The alias {spec['alias']} of {spec['function']} was not found"
        )
    rollback = group["autoRollbackConfiguration"]
    alarm_config = group["alarmConfiguration"]
    dep = Deployment(
        id=sim._new_id(),
        region=region,
        application=group["applicationName"],
        group=group["deploymentGroupName"],
        config=config,
        function=spec["function"],
        alias=spec["alias"],
        current=spec["current"],
        target=spec["target"],
        hooks=spec["hooks"],
        alarms=tuple(str(a["name"]) for a in objects_at(alarm_config, "alarms"))
        if alarm_config.get("enabled")
        else (),
        rollback_events=tuple(map(str, list_at(rollback, "events"))) if rollback.get("enabled") else (),
        created=sim.lifecycle.clock(),
        description=str(p.get("description", "")),
        revision=as_object(p.get("revision")),
    )
    sim.deployments[dep.id] = dep
    return {"deploymentId": dep.id}


def _get_deployment(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    return {"deploymentInfo": shapes.deployment_info(sim.deployment(p), sim.wall)}


def _batch_get_deployments(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    found = [
        sim.deployments[i] for i in list_at(p, "deploymentIds") if isinstance(i, str) and i in sim.deployments
    ]
    return {"deploymentsInfo": [shapes.deployment_info(d, sim.wall) for d in found]}


def _list_deployments(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    statuses = set(list_at(p, "includeOnlyStatuses"))
    ids = [
        d.id
        for d in sorted(sim.deployments.values(), key=_created, reverse=True)
        if d.region == region
        and p.get("applicationName") in (None, d.application)
        and p.get("deploymentGroupName") in (None, d.group)
        and (not statuses or d.status in statuses)
    ]
    return {"deployments": ids}


def _created(dep: Deployment) -> float:
    return dep.created


def _stop_deployment(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    dep = sim.deployment(p)
    if not dep.active:
        raise CodeDeployError(
            "DeploymentAlreadyCompletedException", f"The deployment {dep.id} has already completed."
        )
    events = rollout.ON_REQUEST if p.get("autoRollbackEnabled") else None
    if events is not None:
        dep.rollback_events = (*dep.rollback_events, events)
    message = "The deployment was stopped by a user request."
    rollout.finish(dep, sim.lifecycle.clock(), sim, "Stopped", ("MANUAL_STOP", message), events)
    return {"status": "Succeeded", "statusMessage": message}


def _list_targets(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    dep = sim.deployment(p)
    return {"targetIds": [shapes.target_id(dep)]}


def _get_target(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    dep = sim.deployment(p)
    if p.get("targetId") != shapes.target_id(dep):
        raise CodeDeployError(
            "DeploymentTargetDoesNotExistException", f"The target {p.get('targetId')} is not part of {dep.id}"
        )
    return {"deploymentTarget": shapes.target(dep, sim.wall)}


def _batch_get_targets(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    dep = sim.deployment(p)
    wanted = list_at(p, "targetIds")
    return {"deploymentTargets": [shapes.target(dep, sim.wall)] if shapes.target_id(dep) in wanted else []}


def _get_application(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    return {"application": sim.app(region, p.get("applicationName"))}


def _get_group(sim: CodeDeploySim, region: str, p: JSONObject) -> Mapping[str, object]:
    return {"deploymentGroupInfo": sim.group(region, p.get("applicationName"), p.get("deploymentGroupName"))}


# Each answers a JSON object: its request's parameters in, its response's members out.
Operation = Callable[["CodeDeploySim", str, JSONObject], Mapping[str, object]]

_OPERATIONS: dict[str, Operation] = {
    "CreateApplication": _create_application,
    "GetApplication": _get_application,
    "CreateDeploymentGroup": _create_group,
    "GetDeploymentGroup": _get_group,
    "CreateDeploymentConfig": _create_config,
    "GetDeploymentConfig": _get_config,
    "CreateDeployment": _create_deployment,
    "GetDeployment": _get_deployment,
    "BatchGetDeployments": _batch_get_deployments,
    "ListDeployments": _list_deployments,
    "StopDeployment": _stop_deployment,
    "ListDeploymentTargets": _list_targets,
    "GetDeploymentTarget": _get_target,
    "BatchGetDeploymentTargets": _batch_get_targets,
}
