"""Run every lambdawait benchmark side by side; write bench/results/latest.{json,md}, print the table."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fleet
import lag
import model
import noop
import startup
from harness import machine_info
from report import markdown

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Plan:
    """How much of everything to run."""

    startup_runs: int
    ready_runs: int
    lag_nominals: tuple[float, ...]
    lag_reps: int
    lag_cli_reps: int
    fleet_size: int
    fleet_aws_sample: int
    noop_runs: int


FULL = Plan(
    startup_runs=25,
    ready_runs=15,
    lag_nominals=(0.5, 1, 2, 3, 5, 7.5, 10),
    lag_reps=8,
    lag_cli_reps=2,
    fleet_size=100,
    fleet_aws_sample=10,
    noop_runs=10,
)
QUICK = Plan(
    startup_runs=5,
    ready_runs=3,
    lag_nominals=(0.5, 1, 2, 6),
    lag_reps=2,
    lag_cli_reps=1,
    fleet_size=30,
    fleet_aws_sample=3,
    noop_runs=3,
)


def _log(text: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {text}\n")
    sys.stderr.flush()


def _section(doc: dict[str, Any], key: str, run: Callable[[], dict[str, Any]]) -> None:
    """Run one benchmark; a failure is recorded in the document, the others still run."""
    _log(f"{key} ...")
    started = time.monotonic()
    try:
        doc[key] = run()
    except Exception as exc:
        doc.setdefault("errors", {})[key] = "".join(traceback.format_exception(exc))
        _log(f"{key} FAILED: {exc!r}")
    _log(f"{key} done in {time.monotonic() - started:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs and shorter waits (~2 min)")
    parser.add_argument(
        "--only", nargs="*", default=None, help="startup ready_wait lag fleet noop_deploy (default: all)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    wanted = set(args.only or ["startup", "ready_wait", "lag", "fleet", "noop_deploy"])
    started = time.monotonic()
    doc: dict[str, Any] = {"quick": args.quick, "plan": plan.__dict__, "machine": machine_info()}
    if "startup" in wanted:
        _section(doc, "startup", lambda: startup.startup(plan.startup_runs))
    if "ready_wait" in wanted:
        _section(doc, "ready_wait", lambda: startup.ready_wait(plan.ready_runs))
    if "lag" in wanted:
        _section(doc, "lag", lambda: lag.measure(plan.lag_nominals, plan.lag_reps, plan.lag_cli_reps))
        if "lag" in doc:
            rtt = doc["lag"]["get_function_rtt_ms"] / 1000
            doc["schedule_model"] = model.evaluate(plan.lag_nominals, lag.SPREAD, rtt)
    if "fleet" in wanted:
        _section(doc, "fleet", lambda: fleet.measure(plan.fleet_size, plan.fleet_aws_sample))
    if "noop_deploy" in wanted:
        _section(doc, "noop_deploy", lambda: noop.measure(plan.noop_runs))
    doc["total_seconds"] = time.monotonic() - started
    doc["machine"]["load_average_end"] = list(os.getloadavg())
    table = markdown(doc)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
    (RESULTS / "latest.md").write_text(table)
    sys.stdout.write(table)
    return 1 if doc.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
