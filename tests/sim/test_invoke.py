"""Invoke without Docker: results per version, weighted routing, Inactive reactivation."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.sim import Simulator
from tests.sim.helpers import (
    NO_RETRIES,
    config,
    create,
    error_of,
    make_zip,
    poll,
    wait_active,
    wait_updated,
)

pytestmark = pytest.mark.timeout(30)

# Reactivation is only observed (never waited out) right after the failed invoke: keep it long.
QUICK = {"defaults": {"create_seconds": 0.1, "update_seconds": 0.1, "reactivate_seconds": 0.5}, "seed": 7}


@pytest.fixture
def sim(lambda_sim_factory: object) -> Simulator:
    return lambda_sim_factory(QUICK)  # type: ignore[operator,no-any-return]


def _invoke(sim: Simulator, name: str, qualifier: str | None = None) -> tuple[str, str | None, object]:
    kwargs: dict[str, Any] = {"Qualifier": qualifier} if qualifier else {}
    out = sim.client("lambda").invoke(FunctionName=name, Payload=b"{}", **kwargs)
    return out["ExecutedVersion"], out.get("FunctionError"), json.loads(out["Payload"].read())


def test_invoke_answers_a_default_payload(sim: Simulator) -> None:
    create(sim, "fn")
    wait_active(sim, "fn")
    assert _invoke(sim, "fn") == ("$LATEST", None, {"ok": True, "function": "fn", "version": "$LATEST"})


def test_zip_sim_file_sets_payload_and_function_error_per_version(sim: Simulator) -> None:
    lam = sim.client("lambda")
    create(sim, "fn", zip_bytes=make_zip(sim={"payload": {"ok": True}}))
    wait_active(sim, "fn")
    lam.publish_version(FunctionName="fn")
    bad = {"function_error": "Unhandled", "payload": {"errorMessage": "boom", "errorType": "Error"}}
    lam.update_function_code(FunctionName="fn", ZipFile=make_zip(sim=bad))
    wait_updated(sim, "fn")
    lam.publish_version(FunctionName="fn")

    assert _invoke(sim, "fn", "1") == ("1", None, {"ok": True})
    assert _invoke(sim, "fn", "2") == ("2", "Unhandled", {"errorMessage": "boom", "errorType": "Error"})
    assert _invoke(sim, "fn")[1] == "Unhandled"


def test_invoke_serves_previous_code_while_update_in_progress(lambda_sim_factory: object) -> None:
    sim = lambda_sim_factory({"defaults": {"create_seconds": 0.1, "update_seconds": 0.6}})  # type: ignore[operator]
    create(sim, "fn", zip_bytes=make_zip(sim={"payload": "old"}))
    wait_active(sim, "fn")
    sim.client("lambda").update_function_code(FunctionName="fn", ZipFile=make_zip(sim={"payload": "new"}))
    assert _invoke(sim, "fn")[2] == "old"
    wait_updated(sim, "fn")
    assert _invoke(sim, "fn")[2] == "new"


def test_scenario_invoke_rules_match_by_version(lambda_sim_factory: object) -> None:
    sim = lambda_sim_factory(  # type: ignore[operator]
        {
            "defaults": {"create_seconds": 0.1, "update_seconds": 0.1},
            "functions": [
                {
                    "match": "api-*",
                    "invoke": [
                        {"version": "2", "function_error": "Unhandled", "payload": {"errorMessage": "v2"}},
                        {"payload": {"fine": True}},
                    ],
                }
            ],
        }
    )
    lam = sim.client("lambda")
    create(sim, "api-a")
    wait_active(sim, "api-a")
    lam.publish_version(FunctionName="api-a")
    lam.update_function_configuration(FunctionName="api-a", Timeout=10)
    wait_updated(sim, "api-a")
    lam.publish_version(FunctionName="api-a")
    assert _invoke(sim, "api-a", "1") == ("1", None, {"fine": True})
    assert _invoke(sim, "api-a", "2") == ("2", "Unhandled", {"errorMessage": "v2"})


def test_weighted_alias_routes_to_both_versions(sim: Simulator) -> None:
    lam = sim.client("lambda")
    create(sim, "fn", zip_bytes=make_zip(sim={"payload": 1}))
    wait_active(sim, "fn")
    lam.publish_version(FunctionName="fn")
    lam.update_function_code(FunctionName="fn", ZipFile=make_zip(sim={"payload": 2}))
    wait_updated(sim, "fn")
    lam.publish_version(FunctionName="fn")
    lam.create_alias(
        FunctionName="fn",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}},
    )
    seen = Counter(_invoke(sim, "fn", "live")[:3:2] for _ in range(60))
    # Each executed version answers with its own code's payload.
    assert set(seen) == {("1", 1), ("2", 2)}
    assert 5 <= seen[("2", 2)] <= 35  # 30% of 60 with a wide margin; seeded, so stable
    lam.update_alias(
        FunctionName="fn", Name="live", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    assert {_invoke(sim, "fn", "live")[0] for _ in range(10)} == {"2"}


def test_invoke_while_pending_is_a_conflict(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory({"defaults": {"create_seconds": 3.0}})
    create(sim, "fn")
    with pytest.raises(ClientError) as exc:
        sim.client("lambda").invoke(FunctionName="fn")
    assert error_of(exc.value) == (
        409,
        "ResourceConflictException",
        "The operation cannot be performed at this time. "
        "The function is currently in the following state: Pending",
    )


def test_invoke_of_unknown_function_is_not_found(sim: Simulator) -> None:
    with pytest.raises(ClientError) as exc:
        sim.client("lambda").invoke(FunctionName="ghost")
    assert error_of(exc.value)[:2] == (404, "ResourceNotFoundException")


def test_inactive_function_reactivates_on_invoke(sim: Simulator) -> None:
    create(sim, "fn")
    wait_active(sim, "fn")
    sim.deactivate("fn")
    idle = config(sim, "fn")
    assert (idle["State"], idle["StateReasonCode"]) == ("Inactive", "Idle")
    assert idle["StateReason"] == "The function is currently idle."  # AWS's text
    lam = sim.client("lambda", config=NO_RETRIES)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="fn")
    status, code, message = error_of(exc.value)
    assert (status, code) == (409, "ResourceConflictException")
    assert message.endswith("in the following state: Inactive")
    waking = config(sim, "fn")
    assert (waking["State"], waking["StateReasonCode"]) == ("Pending", "Restoring")
    assert wait_active(sim, "fn")["State"] == "Active"
    assert _invoke(sim, "fn")[0] == "$LATEST"


def test_inactive_function_reactivates_on_update(sim: Simulator) -> None:
    create(sim, "fn")
    wait_active(sim, "fn")
    sim.deactivate("fn")
    updated = sim.client("lambda").update_function_configuration(FunctionName="fn", Timeout=12)
    assert (updated["State"], updated["LastUpdateStatus"]) == ("Pending", "InProgress")
    done = poll(lambda: config(sim, "fn"), lambda c: c["LastUpdateStatus"] != "InProgress")
    assert (done["State"], done["LastUpdateStatus"], done["Timeout"]) == ("Active", "Successful", 12)


def test_function_goes_idle_after_configured_seconds(lambda_sim_factory: object) -> None:
    sim = lambda_sim_factory(  # type: ignore[operator]
        {"defaults": {"create_seconds": 0.1}, "functions": [{"tag": "idle=yes", "idle_after_seconds": 0.2}]}
    )
    create(sim, "sleepy", Tags={"idle": "yes"})
    create(sim, "awake")
    wait_active(sim, "sleepy")
    idle = poll(lambda: config(sim, "sleepy"), lambda c: c["State"] == "Inactive")
    assert idle["StateReasonCode"] == "Idle"
    assert config(sim, "awake")["State"] == "Active"
    flips = [e for e in sim.events() if e["function"] == "sleepy" and e["field"] == "State"]
    assert flips[-1]["to"] == "Inactive"
    assert flips[-1]["at"] - flips[-2]["at"] == pytest.approx(0.2, abs=0.01)


def test_invoke_of_pending_version_is_a_conflict(lambda_sim_factory: Any) -> None:
    sim: Simulator = lambda_sim_factory({"defaults": {"create_seconds": 0.1, "publish_seconds": 0.6}})
    create(sim, "fn")
    wait_active(sim, "fn")
    sim.client("lambda").publish_version(FunctionName="fn")
    with pytest.raises(ClientError) as exc:
        sim.client("lambda").invoke(FunctionName="fn", Qualifier="1")
    assert error_of(exc.value)[:2] == (409, "ResourceConflictException")
    poll(lambda: config(sim, "fn", "1"), lambda c: c["State"] == "Active")
    assert _invoke(sim, "fn", "1")[0] == "1"


def test_inactive_vpc_function_answers_resource_not_ready(sim: Simulator) -> None:
    subnet = sim.client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]  # Lambda checks it exists
    create(sim, "vpc-fn", VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": ["sg-1"]})
    wait_active(sim, "vpc-fn")
    sim.deactivate("vpc-fn")
    with pytest.raises(ClientError) as exc:
        sim.client("lambda", config=NO_RETRIES).invoke(FunctionName="vpc-fn")
    assert error_of(exc.value)[:2] == (502, "ResourceNotReadyException")
    assert config(sim, "vpc-fn")["State"] == "Pending"
