"""Conformance: botocore's own Lambda waiters see exactly the simulated transitions."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import WaiterError

from lambdawait.sim import Simulator
from tests.sim.helpers import create, make_zip, wait_active

pytestmark = pytest.mark.timeout(30)

FAST_WAIT: Any = {"Delay": 0.05, "MaxAttempts": 100}  # botocore sleeps a float Delay as given
SCENARIO = {
    "defaults": {"create_seconds": 0.4, "update_seconds": 0.4, "publish_seconds": 0.4},
    "functions": [
        {
            "match": "bad-*",
            "create_outcome": "failed",
            "create_reason_code": "InvalidSubnet",
        },
        {"match": "upd-*", "update_outcome": "failed", "update_reason_code": "InvalidConfiguration"},
        {"match": "snap-*", "publish_outcome": "failed", "publish_reason_code": "FunctionError.InitTimeout"},
    ],
}


@pytest.fixture
def sim(lambda_sim_factory: Any) -> Simulator:
    sim: Simulator = lambda_sim_factory(SCENARIO)
    return sim


def _flip_at(sim: Simulator, name: str, qualifier: str, to: str) -> float:
    key = (name, qualifier, to)
    return float(next(e["at"] for e in sim.events() if (e["function"], e["qualifier"], e["to"]) == key))


def test_function_active_v2_succeeds_after_pending(sim: Simulator) -> None:
    create(sim, "ok-1")
    sim.client("lambda").get_waiter("function_active_v2").wait(FunctionName="ok-1", WaiterConfig=FAST_WAIT)
    done = time.time()
    active_at = _flip_at(sim, "ok-1", "$LATEST", "Active")
    assert active_at <= done < active_at + 1.0
    assert sim.calls()["GetFunction"] >= 2  # it really saw Pending first


def test_function_active_v2_fails_on_failed(sim: Simulator) -> None:
    create(sim, "bad-1")
    with pytest.raises(WaiterError) as exc:
        sim.client("lambda").get_waiter("function_active_v2").wait(
            FunctionName="bad-1", WaiterConfig=FAST_WAIT
        )
    assert "terminal failure" in str(exc.value)
    assert _last(exc.value)["Configuration"]["StateReasonCode"] == "InvalidSubnet"


def test_function_updated_v2_succeeds_after_in_progress(sim: Simulator) -> None:
    create(sim, "ok-2")
    wait_active(sim, "ok-2")
    lam = sim.client("lambda")
    lam.update_function_code(FunctionName="ok-2", ZipFile=make_zip({"n.py": "n"}))
    sim.reset_calls()
    lam.get_waiter("function_updated_v2").wait(FunctionName="ok-2", WaiterConfig=FAST_WAIT)
    assert lam.get_function(FunctionName="ok-2")["Configuration"]["LastUpdateStatus"] == "Successful"
    assert sim.calls()["GetFunction"] >= 2  # at least one InProgress answer before success


def test_function_updated_v2_fails_on_failed_update(sim: Simulator) -> None:
    create(sim, "upd-1")
    wait_active(sim, "upd-1")
    lam = sim.client("lambda")
    lam.update_function_configuration(FunctionName="upd-1", Timeout=30)
    with pytest.raises(WaiterError) as exc:
        lam.get_waiter("function_updated_v2").wait(FunctionName="upd-1", WaiterConfig=FAST_WAIT)
    assert "terminal failure" in str(exc.value)
    configuration = _last(exc.value)["Configuration"]
    assert configuration["LastUpdateStatusReasonCode"] == "InvalidConfiguration"
    assert configuration["Timeout"] == 3  # the failed update was rolled back


def test_published_version_active_succeeds_after_pending(sim: Simulator) -> None:
    create(sim, "ok-3")
    wait_active(sim, "ok-3")
    lam = sim.client("lambda")
    version = lam.publish_version(FunctionName="ok-3")["Version"]
    lam.get_waiter("published_version_active").wait(
        FunctionName="ok-3", Qualifier=version, WaiterConfig=FAST_WAIT
    )
    assert _flip_at(sim, "ok-3", version, "Active") <= time.time()
    assert sim.calls()["GetFunctionConfiguration"] >= 2


def test_published_version_active_fails_on_failed_version(sim: Simulator) -> None:
    create(sim, "snap-1")
    wait_active(sim, "snap-1")
    lam = sim.client("lambda")
    version = lam.publish_version(FunctionName="snap-1")["Version"]
    with pytest.raises(WaiterError) as exc:
        lam.get_waiter("published_version_active").wait(
            FunctionName="snap-1", Qualifier=version, WaiterConfig=FAST_WAIT
        )
    assert "terminal failure" in str(exc.value)
    assert _last(exc.value)["StateReasonCode"] == "FunctionError.InitTimeout"


def _last(error: WaiterError) -> Any:
    return error.last_response
