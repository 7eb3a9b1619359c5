"""`lambdawait sim serve` as a subprocess, with lambdawait and the aws CLI as separate clients of it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.e2e.conftest import EXE
from tests.sim.helpers import make_zip, read_exports

pytestmark = pytest.mark.timeout(90)

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)

SCENARIO = """
role_propagation_seconds = 8  # outlasts a loaded CI machine's CLI start-up

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
        # A role created just now: Lambda refuses it until IAM has propagated it; deploy waits.
        iam = boto3.client(
            "iam",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=env["AWS_REGION"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        fresh = iam.create_role(RoleName="fresh", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        creates = _counts(env["AWS_ENDPOINT_URL"])["calls"]["CreateFunction"]
        propagating = lw("deploy", "new-role", *base[:-1], fresh)
        assert propagating.returncode == 0, propagating.stderr
        # At least one refusal, then the create that went through.
        assert _counts(env["AWS_ENDPOINT_URL"])["calls"]["CreateFunction"] >= creates + 2
        # The aws CLI (v1 or v2) is not a dev dependency: awscli pins botocore to one release,
        # which the lowest-versions CI leg pins to its floor. Without it the test says so below.
        aws_cli = shutil.which("aws", path=env.get("PATH"))
        if aws_cli is not None:
            listed = subprocess.run(
                [aws_cli, "lambda", "get-function", "--function-name", "orders"],
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
    if aws_cli is None:
        pytest.skip("the aws CLI is not on PATH: the simulator was not checked against it (lambdawait was)")


def _post(endpoint: str, path: str, payload: object) -> None:
    request = urllib.request.Request(endpoint + path, data=json.dumps(payload).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert json.loads(reply.read()) == {"status": "ok"}


def _counts(endpoint: str) -> dict[str, Any]:
    with urllib.request.urlopen(endpoint + "/_sim/calls", timeout=10) as reply:
        counts: dict[str, Any] = json.loads(reply.read())
        return counts


def test_lambdawait_meets_quotas_pages_and_lost_replies_of_a_served_simulator(tmp_path: Path) -> None:
    """One served simulator, three behaviours lambdawait has to get right against real AWS."""
    scenario = tmp_path / "scenario.toml"
    scenario.write_text("[defaults]\ncreate_seconds = 0\nupdate_seconds = 0\n[quotas]\nenabled = false\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    server = subprocess.Popen(
        [str(EXE), "sim", "serve", "--port", "0", "--scenario", str(scenario)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean,
    )
    try:
        exports = read_exports(server, time.monotonic() + 30)
        endpoint = exports["AWS_ENDPOINT_URL"]
        env = {**clean, **exports, "NO_COLOR": "1", "HOME": str(tmp_path)}
        lam = boto3.client(
            "lambda",
            endpoint_url=endpoint,
            region_name=exports["AWS_REGION"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        # 55 versions: the newest are on the second page of ListVersionsByFunction.
        lam.create_function(
            FunctionName="fn",
            Runtime="python3.12",
            Role="arn:aws:iam::123456789012:role/lambdawait-sim",
            Handler="app.handler",
            Code={"ZipFile": make_zip({"v.py": "1"})},
            Publish=True,
        )
        for n in range(2, 56):
            lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"v.py": str(n)}), Publish=True)
        lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"v.py": "56"}))

        def lw(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=60)

        # A tight quota (2 control-plane requests a second) and PublishVersion's first reply lost.
        _post(endpoint, "/_sim/scenario", {"quotas": {"control_plane_per_second": 2}})
        _post(endpoint, "/_sim/faults", {"lost_reply_calls": {"PublishVersion": [1]}})
        _post(endpoint, "/_sim/reset-calls", {})
        published = lw("publish", "fn", "-o", "json")
        assert published.returncode == 0, published.stderr
        assert json.loads(published.stdout)["version"] == "56"
        status = lw("status", "fn", "-o", "json")
        assert status.returncode == 0, status.stderr
        versions = [v["version"] for v in json.loads(status.stdout)["functions"][0]["versions"]]
        assert versions == ["52", "53", "54", "55", "56"]
        counts = _counts(endpoint)
        assert counts["lost"] == {"PublishVersion": 1}
        assert sum(counts["throttled"].values()) > 0, counts  # the quota was met, and absorbed
        assert counts["calls"]["ListVersionsByFunction"] >= 2 * 2  # each listing read two pages
        # The lost publish was carried out once: exactly one new version.
        all_versions = lam.get_paginator("list_versions_by_function").paginate(FunctionName="fn")
        assert [v["Version"] for page in all_versions for v in page["Versions"]][-2:] == ["55", "56"]
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=15)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, err
