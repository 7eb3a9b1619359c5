"""The reliability soak, run by hand: `python -m bench.soak --runs 60 --seed N` from the repository root.

Each run releases a new version of its own function with `lambdawait deploy --publish --alias live
--strategy canary:P:B` under seeded random throttling, 5xx and lost replies, most with a signal
(SIGINT, SIGTERM, SIGHUP, SIGINT then SIGTERM) at a random moment of the shift; then, faults off, the
alias is judged and `lambdawait rollback` runs three times (tests/e2e/soak.py, soak_judge.py).
Progress goes to stderr, the figures to stdout and to bench/results/soak.json (with a reproduction
of every broken run). Exit 1 if any run was broken or any rollback failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lambdawait.sim import Scenario, Simulator
from tests.e2e.soak import KINDS, TIMINGS, Result, Soak, figures, plan

RESULTS = Path(__file__).resolve().parent / "results"


def _progress(result: Result) -> None:
    a, v = result.attempt, result.verdict
    signal = result.plan.signal
    if signal != "none":
        signal += f" {result.plan.delay:.2f}s after {result.plan.anchor}" + (
            "" if a.signal_sent else " (not sent)"
        )
    line = (
        f"run {result.plan.number:3d} {result.plan.strategy:16s} {signal:42s} exit {a.code!s:4s} "
        f"{v.outcome:8s} alias {v.alias[0]} {v.alias[1] or ''} rollback×3 {v.rollback} ({a.seconds:.1f} s)"
    )
    sys.stderr.write(line.rstrip() + "\n")
    for problem in v.problems + v.rollback_problems:
        sys.stderr.write(f"    PROBLEM: {problem}\n")
    sys.stderr.flush()


def table(doc: dict[str, Any]) -> str:
    """The Markdown the README's reliability section shows."""
    f = doc["figures"]
    faults = f["faults"]
    signals = ", ".join(
        f"{kind} {f['signalsSent'].get(kind, 0)}/{f['signalsPlanned'][kind]}" for kind in KINDS[1:]
    )
    by_signal = "; ".join(
        f"{kind}: " + ", ".join(f"exit {code} ×{n}" for code, n in codes.items())
        for kind, codes in f["exitCodesBySignal"].items()
    )
    rollback = f["rollbackThreeTimes"]
    rows = [
        ("runs", f"{f['runs']} (seed {f['seed']}, {doc['lanes']} lane(s))"),
        ("alias whole", f"{f['whole']} ({f['wholeOnNew']} on the new version, "
                        f"{f['wholeOnKnownGood']} on the known-good one)"),
        ("split reported (exit 6) and repaired", str(f["reported"])),
        ("broken", str(f["broken"])),
        ("exit codes", ", ".join(f"{code}: {n}" for code, n in f["exitCodes"].items())),
        ("signals sent / planned", signals),
        ("exit codes by signal", by_signal),
        ("faults injected", ", ".join(f"{kind} {n}" for kind, n in sorted(faults.items()))),
        ("`rollback` ×3 left version 1", f"{rollback.get('known-good', 0)} (2nd and 3rd `unchanged`); "
                                         f"{rollback.get('no-record', 0)} with no release to undo "
                                         "(exit 2, alias untouched on 1); "
                                         f"{rollback.get('failed', 0)} failed"),
    ]  # fmt: skip
    lines = ["| figure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lanes", type=int, default=1, help="concurrent runs sharing one draw of faults")
    parser.add_argument(
        "--botocore-retries", type=float, default=0.5, help="share of runs keeping botocore's own retries"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.json")
    args = parser.parse_args(argv)
    from bench.harness import machine_info

    doc: dict[str, Any] = {
        "machine": machine_info(),
        "lanes": args.lanes,
        "botocoreRetries": args.botocore_retries,
    }
    started = time.monotonic()
    rounds = plan(args.seed, args.runs, args.lanes, args.botocore_retries)
    with Simulator(Scenario.from_dict({"defaults": TIMINGS})) as sim, tempfile.TemporaryDirectory() as work:
        soak = Soak(sim, Path(work), args.seed, on_result=_progress)
        soak.run(rounds)
    doc["figures"] = figures(soak)
    doc["runs"] = [
        {
            "number": r.plan.number, "strategy": r.plan.strategy, "signal": r.plan.signal,
            "anchor": r.plan.anchor, "delay": r.plan.delay, "signalSent": r.attempt.signal_sent,
            "botocoreRetries": r.plan.botocore_retries, "faults": r.faults, "exit": r.attempt.code,
            "verdict": r.verdict.outcome, "alias": r.verdict.alias, "rollback": r.verdict.rollback,
            "seconds": round(r.attempt.seconds, 2),
            "problems": r.verdict.problems + r.verdict.rollback_problems,
        }
        for r in soak.results
    ]  # fmt: skip
    doc["totalSeconds"] = round(time.monotonic() - started, 1)
    doc["machine"]["load_average_end"] = list(os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    sys.stdout.write(table(doc))
    for broken in doc["figures"]["brokenRuns"]:
        sys.stdout.write(f"\nBROKEN {broken}\n")
    failed = doc["figures"]["broken"] or doc["figures"]["rollbackThreeTimes"].get("failed", 0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
