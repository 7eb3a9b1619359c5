"""The simulator against real AWS: each recording replayed, each answer compared (see data/README.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conformance.exclusions import EXCLUSIONS
from tests.conformance.matcher import Check
from tests.conformance.replays import REPLAYS
from tests.conformance.suite import covering, exclusions_for, figure, recordings, run_all

pytestmark = pytest.mark.timeout(60)

RECORDINGS = list(recordings())
README = Path(__file__).resolve().parents[2] / "README.md"


def _lines(checks: list[Check]) -> str:
    return "\n".join(f"  {c.key} {c.path}: {c.detail}" for c in checks)


@pytest.mark.parametrize("recording", RECORDINGS)
def test_simulator_answers_as_aws_recorded(recording: str) -> None:
    outcome = run_all()[recording]
    exclusions = exclusions_for(recording)
    failures = outcome.failures()
    unexplained = [c for c in failures if not any(covering(e, c) for e in exclusions)]
    assert not unexplained, f"the simulator differs from AWS (replay stopped: {outcome.stopped}):\n" + _lines(
        unexplained
    )
    stale = [e for e in exclusions if not any(covering(e, c) for c in failures)]
    assert not stale, f"these exclusions cover nothing any more, drop them: {stale}"


def test_exclusions_name_recordings_and_unreplayed_ones_are_excluded_whole() -> None:
    assert {e.recording for e in EXCLUSIONS} <= set(RECORDINGS)
    for name in set(RECORDINGS) - set(REPLAYS):
        assert any((e.recording, e.key, e.path) == (name, "*", "*") for e in EXCLUSIONS), name
    assert set(REPLAYS) <= set(RECORDINGS)


def test_no_reply_carries_null_for_an_unset_field() -> None:
    nulls = {name: o.null_fields for name, o in run_all().items() if o.null_fields}
    assert not nulls  # AWS leaves unset fields out


def test_every_reply_carries_a_request_id() -> None:
    missing = {
        f"{name}/{key}" for name, o in run_all().items() for key, rid in o.request_ids.items() if not rid
    }
    assert not missing


def test_readme_states_the_figure_and_every_exclusion() -> None:
    text = README.read_text()
    section = text[text.index("### Conformance with AWS") :]
    assert figure(run_all()).line() in section
    for name in {e.recording for e in EXCLUSIONS}:
        test_name = re.sub(r"\[.*\]$", "", name.split("::")[1])
        assert f"`{test_name}`" in section, name
