"""Ready means ready, end to end: the installed executable against the simulator over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import EXE, Run
from tests.e2e.shift_setup import QUICK, alias_state, two_versions
from tests.sim.helpers import read_exports

pytestmark = pytest.mark.timeout(60)


def _provisioned(sim: Simulator, **rule: Any) -> None:
    """QUICK timings, provisioned concurrency allocated in 0.2 s; `rule` applies to `app`."""
    defaults = {**QUICK["defaults"], "provisioned_seconds": 0.2}
    sim.set_scenario(Scenario.from_dict({"defaults": defaults, "functions": [{"match": "app", **rule}]}))


def _put(sim: Simulator, qualifier: str, amount: int = 2) -> None:
    sim.client("lambda").put_provisioned_concurrency_config(
        FunctionName="app", Qualifier=qualifier, ProvisionedConcurrentExecutions=amount
    )


def test_wait_for_provisioned_ready_failed_and_missing(sim: Simulator, cli_mixed: Callable[..., Run]) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    two_versions(sim)
    _provisioned(sim, provisioned_fail_on=[2])
    _put(sim, "live")
    ready = cli("wait", "app:live", "--for", "provisioned", "-o", "json")
    assert ready.code == 0, ready.stderr
    assert ready.json()["functions"][0]["outcome"] == "ready"

    _put(sim, "2", 1)  # the function's second allocation: the scenario fails it
    failed = cli("wait", "app:2", "--for", "provisioned")
    assert failed.code == 1, failed.stderr
    assert "FUNCTION_ERROR_INIT_FAILURE" in failed.stdout + failed.stderr
    assert "initialisation" in failed.stdout + failed.stderr  # the remediation

    missing = cli("wait", "app:1", "--for", "provisioned")
    assert missing.code == 2
    assert "app:1 has no provisioned concurrency config" in missing.stderr


def test_canary_waits_for_ready_at_each_step_and_status_shows_it(
    sim: Simulator, cli: Callable[..., Run]
) -> None:
    two_versions(sim)
    _provisioned(sim)
    _put(sim, "live")
    plan = cli("shift", "app", "--alias", "live", "--to-version", "2", "--strategy", "canary:10:1s", "--plan")
    assert "waits until it is READY again before the bake" in plan.stdout + plan.stderr
    run = cli("shift", "app", "--alias", "live", "--to-version", "2", "--strategy", "canary:10:1s")
    assert run.code == 0, run.stderr
    assert run.stderr.count("waiting for provisioned concurrency to be READY") == 2
    assert "each step waits for it to be READY" in run.stderr
    assert alias_state(sim) == ("2", {})
    # Every poll came after the alias change that started a reallocation, once a second.
    assert sim.calls()["GetProvisionedConcurrencyConfig"] >= 3

    status = cli("status", "app", "-o", "json").json()["functions"][0]
    assert status["provisionedConcurrency"] == [
        {"qualifier": "live", "requested": 2, "allocated": 2, "status": "READY", "statusReason": None}
    ]
    assert "provisioned live" in cli("status", "app").stdout


def test_canary_rolls_back_when_provisioned_concurrency_fails(
    sim: Simulator, cli: Callable[..., Run]
) -> None:
    two_versions(sim)
    _provisioned(sim, provisioned_fail_on=[2])  # the Put is the 1st allocation, the first step the 2nd
    _put(sim, "live")
    run = cli(
        "shift", "app", "--alias", "live", "--to-version", "2", "--strategy", "canary:10:1s", "-o", "json"
    )
    assert run.code == 5, run.stderr
    doc = run.json()
    assert doc["outcome"] == "gate-failed"
    assert "provisioned-concurrency" in run.stderr + run.stdout
    assert alias_state(sim) == ("1", {})


def test_deploy_snapstart_publish_waits_for_the_snapshot(
    sim: Simulator, cli: Callable[..., Run], app_dir: Any
) -> None:
    defaults = {**QUICK["defaults"], "snapstart_seconds": 0.3}
    sim.set_scenario(Scenario.from_dict({"defaults": defaults}))
    base = [
        "--dir",
        str(app_dir),
        "--runtime",
        "python3.12",
        "--handler",
        "app.handler",
        "--role",
        sim.role_arn(),
    ]
    run = cli("deploy", "snap", *base, "--snapstart", "--publish", "-o", "json")
    assert run.code == 0, run.stderr
    assert "Pending while Lambda runs its init and takes the SnapStart snapshot" in run.stderr
    version = run.json()["version"]
    config = sim.client("lambda").get_function_configuration(FunctionName="snap", Qualifier=version)
    assert config["State"] == "Active"  # the command returned only once the snapshot was taken
    assert config["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}

    sim.reset_calls()
    refused = cli("deploy", "snap", "--runtime", "nodejs20.x", "--snapstart")
    assert refused.code == 2
    assert "SnapStart does not support nodejs20.x" in refused.stderr
    assert sim.mutating_calls() == 0


def _push(sim: Simulator, tag: str, manifest: dict[str, Any]) -> str:
    """Push a manifest to the simulated ECR repository `app`; returns its digest."""
    ecr = sim.client("ecr")
    if not ecr.describe_repositories()["repositories"]:
        ecr.create_repository(repositoryName="app")
    pushed = ecr.put_image(
        repositoryName="app", imageManifest=json.dumps(manifest), imageTag=tag,
        imageManifestMediaType=manifest["mediaType"],
    )  # fmt: skip
    return str(pushed["image"]["imageId"]["imageDigest"])


def _manifest(layer: str) -> dict[str, Any]:
    return {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1469,
            "digest": layer,
        },
        # moto's ECR derives an image's digest from its layers: other layers, another digest.
        "layers": [
            {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 9, "digest": layer}
        ],
    }


def _index(*archs: str) -> dict[str, Any]:
    entries = [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + str(i) * 64,
         "size": 500, "platform": {"architecture": arch, "os": "linux" if arch != "unknown" else "unknown"}}
        for i, arch in enumerate(archs, start=1)
    ]  # fmt: skip
    return {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}


def test_image_tag_is_deployed_as_its_digest(sim: Simulator, cli_mixed: Callable[..., Run]) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    sim.set_scenario(Scenario.from_dict(QUICK))
    first = _push(sim, "v1", _manifest("sha256:" + "a" * 64))
    repo = f"{sim.client('sts').get_caller_identity()['Account']}.dkr.ecr.us-east-1.amazonaws.com/app"
    args = ("deploy", "img", "--image-uri", f"{repo}:v1", "--role", sim.role_arn(), "-o", "json")
    run = cli(*args)
    assert run.code == 0, run.stderr
    assert f"image {repo}:v1 is {repo}@{first}" in run.stderr
    got = sim.client("lambda").get_function(FunctionName="img")
    assert got["Code"]["ImageUri"] == f"{repo}@{first}"
    assert got["Configuration"]["CodeSha256"] == first.removeprefix("sha256:")

    assert cli(*args).json()["outcome"] == "unchanged"  # same tag, same digest: nothing to do
    second = _push(sim, "v1", _manifest("sha256:" + "b" * 64))  # the tag is pushed again
    again = cli(*args)
    assert again.json()["outcome"] == "updated", again.stderr
    assert sim.client("lambda").get_function(FunctionName="img")["Code"]["ImageUri"] == f"{repo}@{second}"

    sim.reset_calls()
    _push(sim, "arm", _index("arm64", "unknown"))
    refused = cli("deploy", "img", "--image-uri", f"{repo}:arm")
    assert refused.code == 2
    assert "built for arm64 but the function runs on x86_64" in refused.stderr
    assert "--platform linux/amd64" in refused.stderr
    assert sim.mutating_calls() == 0


MANAGED = """
[defaults]
create_seconds = 0.05
update_seconds = 0.05

[[functions]]
match = "mi"
capacity_provider = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:fleet"
instances_seconds = 0.3
"""


def test_managed_instances_function_deployed_and_published(tmp_path: Path, app_dir: Path) -> None:
    """Against `lambdawait sim serve --scenario FILE`: the scenario file puts `mi` on Managed Instances."""
    scenario = tmp_path / "managed.toml"
    scenario.write_text(MANAGED)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
    server = subprocess.Popen(
        [str(EXE), "sim", "serve", "--port", "0", "--scenario", str(scenario)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean,
    )  # fmt: skip
    try:
        env = {**clean, **read_exports(server, time.monotonic() + 30), "NO_COLOR": "1", "HOME": str(tmp_path)}

        def lw(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=60)

        role = "arn:aws:iam::123456789012:role/lambdawait-sim"
        base = ("--dir", str(app_dir), "--runtime", "python3.12", "--handler", "app.handler", "--role", role)
        run = lw("deploy", "mi", *base, "--publish", "-o", "json")
        assert run.returncode == 0, run.stderr
        assert "Pending while Lambda starts its Managed Instances" in run.stderr
        version = json.loads(run.stdout)["version"]
        published = json.loads(lw("status", f"mi:{version}", "-o", "json").stdout)["functions"][0]
        assert published["state"] == "Active"
        latest = lw("wait", "mi", "-o", "json")  # $LATEST of a Managed Instances function is ready as it is
        assert latest.returncode == 0, latest.stderr
        assert json.loads(latest.stdout)["functions"][0]["state"] == "ActiveNonInvocable"
        status = lw("status", "mi")
        assert "never invoked directly" in status.stdout
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
