"""`plan` and `apply` (many functions, one release) as a subprocess against the simulator's quotas."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import EXE, RESULT_SCHEMA, Run, base_env

Cli = Callable[..., Run]
FAST = {"create_seconds": 0.1, "update_seconds": 0.1, "publish_seconds": 0.0}


def write_file(root: Path, *, strategy: str = "AllAtOnce", extra: str = "", c_memory: int = 128) -> Path:
    """Three functions; b is released after a; the role comes from ${ROLE}, code from ./app."""
    path = root / "lambdawait.toml"
    path.write_text(
        f"""
[defaults]
runtime = "python3.12"
handler = "app.handler"
role = "${{ROLE}}"
dir = "app"
alias = "live"
strategy = "{strategy}"
{extra}

[functions.a]
env = {{LOG_LEVEL = "info"}}

[functions.b]
after = ["a"]

[functions.c]
memory = {c_memory}
"""
    )
    return path


def setup(sim: Simulator, tmp_path: Path, **scenario: Any) -> tuple[Path, dict[str, str]]:
    sim.set_scenario(Scenario.from_dict({"defaults": FAST, **scenario}))
    app = tmp_path / "app"
    app.mkdir(exist_ok=True)
    (app / "app.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    return write_file(tmp_path), {"ROLE": sim.role_arn()}


def aliases(sim: Simulator) -> dict[str, tuple[str, dict[str, float]]]:
    client = sim.client("lambda")
    found = {}
    for name in "abc":
        alias = client.get_alias(FunctionName=name, Name="live")
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        found[name] = (alias["FunctionVersion"], dict(weights))
    return found


def test_created_from_nothing_then_one_change_then_nothing(
    sim: Simulator, cli_mixed: Cli, tmp_path: Path
) -> None:
    cli = cli_mixed  # each command's first run through the installed executable, repeats in-process
    path, env = setup(sim, tmp_path)
    cfg = ["-c", str(path)]
    first = cli("plan", *cfg, "--detailed-exitcode", "-o", "json", env=env)
    assert first.code == 7, first.stderr
    assert [f["changes"] for f in first.json()["functions"]] == [True, True, True]
    assert sim.mutating_calls() == 0  # a plan only reads
    applied = cli("apply", *cfg, "-o", "json", env=env)
    assert applied.code == 0, applied.stderr
    doc = applied.json()
    RESULT_SCHEMA.validate(doc)
    assert doc["outcome"] == "applied" and doc["release"]["outcome"] == "released"
    assert aliases(sim) == {name: ("1", {}) for name in "abc"}
    write_file(tmp_path, c_memory=256)
    changed = cli("plan", *cfg, "--detailed-exitcode", "-o", "json", env=env)
    assert changed.code == 7 and changed.json()["total"] == {"functions": 3, "changed": 1, "unchanged": 2}
    again = cli("apply", *cfg, env=env)
    assert again.code == 0, again.stderr
    assert aliases(sim) == {"a": ("1", {}), "b": ("1", {}), "c": ("2", {})}
    assert "apply: applied" in again.stdout
    assert cli("plan", *cfg, "--detailed-exitcode", env=env).code == 0  # then nothing
    rolled = cli("rollback", *cfg, "c", "-o", "json", env=env)  # the last release of c, undone
    assert rolled.code == 0, rolled.stderr
    assert aliases(sim)["c"] == ("1", {}) and rolled.json()["functions"][0]["toVersion"] == "1"
    # The quota (15/s) was never exceeded: no 429 at all, or each one absorbed by a retry.
    assert sum(sim.throttled_calls().values()) == 0
    # `deploy NAME` takes the file's entry (memory 1024 here) ...
    write_file(tmp_path, c_memory=1024)
    dry = cli("deploy", "c", *cfg, "--timeout", "60", "--dry-run", "-o", "json", env=env)
    assert dry.code == 0, dry.stderr
    assert sorted(dry.json()["plan"]["configFields"]) == ["memory", "timeout"]
    assert not dry.json()["plan"]["codeUpdate"]  # the file's dir holds the code c runs
    # ... and an option on the command line wins over it (256 is what c has).
    same = cli("deploy", "c", *cfg, "--memory", "256", "--dry-run", "-o", "json", env=env)
    assert same.json()["plan"]["configFields"] == []


def test_a_failed_update_releases_nothing(sim: Simulator, cli: Cli, tmp_path: Path) -> None:
    path, env = setup(sim, tmp_path, functions=[{"match": "b", "update_fail_on": [1]}])
    cfg = ["-c", str(path)]
    assert cli("apply", *cfg, env=env).code == 0
    (tmp_path / "app" / "app.py").write_text("def handler(event, context):\n    return 2\n")
    run = cli("apply", *cfg, "-o", "json", env=env)
    assert run.code == 1, run.stderr
    doc = run.json()
    RESULT_SCHEMA.validate(doc)
    assert doc["release"] == {"outcome": "not-released", "newCodeOnLatest": ["a", "c"], "untouched": ["b"]}
    assert doc["retryCommand"] == f"lambdawait apply -c {path} a b c"
    assert aliases(sim) == {name: ("1", {}) for name in "abc"}  # no alias moved
    assert "no alias moved" in run.stderr


def test_a_gate_restores_every_alias(sim: Simulator, cli: Cli, tmp_path: Path) -> None:
    path, env = setup(sim, tmp_path)
    cfg = ["-c", str(path)]
    assert cli("apply", *cfg, env=env).code == 0
    (tmp_path / "app" / "app.py").write_text("def handler(event, context):\n    return 3\n")
    marker = tmp_path / "gate-ran"
    write_file(tmp_path, extra=f'check_command = "touch {marker}; exit 3"')
    run = cli("apply", *cfg, "-o", "json", env=env)
    assert run.code == 5, run.stderr
    assert marker.exists()
    doc = run.json()
    assert doc["outcome"] == "gate-failed" and doc["release"]["outcome"] == "restored"
    assert {a["outcome"] for a in doc["release"]["aliases"]} == {"restored"}
    assert aliases(sim) == {name: ("1", {}) for name in "abc"}


def test_sigterm_during_the_release_leaves_every_alias_whole(
    sim: Simulator, cli: Cli, tmp_path: Path
) -> None:
    path, env = setup(sim, tmp_path)
    assert cli("apply", "-c", str(path), env=env).code == 0
    (tmp_path / "app" / "app.py").write_text("def handler(event, context):\n    return 4\n")
    write_file(tmp_path, strategy="canary:50:60s")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [str(EXE), "apply", "-c", str(path), "-o", "json"],
        env={**base_env(sim, home), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # synchronise on the release reaching its first step, not on time
        if "release: 50%" in line:
            break
    assert aliases(sim) == {name: ("1", {"2": 0.5}) for name in "abc"}
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert time.monotonic() - sent < 7.5  # inside GitHub's window before SIGKILL
    assert aliases(sim) == {name: ("1", {}) for name in "abc"}
    doc = json.loads(out)
    assert doc["outcome"] == "interrupted" and "3 aliases restored" in doc["error"]["message"]
    rolled = cli("rollback", "-c", str(path), "-o", "json", env=env)  # nothing left to undo
    assert rolled.code == 0, rolled.stderr


def test_bad_files_are_exit_2_naming_the_key(sim: Simulator, cli: Cli, tmp_path: Path) -> None:
    path, env = setup(sim, tmp_path)
    path.write_text(path.read_text() + "\n[functions.d]\nmemroy = 3\n")
    typo = cli("plan", "-c", str(path), env=env)
    assert typo.code == 2 and "'memroy'" in typo.stderr and "'memory'" in typo.stderr
    write_file(tmp_path)
    missing = cli("apply", "-c", str(path))  # ${ROLE} is not in its environment
    assert missing.code == 2 and "${ROLE}" in missing.stderr
    assert sim.mutating_calls() == 0


def test_sigterm_while_deploying_releases_nothing_and_says_what_changed(
    sim: Simulator, cli: Cli, tmp_path: Path
) -> None:
    path, env = setup(sim, tmp_path)
    assert cli("apply", "-c", str(path), env=env).code == 0
    sim.set_scenario(Scenario.from_dict({"defaults": {**FAST, "update_seconds": 30.0}}))
    (tmp_path / "app" / "app.py").write_text("def handler(event, context):\n    return 5\n")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [str(EXE), "apply", "-c", str(path), "-o", "json"],
        env={**base_env(sim, home), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    waiting = set()
    for line in proc.stderr:  # every code update accepted and being waited on (30 s each)
        if "wait: Active/InProgress" in line:
            waiting.add(line.split("]", 1)[1].split(":", 1)[0].strip())
        if waiting == {"a", "b", "c"}:
            break
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130
    doc = json.loads(out)
    assert doc["outcome"] == "interrupted" and doc["release"]["outcome"] == "not-released"
    assert doc["release"]["newCodeOnLatest"] == ["a", "b", "c"]  # accepted, still landing
    assert aliases(sim) == {name: ("1", {}) for name in "abc"}
