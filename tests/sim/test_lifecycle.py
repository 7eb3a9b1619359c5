"""Function states over HTTP: Pending/Active/Failed, updates, restores, conflicts, events."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdawait.sim import Simulator
from tests.sim.helpers import FAST, config, create, error_of, make_zip, poll, wait_active

pytestmark = pytest.mark.timeout(30)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"
IN_PROGRESS = "The operation cannot be performed at this time. An update is in progress for resource: " + ARN
# AWS's text for a change to a function still being created (seen in public bug reports).
PENDING = (
    "The operation cannot be performed at this time. The resource "
    + ARN
    + " is currently in the following state: 'Pending'. StateReasonCode: 'Creating'"
)


# Windows a test only needs to observe (never waits out) are long, so a loaded machine
# cannot turn a "still Pending" check into a flake; waited-for ones stay short.
LONG_PENDING = {"defaults": {"create_seconds": 3.0}}
LONG_UPDATE = {"defaults": {"create_seconds": 0.1, "update_seconds": 3.0}}


@pytest.fixture
def sim(lambda_sim_factory: object) -> Simulator:
    return lambda_sim_factory(FAST)  # type: ignore[operator,no-any-return]


def test_create_answers_pending_then_becomes_active(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory({"defaults": {"create_seconds": 0.5}})
    created = create(sim, "fn")
    assert created["State"] == "Pending"
    assert created["StateReasonCode"] == "Creating"
    assert created["StateReason"] == "The function is being created."
    assert "LastUpdateStatus" not in created
    assert config(sim, "fn")["State"] == "Pending"

    active = wait_active(sim, "fn")
    assert active["LastUpdateStatus"] == "Successful"
    assert "StateReasonCode" not in active
    assert active["RevisionId"] != created["RevisionId"]


def test_create_can_fail_with_a_reason_code(lambda_sim_factory: object) -> None:
    sim = lambda_sim_factory(  # type: ignore[operator]
        {
            "defaults": {"create_seconds": 0.1},
            "functions": [
                {
                    "match": "broken-*",
                    "create_outcome": "failed",
                    "create_reason_code": "InvalidSubnet",
                    "create_reason": "Subnet subnet-1 does not exist.",
                }
            ],
        }
    )
    create(sim, "broken-1")
    failed = poll(lambda: config(sim, "broken-1"), lambda c: c["State"] != "Pending")
    assert failed["State"] == "Failed"
    assert failed["StateReasonCode"] == "InvalidSubnet"
    assert failed["StateReason"] == "Subnet subnet-1 does not exist."
    with pytest.raises(ClientError) as exc:
        sim.client("lambda").update_function_configuration(FunctionName="broken-1", Timeout=5)
    assert error_of(exc.value)[:2] == (409, "ResourceConflictException")


def test_update_goes_in_progress_then_successful(sim: Simulator) -> None:
    create(sim, "fn")
    before = wait_active(sim, "fn")
    lam = sim.client("lambda")
    # Typed as Any: AWS answers reason code "Creating" here, outside the model's enum.
    updated: Any = lam.update_function_configuration(FunctionName="fn", Timeout=9)
    assert updated["State"] == "Active"  # the function keeps serving during an update
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReasonCode"] == "Creating"
    assert updated["RevisionId"] != before["RevisionId"]

    done = poll(lambda: config(sim, "fn"), lambda c: c["LastUpdateStatus"] != "InProgress")
    assert done["LastUpdateStatus"] == "Successful"
    assert done["Timeout"] == 9
    assert "LastUpdateStatusReasonCode" not in done
    assert done["RevisionId"] != updated["RevisionId"]


def test_failed_update_restores_previous_code_and_configuration(
    lambda_sim_factory: object,
) -> None:
    sim = lambda_sim_factory(  # type: ignore[operator]
        {
            "defaults": {"create_seconds": 0.1, "update_seconds": 0.4},
            "functions": [
                {
                    "match": "*",
                    "update_fail_on": [2, 3],
                    "update_reason_code": "EniLimitExceeded",
                    "update_reason": "ENI limit reached",
                }
            ],
        }
    )
    create(sim, "fn", Environment={"Variables": {"A": "1"}})
    original = wait_active(sim, "fn")
    lam = sim.client("lambda")

    # Update 1 succeeds.
    lam.update_function_configuration(FunctionName="fn", MemorySize=256)
    first = poll(lambda: config(sim, "fn"), lambda c: c["LastUpdateStatus"] != "InProgress")
    assert (first["LastUpdateStatus"], first["MemorySize"]) == ("Successful", 256)

    # Update 2 (code) fails: CodeSha256 goes back.
    new_code = lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"x.py": "new"}))
    assert new_code["CodeSha256"] != original["CodeSha256"]
    failed = poll(lambda: config(sim, "fn"), lambda c: c["LastUpdateStatus"] != "InProgress")
    assert failed["LastUpdateStatus"] == "Failed"
    assert failed["LastUpdateStatusReasonCode"] == "EniLimitExceeded"
    assert failed["LastUpdateStatusReason"] == "ENI limit reached"
    assert failed["CodeSha256"] == original["CodeSha256"]

    # Update 3 (configuration) fails: the settings go back, the earlier success stays.
    lam.update_function_configuration(
        FunctionName="fn", MemorySize=1024, Environment={"Variables": {"A": "2"}}
    )
    assert config(sim, "fn")["MemorySize"] == 1024
    again = poll(lambda: config(sim, "fn"), lambda c: c["LastUpdateStatus"] != "InProgress")
    assert again["LastUpdateStatus"] == "Failed"
    assert again["MemorySize"] == 256
    assert again["Environment"]["Variables"] == {"A": "1"}

    # A failed update leaves the function updatable.
    lam.update_function_configuration(FunctionName="fn", Timeout=7)
    ok = poll(lambda: config(sim, "fn"), lambda c: c["LastUpdateStatus"] != "InProgress")
    assert (ok["LastUpdateStatus"], ok["Timeout"]) == ("Successful", 7)


@pytest.mark.parametrize("operation", ["code", "config", "publish", "tag"])
def test_conflict_while_update_in_progress(lambda_sim_factory: Any, operation: str) -> None:
    sim = lambda_sim_factory(LONG_UPDATE)
    create(sim, "fn")
    wait_active(sim, "fn")
    lam = sim.client("lambda")
    lam.update_function_configuration(FunctionName="fn", Timeout=5)
    with pytest.raises(ClientError) as exc:
        _mutate(sim, "fn", operation)
    assert error_of(exc.value) == (409, "ResourceConflictException", IN_PROGRESS.format("fn"))


@pytest.mark.parametrize("operation", ["code", "config", "publish", "tag"])
def test_conflict_while_pending(lambda_sim_factory: Any, operation: str) -> None:
    sim = lambda_sim_factory(LONG_PENDING)
    create(sim, "fn")
    with pytest.raises(ClientError) as exc:
        _mutate(sim, "fn", operation)
    assert error_of(exc.value) == (409, "ResourceConflictException", PENDING.format("fn"))


def _mutate(sim: Simulator, name: str, operation: str) -> None:
    lam = sim.client("lambda")
    if operation == "code":
        lam.update_function_code(FunctionName=name, ZipFile=make_zip({"a.py": "2"}))
    elif operation == "config":
        lam.update_function_configuration(FunctionName=name, Timeout=11)
    elif operation == "publish":
        lam.publish_version(FunctionName=name)
    else:
        lam.tag_resource(Resource=ARN.format(name), Tags={"k": "v"})


def test_conflict_error_wire_format(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(LONG_PENDING)
    create(sim, "fn")
    with pytest.raises(ClientError) as exc:
        sim.client("lambda").publish_version(FunctionName="fn")
    response = exc.value.response
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == ("ResourceConflictException")
    assert response.get("Type") == "User"  # modeled field of the exception shape


def test_last_modified_is_in_aws_format_and_set_by_every_update(sim: Simulator) -> None:
    lam = sim.client("lambda")
    stamps = [create(sim, "fn")["LastModified"]]
    wait_active(sim, "fn")  # each change below follows a settle: far apart at millisecond resolution
    for change in ({"Timeout": 9}, {"Description": "again"}):
        stamps.append(lam.update_function_configuration(FunctionName="fn", **change)["LastModified"])
        poll(lambda: config(sim, "fn"), lambda c: c["LastUpdateStatus"] == "Successful")
    stamps.append(
        lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"b.py": "b"}))["LastModified"]
    )
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", s) for s in stamps), stamps
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert config(sim, "fn")["LastModified"] == stamps[-1]


@pytest.mark.parametrize(
    ("arn", "status", "code", "message"),
    [
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:fn",
            404,
            "ResourceNotFoundException",
            "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
        ),
        (
            "arn:aws:lambda:us-east-1:210987654321:function:fn",
            403,
            "AccessDeniedException",
            "User: arn:aws:sts::123456789012:user/moto is not authorized to perform: lambda:GetFunction "
            "on resource: arn:aws:lambda:us-east-1:210987654321:function:fn because no resource-based "
            "policy allows the lambda:GetFunction action",
        ),
    ],
)
def test_arn_of_another_region_or_account_is_refused(
    sim: Simulator, arn: str, status: int, code: str, message: str
) -> None:
    create(sim, "fn")  # a function of that name exists here: the ARN must still not reach it
    with pytest.raises(ClientError) as exc:
        sim.client("lambda").get_function(FunctionName=arn)
    assert error_of(exc.value) == (status, code, message)


def test_tag_rotates_revision_and_is_counted_as_a_change(sim: Simulator) -> None:
    create(sim, "fn")
    before = wait_active(sim, "fn")
    sim.client("lambda").tag_resource(Resource=ARN.format("fn"), Tags={"team": "a"})
    after = config(sim, "fn")
    assert after["RevisionId"] != before["RevisionId"]


def test_events_record_each_transition_at_its_due_instant(sim: Simulator) -> None:
    start = time.time()
    create(sim, "fn")
    wait_active(sim, "fn")
    sim.client("lambda").update_function_configuration(FunctionName="fn", Timeout=4)
    poll(lambda: config(sim, "fn"), lambda c: c["LastUpdateStatus"] == "Successful")
    events = [e for e in sim.events() if e["function"] == "fn"]
    flips = [(e["field"], e["from"], e["to"]) for e in events]
    assert flips == [
        ("State", None, "Pending"),
        ("State", "Pending", "Active"),
        ("LastUpdateStatus", None, "Successful"),
        ("LastUpdateStatus", "Successful", "InProgress"),
        ("LastUpdateStatus", "InProgress", "Successful"),
    ]
    created_at, active_at = events[0]["at"], events[1]["at"]
    # The flip is stamped at its due instant (create + 0.2 s), not when someone looked.
    assert active_at - created_at == pytest.approx(0.2, abs=0.01)
    assert start <= created_at <= time.time()
    update_started, update_done = events[3]["at"], events[4]["at"]
    assert update_done - update_started == pytest.approx(0.2, abs=0.01)


def test_delete_function_forgets_state(sim: Simulator) -> None:
    create(sim, "fn")
    lam = sim.client("lambda")
    lam.delete_function(FunctionName="fn")
    recreated = create(sim, "fn")
    assert recreated["State"] == "Pending"
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="nope")
    assert error_of(exc.value)[:2] == (404, "ResourceNotFoundException")
