"""Fault injection, call counting and the /_sim/ control endpoints, over HTTP."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lambdawait.sim import Scenario, Simulator
from tests.sim.helpers import FAST, NO_RETRIES, config, create, error_of, wait_active

pytestmark = pytest.mark.timeout(30)


def _http(sim: Simulator, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(sim.endpoint + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_throttling_answers_429_with_retry_after(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(
        {"faults": {"throttle_rate": 1.0, "retry_after_seconds": 2, "operations": ["GetFunction"]}}
    )
    lam = sim.client("lambda", config=NO_RETRIES)
    lam.list_functions()  # not a listed operation: never faulted
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="anything")
    response = exc.value.response
    assert error_of(exc.value) == (429, "TooManyRequestsException", "Rate exceeded")
    assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "2"
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    assert response.get("retryAfterSeconds") == "2"
    assert sim.calls() == {"ListFunctions": 1, "GetFunction": 1}
    # Control endpoints are never faulted.
    assert _http(sim, "GET", "/_sim/health") == (200, {"status": "ok"})


def test_botocore_retries_injected_throttles(lambda_sim_factory: Any) -> None:
    # Seed 1 draws "throttle" for the first attempt and "pass" for the second.
    sim = lambda_sim_factory({"seed": 1, "faults": {"throttle_rate": 0.5, "retry_after_seconds": 0}})
    lam = sim.client("lambda", config=Config(retries={"total_max_attempts": 3, "mode": "standard"}))
    response = lam.list_functions()
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    _, body = _http(sim, "GET", "/_sim/calls")
    assert body["calls"] == {"ListFunctions": 2}  # the throttled attempt was counted too
    assert body["faulted"] == {"ListFunctions": 1}


def test_server_errors_answer_5xx(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory({"faults": {"error_rate": 1.0, "error_status": 502}})
    with pytest.raises(ClientError) as exc:
        sim.client("lambda", config=NO_RETRIES).list_functions()
    status, code, _ = error_of(exc.value)
    assert (status, code) == (502, "ServiceException")


def test_latency_is_added(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory({"faults": {"latency_ms": 150}})
    lam = sim.client("lambda")
    lam.list_functions()
    start = time.monotonic()
    lam.list_functions()
    assert time.monotonic() - start >= 0.15


def test_call_counting_and_reads_are_not_mutating(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(FAST)
    create(sim, "fn")
    wait_active(sim, "fn")
    lam = sim.client("lambda")
    assert sim.mutating_calls() == 1
    sim.reset_calls()
    lam.get_function(FunctionName="fn")
    lam.get_function_configuration(FunctionName="fn")
    lam.list_versions_by_function(FunctionName="fn")
    lam.list_aliases(FunctionName="fn")
    lam.list_tags(Resource="arn:aws:lambda:us-east-1:123456789012:function:fn")
    lam.invoke(FunctionName="fn")
    lam.get_waiter("function_active_v2").wait(FunctionName="fn")
    assert sim.mutating_calls() == 0
    assert sim.calls() == {
        "GetFunction": 2,
        "GetFunctionConfiguration": 1,
        "ListVersionsByFunction": 1,
        "ListAliases": 1,
        "ListTags": 1,
        "Invoke": 1,
    }
    lam.publish_version(FunctionName="fn")
    assert _http(sim, "GET", "/_sim/calls")[1]["mutating"] == 1
    assert _http(sim, "POST", "/_sim/reset-calls") == (200, {"status": "ok"})
    assert sim.calls() == {}
    # Other services share the port but are not Lambda calls.
    sim.client("cloudwatch").describe_alarms()
    assert sim.calls() == {}


def test_cloudwatch_alarms_and_iam_share_the_port(lambda_sim: Simulator) -> None:
    cw = lambda_sim.client("cloudwatch")
    cw.put_metric_alarm(
        AlarmName="errors",
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cw.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="test")
    alarms = cw.describe_alarms(AlarmNames=["errors"])["MetricAlarms"]
    assert alarms[0]["StateValue"] == "ALARM"
    role = lambda_sim.client("iam").get_role(RoleName="lambdawait-sim")["Role"]
    assert role["Arn"] == lambda_sim.role_arn() == "arn:aws:iam::123456789012:role/lambdawait-sim"
    assert lambda_sim.client("sts").get_caller_identity()["Account"] == "123456789012"


def test_control_endpoints(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(FAST)
    create(sim, "fn")
    wait_active(sim, "fn")
    status, body = _http(sim, "GET", "/_sim/events")
    assert status == 200
    assert [e["to"] for e in body["events"]] == ["Pending", "Active", "Successful"]
    assert _http(sim, "POST", "/_sim/functions/fn/deactivate") == (200, {"status": "ok"})
    assert config(sim, "fn")["State"] == "Inactive"
    assert _http(sim, "POST", "/_sim/functions/ghost/deactivate")[0] == 404
    assert _http(sim, "GET", "/_sim/nope")[0] == 404
    assert _http(sim, "POST", "/_sim/scenario", {"defaults": {"bogus": 1}})[0] == 400

    assert _http(sim, "POST", "/_sim/scenario", {"faults": {"throttle_rate": 1.0}}) == (200, {"status": "ok"})
    with pytest.raises(ClientError) as exc:
        sim.client("lambda", config=NO_RETRIES).list_functions()
    assert error_of(exc.value)[1] == "TooManyRequestsException"
    sim.set_scenario(Scenario())
    sim.client("lambda").list_functions()


def test_one_simulator_per_process(lambda_sim: Simulator) -> None:
    from lambdawait.sim import SimulatorBusyError

    with pytest.raises(SimulatorBusyError):
        Simulator().start()
    assert lambda_sim.env() == {
        "AWS_ENDPOINT_URL": lambda_sim.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def test_each_simulator_starts_empty(lambda_sim_factory: Any) -> None:
    first = lambda_sim_factory(FAST)
    create(first, "fn")
    second = lambda_sim_factory(FAST)  # stops the first
    assert second.client("lambda").list_functions()["Functions"] == []
    assert second.calls() == {"ListFunctions": 1}
