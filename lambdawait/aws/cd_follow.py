"""Follow an AWS CodeDeploy Lambda deployment to its end: its status, lifecycle events, alias weights.

Works for any deployment (lambdawait's own hand-offs and SAM's alike): everything is read back
from CodeDeploy (GetDeployment, the deployment's one Lambda target) and from Lambda (the alias).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lambdawait.core.clock import SystemClock
from lambdawait.core.responses import weights

if TYPE_CHECKING:
    from mypy_boto3_codedeploy import CodeDeployClient
    from mypy_boto3_codedeploy.type_defs import LambdaTargetTypeDef, LifecycleEventTypeDef

    from lambdawait.aws.api import LambdaApi

DONE = ("Succeeded", "Failed", "Stopped")
# Polling: quick at first (short or compressed deployments end in seconds), then every 5 s, which
# over a 30-minute canary is ~360 GetDeployment calls, far below CodeDeploy's request limits.
FIRST_POLL_SECONDS = 0.1
MAX_POLL_SECONDS = 5.0
HEARTBEAT_SECONDS = 30.0  # as render.HEARTBEAT_SECONDS for a client-side bake


@dataclass(frozen=True)
class FailedEvent:
    name: str
    hook: str | None
    reason: str


@dataclass(frozen=True)
class Deployment:
    """What a deployment says about itself, at one instant."""

    id: str
    status: str
    application: str
    group: str
    config: str
    function: str | None = None
    alias: str | None = None
    current_version: str | None = None
    target_version: str | None = None
    events: tuple[tuple[str, str], ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    rollback_id: str | None = None
    failed_event: FailedEvent | None = None

    @property
    def done(self) -> bool:
        return self.status in DONE

    @property
    def alarm(self) -> bool:
        return self.error_code == "ALARM_ACTIVE"

    def outcome(self) -> str:
        """The lambdawait outcome (errors.OUTCOME_EXIT_CODES) of a finished deployment."""
        if self.status == "Succeeded":
            return "ok"
        if self.status == "Stopped" or self.alarm:
            return "gate-failed"
        return "failed"

    def summary(self) -> str:
        """One line: how it ended, and why when it did not succeed."""
        head = f"deployment {self.id} {self.status.lower()}"
        if self.status == "Succeeded":
            return f"{head}: {self.alias} now on version {self.target_version}"
        parts = [head]
        if self.failed_event is not None:
            hook = f" (hook {self.failed_event.hook})" if self.failed_event.hook else ""
            parts.append(f"{self.failed_event.name}{hook} failed: {self.failed_event.reason}")
        elif self.error_message:
            parts.append(self.error_message)
        if self.rollback_id:
            parts.append(
                f"rolled back by {self.rollback_id}; {self.alias} back on version {self.current_version}"
            )
        return "; ".join(parts)


def read(cd: CodeDeployClient, deployment_id: str) -> Deployment:
    info = cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    error = info.get("errorInformation")
    rollback = info.get("rollbackInfo")
    base = Deployment(
        id=deployment_id,
        status=info.get("status", "Unknown"),
        application=info.get("applicationName", ""),
        group=info.get("deploymentGroupName", ""),
        config=info.get("deploymentConfigName", ""),
        error_code=error.get("code") if error else None,
        error_message=error.get("message") if error else None,
        rollback_id=rollback.get("rollbackDeploymentId") if rollback else None,
    )
    target = _lambda_target(cd, deployment_id)
    if target is None:
        return base
    fn = target.get("lambdaFunctionInfo") or {}
    events = target.get("lifecycleEvents") or []
    return replace(
        base,
        function=fn.get("functionName"),
        alias=fn.get("functionAlias"),
        current_version=fn.get("currentVersion"),
        target_version=fn.get("targetVersion"),
        events=tuple((e.get("lifecycleEventName", "?"), e.get("status", "?")) for e in events),
        failed_event=_failed_event(events),
    )


def _lambda_target(cd: CodeDeployClient, deployment_id: str) -> LambdaTargetTypeDef | None:
    ids = cd.list_deployment_targets(deploymentId=deployment_id).get("targetIds") or []
    if not ids:
        return None  # a deployment still being created has no target yet
    target = cd.get_deployment_target(deploymentId=deployment_id, targetId=ids[0])["deploymentTarget"]
    return target.get("lambdaTarget")


def _failed_event(events: list[LifecycleEventTypeDef]) -> FailedEvent | None:
    for event in events:
        diagnostics = event.get("diagnostics") or {}
        # An event cut short by a stop or an alarm is Failed too, but only a hook says why.
        if event.get("status") == "Failed" and diagnostics:
            reason = diagnostics.get("message") or diagnostics.get("errorCode") or "no reason given"
            return FailedEvent(event.get("lifecycleEventName", "?"), diagnostics.get("scriptName"), reason)
    return None


@dataclass(frozen=True)
class Progress:
    """One observation while following: the deployment and the alias weights Lambda reports."""

    deployment: Deployment
    function_version: str | None
    weights: dict[str, float]

    def line(self) -> str:
        d = self.deployment
        if d.alias is None:  # no Lambda target yet (CodeDeploy is still creating the deployment)
            return f"{d.id} {d.status} ({d.config})"
        running = next((name for name, status in d.events if status == "InProgress"), None)
        on_target = self.weights.get(
            d.target_version or "", 1.0 if self.function_version == d.target_version else 0.0
        )
        where = f"; {running}" if running else ""
        return (
            f"{d.id} {d.status}{where}: {d.alias} {on_target * 100:g}% -> version {d.target_version} "
            f"({d.config})"
        )


def follow(
    cd: CodeDeployClient,
    lam: LambdaApi,
    deployment_id: str,
    *,
    clock: SystemClock,
    timeout: float,
    on_progress: Callable[[Progress], None],
) -> Deployment | None:
    """Poll until the deployment ends (returned) or `timeout` passes (None)."""
    deadline = clock.now() + timeout
    delay = FIRST_POLL_SECONDS
    last: tuple[object, ...] | None = None
    said = clock.now()
    while True:
        state = read(cd, deployment_id)
        progress = _observe(lam, state)
        key = (state.status, state.events, progress.function_version, tuple(sorted(progress.weights.items())))
        # A line on each change, and a heartbeat through a long bake: CI kills a step silent too long.
        if key != last or clock.now() - said >= HEARTBEAT_SECONDS:
            on_progress(progress)
            last, said = key, clock.now()
        if state.done:
            return state
        remaining = deadline - clock.now()
        if remaining <= 0:
            return None
        clock.sleep(min(delay, remaining))
        delay = min(delay * 1.5, MAX_POLL_SECONDS)


def _observe(lam: LambdaApi, state: Deployment) -> Progress:
    if state.function is None or state.alias is None:
        return Progress(state, None, {})
    alias = lam.get_alias(FunctionName=state.function, Name=state.alias)
    return Progress(state, alias.get("FunctionVersion"), weights(alias))
