"""Operations the simulator lacks answer a JSON AWS error; every reply carries a request id."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.sim import Simulator
from lambdawait.sim.app import HANDLERS
from lambdawait.sim.operations import moto_implements
from tests.sim.helpers import NO_RETRIES, error_of

pytestmark = pytest.mark.timeout(30)


def _request_id(headers: Any) -> str:
    value = str(headers["x-amzn-requestid"])
    assert uuid.UUID(value).version == 4, value
    return value


def test_an_unsupported_operation_is_an_aws_error_naming_it(lambda_sim: Simulator) -> None:
    lam = lambda_sim.client("lambda", config=NO_RETRIES)
    with pytest.raises(ClientError) as exc:
        lam.get_account_settings()
    assert error_of(exc.value) == (
        400,
        "UnsupportedOperationException",
        "lambdawait sim does not implement GetAccountSettings",
    )
    headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-errortype"] == "UnsupportedOperationException"
    assert headers["content-type"] == "application/json"
    with pytest.raises(ClientError) as exc:
        lam.put_runtime_management_config(FunctionName="fn", UpdateRuntimeOn="Auto")
    assert error_of(exc.value)[1] == "UnsupportedOperationException"
    assert lambda_sim.calls() == {"GetAccountSettings": 1, "PutRuntimeManagementConfig": 1}


def test_supported_means_a_simulator_handler_or_moto() -> None:
    assert {"CreateFunction", "UpdateAlias", "Invoke"} <= set(HANDLERS)
    # Passed through to moto, which implements them.
    assert all(moto_implements(op) for op in ("ListAliases", "GetAlias", "DeleteAlias", "GetPolicy"))
    assert not moto_implements("GetAccountSettings")


def test_a_path_that_is_no_lambda_operation_is_a_json_404(lambda_sim: Simulator) -> None:
    request = urllib.request.Request(
        lambda_sim.endpoint + "/2015-03-31/nothing-here",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/lambda/aws4_request, "
            "SignedHeaders=host, Signature=0"
        },
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(request, timeout=5)
    assert exc.value.code == 404
    assert exc.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    message = json.loads(exc.value.read())["message"]
    assert message == "No Lambda operation matches GET /2015-03-31/nothing-here"
    _request_id({"x-amzn-requestid": exc.value.headers["x-amzn-RequestId"]})


def test_every_reply_carries_its_own_uuid_request_id(lambda_sim_factory: Callable[[Any], Simulator]) -> None:
    sim = lambda_sim_factory({"quotas": {"control_plane_per_second": 0.2}})
    lam = sim.client("lambda", config=NO_RETRIES)
    ids = [_request_id(lam.list_functions()["ResponseMetadata"]["HTTPHeaders"])]  # moto's answer
    errors: list[Callable[[], Any]] = [
        lambda: lam.get_function(FunctionName="missing"),  # moto's error, reshaped
        lambda: lam.get_account_settings(),  # the simulator's own error
        lambda: lam.list_functions(),  # over the quota
    ]
    for call in errors:
        with pytest.raises(ClientError) as exc:
            call()
        ids.append(_request_id(exc.value.response["ResponseMetadata"]["HTTPHeaders"]))
        assert exc.value.response["ResponseMetadata"]["RequestId"] == ids[-1]
    sim.set_faults(lost_reply_calls={"GetFunction": [1]}, lost_reply_status=502)
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="missing")
    ids.append(_request_id(exc.value.response["ResponseMetadata"]["HTTPHeaders"]))
    with urllib.request.urlopen(sim.endpoint + "/_sim/health", timeout=5) as reply:
        ids.append(_request_id({"x-amzn-requestid": reply.headers["x-amzn-RequestId"]}))
    assert sim.throttled_calls() == {"ListFunctions": 1}
    assert len(set(ids)) == len(ids) == 6
