"""The set release against the simulator in-process: one schedule, restore-all, created aliases removed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from lambdawait.app.fleet import each
from lambdawait.aws.gates import Gates, GateSpec
from lambdawait.aws.release_set import NOT_OURS, RESTORED, Move, SetRelease
from lambdawait.core.budget import Budget, install
from lambdawait.core.clock import SystemClock
from lambdawait.core.errors import InterruptedError_, RolledBackError
from lambdawait.core.strategy import Step
from lambdawait.sim import Simulator


def package(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", text)
    return buf.getvalue()


@pytest.fixture
def sim(lambda_sim_factory: Callable[[Any], Simulator]) -> Simulator:
    """a and b: alias live on version 1, version 2 published; n: version 1, no alias."""
    sim = lambda_sim_factory({"defaults": {"create_seconds": 0, "update_seconds": 0, "publish_seconds": 0}})
    client = sim.client("lambda")
    for name in ("a", "b", "n"):
        client.create_function(
            FunctionName=name, Runtime="python3.12", Handler="app.h", Role=sim.role_arn(),
            Code={"ZipFile": package("x = 1")},
        )  # fmt: skip
        client.publish_version(FunctionName=name)
        if name != "n":
            client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
            client.update_function_code(FunctionName=name, ZipFile=package("x = 2"))
            client.publish_version(FunctionName=name)
    return sim


def release(sim: Simulator, check: str | None, **kwargs: Any) -> tuple[SetRelease, list[Move]]:
    client = sim.client("lambda", region_name=sim.region)  # its own client: the budget hooks stay on it
    budget = Budget.create(rate=100.0)
    install(client, budget)
    gates = Gates(GateSpec(check_command=check), lambda_client=client, cloudwatch=lambda: None)  # type: ignore[arg-type,return-value]
    moves = [Move("a", "live", "2", gates), Move("b", "live", "2", gates), Move("n", "live", "1", gates)]
    engine = SetRelease(client, budget, SystemClock(), each=each, on_event=lambda m, t: None, **kwargs)
    return engine, moves


def alias(sim: Simulator, name: str) -> tuple[str, dict[str, float]] | None:
    client = sim.client("lambda")
    try:
        found = client.get_alias(FunctionName=name, Name="live")
    except client.exceptions.ResourceNotFoundException:
        return None
    return found["FunctionVersion"], (found.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}


def test_every_alias_moves_on_one_schedule(sim: Simulator) -> None:
    engine, moves = release(sim, None)
    engine.run(moves, (Step(0.25, 0, 0), Step(1.0, 0, 0)))
    assert [m.applied for m in moves] == [[0.25, 1.0], [0.25, 1.0], [1.0]]  # a new alias: the end only
    assert alias(sim, "a") == ("2", {}) and alias(sim, "n") == ("1", {})


def test_a_gate_restores_every_alias_and_removes_the_ones_it_created(sim: Simulator) -> None:
    engine, moves = release(sim, "exit 3")
    with pytest.raises(RolledBackError, match="3 aliases restored"):
        engine.run(moves, (Step(1.0, 0, 0),))
    assert alias(sim, "a") == ("1", {}) and alias(sim, "b") == ("1", {})
    assert alias(sim, "n") is None
    assert {m.outcome for m in moves} == {RESTORED}


def test_an_alias_someone_else_changed_is_left_as_they_set_it(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, moves = release(sim, None)

    def meddle(active: Sequence[Move], step: Step) -> None:
        sim.client("lambda").update_alias(
            FunctionName="b", Name="live", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}}
        )
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "_bake", meddle)
    with pytest.raises(InterruptedError_, match="1 alias restored; 1 changed by someone else"):
        engine.run(moves, (Step(0.5, 0, 0), Step(1.0, 0, 0)))
    assert alias(sim, "a") == ("1", {}) and alias(sim, "b") == ("2", {})  # b: as they set it
    assert [m.outcome for m in moves] == [RESTORED, NOT_OURS, "pending"]


def test_on_interrupt_keep_leaves_every_alias_where_the_signal_found_it(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, moves = release(sim, None, keep_on_interrupt=True)

    def interrupted(active: Sequence[Move], step: Step) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "_bake", interrupted)
    with pytest.raises(InterruptedError_, match="on_interrupt = keep"):
        engine.run(moves, (Step(0.5, 0, 0), Step(1.0, 0, 0)))
    assert alias(sim, "a") == ("1", {"2": 0.5}) and alias(sim, "b") == ("1", {"2": 0.5})
