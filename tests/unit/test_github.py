"""GitHub Actions reporting: workflow-command escaping, annotations and the step summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lambdawait.output import github

FAILED: dict[str, Any] = {
    "command": "wait",
    "ok": False,
    "outcome": "failed",
    "exitCode": 1,
    "elapsedSeconds": 2.5,
    "functions": [
        {
            "function": "orders",
            "qualifier": None,
            "outcome": "failed",
            "state": "Failed",
            "stateReasonCode": "EniLimitExceeded",
            "lastUpdateStatus": "Failed",
            "lastUpdateStatusReasonCode": "EniLimitExceeded",
            "message": "orders failed: 100% of ENIs used",
            "remediation": "free ENIs, or raise the quota",
        },
        {"function": "ok-one", "outcome": "ready", "state": "Active", "lastUpdateStatus": "Successful"},
    ],
}


def test_enabled_only_on_github_actions() -> None:
    assert github.enabled({"GITHUB_ACTIONS": "true"})
    assert not github.enabled({})
    assert not github.enabled({"GITHUB_ACTIONS": "false"})


def test_command_escapes_data_and_properties() -> None:
    line = github.command("error", "50% done\nnext", title="a: b, c")
    assert line == "::error title=a%3A b%2C c::50%25 done%0Anext"


def test_annotations_name_function_code_and_fix() -> None:
    lines = github.error_annotations(FAILED)
    assert len(lines) == 1  # the ready function gets none
    assert lines[0].startswith("::error title=lambdawait wait%3A orders (EniLimitExceeded)::")
    assert "Fix%3A" not in lines[0] and "Fix:%0A- free ENIs, or raise the quota" in lines[0]


def test_annotation_for_an_error_without_functions() -> None:
    doc = {
        "command": "deploy",
        "ok": False,
        "functions": [],
        "error": {"message": "memory 64 is out of range", "hint": "use 128-10240", "code": None},
    }
    (line,) = github.error_annotations(doc)
    assert "memory 64 is out of range%0AFix: use 128-10240" in line


def test_no_annotations_on_success() -> None:
    assert github.error_annotations({"ok": True, "functions": []}) == []


def test_summary_table_and_extras(tmp_path: Path) -> None:
    doc = {
        **FAILED,
        "command": "deploy",
        "version": "7",
        "shift": {
            "alias": {"name": "live", "functionVersion": "6", "additionalVersionWeights": {"7": 0.1}},
            "fromVersion": "6",
            "toVersion": "7",
            "weightsApplied": [0.1],
        },
    }
    path = tmp_path / "summary.md"
    github.append_summary(doc, {"GITHUB_STEP_SUMMARY": str(path)})
    github.append_summary(doc, {"GITHUB_STEP_SUMMARY": str(path)})
    text = path.read_text()
    assert text.count("### ❌ lambdawait deploy: failed") == 2  # appended, not overwritten
    assert "| orders | failed | Failed | Failed | EniLimitExceeded |" in text
    assert "Published version: **7**" in text
    assert "Alias **live** → version 6, 10% → version 7" in text
    assert "#### Fix\n\n- free ENIs, or raise the quota\n" in text


def test_summary_without_file_is_a_no_op(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    process_file = tmp_path / "from-process.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(process_file))
    # An explicit environment without the variable (or with it empty) wins over the process's.
    assert github.append_summary(FAILED, {}) is None
    assert github.append_summary(FAILED, {"GITHUB_STEP_SUMMARY": ""}) is None
    assert list(tmp_path.iterdir()) == []
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    assert github.append_summary(FAILED) is None
    assert list(tmp_path.iterdir()) == []
    # The process's variable is read when no environment is passed.
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(process_file))
    assert github.append_summary(FAILED) is None
    assert "lambdawait wait: failed" in process_file.read_text(encoding="utf-8")


def test_summary_that_cannot_be_written_is_reported_not_raised(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing" / "summary.md"):  # a directory; a missing folder
        problem = github.append_summary(FAILED, {"GITHUB_STEP_SUMMARY": str(path)})
        assert problem is not None and str(path) in problem and "GITHUB_STEP_SUMMARY" in problem
    assert github.append_summary(FAILED, {"GITHUB_STEP_SUMMARY": str(tmp_path / "ok.md")}) is None


PUBLISHED: dict[str, Any] = {
    "command": "deploy",
    "ok": True,
    "outcome": "updated",
    "exitCode": 0,
    "functions": [{"function": "orders", "codeSha256": "abc="}],
    "codeSha256": "abc=",
    "version": "7",
    "shift": {"alias": {"name": "live", "functionVersion": "7", "additionalVersionWeights": {}}},
}


def test_outputs_of_a_deploy_with_publish_and_alias() -> None:
    assert github.outputs(PUBLISHED) == {
        "function": "orders",
        "version": "7",
        "alias": "live",
        "code-sha256": "abc=",
        "outcome": "updated",
        "exit-code": "0",
    }


def test_outputs_of_a_rolled_back_shift_name_the_version_the_alias_is_on() -> None:
    doc = {
        "command": "shift",
        "outcome": "rolled-back",
        "exitCode": 3,
        "functions": [],
        "alias": {"name": "live", "functionVersion": "6", "additionalVersionWeights": {}},
        "toVersion": "7",
    }
    assert github.outputs(doc) == {
        "version": "6",
        "alias": "live",
        "outcome": "rolled-back",
        "exit-code": "3",
    }


def test_outputs_of_a_failed_wait_on_two_functions_name_no_single_function() -> None:
    assert github.outputs(FAILED) == {"outcome": "failed", "exit-code": "1"}


def test_output_lines_use_a_delimiter_for_a_value_with_a_newline() -> None:
    text = github.output_lines({"outcome": "ok", "note": "two\nlines"})
    first, head, body1, body2, tail = text.splitlines()
    assert first == "outcome=ok"
    name, delimiter = head.split("<<")
    assert name == "note" and delimiter.startswith("ghadelimiter_") and tail == delimiter
    assert (body1, body2) == ("two", "lines")
    assert text.endswith("\n")


def test_outputs_are_appended_to_github_output(tmp_path: Path) -> None:
    path = tmp_path / "output"
    path.write_text("earlier=1\n")
    assert github.append_outputs(PUBLISHED, {"GITHUB_OUTPUT": str(path)}) is None
    lines = path.read_text().splitlines()
    assert lines[0] == "earlier=1" and "version=7" in lines and "exit-code=0" in lines


def test_outputs_that_cannot_be_written_are_reported_not_raised(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing" / "output", "a\0b"):
        problem = github.append_outputs(PUBLISHED, {"GITHUB_OUTPUT": str(path)})
        assert problem is not None and "GITHUB_OUTPUT" in problem and "\n" not in problem
    assert github.append_outputs(PUBLISHED, {}) is None


def test_a_failed_deploy_has_one_fix_section_with_its_steps() -> None:
    # The error's hint is the failed function's steps on one line: the summary shows them once.
    steps = ["free ENIs", "delete orders and deploy again: aws lambda delete-function --function-name orders"]
    doc = {
        "command": "deploy",
        "ok": False,
        "outcome": "failed",
        "functions": [
            {
                "function": "orders",
                "state": "Failed",
                "remediation": "; ".join(steps),
                "remediationSteps": steps,
            }
        ],
        "error": {"message": "creating orders failed", "hint": "; ".join(steps), "code": "EniLimitExceeded"},
    }
    text = github.summary(doc)
    assert text.count("Fix") == 1 and text.count("free ENIs") == 1
    assert "#### Fix\n\n- free ENIs\n- delete orders and deploy again" in text
    (line,) = github.error_annotations(doc)
    assert line.count("free ENIs") == 1 and "Fix:%0A- free ENIs%0A- delete orders" in line


def test_fix_section_names_each_function_when_several_failed() -> None:
    doc = {
        "command": "wait",
        "ok": False,
        "functions": [
            {"function": "a", "remediationSteps": ["step for a"]},
            {"function": "b", "remediationSteps": ["step for b"]},
        ],
    }
    text = github.summary(doc)
    assert "#### Fix\n\n**a**\n- step for a\n**b**\n- step for b" in text


def test_a_failed_apply_annotates_only_the_functions_that_failed() -> None:
    from lambdawait.output.github import error_annotations

    document = {
        "command": "apply",
        "ok": False,
        "outcome": "failed",
        "functions": [
            {"function": "a", "outcome": "deployed"},
            {"function": "b", "outcome": "failed", "stateReasonCode": "InvalidZipFileException"},
            {"function": "c", "outcome": "untouched"},
        ],
    }
    lines = error_annotations(document)
    assert len(lines) == 1 and "lambdawait apply%3A b (InvalidZipFileException)" in lines[0]
