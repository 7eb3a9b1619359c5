"""Replay every recording against one simulator and compare each answer with AWS's."""

from __future__ import annotations

import fnmatch
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdawait.sim import Simulator
from lambdawait.sim.scenario import Scenario
from tests.conformance.exclusions import EXCLUSIONS, Exclusion
from tests.conformance.matcher import Bindings, Check, compare, expected_paths
from tests.conformance.recorder import SCENARIO, Recorder
from tests.conformance.replays import REPLAYS

DATA = Path(__file__).parent / "data" / "lambda-api.json"
F1_ENVELOPE = {"CreateEventSourceMappingResponse", "CreateFunctionResponse"}


@dataclass
class Outcome:
    """Every check of one recording, and what else the replay saw."""

    recording: str
    checks: list[Check]
    request_ids: dict[str, str | None] = field(default_factory=dict)
    null_fields: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the replay ended early, if it did

    @property
    def matched(self) -> bool:
        return all(check.ok for check in self.checks)

    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def recordings() -> dict[str, dict[str, Any]]:
    """Snapshot key -> AWS answer, per recording, with the recording's test scaffolding removed."""
    raw = json.loads(DATA.read_text())
    return {
        name: {k: _unwrap(v) for k, v in entry["recorded-content"].items()} for name, entry in raw.items()
    }


def _unwrap(answer: Any) -> Any:
    if isinstance(answer, dict) and set(answer) == F1_ENVELOPE:
        answer = answer["CreateFunctionResponse"]  # the test helper's envelope, not AWS data
    if isinstance(answer, dict) and isinstance(answer.get("ResponseMetadata"), dict):
        meta = {k: v for k, v in answer["ResponseMetadata"].items() if k != "HTTPHeaders"}
        answer = {**answer, "ResponseMetadata": meta}  # headers were emptied when recording
    return answer


@functools.lru_cache(maxsize=1)
def run_all() -> dict[str, Outcome]:
    """Replay every recording once (cached: the tests and the report share one run)."""
    recorded = recordings()
    with Simulator(Scenario.from_dict(SCENARIO)) as sim:
        return {name: _run_one(sim, name, keys) for name, keys in recorded.items()}


def _run_one(sim: Simulator, name: str, recorded: dict[str, Any]) -> Outcome:
    replay = REPLAYS.get(name)
    if replay is None:
        return Outcome(name, _all_failed(recorded, "not replayed"))
    recorder = Recorder(sim)
    stopped = None
    try:
        replay(recorder)
    except Exception as exc:  # a step the simulator cannot take; the unreached keys fail
        stopped = f"{type(exc).__name__}: {exc}"[:300]
    bindings = Bindings()
    checks: list[Check] = []
    for key, expected in recorded.items():
        if key in recorder.answers:
            checks.extend(compare(key, expected, recorder.answers[key], bindings))
        else:
            checks.extend(_all_failed({key: expected}, f"not reached ({stopped})"))
    return Outcome(name, checks, recorder.request_ids, recorder.null_fields, stopped)


def _all_failed(recorded: dict[str, Any], why: str) -> list[Check]:
    return [Check(key, path, False, why) for key, value in recorded.items() for path in expected_paths(value)]


def covering(exclusion: Exclusion, check: Check) -> bool:
    return fnmatch.fnmatchcase(check.key, exclusion.key) and fnmatch.fnmatchcase(check.path, exclusion.path)


def exclusions_for(recording: str) -> list[Exclusion]:
    return [e for e in EXCLUSIONS if e.recording == recording]


@dataclass(frozen=True)
class Figure:
    recordings_matched: int
    recordings: int
    fields_matched: int
    fields: int

    def line(self) -> str:
        return (
            f"recordings fully matched: {self.recordings_matched}/{self.recordings}; "
            f"fields matched: {self.fields_matched}/{self.fields}"
        )


def figure(outcomes: dict[str, Outcome]) -> Figure:
    checks = [check for outcome in outcomes.values() for check in outcome.checks]
    return Figure(
        sum(outcome.matched for outcome in outcomes.values()),
        len(outcomes),
        sum(check.ok for check in checks),
        len(checks),
    )
