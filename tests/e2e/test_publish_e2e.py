"""`lambdawait publish` as a subprocess against the simulator."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import Run

Cli = Callable[..., Run]


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def _ready(sim: Simulator, cli: Cli, name: str = "fn") -> str:
    sim.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=sim.role_arn(), Handler="app.handler",
        Code={"ZipFile": _zip()},
    )  # fmt: skip
    assert cli("wait", name).code == 0
    return str(sim.client("lambda").get_function_configuration(FunctionName=name)["CodeSha256"])


def _scenario(sim: Simulator, **defaults: object) -> None:
    sim.set_scenario(
        Scenario.from_dict({"defaults": {"create_seconds": 0.2, "update_seconds": 0.2, **defaults}})
    )


def test_publish_waits_for_update_then_version_is_active(sim: Simulator, cli_mixed: Cli) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    sha = _ready(sim, cli)
    _scenario(sim, update_seconds=4)  # still InProgress when the CLI has started, even on a loaded machine
    sim.client("lambda").update_function_configuration(FunctionName="fn", MemorySize=256)
    run = cli("publish", "fn", "--code-sha256", sha, "-o", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["version"] == "1" and doc["outcome"] == "published" and doc["codeSha256"] == sha
    assert "InProgress" in run.stderr  # it saw the update and waited for it
    version = sim.client("lambda").get_function_configuration(FunctionName="fn", Qualifier="1")
    assert version["State"] == "Active" and version["MemorySize"] == 256
    again = cli("publish", "fn", "-o", "json")
    assert again.code == 0 and again.json()["version"] == "1" and again.json()["outcome"] == "unchanged"


def test_code_sha_mismatch_exits_4_and_creates_no_version(sim: Simulator, cli: Cli) -> None:
    _ready(sim, cli)
    wrong = "A" * 43 + "="
    run = cli("publish", "fn", "--code-sha256", wrong, "-o", "json")
    assert run.code == 4
    doc = run.json()
    assert doc["error"]["code"] == "CodeSha256Mismatch" and wrong in doc["error"]["message"]
    assert run.stderr.startswith("error: refusing to publish fn") and run.stderr.count("\n") == 1
    versions = sim.client("lambda").list_versions_by_function(FunctionName="fn")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]


def test_failed_version_exits_1_with_reason_code(sim: Simulator, cli: Cli) -> None:
    _ready(sim, cli)
    _scenario(
        sim, publish_seconds=0.3, publish_outcome="failed", publish_reason_code="SnapStartTimeout",
        publish_reason="Snapshot timed out.",
    )  # fmt: skip
    run = cli("publish", "fn", "-o", "json")
    assert run.code == 1
    doc = run.json()
    assert doc["error"]["code"] == "SnapStartTimeout" and "Traceback" not in run.stderr


def test_snapstart_like_pending_version_is_waited_for(sim: Simulator, cli: Cli) -> None:
    _ready(sim, cli)
    _scenario(sim, publish_seconds=0.5)
    run = cli("publish", "fn", "--description", "release 1")
    assert run.code == 0, run.stderr
    assert "fn:1: State Pending" in run.stderr and "version: 1" in run.stdout
    version = sim.client("lambda").get_function_configuration(FunctionName="fn", Qualifier="1")
    assert version["State"] == "Active" and version["Description"] == "release 1"


def test_publish_of_missing_function_exits_4(sim: Simulator, cli: Cli) -> None:
    run = cli("publish", "nope", "-o", "json")
    assert run.code == 4 and run.json()["ok"] is False


def test_a_qualified_name_exits_2_without_publishing(sim: Simulator, cli: Cli) -> None:
    _ready(sim, cli)
    sim.reset_calls()
    run = cli("publish", "fn:1", "-o", "json")
    assert run.code == 2, run.stderr
    assert run.json()["error"]["message"] == "function 'fn:1' has a qualifier (:1)"
    assert run.stderr.count("\n") == 1 and "unqualified" in run.stderr
    assert sim.calls() == {} and sim.mutating_calls() == 0
