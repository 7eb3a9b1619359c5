"""Shell completion offers strategy names and reason codes (the installed executable, bash protocol)."""

from __future__ import annotations

import os
import subprocess

from tests.e2e.conftest import EXE


def _complete(*words: str) -> list[str]:
    env = {
        **os.environ,
        "_LAMBDAWAIT_COMPLETE": "complete_bash",
        "COMP_WORDS": " ".join(["lambdawait", *words]),
        "COMP_CWORD": str(len(words)),
    }
    proc = subprocess.run([str(EXE)], env=env, capture_output=True, text=True, timeout=30, check=False)
    return proc.stdout.split()


def test_strategy_names_complete() -> None:
    assert _complete("shift", "fn", "--strategy", "Canary10") == [
        "Canary10Percent5Minutes",
        "Canary10Percent10Minutes",
        "Canary10Percent15Minutes",
        "Canary10Percent30Minutes",
    ]
    assert "Linear10PercentEvery1Minute" in _complete("deploy", "fn", "--strategy", "Lin")


def test_reason_codes_complete() -> None:
    assert _complete("explain", "EniL") == ["EniLimitExceeded"]
    assert "SubnetOutOfIPAddresses" in _complete("explain", "Subnet")
