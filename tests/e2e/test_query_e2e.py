"""`--query`: a JMESPath expression over the result document, through the installed executable."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from lambdawait.sim import Simulator
from tests.e2e.conftest import Run
from tests.e2e.shift_setup import two_versions


def test_query_picks_from_the_result_in_text_and_json(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    bare = cli("wait", "app:2", "--for", "version", "--query", "functions[0].qualifier")
    assert (bare.code, bare.stdout) == (0, "2\n")  # a bare string for $(...), as the fast path runs it
    as_json = cli(
        "status", "app", "-o", "json", "--query", "functions[0].{state: state, versions: versions[].version}"
    )
    assert as_json.code == 0 and json.loads(as_json.stdout) == {"state": "Active", "versions": ["1", "2"]}
    rolled = cli("rollback", "app", "--alias", "live", "--to-version", "2", "--query", "[outcome, exitCode]")
    assert rolled.code == 0 and json.loads(rolled.stdout)[1] == 0


def test_query_keeps_the_exit_code_of_a_failure(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    run = cli("publish", "app", "--code-sha256", "not-the-code", "--query", "outcome")
    assert (
        run.code != 0
        and run.stdout.strip()
        == json.loads(cli("publish", "app", "--code-sha256", "not-the-code", "-o", "json").stdout)["outcome"]
    )
    assert run.stderr.startswith("error: ")


@pytest.mark.parametrize(
    "command", [("wait", "app"), ("shift", "app", "--alias", "live", "--to-version", "2")]
)
def test_a_bad_query_is_exit_2_before_any_aws_call(
    sim: Simulator, cli: Callable[..., Run], command: tuple[str, ...]
) -> None:
    two_versions(sim)
    sim.reset_calls()
    run = cli(*command, "--query", "functions[0", "-o", "json")
    assert run.code == 2 and json.loads(run.stdout)["outcome"] == "usage-error"
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: --query 'functions[0' is not valid: Incomplete expression")
    assert sum(sim.calls().values()) == 0
