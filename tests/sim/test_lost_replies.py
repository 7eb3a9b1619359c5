"""Lost replies: the call is carried out, then the client gets a closed connection or a 502."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from lambdawait.sim import Faults, Scenario, Simulator
from tests.sim.helpers import NO_RETRIES, config, create, error_of, make_zip, wait_active, wait_updated

pytestmark = pytest.mark.timeout(30)

# Quotas off: a quota 429 on a retry would add attempts to the counts asserted here.
QUICK = {"defaults": {"create_seconds": 0.1, "update_seconds": 0.1}, "quotas": {"enabled": False}}
RETRYING = Config(retries={"total_max_attempts": 3, "mode": "standard"})


@pytest.fixture
def sim(lambda_sim_factory: Callable[[Any], Simulator]) -> Simulator:
    sim = lambda_sim_factory(QUICK)
    lam = sim.client("lambda")
    create(sim, "fn", Publish=True)
    wait_active(sim, "fn")
    lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"v2.py": "2"}))
    wait_updated(sim, "fn")
    assert lam.publish_version(FunctionName="fn")["Version"] == "2"
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    sim.reset_calls()
    return sim


@pytest.mark.parametrize("status", [0, 502])
def test_a_lost_update_alias_was_applied_and_the_retry_meets_the_new_revision(
    sim: Simulator, status: int
) -> None:
    lam = sim.client("lambda", config=RETRYING)
    revision = lam.get_alias(FunctionName="fn", Name="live")["RevisionId"]
    sim.set_faults(lost_reply_calls={"UpdateAlias": [1]}, lost_reply_status=status)
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName="fn", Name="live", FunctionVersion="2", RevisionId=revision)
    # botocore resent the call it never heard back from; the first attempt had moved the alias.
    assert error_of(exc.value)[:2] == (412, "PreconditionFailedException")
    assert exc.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert lam.get_alias(FunctionName="fn", Name="live")["FunctionVersion"] == "2"
    assert sim.calls()["UpdateAlias"] == 2
    assert sim.lost_replies() == {"UpdateAlias": 1}


def test_without_retries_the_client_sees_the_connection_close(sim: Simulator) -> None:
    sim.set_faults(lost_reply_calls={"UpdateAlias": [1]})
    with pytest.raises(ConnectionClosedError):
        sim.client("lambda", config=NO_RETRIES).update_alias(
            FunctionName="fn", Name="live", FunctionVersion="2"
        )
    assert sim.client("lambda").get_alias(FunctionName="fn", Name="live")["FunctionVersion"] == "2"


def test_a_502_lost_reply_reads_as_a_gateway_error(sim: Simulator) -> None:
    sim.set_faults(lost_reply_calls={"UpdateAlias": [1]}, lost_reply_status=502)
    with pytest.raises(ClientError) as exc:
        sim.client("lambda", config=NO_RETRIES).update_alias(
            FunctionName="fn", Name="live", FunctionVersion="2"
        )
    assert error_of(exc.value)[:2] == (502, "502")
    assert sim.client("lambda").get_alias(FunctionName="fn", Name="live")["FunctionVersion"] == "2"


def _create_alias(lam: Any) -> Any:
    return lam.create_alias(FunctionName="fn", Name="beta", FunctionVersion="2")


def _update_code(lam: Any) -> Any:
    return lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"v3.py": "3"}))


def _publish(lam: Any) -> Any:
    return lam.publish_version(FunctionName="fn")


@pytest.mark.parametrize(
    ("operation", "call", "outcome"),
    [
        # The retry meets the alias the lost attempt created ("Alias already exists").
        ("CreateAlias", _create_alias, (409, "already exists")),
        # The lost attempt started an update; the retry finds it in progress.
        ("UpdateFunctionCode", _update_code, (409, "update is in progress")),
        # Nothing changed since the lost attempt published: AWS hands back that version.
        ("PublishVersion", _publish, None),
    ],
)
def test_other_lost_mutations_were_applied(
    sim: Simulator, operation: str, call: Callable[[Any], Any], outcome: tuple[int, str] | None
) -> None:
    lam = sim.client("lambda", config=RETRYING)
    if operation == "PublishVersion":
        _update_code(sim.client("lambda"))
        wait_updated(sim, "fn")
        sim.reset_calls()
    if operation == "UpdateFunctionCode":
        # The update the lost attempt started must outlast botocore's retry backoff, whatever the
        # botocore version and the machine's load: the retry is to meet it in progress.
        sim.set_scenario(Scenario.from_dict({**QUICK, "defaults": {"update_seconds": 5.0}}))
    sim.set_faults(lost_reply_calls={operation: [1]})
    if outcome is None:
        assert call(lam)["Version"] == "3"
    else:
        with pytest.raises(ClientError) as exc:
            call(lam)
        status, _code, message = error_of(exc.value)
        assert status == outcome[0] and outcome[1] in message
    assert sim.calls()[operation] == 2
    assert sim.lost_replies() == {operation: 1}
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="fn")["Versions"]]
    assert versions == ["$LATEST", "1", "2", *(["3"] if operation == "PublishVersion" else [])]
    if operation == "CreateAlias":
        assert lam.get_alias(FunctionName="fn", Name="beta")["FunctionVersion"] == "2"
    if operation == "UpdateFunctionCode":
        assert config(sim, "fn")["LastUpdateStatus"] == "InProgress"


def test_only_the_nth_call_loses_its_reply_counting_from_when_faults_were_set(sim: Simulator) -> None:
    lam = sim.client("lambda", config=NO_RETRIES)
    lam.update_alias(FunctionName="fn", Name="live", Description="before the faults")
    sim.set_faults(Faults(lost_reply_calls={"UpdateAlias": (2,)}))
    lam.update_alias(FunctionName="fn", Name="live", Description="first")
    lam.get_alias(FunctionName="fn", Name="live")  # other operations do not count
    with pytest.raises(ConnectionClosedError):
        lam.update_alias(FunctionName="fn", Name="live", Description="second")
    lam.update_alias(FunctionName="fn", Name="live", Description="third")
    assert sim.lost_replies() == {"UpdateAlias": 1}
    assert sim.calls()["UpdateAlias"] == 4


def test_a_throttled_attempt_is_not_an_executed_call(sim: Simulator) -> None:
    """Ordinals count calls carried out: an attempt refused with 429 changed nothing to lose."""
    lam = sim.client("lambda", config=NO_RETRIES)
    sim.set_faults(throttle_rate=1.0, operations=["UpdateAlias"], lost_reply_calls={"UpdateAlias": [1]})
    with pytest.raises(ClientError):
        lam.update_alias(FunctionName="fn", Name="live", Description="refused")
    assert sim.lost_replies() == {}


def _lost_pattern(sim: Simulator, seed_faults: dict[str, Any], calls: int) -> list[bool]:
    sim.set_faults(seed_faults)
    lam = sim.client("lambda", config=NO_RETRIES)
    lost = []
    for _ in range(calls):
        try:
            lam.list_functions()
            lam.get_function(FunctionName="fn")  # not in lost_reply_operations: always answered
            lost.append(False)
        except ConnectionClosedError:
            lost.append(True)
    return lost


def test_a_lost_reply_rate_is_seeded_and_limited_to_its_operations(
    lambda_sim_factory: Callable[[Any], Simulator],
) -> None:
    sim = lambda_sim_factory({**QUICK, "seed": 11})
    create(sim, "fn")
    faults = {"lost_reply_rate": 0.5, "lost_reply_operations": ["ListFunctions"]}
    first = _lost_pattern(sim, faults, 12)
    assert True in first and False in first
    assert _lost_pattern(sim, faults, 12) == first  # set_faults restarts the seeded sequence
    assert sim.lost_replies() == {"ListFunctions": 2 * first.count(True)}


def test_faults_are_set_through_the_control_endpoint(sim: Simulator) -> None:
    body = json.dumps({"lost_reply_calls": {"UpdateAlias": [1]}, "lost_reply_status": 502}).encode()
    request = urllib.request.Request(sim.endpoint + "/_sim/faults", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read()) == {"status": "ok"}
    with pytest.raises(ClientError):
        sim.client("lambda", config=NO_RETRIES).update_alias(FunctionName="fn", Name="live")
    with urllib.request.urlopen(sim.endpoint + "/_sim/calls", timeout=5) as response:
        counts = json.loads(response.read())
    assert counts["lost"] == {"UpdateAlias": 1}
    assert counts["calls"] == {"UpdateAlias": 1}
    bad = urllib.request.Request(sim.endpoint + "/_sim/faults", data=b'{"lost_reply_status": 500}')
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(bad, timeout=5)
    assert exc.value.code == 400
    assert "lost_reply_status" in json.loads(exc.value.read())["error"]
