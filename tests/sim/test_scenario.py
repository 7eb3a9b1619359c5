"""Scenario files: TOML and JSON loading, rule matching by name and tag, validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdawait.sim import Faults, InvokeRule, Scenario, ScenarioError, Simulator
from tests.sim.helpers import config, create, poll

TOML = """
seed = 42

[defaults]
create_seconds = 0.1
update_seconds = 0.5

[faults]
throttle_rate = 0.1
latency_ms = 5
operations = ["GetFunction"]

[[functions]]
match = "payments-*"
create_outcome = "failed"
create_reason_code = "InvalidSubnet"

[[functions]]
tag = "tier=slow"
create_seconds = 0.3
update_fail_on = [2]

[[functions.invoke]]
version = "2"
function_error = "Unhandled"
payload = { errorMessage = "boom" }
"""


def test_toml_file_loads_with_defaults_rules_and_faults(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(TOML)
    scenario = Scenario.load(path)
    assert scenario.seed == 42
    assert scenario.faults == Faults(throttle_rate=0.1, latency_ms=5.0, operations=("GetFunction",))
    payments = scenario.behaviour_for("payments-api", {})
    assert (payments.create_outcome, payments.create_reason_code) == ("failed", "InvalidSubnet")
    assert payments.update_seconds == 0.5  # falls back to the defaults
    slow = scenario.behaviour_for("other", {"tier": "slow"})
    assert (slow.create_seconds, slow.update_fail_on) == (0.3, (2,))
    assert slow.update_fails(2) and not slow.update_fails(1)
    assert slow.invoke == (
        InvokeRule(version="2", function_error="Unhandled", payload={"errorMessage": "boom"}),
    )
    plain = scenario.behaviour_for("other", {"tier": "fast"})
    assert plain == scenario.defaults
    assert plain.publish_seconds == 0.0


def test_first_matching_rule_wins_and_both_selectors_must_match() -> None:
    scenario = Scenario.from_dict(
        {
            "functions": [
                {"match": "api-*", "tag": "env=prod", "create_seconds": 5},
                {"match": "api-*", "create_seconds": 2},
                {"match": "*", "create_seconds": 0},
            ]
        }
    )
    assert scenario.behaviour_for("api-x", {"env": "prod"}).create_seconds == 5
    assert scenario.behaviour_for("api-x", {"env": "dev"}).create_seconds == 2
    assert scenario.behaviour_for("worker", {"env": "prod"}).create_seconds == 0


def test_json_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(
        json.dumps(
            {"defaults": {"idle_after_seconds": 3}, "functions": [{"match": "a", "invoke": {"payload": 1}}]}
        )
    )
    scenario = Scenario.load(path)
    assert scenario.defaults.idle_after_seconds == 3.0
    assert scenario.behaviour_for("a", {}).invoke == (InvokeRule(payload=1),)


def test_lost_reply_keys_load() -> None:
    faults = Scenario.from_dict(
        {
            "faults": {
                "lost_reply_rate": 0.25,
                "lost_reply_status": 502,
                "lost_reply_operations": ["UpdateAlias"],
                "lost_reply_calls": {"PublishVersion": [2, 3]},
            }
        }
    ).faults
    assert faults == Faults(
        lost_reply_rate=0.25,
        lost_reply_status=502,
        lost_reply_operations=("UpdateAlias",),
        lost_reply_calls={"PublishVersion": (2, 3)},
    )
    assert Faults().lost_reply_status == 0  # by default a lost reply is a closed connection
    assert faults.loses_reply("PublishVersion", 2, None) and not faults.loses_reply("PublishVersion", 1, None)
    assert faults.loses_reply("UpdateAlias", 1, 0.1) and not faults.loses_reply("UpdateAlias", 1, 0.3)
    assert not faults.loses_reply("GetAlias", 1, 0.1)  # not in lost_reply_operations


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"defaults": {"create_secs": 1}}, "unknown key(s) in function behaviour: create_secs"),
        ({"defaults": {"create_seconds": -1}}, "create_seconds"),
        ({"defaults": {"create_outcome": "ok"}}, "create_outcome"),
        ({"functions": [{"create_seconds": 1}]}, "needs 'match'"),
        ({"functions": [{"tag": "novalue"}]}, "key=value"),
        ({"faults": {"throttle_rate": 2}}, "between 0 and 1"),
        ({"faults": {"error_status": 404}}, "error_status"),
        ({"defaults": {"update_fail_on": [0]}}, "update_fail_on"),
        ({"faults": {"lost_reply_rate": -0.1}}, "faults.lost_reply_rate must be between 0 and 1"),
        ({"faults": {"lost_reply_status": 503}}, "lost_reply_status must be 0"),
        ({"faults": {"lost_reply_operations": "UpdateAlias"}}, "lost_reply_operations must be a list"),
        ({"faults": {"lost_reply_calls": {"UpdateAlias": [0]}}}, "lost_reply_calls must map"),
        ({"faults": {"lost_reply_calls": ["UpdateAlias"]}}, "lost_reply_calls must map"),
        ({"extra": 1}, "unknown key(s) in scenario"),
    ],
)
def test_bad_scenarios_are_rejected_with_the_key_named(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_dict(data)
    assert fragment in str(exc.value)


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("defaults = [")
    with pytest.raises(ScenarioError, match=r"broken\.toml"):
        Scenario.load(path)


LIVE_TOML = """
[defaults]
create_seconds = 0.1

[[functions]]
match = "payments-*"
create_outcome = "failed"
create_reason_code = "InvalidSubnet"

[[functions]]
tag = "tier=slow"
create_outcome = "failed"
create_reason_code = "EniLimitExceeded"
"""


@pytest.mark.timeout(30)
def test_name_pattern_and_tag_rules_apply_to_live_functions(lambda_sim_factory: Any, tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(LIVE_TOML)
    sim: Simulator = lambda_sim_factory(Scenario.load(path))
    create(sim, "payments-api")
    create(sim, "tagged", Tags={"tier": "slow"})
    create(sim, "plain")
    states = {name: _settled(sim, name) for name in ("payments-api", "tagged", "plain")}
    assert {n: (c["State"], c.get("StateReasonCode")) for n, c in states.items()} == {
        "payments-api": ("Failed", "InvalidSubnet"),
        "tagged": ("Failed", "EniLimitExceeded"),
        "plain": ("Active", None),
    }


def _settled(sim: Simulator, name: str) -> dict[str, Any]:
    return poll(lambda: config(sim, name), lambda c: c["State"] != "Pending")


def test_the_readme_example_scenario_loads() -> None:
    scenario = Scenario.load(Path(__file__).with_name("example_scenario.toml"))
    assert scenario.seed == 7
    assert scenario.faults.operations == ("GetFunction", "UpdateFunctionCode")
    assert scenario.faults.lost_reply_calls == {"UpdateAlias": (2,)}
    assert scenario.quotas == Scenario().quotas
    assert scenario.behaviour_for("payments-api", {}).create_outcome == "failed"
    canary = scenario.behaviour_for("orders", {"canary": "bad"})
    assert (canary.update_fails(1), canary.update_fails(2)) == (False, True)
    assert canary.idle_after_seconds == 30.0
    assert [r.version for r in canary.invoke] == ["2", "*"]
