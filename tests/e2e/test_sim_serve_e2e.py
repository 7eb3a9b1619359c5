"""`lambdawait sim serve` as a subprocess, with lambdawait and the aws CLI as separate clients of it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import EXE
from tests.sim.helpers import read_exports

pytestmark = pytest.mark.timeout(90)

SCENARIO = """
[defaults]
create_seconds = 0.8
update_seconds = 0.5

[[functions]]
match = "doomed-*"
create_outcome = "failed"
create_reason_code = "InvalidSubnet"
create_reason = "The subnet ID 'subnet-0abc' does not exist."
"""


def test_sim_serve_with_lambdawait_and_aws_cli(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(SCENARIO)
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text("def handler(event, context):\n    return 1\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    server = subprocess.Popen(
        [str(EXE), "sim", "serve", "--port", "0", "--scenario", str(scenario)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean,
    )
    try:
        env = {**clean, **read_exports(server, time.monotonic() + 30), "NO_COLOR": "1", "HOME": str(tmp_path)}

        def lw(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=60)

        role = "arn:aws:iam::123456789012:role/lambdawait-sim"
        base = ("--dir", str(app), "--runtime", "python3.12", "--handler", "app.handler", "--role", role)
        created = lw("deploy", "orders", *base, "-o", "json")
        assert created.returncode == 0, created.stderr
        assert "Pending (Creating)" in created.stderr  # the served scenario's timings are in force
        doomed = lw("deploy", "doomed-1", *base)
        assert doomed.returncode == 1 and "InvalidSubnet" in doomed.stderr + doomed.stdout
        if shutil.which("aws"):
            listed = subprocess.run(
                ["aws", "lambda", "get-function", "--function-name", "orders"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert listed.returncode == 0, listed.stderr
            assert json.loads(listed.stdout)["Configuration"]["State"] == "Active"
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=15)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, err
