"""One table decides outcome and exit code together: documents, errors and the process always agree."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from lambdawait.cli.boundary import command
from lambdawait.core import errors
from lambdawait.core.errors import OUTCOME_EXIT_CODES, ExitCode, exit_code_for, worst_outcome
from lambdawait.core.models import WaitOutcome, WaitResult
from lambdawait.output.documents import document, error_document, wait_document
from lambdawait.output.render import Output

SCHEMA = json.loads((Path(__file__).parents[2] / "schema" / "result.schema.json").read_text())


def test_the_schema_lists_exactly_the_outcomes_and_exit_codes_of_the_table() -> None:
    assert set(SCHEMA["properties"]["outcome"]["enum"]) == set(OUTCOME_EXIT_CODES)
    assert set(SCHEMA["properties"]["exitCode"]["enum"]) == {int(code) for code in ExitCode}
    assert set(OUTCOME_EXIT_CODES.values()) == set(ExitCode)  # every exit code has an outcome


def test_every_wait_outcome_has_an_exit_code() -> None:
    for outcome in WaitOutcome:
        exit_code_for(outcome.value)


def test_an_unknown_outcome_is_a_bug_not_success() -> None:
    with pytest.raises(ValueError, match="no exit code"):
        exit_code_for("mostly-fine")


def _result(function: str, outcome: WaitOutcome) -> WaitResult:
    return WaitResult(function, None, "ready", outcome, None, 1.0, 1, f"{function} {outcome.value}")


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (["ready", "ready"], "ready"),
        (["timeout"], "timeout"),
        # The reported case: one function still pending at the deadline, one missing. The outcome
        # said `timeout` while the exit code said 4.
        (["timeout", "not-found"], "not-found"),
        (["ready", "timeout", "error"], "error"),
        (["timeout", "not-found", "failed"], "failed"),
        (["unsupported-state", "inactive"], "inactive"),
        (["error", "not-found"], "not-found"),
    ],
)
def test_wait_document_outcome_and_exit_code_agree(outcomes: list[str], expected: str) -> None:
    results = [_result(f"fn{i}", WaitOutcome(o)) for i, o in enumerate(outcomes)]
    doc = wait_document(results, 1.0)
    assert doc["outcome"] == expected
    assert doc["exitCode"] == exit_code_for(expected)
    assert doc["ok"] is (doc["exitCode"] == 0)


def test_worst_outcome_follows_the_documented_order() -> None:
    # README: several functions exit 1 if any failed, else 4 if any hit an API error, else 3.
    assert exit_code_for(worst_outcome(["timeout", "error", "failed"])) is ExitCode.FAILED
    assert exit_code_for(worst_outcome(["timeout", "error"])) is ExitCode.AWS
    assert worst_outcome([], all_ok="ok") == "ok"


ERRORS = [
    (errors.UsageError, "usage-error", 2),
    (errors.TargetFailedError, "failed", 1),
    (errors.WaitTimeoutError, "timeout", 3),
    (errors.AwsError, "error", 4),
    (errors.ConflictError, "error", 4),
    (errors.ConfigurationError, "error", 4),
    (errors.NotFoundError, "not-found", 4),
    (errors.RolledBackError, "gate-failed", 5),
    (errors.AliasSplitError, "alias-split", 6),
    (errors.InternalError, "internal-error", 70),
    (errors.InterruptedError_, "interrupted", 130),
]


@pytest.mark.parametrize(("cls", "outcome", "code"), ERRORS, ids=[c.__name__ for c, *_ in ERRORS])
def test_error_document_and_exit_status_come_from_the_error(
    cls: type[errors.LambdawaitError], outcome: str, code: int
) -> None:
    # Details that claim another outcome cannot make the document disagree with the exit status.
    err = cls("it went wrong", hint="do this", details={"outcome": "ok", "exitCode": 0, "gate": "x"})
    doc = error_document("shift", err, 0.5)
    assert (doc["outcome"], doc["exitCode"], doc["ok"], doc["gate"]) == (outcome, code, False, "x")
    stdout = io.StringIO()
    with (
        pytest.raises(SystemExit) as info,
        command("shift", Output("json", stdout=stdout, stderr=io.StringIO())),
    ):
        raise err
    assert info.value.code == code == json.loads(stdout.getvalue())["exitCode"]


def test_document_derives_ok_and_exit_code() -> None:
    assert document("rollback", "rolled-back", 0.1)["exitCode"] == 0
    doc = document("shift", "gate-failed", 0.1, ok=True, exitCode=0)  # cannot be overridden
    assert (doc["ok"], doc["exitCode"]) == (False, 5)


def run_bug(verbose: bool) -> tuple[Any, dict[str, Any], str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output("json", verbose=verbose, stdout=stdout, stderr=stderr)
    with pytest.raises(SystemExit) as info, command("status", out):
        {}["missing"]  # a bug: a KeyError nothing expected
    return info.value.code, json.loads(stdout.getvalue()), stderr.getvalue()


def test_an_internal_error_is_its_own_outcome_and_exit_code_not_aws() -> None:
    code, doc, err = run_bug(verbose=False)
    assert code == 70 == doc["exitCode"] and doc["outcome"] == "internal-error"
    assert doc["error"]["type"] == "InternalError" and "KeyError" in doc["error"]["message"]
    assert err.count("\n") == 1 and err.startswith("error: internal error: KeyError")
    assert "Traceback" not in err


def test_verbose_shows_the_traceback_of_an_internal_error() -> None:
    code, _, err = run_bug(verbose=True)
    assert code == 70 and "Traceback" in err and "KeyError" in err
