"""SnapStart in the simulator: a published version is Pending while its snapshot is taken."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sim.helpers import create, poll, wait_active

pytestmark = pytest.mark.timeout(30)

TIMES = {"create_seconds": 0.05, "update_seconds": 0.05, "snapstart_seconds": 0.3}


def _publish_with_snapstart(sim: Any, name: str) -> dict[str, Any]:
    create(sim, name, SnapStart={"ApplyOn": "PublishedVersions"})
    wait_active(sim, name)
    return sim.client("lambda").publish_version(FunctionName=name)  # type: ignore[no-any-return]


def _version(sim: Any, name: str, version: str) -> dict[str, Any]:
    return sim.client("lambda").get_function_configuration(FunctionName=name, Qualifier=version)  # type: ignore[no-any-return]


def test_snapstart_version_is_pending_then_active_with_optimization_on(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory({"defaults": TIMES})
    published = _publish_with_snapstart(sim, "snap")
    assert published["State"] == "Pending"
    assert published["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
    active = poll(lambda: _version(sim, "snap", published["Version"]), lambda c: c["State"] != "Pending")
    assert (active["State"], active["LastUpdateStatus"]) == ("Active", "Successful")


def test_snapstart_version_can_fail_with_an_init_error(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(
        {"defaults": {**TIMES, "snapstart_outcome": "failed", "snapstart_reason_code": "FunctionError"}}
    )
    published = _publish_with_snapstart(sim, "snap")
    failed = poll(lambda: _version(sim, "snap", published["Version"]), lambda c: c["State"] != "Pending")
    assert (failed["State"], failed["StateReasonCode"]) == ("Failed", "FunctionError")


def test_without_snapstart_a_version_is_active_at_once(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory({"defaults": TIMES})
    create(sim, "plain")
    wait_active(sim, "plain")
    assert sim.client("lambda").publish_version(FunctionName="plain")["State"] == "Active"
