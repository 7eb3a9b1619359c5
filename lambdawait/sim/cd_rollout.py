"""One simulated CodeDeploy Lambda deployment: its lifecycle, traffic steps, hooks, alarms, rollback.

Evaluated lazily, like the Lambda lifecycle: every request to the simulator first advances each
deployment in flight to "now", so what a client reads is what AWS would show at that instant and
a test never depends on a background timer. `time_scale` compresses the configuration's minutes
(600: a 30-minute canary bakes for 3 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from lambdawait.sim.jsondata import JSONObject, as_object

LIFECYCLE = ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
ACTIVE = ("Created", "Queued", "InProgress")
ON_FAILURE = "DEPLOYMENT_FAILURE"
ON_ALARM = "DEPLOYMENT_STOP_ON_ALARM"
ON_REQUEST = "DEPLOYMENT_STOP_ON_REQUEST"


@dataclass(frozen=True)
class TrafficConfig:
    """A Lambda deployment configuration: AllAtOnce, TimeBasedCanary or TimeBasedLinear."""

    name: str
    kind: str
    percent: int = 100
    interval_minutes: int = 0

    def steps(self) -> list[tuple[float, float]]:
        """(seconds after AllowTraffic starts, percent of traffic on the target version)."""
        interval = self.interval_minutes * 60.0
        if self.kind == "TimeBasedCanary":
            return [(0.0, float(self.percent)), (interval, 100.0)]
        if self.kind == "TimeBasedLinear":
            count = math.ceil(100 / self.percent)
            return [(i * interval, min(100.0, (i + 1) * float(self.percent))) for i in range(count)]
        return [(0.0, 100.0)]

    def routing(self) -> JSONObject:
        if self.kind == "AllAtOnce":
            return {"type": "AllAtOnce"}
        key = "timeBasedCanary" if self.kind == "TimeBasedCanary" else "timeBasedLinear"
        interval_key = "canaryInterval" if key == "timeBasedCanary" else "linearInterval"
        percent_key = "canaryPercentage" if key == "timeBasedCanary" else "linearPercentage"
        return {
            "type": self.kind,
            key: {percent_key: self.percent, interval_key: self.interval_minutes},
        }


def _predefined() -> dict[str, TrafficConfig]:
    configs = [TrafficConfig("CodeDeployDefault.LambdaAllAtOnce", "AllAtOnce")]
    for minutes in (5, 10, 15, 30):
        name = f"CodeDeployDefault.LambdaCanary10Percent{minutes}Minutes"
        configs.append(TrafficConfig(name, "TimeBasedCanary", 10, minutes))
    for minutes in (1, 2, 3, 10):
        unit = "Minute" if minutes == 1 else "Minutes"
        name = f"CodeDeployDefault.LambdaLinear10PercentEvery{minutes}{unit}"
        configs.append(TrafficConfig(name, "TimeBasedLinear", 10, minutes))
    return {c.name: c for c in configs}


PREDEFINED = _predefined()


@dataclass
class Event:
    """A lifecycle event of the deployment's one Lambda target."""

    name: str
    status: str = "Pending"
    start: float | None = None
    end: float | None = None
    diagnostics: dict[str, str] | None = None


@dataclass
class Deployment:
    id: str
    region: str
    application: str
    group: str
    config: TrafficConfig
    function: str
    alias: str
    current: str
    target: str
    hooks: dict[str, str]
    alarms: tuple[str, ...]
    rollback_events: tuple[str, ...]
    created: float
    creator: str = "user"
    description: str = ""
    revision: JSONObject | None = None  # echoed back as AWS does
    status: str = "Created"
    started: float | None = None
    completed: float | None = None
    error: dict[str, str] | None = None
    rollback_info: dict[str, str] | None = None
    phase: int = 0
    phase_started: float = 0.0
    weight: float = 0.0  # percent of traffic on the target version, as last applied
    events: list[Event] = field(default_factory=lambda: [Event(n) for n in LIFECYCLE])

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class Environment(Protocol):
    """What a deployment needs from the rest of the simulator."""

    @property
    def time_scale(self) -> float: ...

    def set_weight(self, dep: Deployment, percent: float) -> None: ...

    def firing_alarm(self, names: tuple[str, ...]) -> str | None: ...

    def run_hook(self, dep: Deployment, function: str) -> str | None:
        """None when the hook reported Succeeded, else why it failed."""

    def rolled_back(self, dep: Deployment, now: float) -> str:
        """Record the automatic rollback deployment; its id."""


def advance(dep: Deployment, now: float, env: Environment) -> None:
    """Carry the deployment forward to `now`."""
    if dep.status == "Created":
        dep.status, dep.started, dep.phase_started = "InProgress", now, now
    while dep.status == "InProgress":
        firing = env.firing_alarm(dep.alarms) if dep.alarms else None
        if firing is not None:
            message = (
                "One or more alarms have been activated according to the Amazon CloudWatch "
                "metrics you selected, and the affected deployments have been stopped. "
                f"Activated alarms: <{firing}>"
            )
            finish(dep, now, env, "Stopped", ("ALARM_ACTIVE", message), ON_ALARM)
            return
        if dep.phase >= len(LIFECYCLE):
            finish(dep, now, env, "Succeeded", None, None)
            return
        event = dep.events[dep.phase]
        if event.start is None:
            event.status, event.start = "InProgress", now
        if event.name == "AllowTraffic" and not _shift(dep, now, env):
            return
        if event.name != "AllowTraffic" and not _hook(dep, event, now, env):
            return
        event.status, event.end = "Succeeded", now
        dep.phase, dep.phase_started = dep.phase + 1, now


def _shift(dep: Deployment, now: float, env: Environment) -> bool:
    """Apply the step due now; whether all traffic is on the target version."""
    elapsed = (now - dep.phase_started) * env.time_scale
    weight = [percent for at, percent in dep.config.steps() if at <= elapsed][-1]
    if weight != dep.weight:
        env.set_weight(dep, weight)
        dep.weight = weight
    return weight >= 100.0


def _hook(dep: Deployment, event: Event, now: float, env: Environment) -> bool:
    function = dep.hooks.get(event.name)
    if function is None:
        return True
    reason = env.run_hook(dep, function)
    if reason is None:
        return True
    event.diagnostics = {
        "errorCode": "ScriptFailed",
        "scriptName": function,
        "message": reason,
        "logTail": "",
    }
    message = (
        f"The deployment failed because the {event.name} lifecycle event hook {function} "
        f"reported Failed: {reason}"
    )
    finish(dep, now, env, "Failed", ("HOOK_EXECUTION_FAILURE", message), ON_FAILURE)
    return False


def finish(
    dep: Deployment,
    now: float,
    env: Environment,
    status: str,
    error: tuple[str, str] | None,
    rollback_on: str | None,
) -> None:
    """End the deployment; roll the alias back when the group (or the stop request) says so."""
    dep.status, dep.completed = status, now
    if error is not None:
        dep.error = {"code": error[0], "message": error[1]}
    for event in dep.events:
        if event.status == "InProgress":
            event.status, event.end = ("Succeeded" if status == "Succeeded" else "Failed"), now
        elif event.status == "Pending" and status != "Succeeded":
            event.status = "Skipped"
    if rollback_on is not None and rollback_on in dep.rollback_events:
        env.set_weight(dep, 0.0)
        dep.weight = 0.0
        rollback_id = env.rolled_back(dep, now)
        dep.rollback_info = {
            "rollbackDeploymentId": rollback_id,
            "rollbackMessage": f"Automatic rollback triggered by {rollback_on}; "
            f"the alias was returned to version {dep.current}.",
        }


def target_status(dep: Deployment) -> str:
    return {"Created": "Pending", "Queued": "Pending", "Stopped": "Failed"}.get(dep.status, dep.status)


@dataclass(frozen=True)
class Settings:
    """A scenario's `[codedeploy]` table: how fast configurations run, hooks' forced results."""

    time_scale: float = 1.0
    hooks: dict[str, str] = field(default_factory=dict)  # hook function -> Succeeded | Failed


def parse_settings(given: object) -> Settings:
    """Validate a `[codedeploy]` table; ValueError names the offending key."""
    raw = as_object(given)
    if raw is None:
        raise ValueError("'codedeploy' must be a table/object")
    unknown = sorted(set(raw) - {"time_scale", "hooks"})
    if unknown:
        raise ValueError(f"unknown key(s) in codedeploy: {', '.join(unknown)}")
    scale = raw.get("time_scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or scale <= 0:
        raise ValueError("codedeploy.time_scale must be a number > 0 (600: a minute lasts 0.1 s)")
    hooks = as_object(raw.get("hooks", {}))
    if hooks is None or any(v not in ("Succeeded", "Failed") for v in hooks.values()):
        raise ValueError("codedeploy.hooks must map hook function names to Succeeded or Failed")
    return Settings(float(scale), {str(k): str(v) for k, v in hooks.items()})
