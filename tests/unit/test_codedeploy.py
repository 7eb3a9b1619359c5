"""The CodeDeploy engine's pure parts: configs from strategies, the AppSpec, outcomes and summaries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdawait.app.cd_shift import plan_message
from lambdawait.app.commands import shift_request
from lambdawait.aws.cd_follow import Deployment, FailedEvent, Progress, follow
from lambdawait.aws.cd_handoff import HandOff, appspec, config_name, names
from lambdawait.cli.codedeploy import handoff
from lambdawait.core.errors import UsageError
from lambdawait.core.strategy import parse_strategy


@pytest.mark.parametrize(
    ("strategy", "config"),
    [
        ("AllAtOnce", "CodeDeployDefault.LambdaAllAtOnce"),
        ("Canary10Percent30Minutes", "CodeDeployDefault.LambdaCanary10Percent30Minutes"),
        ("LambdaLinear10PercentEvery1Minute", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"),
        ("canary:10:5m", "CodeDeployDefault.LambdaCanary10Percent5Minutes"),  # CodeDeploy's own
        ("linear:10:2m", "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes"),
    ],
)
def test_strategies_map_to_predefined_configurations(strategy: str, config: str) -> None:
    assert config_name(parse_strategy(strategy)) == (config, None)


def test_other_forms_get_a_custom_time_based_configuration() -> None:
    name, routing = config_name(parse_strategy("canary:25:7m"))
    assert name == "lambdawait.Canary25Percent7Minutes"
    assert routing == {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 25, "canaryInterval": 7},
    }
    name, routing = config_name(parse_strategy("linear:20:1h"))
    assert name == "lambdawait.Linear20PercentEvery60Minutes"
    assert routing is not None and routing["timeBasedLinear"] == {
        "linearPercentage": 20,
        "linearInterval": 60,
    }


@pytest.mark.parametrize("strategy", ["canary:10:30s", "linear:12.5:5m", "canary:10:90s"])
def test_seconds_and_fractions_are_refused_for_codedeploy(strategy: str) -> None:
    with pytest.raises(UsageError, match="whole percents and whole minutes"):
        config_name(parse_strategy(strategy))


def test_handoff_checks_alarm_limit_and_app_with_group() -> None:
    with pytest.raises(UsageError, match="at most 10"):
        HandOff(alarms=tuple(f"a{i}" for i in range(11))).check()
    with pytest.raises(UsageError, match="go together"):
        HandOff(app="app").check()
    assert names("fn", "live", HandOff()) == ("lambdawait-fn", "fn-live")
    assert names("fn", "live", HandOff(app="a", group="g")) == ("a", "g")


def test_appspec_names_alias_versions_and_hooks() -> None:
    spec = json.loads(appspec("fn", "live", "3", "4", HandOff(before_allow_traffic="pre")))
    props = spec["Resources"][0]["fn"]["Properties"]
    assert props == {"Name": "fn", "Alias": "live", "CurrentVersion": "3", "TargetVersion": "4"}
    assert spec["Hooks"] == [{"BeforeAllowTraffic": "pre"}]
    assert "Hooks" not in json.loads(appspec("fn", "live", "3", "4", HandOff()))


class _Ctx:
    def __init__(self, source: str) -> None:
        self.source = source

    def get_parameter_source(self, name: str) -> object:
        return type("Source", (), {"name": self.source})()


def _handoff(engine: str, source: str = "DEFAULT", **options: Any) -> Any:
    """cli.codedeploy.handoff with every option at its default unless given."""
    defaults: dict[str, Any] = dict.fromkeys(("alarms", "app", "group", "role", "before", "after"))
    defaults.update(detach=False, on_interrupt="rollback")
    return handoff(_Ctx(source), engine=engine, **{**defaults, **options})


def test_codedeploy_options_need_the_engine_and_interrupt_detaches_unless_said() -> None:
    with pytest.raises(UsageError, match="--detach, --codedeploy-role need --engine codedeploy"):
        _handoff("client", detach=True, role="arn")
    with pytest.raises(UsageError, match="--engine 'aws'"):
        _handoff("aws")
    assert _handoff("client") is None
    implicit = _handoff("codedeploy", alarms=["a"])
    explicit = _handoff("codedeploy", "COMMANDLINE")
    assert implicit is not None and not implicit.rollback_on_interrupt and implicit.alarms == ("a",)
    assert explicit is not None and explicit.rollback_on_interrupt


def _deployment(**fields: object) -> Deployment:
    base: dict[str, object] = {
        "id": "d-1", "status": "Succeeded", "application": "app", "group": "grp", "config": "c",
        "function": "fn", "alias": "live", "current_version": "1", "target_version": "2",
    }  # fmt: skip
    return Deployment(**{**base, **fields})  # type: ignore[arg-type]


def test_outcomes_and_summaries() -> None:
    assert _deployment().outcome() == "ok"
    assert "live now on version 2" in _deployment().summary()
    alarm = _deployment(status="Stopped", error_code="ALARM_ACTIVE", error_message="Activated alarms: <e>",
                        rollback_id="d-2")  # fmt: skip
    assert alarm.outcome() == "gate-failed"
    assert "Activated alarms: <e>" in alarm.summary() and "rolled back by d-2" in alarm.summary()
    hook = _deployment(status="Failed", error_code="HOOK_EXECUTION_FAILURE",
                       failed_event=FailedEvent("AfterAllowTraffic", "post", "500 on /"))  # fmt: skip
    assert hook.outcome() == "failed"
    assert "AfterAllowTraffic (hook post) failed: 500 on /" in hook.summary()
    assert _deployment(status="Stopped", error_code="MANUAL_STOP").outcome() == "gate-failed"


def test_progress_lines() -> None:
    canary = Progress(
        _deployment(status="InProgress", events=(("AllowTraffic", "InProgress"),)), "1", {"2": 0.1}
    )
    assert canary.line() == "d-1 InProgress; AllowTraffic: live 10% -> version 2 (c)"
    done = Progress(_deployment(), "2", {})
    assert done.line() == "d-1 Succeeded: live 100% -> version 2 (c)"
    early = Progress(_deployment(status="Created", function=None, alias=None), None, {})
    assert early.line() == "d-1 Created (c)"


def test_plan_names_where_codedeploy_would_hold_the_shift() -> None:
    request = shift_request(
        "fn", alias="live", version="2", strategy_text="canary:25:7m", on_interrupt="rollback", force=False
    )
    message = plan_message(request, HandOff())
    assert "lambdawait.Canary25Percent7Minutes (a custom configuration" in message
    assert "application lambdawait-fn, group fn-live" in message
    with pytest.raises(UsageError, match="whole minutes"):
        plan_message(
            shift_request(
                "fn",
                alias="live",
                version="2",
                strategy_text="canary:10:30s",
                on_interrupt="rollback",
                force=False,
            ),
            HandOff(),
        )


class _FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


class _Canary:
    """CodeDeploy and Lambda answering a canary that bakes 100 s, then succeeds."""

    def __init__(self, clock: _FakeClock) -> None:
        self.clock = clock

    def get_deployment(self, deploymentId: str) -> dict[str, Any]:
        status = "Succeeded" if self.clock.t >= 100 else "InProgress"
        return {"deploymentInfo": {"status": status, "deploymentConfigName": "c"}}

    def list_deployment_targets(self, deploymentId: str) -> dict[str, Any]:
        return {"targetIds": ["fn:live"]}

    def get_deployment_target(self, deploymentId: str, targetId: str) -> dict[str, Any]:
        info = {"functionName": "fn", "functionAlias": "live", "currentVersion": "1", "targetVersion": "2"}
        return {"deploymentTarget": {"lambdaTarget": {"lambdaFunctionInfo": info, "lifecycleEvents": []}}}

    def get_alias(self, FunctionName: str, Name: str) -> dict[str, Any]:
        if self.clock.t >= 100:
            return {"FunctionVersion": "2"}
        return {"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}


def test_follow_prints_changes_and_a_heartbeat_through_a_long_bake() -> None:
    clock = _FakeClock()
    fake = _Canary(clock)
    lines: list[str] = []
    end = follow(fake, fake, "d-1", clock=clock, timeout=1000, on_progress=lambda p: lines.append(p.line()))  # type: ignore[arg-type]
    assert end is not None and end.status == "Succeeded"
    assert lines[0].endswith("live 10% -> version 2 (c)") and lines[-1].startswith("d-1 Succeeded")
    assert 3 <= len(lines) <= 6  # the 100 s bake is not silent, and not one line per poll
    early = _FakeClock()
    waited = _Canary(early)
    assert follow(waited, waited, "d-1", clock=early, timeout=1, on_progress=lines.append) is None  # type: ignore[arg-type]
