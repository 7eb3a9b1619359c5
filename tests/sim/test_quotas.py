"""The account's request quotas: token buckets per region, 429 CallerRateLimitExceeded over the rate."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.sim import Quotas, Scenario, ScenarioError, Simulator
from lambdawait.sim.quotas import QuotaGate, TokenBucket
from tests.sim.helpers import NO_RETRIES, create, error_of

pytestmark = pytest.mark.timeout(30)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _admitted(gate: QuotaGate, quotas: Quotas, operation: str, times: int, region: str = "us-east-1") -> int:
    return sum(gate.admit(quotas, region, operation) is None for _ in range(times))


def test_aws_numbers_are_the_default() -> None:
    assert Scenario().quotas == Quotas(
        enabled=True, control_plane_per_second=15, get_function_per_second=100, get_policy_per_second=15
    )


def test_control_plane_calls_share_fifteen_a_second() -> None:
    clock = FakeClock()
    gate = QuotaGate(clock)
    quotas = Quotas()
    # Every operation except invocations, GetFunction and GetPolicy draws from one bucket.
    assert _admitted(gate, quotas, "ListVersionsByFunction", 10) == 10
    assert _admitted(gate, quotas, "UpdateAlias", 5) == 5
    refused = gate.admit(quotas, "us-east-1", "GetFunctionConfiguration")
    assert refused is not None
    reply = refused.reply()
    assert reply.status == 429
    assert reply.header("x-amzn-ErrorType") == "TooManyRequestsException"
    assert reply.header("Retry-After") == "1"
    assert reply.data() == {"Type": "User", "message": "Rate exceeded", "Reason": "CallerRateLimitExceeded"}
    clock.now += 0.07  # a little over one token's worth of time (1/15 s)
    assert _admitted(gate, quotas, "PublishVersion", 2) == 1
    clock.now += 1.0
    assert _admitted(gate, quotas, "PublishVersion", 20) == 15  # the burst is the rate


def test_get_function_and_get_policy_have_their_own_buckets_and_invokes_none() -> None:
    gate = QuotaGate(FakeClock())
    quotas = Quotas()
    assert _admitted(gate, quotas, "ListFunctions", 20) == 15
    assert _admitted(gate, quotas, "GetFunction", 120) == 100
    assert _admitted(gate, quotas, "GetPolicy", 20) == 15
    assert _admitted(gate, quotas, "Invoke", 500) == 500
    assert _admitted(gate, quotas, "InvokeAsync", 500) == 500
    assert _admitted(gate, quotas, "ListFunctions", 5, region="eu-west-1") == 5  # per region


def test_quotas_can_be_changed_or_switched_off() -> None:
    gate = QuotaGate(FakeClock())
    assert _admitted(gate, Quotas(control_plane_per_second=3), "ListFunctions", 10) == 3
    assert _admitted(gate, Quotas(enabled=False), "ListFunctions", 100) == 100


def test_a_rate_below_one_a_second_still_admits_one_request_at_a_time() -> None:
    bucket = TokenBucket(rate=0.25, burst=1.0, now=0.0)
    assert bucket.take(0.0) == 0
    assert bucket.take(1.0) == pytest.approx(3.0)  # a quarter token refilled; three seconds to go
    assert bucket.take(4.0) == 0
    gate = QuotaGate(FakeClock())
    assert _admitted(gate, Quotas(control_plane_per_second=0.25), "ListFunctions", 3) == 1
    refused = gate.admit(Quotas(control_plane_per_second=0.25), "us-east-1", "ListFunctions")
    assert refused is not None and refused.reply().header("Retry-After") == "4"


def test_quota_keys_load_and_bad_ones_are_named() -> None:
    scenario = Scenario.from_dict({"quotas": {"control_plane_per_second": 5, "enabled": True}})
    assert scenario.quotas == Quotas(control_plane_per_second=5.0)
    assert Scenario.from_dict({"quotas": {"enabled": False}}).quotas.enabled is False
    for bad, fragment in [
        ({"enabled": "no"}, "quotas.enabled"),
        ({"get_function_per_second": 0}, "quotas.get_function_per_second must be"),
        ({"burst": 3}, "unknown key(s) in quotas: burst"),
    ]:
        with pytest.raises(ScenarioError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            Scenario.from_dict({"quotas": bad})


def test_over_the_rate_botocore_sees_aws_throttle_and_the_simulator_counts_it(
    lambda_sim_factory: Callable[[Any], Simulator],
) -> None:
    # One control-plane request every 5 s: the second call within a test is always over the rate.
    sim = lambda_sim_factory({"quotas": {"control_plane_per_second": 0.2}, "defaults": {"create_seconds": 0}})
    lam = sim.client("lambda", config=NO_RETRIES)
    create(sim, "fn")
    with pytest.raises(ClientError) as exc:
        lam.list_functions()
    assert error_of(exc.value) == (429, "TooManyRequestsException", "Rate exceeded")
    response = exc.value.response
    assert response["Reason"] == "CallerRateLimitExceeded"
    assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "5"
    # GetFunction has its own quota and invocations none: both go on.
    assert lam.get_function(FunctionName="fn")["Configuration"]["FunctionName"] == "fn"
    assert lam.invoke(FunctionName="fn")["StatusCode"] == 200
    assert sim.throttled_calls() == {"ListFunctions": 1}
    assert sim.faulted_calls() == {}  # quota 429s are counted apart from injected faults
    assert sim.calls() == {"CreateFunction": 1, "ListFunctions": 1, "GetFunction": 1, "Invoke": 1}
    with urllib.request.urlopen(sim.endpoint + "/_sim/calls", timeout=5) as reply:
        assert json.loads(reply.read())["throttled"] == {"ListFunctions": 1}
