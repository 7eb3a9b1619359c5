"""Benchmarks 1 and 2: process start-up, and a wait on a function that is already ready."""

from __future__ import annotations

import re
import subprocess
from typing import Any

from harness import LAMBDAWAIT, PYTHON, clean_env, ratio, resolve_exe, summarize, time_interleaved
from scenarios import create_functions
from simproc import SimServer

READY_FUNCTION = "ready-fn"
BOTOCORE_GET = (
    "import botocore.session; botocore.session.get_session().create_client('lambda')"
    ".get_function(FunctionName={name!r})"
)
BOTO3_WAITER = (
    "import boto3; boto3.client('lambda').get_waiter('function_updated_v2').wait(FunctionName={name!r})"
)


def startup(runs: int) -> dict[str, Any]:
    """`lambdawait --version` / `--help` against `python -c pass` and `aws --version`."""
    aws = resolve_exe("aws")
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "lambdawait --version": [LAMBDAWAIT, "--version"],
        "lambdawait --help": [LAMBDAWAIT, "--help"],
        "aws --version": [aws, "--version"],
    }
    times = time_interleaved(commands, runs, clean_env())
    stats = {name: summarize(values) for name, values in times.items()}
    base = stats["python -c pass"]["median"]
    aws_median = stats["aws --version"]["median"]
    return {
        "runs": runs,
        "aws_executable": aws,
        "stats": stats,
        "ratios": {
            "version_vs_python": ratio(stats["lambdawait --version"]["median"], base),
            "version_vs_aws": ratio(stats["lambdawait --version"]["median"], aws_median),
            "help_vs_python": ratio(stats["lambdawait --help"]["median"], base),
            "help_vs_aws": ratio(stats["lambdawait --help"]["median"], aws_median),
        },
    }


def ready_wait(runs: int) -> dict[str, Any]:
    """One wait on a ready function: lambdawait vs `aws lambda wait` vs a bare boto3 waiter script."""
    aws = resolve_exe("aws")
    with SimServer({"defaults": {"create_seconds": 0.2, "update_seconds": 0.5}}) as sim:
        create_functions(sim.client(), [READY_FUNCTION], sim.role_arn)
        commands = {
            "lambdawait wait": [LAMBDAWAIT, "wait", READY_FUNCTION],
            "aws lambda wait function-updated-v2": [
                aws,
                "lambda",
                "wait",
                "function-updated-v2",
                "--function-name",
                READY_FUNCTION,
            ],
            "boto3 waiter script": [PYTHON, "-c", BOTO3_WAITER.format(name=READY_FUNCTION)],
            # Reference, no target: the least a Python tool can do (botocore only, one GetFunction).
            "botocore-only GetFunction script": [PYTHON, "-c", BOTOCORE_GET.format(name=READY_FUNCTION)],
        }
        calls: dict[str, list[int]] = {name: [] for name in commands}
        last: list[str] = []

        def before_each(name: str) -> None:
            # Count the previous command's calls, then reset for this one.
            if last:
                calls[last[0]].append(sim.calls().get("GetFunction", 0))
                last.clear()
            sim.reset_calls()
            last.append(name)

        times = time_interleaved(commands, runs, clean_env(sim.env()), before_each=before_each)
        before_each("")  # record the final command
        import_profile = _import_profile(sim, [LAMBDAWAIT, "wait", READY_FUNCTION])
    stats = {name: summarize(values) for name, values in times.items()}
    lw = stats["lambdawait wait"]["median"]
    return {
        "runs": runs,
        "stats": stats,
        "get_function_per_run": {name: summarize([float(c) for c in v]) for name, v in calls.items()},
        "ratios": {
            "lambdawait_vs_aws": ratio(lw, stats["aws lambda wait function-updated-v2"]["median"]),
            "lambdawait_vs_boto3": ratio(lw, stats["boto3 waiter script"]["median"]),
        },
        "import_profile": import_profile,
    }


_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def _import_profile(sim: SimServer, cmd: list[str], top: int = 12) -> dict[str, Any]:
    """Where a `lambdawait wait` spends its import time (`python -X importtime`), by top-level package."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", *cmd], env=clean_env(sim.env()), capture_output=True, text=True
    )
    by_package: dict[str, int] = {}
    total = 0
    for line in proc.stderr.splitlines():
        found = _IMPORT_LINE.match(line)
        if not found:
            continue
        self_us, cumulative_us, indent, name = found.groups()
        total += int(self_us)
        if len(indent) == 1:  # a module imported at top level: its cumulative time is all its own
            package = name.split(".")[0]
            by_package[package] = by_package.get(package, 0) + int(cumulative_us)
    ranked = sorted(by_package.items(), key=lambda kv: -kv[1])[:top]
    return {"total_ms": total / 1000, "top_level_ms": {name: us / 1000 for name, us in ranked}}
