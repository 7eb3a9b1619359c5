"""The installed entry points: --version, --help, python -m, explain, and the demo."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.conftest import EXE


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def test_version_matches_the_package() -> None:
    from lambdawait import __version__

    assert _run("--version").stdout.strip() == f"lambdawait {__version__}"
    module = subprocess.run(
        [sys.executable, "-m", "lambdawait", "--version"], capture_output=True, text=True, check=True
    )
    assert module.stdout.strip() == f"lambdawait {__version__}"


def test_help_lists_every_command() -> None:
    run = _run("--help")
    assert run.returncode == 0
    for command in ("wait", "status", "explain", "deploy", "publish", "shift", "rollback", "sim", "demo"):
        assert command in run.stdout


def test_no_arguments_shows_help_not_a_traceback() -> None:
    run = _run()
    assert "Usage" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_explain_known_code() -> None:
    run = _run("explain", "EniLimitExceeded", "-o", "json")
    assert run.returncode == 0
    reason = json.loads(run.stdout)["reasons"][0]
    assert reason["code"] == "EniLimitExceeded" and reason["remediation"]


def test_explain_unknown_code_suggests_and_exits_2() -> None:
    run = _run("explain", "EniLimitExceded")
    assert run.returncode == 2
    assert "EniLimitExceeded" in run.stderr
    assert run.stderr.strip().count("\n") == 0


def test_explain_list_covers_botocore() -> None:
    from lambdawait.reasons import botocore_codes

    listed = {r["code"] for r in json.loads(_run("explain", "--list", "-o", "json").stdout)["reasons"]}
    for codes in botocore_codes().values():
        assert codes <= listed


def test_demo_runs_the_whole_job() -> None:
    run = _run("demo", timeout=90)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    for needle in (
        "deploy: created",
        "deploy: unchanged",
        "publish: published",
        "shift: created",
        "rollback: rolled-back",
        "SubnetOutOfIPAddresses",
        "as expected",
    ):
        assert needle in run.stdout, needle
    assert "s3cr3t" not in run.stdout + run.stderr
