"""A small seeded soak: deploy → publish → canary under faults and signals never leaves an alias broken.

The full soak (bench/soak.py, 60 runs) gives the README's reliability figures; this one runs the
same driver (tests/e2e/soak.py) on 8 runs in 2 rounds of 4 concurrent runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambdawait.sim import Simulator
from tests.e2e.soak import KINDS, SIGNALS, TIMINGS, Soak, figures, plan

SEED = 20250309
RUNS = 8
LANES = 4


def test_soak_never_leaves_an_alias_split_unreported(
    lambda_sim_factory: Callable[[Any], Simulator], tmp_path: Path
) -> None:
    rounds = plan(SEED, RUNS, LANES, botocore_retries=0.0)  # lambdawait's own retries: quick
    assert {p.signal for r in rounds for p in r.runs} == set(KINDS)
    # No account quotas: four lanes would spend seconds in their 429 backoffs (the injected throttles
    # already take that path). The first rollback (the one that moves the alias) goes through the
    # CLI, the 2nd and 3rd in-process: each process costs ~0.5 s of CPU.
    scenario = {"defaults": TIMINGS, "quotas": {"enabled": False}}
    sim = lambda_sim_factory(scenario)
    soak = Soak(sim, tmp_path, SEED, cli_rollbacks=1, scenario=scenario)
    soak.run(rounds)
    got = figures(soak)

    assert got["runs"] == RUNS
    assert got["broken"] == 0, "\n\n".join(got["brokenRuns"])
    assert got["whole"] + got["reported"] == RUNS
    rollback_problems = [
        f"run {r.plan.number}: {p}" for r in soak.results for p in r.verdict.rollback_problems
    ]
    assert rollback_problems == [], "\n".join(rollback_problems)
    assert set(got["rollbackThreeTimes"]) <= {"known-good", "no-record"}
    # Not vacuous: every kind of fault was injected, every signal landed in a running shift, and
    # some releases landed while others were put back.
    faults = got["faults"]
    for kind in ("throttle 429", "5xx", "lost reply (closed)", "lost reply (502)"):
        assert faults.get(kind, 0) > 0, faults
    assert all(got["signalsSent"][kind] > 0 for kind in SIGNALS), got["signalsSent"]
    assert got["wholeOnNew"] > 0 and got["exitCodes"].get("130", 0) > 0, got["exitCodes"]
    assert got["rollbackThreeTimes"].get("known-good", 0) > 0, got["rollbackThreeTimes"]
