"""Benchmark 5: `lambdawait deploy` of an unchanged function: API calls and wall time."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from harness import LAMBDAWAIT, clean_env, run_timed, summarize
from scenarios import write_source_dir
from simproc import SimServer

FUNCTION = "noop-fn"


def measure(runs: int) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="lambdawait-bench-src-") as tmp,
        SimServer({"defaults": {"create_seconds": 0.2, "update_seconds": 0.3}}) as sim,
    ):
        source = write_source_dir(Path(tmp) / "app")
        cmd = [
            LAMBDAWAIT,
            "deploy",
            FUNCTION,
            "--dir",
            str(source),
            "--runtime",
            "python3.12",
            "--handler",
            "app.handler",
            "--role",
            sim.role_arn,
            "--memory",
            "256",
            "--output",
            "json",
        ]
        env = clean_env(sim.env())
        _, code, out = run_timed(cmd, env)  # the first run creates the function
        if code != 0:
            raise RuntimeError(f"creating {FUNCTION} failed: {out}")
        times: list[float] = []
        reads: list[int] = []
        mutating: list[int] = []
        outcomes: set[str] = set()
        for _ in range(runs):
            sim.reset_calls()
            seconds, code, out = run_timed(cmd, env)
            if code != 0:
                raise RuntimeError(f"no-op deploy exited {code}: {out}")
            outcomes.add(str(json.loads(out)["outcome"]))
            calls = sim.calls()
            times.append(seconds)
            mutating.append(sim.mutating())
            reads.append(sum(n for op, n in calls.items() if op.startswith(("Get", "List"))))
        last_calls = calls
    return {
        "runs": runs,
        "outcomes": sorted(outcomes),
        "wall_seconds": summarize(times),
        "read_calls": summarize([float(r) for r in reads]),
        "mutating_calls": summarize([float(m) for m in mutating]),
        "calls_last_run": last_calls,
    }
