"""Every command's JSON output validates against schema/result.schema.json; CI reporting; no secrets."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import EXE, Run, base_env
from tests.e2e.shift_setup import alias_state, two_versions

SCHEMA = json.loads((Path(__file__).parents[2] / "schema" / "result.schema.json").read_text())
SECRET = "planted-secret-Zx81"


def valid(run: Run, exit_code: int) -> dict:
    assert run.code == exit_code, (run.args, run.stdout[-2000:], run.stderr[-2000:])
    doc = json.loads(run.stdout)  # exactly one JSON document
    jsonschema.validate(doc, SCHEMA)
    assert doc["exitCode"] == exit_code
    assert SECRET not in run.stdout + run.stderr
    return doc


@pytest.fixture
def scenario(sim: Simulator) -> Simulator:
    sim.set_scenario(
        Scenario.from_dict(
            {
                "defaults": {"create_seconds": 0.2, "update_seconds": 0.2},
                "functions": [
                    {"match": "broken*", "create_outcome": "failed", "create_reason_code": "InvalidSubnet"},
                    {"match": "slow*", "create_seconds": 30},
                ],
            }
        )
    )
    return sim


def test_every_command_matches_the_schema(
    scenario: Simulator, cli_mixed: Callable[..., Run], app_dir: Path, tmp_path: Path
) -> None:
    sim, cli = scenario, cli_mixed  # each command's first run is the installed executable
    role = sim.role_arn()
    env_file = tmp_path / "prod.env"
    env_file.write_text(f"DB_PASSWORD={SECRET}\n")
    base = ("--dir", str(app_dir), "--runtime", "python3.12", "--handler", "app.handler", "--role", role)
    j = ("-o", "json")

    assert valid(cli("deploy", "fn", *base, "--env-file", str(env_file), *j), 0)["outcome"] == "created"
    assert valid(cli("deploy", "fn", *base, "--env-file", str(env_file), *j), 0)["outcome"] == "unchanged"
    assert valid(cli("deploy", "fn", *base, "--memory", "256", "--dry-run", *j), 0)["outcome"] == "planned"
    assert valid(cli("wait", "fn", *j), 0)["outcome"] == "ready"
    status = valid(cli("status", "fn", *j), 0)
    assert status["functions"][0]["environment"] == {"DB_PASSWORD": "****"}
    assert valid(cli("publish", "fn", *j), 0)["version"] == "1"
    assert valid(cli("shift", "fn", "--alias", "live", "--to-version", "1", *j), 0)["outcome"] == "created"
    plan = valid(
        cli(
            "shift", "fn", "--alias", "live", "--to-version", "1", "--strategy", "canary:10:5m", "--plan", *j
        ),
        0,
    )
    assert plan["outcome"] == "unchanged" and plan["schedule"] == []  # live already serves 1
    (app_dir / "app.py").write_text("def handler(e, c):\n    return 2\n")
    deployed = valid(
        cli("deploy", "fn", *base, "--publish", "--alias", "live", "--strategy", "linear:50:0.3s", *j), 0
    )
    assert deployed["version"] == "2" and deployed["shift"]["alias"]["functionVersion"] == "2"
    back = valid(cli("rollback", "fn", "--alias", "live", *j), 0)
    assert (back["fromVersion"], back["toVersion"]) == ("2", "1")
    assert valid(cli("explain", "InvalidSubnet", *j), 0)["reasons"][0]["code"] == "InvalidSubnet"

    # Failures: usage (2), failed state (1), timeout (3), API error (4).
    bad = valid(cli("deploy", "fn", *base, "--memory", "64", "--env", f"TOKEN={SECRET}", *j), 2)
    assert bad["error"]["message"] and bad["ok"] is False
    assert valid(cli("explain", "NoSuchCode", *j), 2)["error"]["hint"]
    failed = valid(cli("deploy", "broken", *base, *j), 1)
    assert failed["functions"][0]["stateReasonCode"] == "InvalidSubnet"
    assert failed["functions"][0]["remediation"]
    sim.client("lambda").create_function(
        FunctionName="slow", Runtime="python3.12", Role=role, Handler="app.handler",
        Code={"ZipFile": _zip()},
    )  # fmt: skip
    assert valid(cli("wait", "slow", "--timeout", "0.5", *j), 3)["outcome"] == "timeout"
    assert valid(cli("wait", "missing", *j), 4)["outcome"] == "not-found"
    # Several functions: the outcome is the one that decides the exit code (it said timeout, exit 4).
    assert valid(cli("wait", "slow", "missing", "--timeout", "0.5", *j), 4)["outcome"] == "not-found"
    assert valid(cli("rollback", "fn", "--alias", "nope", *j), 4)["ok"] is False
    assert valid(cli("shift", "fn", "--alias", "live", "--to-version", "$LATEST", *j), 2)["ok"] is False


def _zip() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def test_github_actions_annotations_groups_and_summary(
    scenario: Simulator, cli: Callable[..., Run], app_dir: Path, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    gha = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    base = (
        "--dir",
        str(app_dir),
        "--runtime",
        "python3.12",
        "--handler",
        "app.handler",
        "--role",
        scenario.role_arn(),
    )
    ok = cli("deploy", "fn", *base, "--env", f"KEY={SECRET}", "--publish", "-o", "json", env=gha)
    valid(ok, 0)
    assert "::group::Deploying fn" in ok.stderr and "::endgroup::" in ok.stderr
    assert "::error" not in ok.stderr
    failed = cli("deploy", "broken", *base, "--env", f"KEY={SECRET}", "--verbose", env=gha)
    assert failed.code == 1
    assert "::error title=lambdawait deploy" in failed.stderr and "InvalidSubnet" in failed.stderr
    text = summary.read_text()
    assert "### ✅ lambdawait deploy: created" in text
    assert "Published version: **1**" in text
    assert "### ❌ lambdawait deploy: failed" in text and "InvalidSubnet" in text
    assert SECRET not in text + failed.stdout + failed.stderr


# -- a check command's text is never echoed ----------------------------------------------------------

TOKEN = "SECRET123"
SHIFT = ("shift", "app", "--alias", "live", "--to-version", "2", "--strategy", "canary:50:0.1s")


def test_the_check_command_text_is_in_no_output(
    sim: Simulator, cli: Callable[..., Run], tmp_path: Path
) -> None:
    two_versions(sim)
    summary = tmp_path / "summary.md"
    gha = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    fails = f'echo "Authorization: Bearer {TOKEN}" > /dev/null; exit 3'
    hangs = f'sleep 30 # curl -H "Authorization: Bearer {TOKEN}"'
    seen = ""
    for check, mode, extra in (
        (fails, "json", ()),
        (fails, "text", ()),
        (hangs, "json", ("--check-timeout", "0.3")),
    ):
        run = cli(*SHIFT, "--check-command", check, *extra, "-o", mode, env=gha)
        assert run.code == 5, run.stderr
        assert "::error" in run.stderr and "the check command" in run.stdout + run.stderr
        if mode == "json":
            doc = valid(run, 5)
            assert doc["outcome"] == "gate-failed" and doc["gate"] == "check-command"
        seen += run.stdout + run.stderr
        assert alias_state(sim) == ("1", {})
    assert "ran over 0.3s" in seen
    assert TOKEN not in seen + summary.read_text() and "Bearer" not in seen + summary.read_text()


# -- output failures change neither the alias nor the exit code --------------------------------------


def test_a_shift_whose_reader_leaves_after_one_line_ends_whole(sim: Simulator, tmp_path: Path) -> None:
    two_versions(sim)
    home = tmp_path / "home"
    home.mkdir()
    # `lambdawait shift ... -o json 2>&1 | head -1`: the first progress line is read, then the pipe
    # closes while the shift still has steps, logs and its JSON document to write.
    proc = subprocess.Popen(
        [str(EXE), *SHIFT, "--strategy", "linear:50:0.2s", "-o", "json"],
        env=base_env(sim, home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0, first
    assert alias_state(sim) == ("2", {})


def test_an_ascii_locale_gets_escaped_marks(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    run = cli("wait", "app", env={"PYTHONIOENCODING": "ascii"})
    assert run.code == 0 and "Traceback" not in run.stderr
    assert "\\u2713 app: ready" in run.stdout


def test_an_unwritable_step_summary_is_a_warning(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)  # a directory as the summary: tests/unit/test_github.py
    gha = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/nonexistent/dir/file"}
    ok = cli("wait", "app", "-o", "json", env=gha)
    assert valid(ok, 0)["outcome"] == "ready"
    (warning,) = [line for line in ok.stderr.splitlines() if line.startswith("warning:")]
    assert "GITHUB_STEP_SUMMARY" in warning
    gate = cli(*SHIFT, "--check-command", "exit 1", "-o", "json", env=gha)
    assert valid(gate, 5)["outcome"] == "gate-failed" and "warning:" in gate.stderr
    assert alias_state(sim) == ("1", {})


def test_step_outputs_go_to_github_output(
    sim: Simulator, cli: Callable[..., Run], app_dir: Path, tmp_path: Path
) -> None:
    outputs = tmp_path / "github_output"
    base = ("--dir", str(app_dir), "--runtime", "python3.12", "--handler", "app.handler")
    run = cli(
        "deploy",
        "fn",
        *base,
        "--role",
        sim.role_arn(),
        "--publish",
        "--alias",
        "live",
        "-o",
        "json",
        env={"GITHUB_OUTPUT": str(outputs)},
    )
    doc = valid(run, 0)
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written == {
        "function": "fn",
        "version": doc["version"],
        "alias": "live",
        "code-sha256": doc["codeSha256"],
        "outcome": "created",
        "exit-code": "0",
    }
    bad = cli("publish", "fn", "--code-sha256", "not-it", env={"GITHUB_OUTPUT": str(tmp_path)})
    (warning,) = [line for line in bad.stderr.splitlines() if line.startswith("warning:")]
    assert "GITHUB_OUTPUT" in warning and bad.code != 0 and "Traceback" not in bad.stderr
