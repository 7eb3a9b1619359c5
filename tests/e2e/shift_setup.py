"""Setting up shift/rollback e2e tests: a function with versions 1 and 2 and an alias on 1."""

from __future__ import annotations

import io
import json
import subprocess
import time
import zipfile
from collections.abc import Callable
from typing import IO, Any

from lambdawait.sim import Scenario, Simulator

ALARM = "errors-high"
# Creates and updates land in 50 ms: setting up versions must not dominate the suite's runtime.
QUICK: dict[str, Any] = {"defaults": {"create_seconds": 0.05, "update_seconds": 0.05, "publish_seconds": 0.0}}


def make_zip(text: str, sim: dict[str, Any] | None = None) -> bytes:
    """A zip with app.py (varying `text` changes the CodeSha256) and an optional lambdawait-sim.json."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("app.py", date_time=(2024, 1, 1, 0, 0, 0)),
            f"def handler(e, c):\n    return {text!r}\n",
        )
        if sim is not None:
            info = zipfile.ZipInfo("lambdawait-sim.json", date_time=(2024, 1, 1, 0, 0, 0))
            archive.writestr(info, json.dumps(sim))
    return buf.getvalue()


def _until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


def _ready(sim: Simulator, name: str) -> bool:
    cfg = sim.client("lambda").get_function_configuration(FunctionName=name)
    return cfg.get("State") == "Active" and cfg.get("LastUpdateStatus") == "Successful"


def publish_new(sim: Simulator, name: str, code: bytes, role: str | None = None) -> str:
    """Update $LATEST's code (and role), wait until it landed, publish; returns the version number."""
    lam = sim.client("lambda")
    lam.update_function_code(FunctionName=name, ZipFile=code)
    _until(lambda: _ready(sim, name))
    if role:
        lam.update_function_configuration(FunctionName=name, Role=role)
        _until(lambda: _ready(sim, name))
    return str(lam.publish_version(FunctionName=name)["Version"])


def two_versions(
    sim: Simulator,
    name: str = "app",
    *,
    alias: str | None = "live",
    v2_sim: dict[str, Any] | None = None,
    v2_role: str | None = None,
) -> None:
    """Function `name` with versions 1 and 2 (different code) and `alias` wholly on 1."""
    sim.set_scenario(Scenario.from_dict(QUICK))
    lam = sim.client("lambda")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=sim.role_arn(),
        Handler="app.handler",
        Code={"ZipFile": make_zip("v1")},
    )
    _until(lambda: _ready(sim, name))
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    assert publish_new(sim, name, make_zip("v2", v2_sim), v2_role) == "2"
    if alias:
        lam.create_alias(FunctionName=name, Name=alias, FunctionVersion="1")


def alias_state(sim: Simulator, name: str = "app", alias: str = "live") -> tuple[str, dict[str, float]]:
    """(primary version, additional weights) of the alias as the simulator holds it."""
    got = sim.client("lambda").get_alias(FunctionName=name, Name=alias)
    weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return str(got["FunctionVersion"]), dict(weights)


def make_alarm(sim: Simulator, name: str = ALARM) -> None:
    sim.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    sim.client("cloudwatch").set_alarm_state(AlarmName=name, StateValue="OK", StateReason="quiet")


def read_until(stream: IO[str], marker: str, timeout: float = 20.0) -> str:
    """Lines from a child's stderr until one contains `marker` (the child is then known to be there)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} never appeared on stderr:\n{''.join(seen)}")


def finish(proc: subprocess.Popen[str], timeout: float = 20.0) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err
