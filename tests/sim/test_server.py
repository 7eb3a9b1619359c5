"""`serve` in a real subprocess, and the aws CLI as a second, independent client."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambdawait.sim import Simulator
from tests.sim.helpers import create, read_exports, wait_active

pytestmark = pytest.mark.timeout(60)

SERVE = (
    "import sys; from lambdawait.sim.server import serve; "
    "sys.exit(serve('127.0.0.1', 0, sys.argv[1] or None, sys.stdout))"
)


def test_serve_runs_until_sigterm_and_exits_zero(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text("[defaults]\ncreate_seconds = 0.1\n[faults]\nlatency_ms = 1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(scenario)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        exports = read_exports(proc, time.monotonic() + 20)
        assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        assert exports["AWS_ACCESS_KEY_ID"] == "testing"
        lam = boto3.client(
            "lambda",
            endpoint_url=exports["AWS_ENDPOINT_URL"],
            region_name=exports["AWS_REGION"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        assert lam.list_functions()["Functions"] == []
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "simulator stopped" in out


@pytest.mark.skipif(shutil.which("aws") is None, reason="the aws CLI is not installed")
def test_aws_cli_sees_the_simulated_state(lambda_sim_factory: Any) -> None:
    sim: Simulator = lambda_sim_factory({"defaults": {"create_seconds": 0.1}})
    create(sim, "cli-fn")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(sim.env())
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

    def get_function() -> dict[str, Any]:
        done = subprocess.run(
            ["aws", "lambda", "get-function", "--function-name", "cli-fn", "--endpoint-url", sim.endpoint],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    wait_active(sim, "cli-fn")
    configuration = get_function()["Configuration"]
    assert (configuration["State"], configuration["LastUpdateStatus"]) == ("Active", "Successful")
    assert sim.calls()["GetFunction"] == 1  # the CLI call reached the simulator
    # An operation the simulator lacks is an AWS error naming it, not an HTML page ("404").
    unsupported = subprocess.run(
        ["aws", "lambda", "get-account-settings", "--endpoint-url", sim.endpoint],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert unsupported.returncode != 0
    assert (
        "An error occurred (UnsupportedOperationException) when calling the GetAccountSettings "
        "operation: lambdawait sim does not implement GetAccountSettings"
    ) in unsupported.stderr
