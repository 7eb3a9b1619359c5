"""IAM propagation: a role younger than `role_propagation_seconds` cannot be assumed by Lambda."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.aws.propagation import is_role_propagation_error, retry_while_role_propagates
from lambdawait.sim import Scenario, ScenarioError, Simulator
from lambdawait.sim.roles import ROLE_NOT_ASSUMABLE, check_assumable
from lambdawait.sim.wire import SimError
from tests.sim.helpers import NO_RETRIES, create, error_of, make_zip, wait_active

pytestmark = pytest.mark.timeout(30)

T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _check(operation: str, body: dict[str, Any], seconds: float, age: float) -> None:
    check_assumable(
        operation,
        json.dumps(body).encode(),
        seconds,
        created=lambda arn: T0,
        now=lambda: T0 + datetime.timedelta(seconds=age),
    )


def test_a_role_is_refused_until_it_is_old_enough() -> None:
    role = {"Role": "arn:aws:iam::123456789012:role/fresh"}
    with pytest.raises(SimError) as exc:
        _check("CreateFunction", role, seconds=10, age=9.5)
    assert (exc.value.status, exc.value.code, exc.value.message) == (
        400,
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    )
    with pytest.raises(SimError):
        _check("UpdateFunctionConfiguration", role, seconds=10, age=0)
    _check("CreateFunction", role, seconds=10, age=10)  # propagated
    _check("CreateFunction", role, seconds=0, age=0)  # propagation off (the default)
    _check("UpdateFunctionConfiguration", {"Timeout": 3}, seconds=10, age=0)  # no role given
    _check("UpdateFunctionCode", role, seconds=10, age=0)  # hands Lambda no role


def test_the_key_loads_and_is_validated() -> None:
    assert Scenario().role_propagation_seconds == 0
    assert Scenario.from_dict({"role_propagation_seconds": 8}).role_propagation_seconds == 8.0
    with pytest.raises(ScenarioError, match="role_propagation_seconds"):
        Scenario.from_dict({"role_propagation_seconds": -1})


def _create_role(sim: Simulator, name: str) -> str:
    arn: str = sim.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    return arn


def test_a_new_role_is_refused_through_botocore_then_accepted(
    lambda_sim_factory: Callable[[Any], Simulator],
) -> None:
    # 1.5 s: the update and the first create must both come inside the window, on a loaded machine
    # too (0.4 s was sometimes over before the first create, which then had nothing to retry).
    sim = lambda_sim_factory({"role_propagation_seconds": 1.5, "defaults": {"create_seconds": 0.1}})
    lam = sim.client("lambda", config=NO_RETRIES)
    create(sim, "old-role")  # the simulator's own role stands for one created long ago
    wait_active(sim, "old-role")
    started = time.monotonic()
    role = _create_role(sim, "brand-new")
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="old-role", Role=role)
    assert error_of(exc.value) == (400, "InvalidParameterValueException", ROLE_NOT_ASSUMABLE)

    def create_with_new_role() -> Any:
        return lam.create_function(
            FunctionName="new-role",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": make_zip()},
        )

    refusals: list[float] = []
    created = retry_while_role_propagates(
        create_with_new_role, budget_seconds=10, sleep=lambda s: time.sleep(0.05), on_retry=refusals.append
    )
    assert created["Role"] == role
    assert refusals, "the first attempts should have been refused"
    assert time.monotonic() - started >= 1.5
    assert sim.calls()["CreateFunction"] == 2 + len(refusals)


def test_the_refusal_is_what_lambdawait_recognises(lambda_sim_factory: Callable[[Any], Simulator]) -> None:
    sim = lambda_sim_factory({"role_propagation_seconds": 60})
    role = _create_role(sim, "fresh")
    with pytest.raises(ClientError) as exc:
        sim.client("lambda", config=NO_RETRIES).create_function(
            FunctionName="fn", Runtime="python3.12", Role=role, Handler="h.h", Code={"ZipFile": make_zip()}
        )
    assert is_role_propagation_error(exc.value)
