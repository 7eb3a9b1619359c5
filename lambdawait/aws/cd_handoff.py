"""Hand a Lambda traffic shift to AWS CodeDeploy: application, group, config, then the deployment.

CodeDeploy holds the shift server-side (durable beyond the CI runner), watches the group's alarms
and rolls back on its own; lambdawait only ensures what it needs exists and starts it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.core.errors import UsageError, client_error_code
from lambdawait.core.strategy import Strategy

if TYPE_CHECKING:
    from mypy_boto3_codedeploy import CodeDeployClient
    from mypy_boto3_codedeploy.literals import AutoRollbackEventType
    from mypy_boto3_codedeploy.type_defs import TrafficRoutingConfigTypeDef

MAX_ALARMS = 10  # CodeDeploy's limit per deployment group
ROLLBACK_EVENTS: tuple[AutoRollbackEventType, ...] = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM")


# canary:10:5m is CodeDeploy's own Canary10Percent5Minutes: no custom configuration needed.
_PREDEFINED_FORMS = {
    **{("canary", 10, m): f"CodeDeployDefault.LambdaCanary10Percent{m}Minutes" for m in (5, 10, 15, 30)},
    ("linear", 10, 1): "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    **{("linear", 10, m): f"CodeDeployDefault.LambdaLinear10PercentEvery{m}Minutes" for m in (2, 3, 10)},
}


@dataclass(frozen=True)
class HandOff:
    """Where and how the deployment runs: the CodeDeploy side of `shift --engine codedeploy`."""

    app: str | None = None
    group: str | None = None
    role: str | None = None
    alarms: tuple[str, ...] = ()
    before_allow_traffic: str | None = None
    after_allow_traffic: str | None = None
    detach: bool = False
    rollback_on_interrupt: bool = False

    def check(self) -> None:
        """Refuse what CodeDeploy would, before any call."""
        if len(self.alarms) > MAX_ALARMS:
            raise UsageError(
                f"{len(self.alarms)} alarms given; a CodeDeploy deployment group takes at most {MAX_ALARMS}",
                hint="combine them into a composite alarm",
            )
        if bool(self.app) != bool(self.group):
            raise UsageError(
                "--codedeploy-app and --deployment-group go together",
                hint="pass both, or neither to let lambdawait create them",
            )


def names(function: str, alias: str, handoff: HandOff) -> tuple[str, str]:
    """The application and deployment group: given, or named after the function and alias."""
    if handoff.app and handoff.group:
        return handoff.app, handoff.group
    return f"lambdawait-{function}", f"{function}-{alias}"


def config_name(strategy: Strategy) -> tuple[str, TrafficRoutingConfigTypeDef | None]:
    """The deployment configuration: a predefined one, or a custom one (its traffic routing)."""
    if strategy.kind == "all-at-once":
        return "CodeDeployDefault.LambdaAllAtOnce", None
    predefined = f"CodeDeployDefault.Lambda{strategy.name}"
    if not strategy.name.startswith(("canary:", "linear:")):
        return predefined, None
    minutes = strategy.interval_seconds / 60
    if strategy.percent != int(strategy.percent) or minutes != int(minutes) or minutes < 1:
        raise UsageError(
            f"CodeDeploy cannot run {strategy.name}: it takes whole percents and whole minutes",
            hint="e.g. canary:10:5m, or --engine client for seconds and fractions",
        )
    percent, interval = int(strategy.percent), int(minutes)
    same = _PREDEFINED_FORMS.get((strategy.kind, percent, interval))
    if same is not None:
        return same, None
    if strategy.kind == "canary":
        name = f"lambdawait.Canary{percent}Percent{interval}Minutes"
        routing: TrafficRoutingConfigTypeDef = {
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": percent, "canaryInterval": interval},
        }
    else:
        name = f"lambdawait.Linear{percent}PercentEvery{interval}Minutes"
        routing = {
            "type": "TimeBasedLinear",
            "timeBasedLinear": {"linearPercentage": percent, "linearInterval": interval},
        }
    return name, routing


def _missing(exc: Exception, code: str) -> bool:
    return client_error_code(exc) == code


def ensure(
    cd: CodeDeployClient, function: str, alias: str, strategy: Strategy, handoff: HandOff
) -> tuple[str, str, str]:
    """(application, group, config), creating what is missing; creation needs --codedeploy-role."""
    import botocore.exceptions

    app, group = names(function, alias, handoff)
    config, routing = config_name(strategy)
    # None: the group exists; else the role a new group is created with.
    role = None if _group_exists(cd, app, group) else _role_for_new_group(app, group, handoff)
    if routing is not None:
        try:
            cd.get_deployment_config(deploymentConfigName=config)
        except botocore.exceptions.ClientError as exc:
            if not _missing(exc, "DeploymentConfigDoesNotExistException"):
                raise
            _create_once(
                lambda: cd.create_deployment_config(
                    deploymentConfigName=config, computePlatform="Lambda", trafficRoutingConfig=routing
                ),
                "DeploymentConfigAlreadyExistsException",
            )
    if role is None:
        return app, group, config
    try:
        cd.create_application(applicationName=app, computePlatform="Lambda")
    except botocore.exceptions.ClientError as exc:
        if not _missing(exc, "ApplicationAlreadyExistsException"):
            raise
    _create_once(
        lambda: cd.create_deployment_group(
            applicationName=app,
            deploymentGroupName=group,
            serviceRoleArn=role,
            deploymentConfigName=config,
            deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            alarmConfiguration={
                "enabled": bool(handoff.alarms),
                "alarms": [{"name": a} for a in handoff.alarms],
            },
            autoRollbackConfiguration={"enabled": True, "events": ROLLBACK_EVENTS},
        ),
        "DeploymentGroupAlreadyExistsException",
    )
    return app, group, config


def _role_for_new_group(app: str, group: str, handoff: HandOff) -> str:
    """A group lambdawait creates needs a service role; a group the user named must exist."""
    if handoff.app:
        raise UsageError(f"CodeDeploy has no deployment group {group} in application {app}")
    if not handoff.role:
        raise UsageError(
            f"creating CodeDeploy deployment group {group} needs its service role",
            hint="pass --codedeploy-role ARN (a role CodeDeploy can assume, with the managed policy "
            "AWSCodeDeployRoleForLambda), or --codedeploy-app and --deployment-group to use existing ones",
        )
    return handoff.role


def _create_once(create: Callable[[], object], exists: str) -> None:
    """A create whose reply was lost, retried by the client, meets its own resource: that is ours.

    Without a retry, "already exists" is someone else's resource, and it is reported as before.
    """
    import botocore.exceptions

    from lambdawait.aws.guard import retried_after_transport_error

    try:
        create()
    except botocore.exceptions.ClientError as exc:
        if not (_missing(exc, exists) and retried_after_transport_error(exc)):
            raise


def _group_exists(cd: CodeDeployClient, app: str, group: str) -> bool:
    import botocore.exceptions

    try:
        cd.get_deployment_group(applicationName=app, deploymentGroupName=group)
        return True
    except botocore.exceptions.ClientError as exc:
        absent = ("ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException")
        if any(_missing(exc, code) for code in absent):
            return False
        raise


def appspec(function: str, alias: str, current: str, target: str, handoff: HandOff) -> str:
    """The AppSpec (JSON, which CodeDeploy reads as YAML) naming the alias and both versions."""
    hooks = [
        {event: hook}
        for event, hook in (
            ("BeforeAllowTraffic", handoff.before_allow_traffic),
            ("AfterAllowTraffic", handoff.after_allow_traffic),
        )
        if hook
    ]
    properties = {"Name": function, "Alias": alias, "CurrentVersion": current, "TargetVersion": target}
    spec: dict[str, object] = {
        "version": 0.0,
        "Resources": [{function: {"Type": "AWS::Lambda::Function", "Properties": properties}}],
    }
    if hooks:
        spec["Hooks"] = hooks
    return json.dumps(spec)


def create_deployment(
    cd: CodeDeployClient, app: str, group: str, config: str, content: str, description: str
) -> str:
    """CreateDeployment. It takes no idempotency token, so a lost reply is reconciled by reading:
    the group's deployment in flight whose description (which carries our run id) is ours."""
    import botocore.exceptions

    from lambdawait.aws.guard import retried_after_transport_error

    try:
        response = cd.create_deployment(
            applicationName=app,
            deploymentGroupName=group,
            deploymentConfigName=config,
            description=description,
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        lost = retried_after_transport_error(exc) or not isinstance(exc, botocore.exceptions.ClientError)
        ours = _in_flight_with(cd, app, group, description) if lost else None
        if ours is None:
            raise
        return ours
    return str(response["deploymentId"])


def _in_flight_with(cd: CodeDeployClient, app: str, group: str, description: str) -> str | None:
    """The id of the group's deployment in flight with exactly this description, if there is one."""
    try:
        listed = cd.list_deployments(
            applicationName=app,
            deploymentGroupName=group,
            includeOnlyStatuses=["Created", "Queued", "InProgress", "Baking", "Ready"],
        ).get("deployments", [])
        if not listed:
            return None
        infos = cd.batch_get_deployments(deploymentIds=listed[:25]).get("deploymentsInfo", [])
    except Exception:  # the re-read failed too: we cannot tell, so the original error stands
        return None
    for info in infos:
        if info.get("description") == description:
            return str(info["deploymentId"])
    return None
