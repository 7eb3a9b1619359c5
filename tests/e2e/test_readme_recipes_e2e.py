"""The README's CI recipes, run as written against the simulator (only secrets and timings supplied)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambdawait.sim import Simulator

README = Path(__file__).parents[2] / "README.md"
BIN = str(Path(sys.executable).parent)
# The recipes' real strategies bake for minutes; the test keeps their shape with one-second steps.
FAST_STRATEGY = {"Canary10Percent5Minutes": "canary:10:1s", "Linear10PercentEvery1Minute": "linear:50:0.5s"}


def recipe(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {name} -->\s*```\w*\n(.*?)```", text, re.S)
    assert match, f"README has no recipe {name}"
    return match.group(1)


def shell(script: str, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "prod.env").write_text("DB_PASSWORD=recipe-secret-value\n")
    (tmp_path / "smoke_check.py").write_text("raise SystemExit(0)\n")
    return tmp_path


def environment(sim: Simulator, extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
    env.update(sim.env())
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def _secrets(value: str, secrets: Mapping[str, str]) -> str:
    return re.sub(r"\$\{\{\s*secrets\.(\w+)\s*\}\}", lambda m: secrets[m.group(1)], value)


def run_github_job(sim: Simulator, workdir: Path, secrets: Mapping[str, str], summary: Path) -> list[Any]:
    job = yaml.safe_load(recipe("github"))["jobs"]["deploy"]
    env = {k: _secrets(str(v), secrets) for k, v in job["env"].items()}
    env["STRATEGY"] = FAST_STRATEGY[env["STRATEGY"]]
    env.update({"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    results = []
    for step in job["steps"]:
        if "run" not in step or step["run"].startswith("pip install"):
            continue  # actions and the install are the runner's job; lambdawait is installed here
        results.append(shell(step["run"], workdir, environment(sim, env)))
    return results


def test_github_actions_recipe(sim: Simulator, workdir: Path) -> None:
    secrets = {"LAMBDA_EXECUTION_ROLE_ARN": sim.role_arn(), "DEPLOY_ROLE_ARN": "unused-in-the-simulator"}
    sim.client("cloudwatch").put_metric_alarm(
        AlarmName="orders-api-errors", MetricName="Errors", Namespace="AWS/Lambda", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )  # fmt: skip
    summary = workdir / "summary.md"
    first = run_github_job(sim, workdir, secrets, summary)
    assert [r.returncode for r in first] == [0, 0], [r.stderr for r in first]
    assert first[1].stdout.split() == ["created", "1"]
    (workdir / "src" / "app.py").write_text("def handler(event, context):\n    return 2\n")
    second = run_github_job(sim, workdir, secrets, summary)
    assert [r.returncode for r in second] == [0, 0], [r.stderr for r in second]
    assert second[1].stdout.split() == ["updated", "2"]
    assert "10% on version 2" in second[0].stderr  # the canary step really happened
    alias = sim.client("lambda").get_alias(FunctionName="orders-api", Name="live")
    assert alias["FunctionVersion"] == "2" and not alias.get("RoutingConfig", {}).get(
        "AdditionalVersionWeights"
    )
    assert "Alias **live** → version 2" in summary.read_text()
    assert "recipe-secret-value" not in summary.read_text() + second[0].stderr + second[0].stdout


def test_gitlab_recipe_then_rollback_script(sim: Simulator, workdir: Path) -> None:
    job = yaml.safe_load(recipe("gitlab"))["deploy"]
    variables = {**job["variables"], "ROLE_ARN": sim.role_arn()}
    variables["STRATEGY"] = FAST_STRATEGY[variables["STRATEGY"]]
    env = environment(sim, variables)
    for version in ("1", "2"):
        (workdir / "src" / "app.py").write_text(f"def handler(event, context):\n    return {version}\n")
        for line in job["script"]:
            if line.startswith("pip install"):
                continue
            result = shell(line, workdir, env)
            assert result.returncode == 0, (line, result.stderr)
    alias = sim.client("lambda").get_alias(FunctionName="orders-api", Name="live")
    assert alias["FunctionVersion"] == "2"

    script = workdir / "rollback.sh"
    script.write_text(recipe("rollback"))
    rolled = subprocess.run(
        ["bash", str(script), "orders-api", "live"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.stdout.strip().endswith("alias now on version 1")
    alias = sim.client("lambda").get_alias(FunctionName="orders-api", Name="live")
    assert alias["FunctionVersion"] == "1"
