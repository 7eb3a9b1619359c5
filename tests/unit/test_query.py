"""`--query`: compiled before any AWS call, applied to the result document, never changing the outcome."""

from __future__ import annotations

import io
import json

import pytest

from lambdawait.cli.boundary import command
from lambdawait.core.errors import UsageError
from lambdawait.output.query import Query, format_value
from lambdawait.output.render import Output

DOC = {
    "command": "publish",
    "ok": True,
    "outcome": "published",
    "exitCode": 0,
    "functions": [{"function": "orders", "state": "Active"}],
    "version": "7",
}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("functions[0", "Incomplete expression"),
        ("a ~ b", "Unknown token ~"),
        ("", "cannot be empty"),
        ("nosuchfn(version)", "Unknown function: nosuchfn()"),
        ("length(version, outcome)", "Expected 1 argument"),
    ],
)
def test_a_bad_expression_is_one_usage_error(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as info:
        Query(text)
    line = info.value.one_line()
    assert "\n" not in line and line.startswith(f"--query {text!r} is not valid: {reason}")


def test_a_type_error_on_an_empty_document_is_not_a_bad_expression() -> None:
    assert Query("length(functions)").search(DOC) == 1


def test_text_output_prints_strings_bare_and_null_empty() -> None:
    assert format_value("7", as_json=False) == "7"
    assert format_value(None, as_json=False) == ""
    assert format_value(["1", "2"], as_json=False) == json.dumps(["1", "2"], indent=2)
    assert format_value("7", as_json=True) == '"7"'


def output(mode: str, query: str) -> tuple[Output, io.StringIO, io.StringIO]:
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(mode, no_color=True, stdout=stdout, stderr=stderr, query=query)
    out.compile_query()
    return out, stdout, stderr


@pytest.mark.parametrize(("mode", "expected"), [("text", "7\n"), ("json", '"7"\n')])
def test_the_result_is_replaced_by_what_the_query_picks(mode: str, expected: str) -> None:
    out, stdout, _ = output(mode, "version")
    out.result(DOC)
    assert stdout.getvalue() == expected


def test_a_query_that_cannot_be_applied_is_a_warning_and_stdout_stays_empty() -> None:
    out, stdout, stderr = output("text", "abs(functions)")
    out.result(DOC)
    assert stdout.getvalue() == "" and stderr.getvalue().startswith("warning: --query 'abs(functions)'")


def test_an_error_document_is_queried_too_and_the_exit_code_stands() -> None:
    from lambdawait.core.errors import TargetFailedError

    out, stdout, stderr = output("text", "[outcome, exitCode]")
    with pytest.raises(SystemExit) as info, command("wait", out):
        raise TargetFailedError("orders failed")
    assert json.loads(stdout.getvalue()) == ["failed", info.value.code] and info.value.code == 1
    assert stderr.getvalue().startswith("error: orders failed")
