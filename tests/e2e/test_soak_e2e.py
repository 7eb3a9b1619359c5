"""A small seeded soak: deploy → publish → canary under faults and signals never leaves an alias broken.

The full soak (bench/soak.py, 60 runs) gives the README's reliability figures; this one runs the
same driver (tests/e2e/soak.py) on 8 runs in 2 rounds of 4 concurrent runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from lambdawait.sim import Simulator
from tests.e2e.shift_setup import alias_state, two_versions
from tests.e2e.soak import ANCHORS, KINDS, SIGNALS, TIMINGS, Soak, figures, plan
from tests.e2e.soak_judge import Attempt, judge

SEED = 20251351
RUNS = 8
LANES = 4


def test_soak_never_leaves_an_alias_split_unreported(
    lambda_sim_factory: Callable[[Any], Simulator], tmp_path: Path
) -> None:
    rounds = plan(SEED, RUNS, LANES, botocore_retries=0.0)  # lambdawait's own retries: quick
    runs = [p for r in rounds for p in r.runs]
    # The seed was chosen for a plan that cannot pass vacuously on a fast or a slow machine: every
    # signal kind has a run where it lands inside a bake, others land late, from both anchors.
    assert {p.signal for p in runs} == set(KINDS)
    assert {p.signal for p in runs if p.surely_running} == set(SIGNALS)
    assert any(p.signal != "none" and not p.surely_running for p in runs)
    assert {p.anchor for p in runs if p.signal != "none"} == set(ANCHORS)
    # No account quotas: four lanes would spend seconds in their 429 backoffs (the injected throttles
    # already take that path). The three rollbacks run in-process, through the code below the CLI
    # (`lambdawait.aws.rollback.rollback`): 24 more processes would double the test's time, and the
    # rollback command's own documents are covered by test_rollback_e2e (bench/soak.py runs them).
    scenario = {"defaults": TIMINGS, "quotas": {"enabled": False}}
    sim = lambda_sim_factory(scenario)
    soak = Soak(sim, tmp_path, SEED, cli_rollbacks=0, scenario=scenario)
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


# -- the judge itself: a soak whose oracle let everything pass would prove nothing ---------------------


def _split_attempt(sim: Simulator, tmp_path: Path, code: int, doc: dict[str, Any] | str) -> Attempt:
    """Function `app` (versions 1 and 2) with alias live split 75/25, and a run that exited `code`."""
    two_versions(sim)
    sim.client("lambda").update_alias(
        FunctionName="app", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}}
    )
    stdout = doc if isinstance(doc, str) else json.dumps(doc)
    return Attempt("app", ("deploy", "app"), code, stdout, "", True, True, 1.0, tmp_path / "home", {})


def test_the_judge_calls_a_split_left_behind_without_exit_6_broken(sim: Simulator, tmp_path: Path) -> None:
    alias = {"functionVersion": "1", "additionalVersionWeights": {"2": 0.25}}
    attempt = _split_attempt(sim, tmp_path, 130, {"exitCode": 130, "outcome": "interrupted", "alias": alias})
    verdict = judge(sim, attempt, cli_rollbacks=0)
    assert verdict.outcome == "broken"
    assert verdict.problems == ["alias left split (version 1, 25% on version 2) with exit 130"]


def test_the_judge_accepts_an_exit_6_that_names_the_split_and_its_repair(
    sim: Simulator, tmp_path: Path
) -> None:
    fix = "lambdawait rollback app --alias live --to-version 1"
    doc = {
        "exitCode": 6,
        "outcome": "alias-split",
        "error": {"message": "… alias live is left on version 1, 25% on version 2", "hint": f"run `{fix}`"},
        "alias": {"functionVersion": "1", "additionalVersionWeights": {"2": 0.25}},
        "repairCommand": fix,
    }
    verdict = judge(sim, _split_attempt(sim, tmp_path, 6, doc), cli_rollbacks=0)
    assert (verdict.outcome, verdict.problems) == ("reported", [])
    # The repair ran (through the CLI) and the rollbacks after it stay on the known-good version.
    assert alias_state(sim) == ("1", {})
    assert (verdict.rollback, verdict.rollback_problems) == ("known-good", [])


def test_the_judge_calls_two_documents_or_a_wrong_alias_broken(sim: Simulator, tmp_path: Path) -> None:
    whole = {"exitCode": 130, "outcome": "interrupted", "alias": {"functionVersion": "1"}}
    attempt = _split_attempt(sim, tmp_path, 130, json.dumps(whole) * 2)
    sim.client("lambda").update_alias(
        FunctionName="app", Name="live", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    verdict = judge(sim, attempt, cli_rollbacks=0)
    assert verdict.outcome == "broken"
    assert verdict.problems[0].startswith("stdout is not exactly one JSON document")
    wrong = replace(
        attempt,
        stdout=json.dumps({**whole, "alias": {"functionVersion": "2", "additionalVersionWeights": {}}}),
    )
    assert judge(sim, wrong, cli_rollbacks=0).problems == [
        "document reports alias ('2', {}), Lambda holds ('1', {})"
    ]
