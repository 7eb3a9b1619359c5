"""CodeDeploy hand-off: a create whose reply was lost is reconciled by reading, never assumed."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from lambdawait.aws.cd_handoff import _create_once, create_deployment
from tests.fakes import client_error

DESCRIPTION = "lambdawait run=abc123: live 1 -> 2"


def _retried(code: str) -> ClientError:
    exc = client_error(code, 400, "already")
    exc.response["ResponseMetadata"]["RetryAttempts"] = 1  # botocore retried after a lost reply
    return exc


class FakeCodeDeploy:
    """CreateDeployment lands, then fails as scripted; the deployments in flight can be read back."""

    def __init__(self, failure: Exception, in_flight: dict[str, str]) -> None:
        self.failure, self.in_flight, self.created = failure, in_flight, 0

    def create_deployment(self, **kwargs: Any) -> dict[str, Any]:
        self.created += 1
        raise self.failure

    def list_deployments(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["deploymentGroupName"] == "fn-live"
        return {"deployments": list(self.in_flight)}

    def batch_get_deployments(self, **kwargs: Any) -> dict[str, Any]:
        infos = [{"deploymentId": d, "description": self.in_flight[d]} for d in kwargs["deploymentIds"]]
        return {"deploymentsInfo": infos}


def _create(cd: FakeCodeDeploy) -> str:
    return create_deployment(cd, "app", "fn-live", "cfg", "{}", DESCRIPTION)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "failure",
    [_retried("DeploymentLimitExceededException"), ReadTimeoutError(endpoint_url="http://sim")],
    ids=["retry-meets-its-own-deployment", "read-timeout"],
)
def test_a_lost_create_deployment_reply_finds_our_deployment(failure: Exception) -> None:
    cd = FakeCodeDeploy(failure, {"d-OTHER": "someone else's", "d-OURS": DESCRIPTION})
    assert _create(cd) == "d-OURS"
    assert cd.created == 1  # read back, never created again


def test_without_our_deployment_in_flight_the_error_stands() -> None:
    cd = FakeCodeDeploy(_retried("DeploymentLimitExceededException"), {"d-OTHER": "someone else's"})
    with pytest.raises(ClientError):
        _create(cd)


def test_a_refusal_that_was_not_retried_is_not_reconciled() -> None:
    refused = client_error("DeploymentLimitExceededException", 400, "a deployment is in progress")
    cd = FakeCodeDeploy(refused, {"d-OURS": DESCRIPTION})
    with pytest.raises(ClientError):
        _create(cd)


def test_a_lost_create_reply_meeting_its_own_resource_is_ours_and_anyone_elses_is_not() -> None:
    def lost() -> None:
        raise _retried("DeploymentGroupAlreadyExistsException")

    _create_once(lost, "DeploymentGroupAlreadyExistsException")  # ours: no error

    def theirs() -> None:
        raise client_error("DeploymentGroupAlreadyExistsException", 400, "exists")

    with pytest.raises(ClientError):
        _create_once(theirs, "DeploymentGroupAlreadyExistsException")
