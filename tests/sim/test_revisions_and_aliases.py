"""RevisionId and CodeSha256 guards, publish idempotence, version states, alias rules."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.sim import Simulator
from tests.sim.helpers import config, create, error_of, make_zip, poll, wait_active, wait_updated

pytestmark = pytest.mark.timeout(30)

REVISION_MESSAGE = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


QUICK = {"defaults": {"create_seconds": 0.1, "update_seconds": 0.1}}


@pytest.fixture
def sim(lambda_sim_factory: object) -> Simulator:
    return lambda_sim_factory(QUICK)  # type: ignore[operator,no-any-return]


def _ready(sim: Simulator, name: str = "fn") -> dict[str, object]:
    create(sim, name)
    return wait_active(sim, name)


def _publish_two(sim: Simulator) -> None:
    """Versions 1 and 2 with different code."""
    lam = sim.client("lambda")
    _ready(sim)
    lam.publish_version(FunctionName="fn")
    lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"v2.py": "2"}))
    wait_updated(sim, "fn")
    assert lam.publish_version(FunctionName="fn")["Version"] == "2"


@pytest.mark.parametrize("operation", ["code", "config", "publish"])
def test_stale_revision_id_is_rejected_with_412(sim: Simulator, operation: str) -> None:
    lam = sim.client("lambda")
    stale = create(sim, "fn")["RevisionId"]
    current = wait_active(sim, "fn")["RevisionId"]
    calls = {
        "code": lambda rev: lam.update_function_code(
            FunctionName="fn", ZipFile=make_zip({"b.py": "b"}), RevisionId=rev
        ),
        "config": lambda rev: lam.update_function_configuration(FunctionName="fn", Timeout=8, RevisionId=rev),
        "publish": lambda rev: lam.publish_version(FunctionName="fn", RevisionId=rev),
    }
    with pytest.raises(ClientError) as exc:
        calls[operation](stale)
    assert error_of(exc.value) == (412, "PreconditionFailedException", REVISION_MESSAGE)
    calls[operation](current)  # the right revision goes through


def test_stale_alias_revision_is_rejected_and_alias_revision_rotates(sim: Simulator) -> None:
    lam = sim.client("lambda")
    _publish_two(sim)
    alias = lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    moved = lam.update_alias(
        FunctionName="fn", Name="live", FunctionVersion="2", RevisionId=alias["RevisionId"]
    )
    assert moved["RevisionId"] != alias["RevisionId"]
    assert lam.get_alias(FunctionName="fn", Name="live")["RevisionId"] == moved["RevisionId"]
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName="fn", Name="live", FunctionVersion="1", RevisionId=alias["RevisionId"])
    assert error_of(exc.value) == (412, "PreconditionFailedException", REVISION_MESSAGE)
    assert lam.get_alias(FunctionName="fn", Name="live")["FunctionVersion"] == "2"


def test_publish_with_wrong_code_sha_is_rejected(sim: Simulator) -> None:
    current = _ready(sim)["CodeSha256"]
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    with pytest.raises(ClientError) as exc:
        sim.client("lambda").publish_version(FunctionName="fn", CodeSha256=wrong)
    assert error_of(exc.value) == (
        400,
        "InvalidParameterValueException",
        f"CodeSHA256 ({wrong}) is different from current CodeSHA256 in $LATEST ({current}). "
        "Please try again with the CodeSHA256 in $LATEST.",
    )
    published = sim.client("lambda").publish_version(FunctionName="fn", CodeSha256=str(current))
    assert published["Version"] == "1"


def test_code_sha_is_base64_sha256_of_the_zip(sim: Simulator) -> None:
    data = make_zip({"z.py": "z"})
    created = create(sim, "fn", zip_bytes=data)
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_publish_returns_the_existing_version_when_nothing_changed(sim: Simulator) -> None:
    lam = sim.client("lambda")
    _ready(sim)
    first = lam.publish_version(FunctionName="fn")
    assert lam.publish_version(FunctionName="fn")["Version"] == first["Version"] == "1"
    # Re-uploading identical code is not a change either.
    same = lam.update_function_code(FunctionName="fn", ZipFile=make_zip())
    assert same["CodeSha256"] == first["CodeSha256"]
    wait_updated(sim, "fn")
    assert lam.publish_version(FunctionName="fn")["Version"] == "1"
    lam.update_function_configuration(FunctionName="fn", MemorySize=512)
    wait_updated(sim, "fn")
    assert lam.publish_version(FunctionName="fn")["Version"] == "2"


def test_published_version_pending_then_active(lambda_sim_factory: object) -> None:
    sim = lambda_sim_factory(  # type: ignore[operator]
        {"defaults": {"create_seconds": 0.1, "publish_seconds": 0.6}}
    )
    _ready(sim)
    lam = sim.client("lambda")
    published = lam.publish_version(FunctionName="fn")
    assert published["State"] == "Pending"
    assert config(sim, "fn", "1")["State"] == "Pending"
    listed = lam.list_versions_by_function(FunctionName="fn")["Versions"]
    assert {v["Version"]: v["State"] for v in listed} == {"$LATEST": "Active", "1": "Pending"}
    active = poll(lambda: config(sim, "fn", "1"), lambda c: c["State"] != "Pending")
    assert active["State"] == "Active"
    got = lam.get_function(FunctionName="fn", Qualifier="1")["Configuration"]
    assert (got["State"], got["Version"]) == ("Active", "1")


def test_publish_rotates_latest_revision_but_a_settling_version_keeps_its_own(
    lambda_sim_factory: object,
) -> None:
    sim = lambda_sim_factory(  # type: ignore[operator]
        {"defaults": {"create_seconds": 0.1, "publish_seconds": 0.3}}
    )
    before = _ready(sim)["RevisionId"]
    published = sim.client("lambda").publish_version(FunctionName="fn")
    assert published["State"] == "Pending"
    assert config(sim, "fn")["RevisionId"] not in (before, published["RevisionId"])
    active = poll(lambda: config(sim, "fn", "1"), lambda c: c["State"] != "Pending")
    assert (active["State"], active["RevisionId"]) == ("Active", published["RevisionId"])


def test_create_alias_changes_no_function_or_version_revision(sim: Simulator) -> None:
    lam = sim.client("lambda")
    _publish_two(sim)
    revisions = {q: config(sim, "fn", q)["RevisionId"] for q in ("$LATEST", "1", "2")}
    alias = lam.create_alias(
        FunctionName="fn",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    assert {q: config(sim, "fn", q)["RevisionId"] for q in revisions} == revisions
    assert alias["RevisionId"] not in revisions.values()


def test_alias_answers_have_aws_status_codes_and_shapes(sim: Simulator) -> None:
    lam = sim.client("lambda")
    _publish_two(sim)
    weights = {"AdditionalVersionWeights": {"2": 0.5}}
    created = lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1", RoutingConfig=weights)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    got = lam.get_alias(FunctionName="fn", Name="live")
    assert (got["ResponseMetadata"]["HTTPStatusCode"], got["RoutingConfig"]) == (200, weights)
    cleared = lam.update_alias(FunctionName="fn", Name="live", RoutingConfig={"AdditionalVersionWeights": {}})
    assert cleared["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "RoutingConfig" not in cleared
    assert "RoutingConfig" not in lam.get_alias(FunctionName="fn", Name="live")
    assert "RoutingConfig" not in lam.list_aliases(FunctionName="fn")["Aliases"][0]
    deleted = lam.delete_alias(FunctionName="fn", Name="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_update_of_a_missing_alias_says_alias_not_found(sim: Simulator) -> None:
    _ready(sim)
    with pytest.raises(ClientError) as exc:
        sim.client("lambda").update_alias(FunctionName="fn", Name="nope", FunctionVersion="1")
    assert error_of(exc.value) == (
        404,
        "ResourceNotFoundException",
        "Alias not found: arn:aws:lambda:us-east-1:123456789012:function:fn:nope",
    )


def test_published_version_can_fail(lambda_sim_factory: object) -> None:
    sim = lambda_sim_factory(  # type: ignore[operator]
        {
            "defaults": {"create_seconds": 0.1, "publish_seconds": 0.1},
            "functions": [
                {
                    "match": "snap*",
                    "publish_outcome": "failed",
                    "publish_reason_code": "FunctionError.InitTimeout",
                }
            ],
        }
    )
    _ready(sim, "snap")
    sim.client("lambda").publish_version(FunctionName="snap")
    failed = poll(lambda: config(sim, "snap", "1"), lambda c: c["State"] != "Pending")
    assert (failed["State"], failed["StateReasonCode"]) == ("Failed", "FunctionError.InitTimeout")
    assert config(sim, "snap")["State"] == "Active"


@pytest.mark.parametrize(
    ("primary", "weights", "status", "code", "fragment"),
    [
        ("1", {"2": 0.1, "3": 0.1}, 400, "InvalidParameterValueException", "cannot be greater than 1"),
        ("1", {"2": 1.5}, 400, "ValidationException", "less than or equal to 1.0"),
        ("1", {"$LATEST": 0.1}, 400, "ValidationException", "pattern: [0-9]+"),
        ("$LATEST", {"1": 0.1}, 400, "InvalidParameterValueException", "$LATEST is not supported"),
        ("1", {"1": 0.5}, 400, "InvalidParameterValueException", "already included in routing"),
        ("1", {"7": 0.5}, 404, "ResourceNotFoundException", "function:fn:7"),
    ],
)
def test_routing_config_is_validated(
    sim: Simulator, primary: str, weights: dict[str, float], status: int, code: str, fragment: str
) -> None:
    lam = sim.client("lambda")
    _publish_two(sim)
    alias = lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    routing: Any = {"AdditionalVersionWeights": weights}
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName="fn", Name="live", FunctionVersion=primary, RoutingConfig=routing)
    got_status, got_code, message = error_of(exc.value)
    assert (got_status, got_code) == (status, code)
    assert fragment in message
    with pytest.raises(ClientError):
        lam.create_alias(FunctionName="fn", Name="other", FunctionVersion=primary, RoutingConfig=routing)
    unchanged = lam.get_alias(FunctionName="fn", Name="live")
    assert unchanged["RevisionId"] == alias["RevisionId"]


def test_valid_routing_and_finishing_a_shift(sim: Simulator) -> None:
    lam = sim.client("lambda")
    _publish_two(sim)
    lam.create_alias(
        FunctionName="fn",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}},
    )
    shifted = lam.get_alias(FunctionName="fn", Name="live")
    assert shifted["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.25}
    done = lam.update_alias(
        FunctionName="fn",
        Name="live",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {}},
    )
    assert done["FunctionVersion"] == "2"
    assert not done.get("RoutingConfig", {}).get("AdditionalVersionWeights")


def test_alias_version_must_exist_and_name_must_not_be_all_digits(sim: Simulator) -> None:
    lam = sim.client("lambda")
    _ready(sim)
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="9")
    assert error_of(exc.value)[:2] == (404, "ResourceNotFoundException")
    lam.publish_version(FunctionName="fn")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="fn", Name="123", FunctionVersion="1")
    assert error_of(exc.value)[:2] == (400, "ValidationException")
    lam.create_alias(FunctionName="fn", Name="v123", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName="fn", Name="v123", FunctionVersion="4")
    assert error_of(exc.value)[:2] == (404, "ResourceNotFoundException")


def test_versions_published_with_create_or_update_follow_them(lambda_sim_factory: Any) -> None:
    sim: Simulator = lambda_sim_factory(
        {
            "defaults": {"create_seconds": 0.5, "update_seconds": 0.2, "publish_seconds": 0.1},
            "functions": [{"match": "*", "update_fail_on": [1]}],
        }
    )
    created = create(sim, "fn", Publish=True)
    assert (created["Version"], created["State"]) == ("1", "Pending")
    assert config(sim, "fn", "1")["State"] == "Pending"  # waits for $LATEST to be created
    assert poll(lambda: config(sim, "fn", "1"), lambda c: c["State"] != "Pending")["State"] == "Active"
    lam = sim.client("lambda")
    updated = lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"u.py": "u"}), Publish=True)
    assert (updated["Version"], updated["State"]) == ("2", "Pending")
    # The update fails, so the version published with it fails too.
    assert poll(lambda: config(sim, "fn", "2"), lambda c: c["State"] != "Pending")["State"] == "Failed"
    assert config(sim, "fn")["LastUpdateStatus"] == "Failed"
