"""SnapStart: supported runtimes, pre-flight refusals, and the plan's SnapStart field."""

from __future__ import annotations

import pytest

from lambdawait.aws.publish import snapshotting
from lambdawait.core.errors import UsageError
from lambdawait.core.plan import config_request, plan_deploy
from lambdawait.core.preflight import check
from lambdawait.core.snapstart import supports
from lambdawait.core.spec import build_spec


@pytest.mark.parametrize(
    ("runtime", "ok"),
    [
        ("java11", True), ("java21", True), ("java8.al2", False), ("python3.12", True),
        ("python3.13", True), ("python3.11", False), ("dotnet8", True), ("dotnet6", False),
        ("nodejs22.x", False), ("provided.al2023", False), ("ruby3.3", False),
    ],
)  # fmt: skip
def test_supported_runtimes(runtime: str, ok: bool) -> None:
    assert supports(runtime) is ok


def test_preflight_refuses_snapstart_where_lambda_would() -> None:
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"
    with pytest.raises(UsageError, match="container images"):
        check(build_spec("fn", image_uri=image, snapstart=True), None, creating=False)
    with pytest.raises(UsageError, match=r"does not support python3\.11"):
        check(build_spec("fn", snapstart=True), None, current_runtime="python3.11", creating=False)
    with pytest.raises(UsageError, match="512 MB"):
        check(build_spec("fn", snapstart=True, ephemeral_storage="1024"), None, creating=False)
    check(build_spec("fn", snapstart=False), None, current_runtime="nodejs22.x", creating=False)


def _response(apply_on: str) -> dict[str, object]:
    config = {"FunctionName": "fn", "State": "Active", "LastUpdateStatus": "Successful"}
    return {"Configuration": {**config, "SnapStart": {"ApplyOn": apply_on, "OptimizationStatus": "Off"}}}


def test_plan_turns_snapstart_on_and_off_and_keeps_it_when_not_given() -> None:
    on = plan_deploy(build_spec("fn", snapstart=True), None, _response("None"))
    assert on.config_fields == ("snapstart",)
    assert config_request(build_spec("fn", snapstart=True), on.config_fields) == {
        "SnapStart": {"ApplyOn": "PublishedVersions"}
    }
    off = plan_deploy(build_spec("fn", snapstart=False), None, _response("PublishedVersions"))
    assert config_request(build_spec("fn", snapstart=False), off.config_fields) == {
        "SnapStart": {"ApplyOn": "None"}
    }
    assert (
        plan_deploy(build_spec("fn", snapstart=True), None, _response("PublishedVersions")).config_fields
        == ()
    )
    assert plan_deploy(build_spec("fn"), None, _response("PublishedVersions")).config_fields == ()


def test_a_pending_snapstart_version_is_a_snapshot_being_taken() -> None:
    assert snapshotting({"State": "Pending", "SnapStart": {"ApplyOn": "PublishedVersions"}})
    assert not snapshotting({"State": "Active", "SnapStart": {"ApplyOn": "PublishedVersions"}})
    assert not snapshotting({"State": "Pending", "SnapStart": {"ApplyOn": "None"}})
