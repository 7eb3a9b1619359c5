"""The comparison itself: placeholders as an equality relation, volatile values, extra fields."""

from __future__ import annotations

from typing import Any

from tests.conformance.matcher import Bindings, compare, expected_paths

ARN = "arn:<partition>:lambda:<region>:111111111111:function:<function-name:1>"
UUID_A = "0f0e0d0c-0b0a-4909-8807-060504030201"
UUID_B = "1f0e0d0c-0b0a-4909-8807-060504030201"


def _failed(expected: Any, actual: Any, bindings: Bindings | None = None) -> dict[str, str]:
    return {c.path: c.detail for c in compare("k", expected, actual, bindings or Bindings()) if not c.ok}


def test_equal_placeholders_need_equal_values_and_different_ones_different_values() -> None:
    expected = {"A": "<uuid:1>", "B": "<uuid:1>", "C": "<uuid:2>"}
    assert _failed(expected, {"A": UUID_A, "B": UUID_A, "C": UUID_B}) == {}
    assert set(_failed(expected, {"A": UUID_A, "B": UUID_B, "C": UUID_B})) == {"B"}  # first binding wins
    assert set(_failed(expected, {"A": UUID_A, "B": UUID_A, "C": UUID_A})) == {"C"}


def test_bindings_hold_across_answers_of_one_recording() -> None:
    bindings = Bindings()
    assert _failed({"RevisionId": "<uuid:1>"}, {"RevisionId": UUID_A}, bindings) == {}
    assert "RevisionId" in _failed({"RevisionId": "<uuid:2>"}, {"RevisionId": UUID_A}, bindings)


def test_placeholders_inside_text_match_names_and_arns() -> None:
    expected = {"FunctionArn": ARN, "Message": f"Function not found: {ARN}-unknown:1"}
    arn = "arn:aws:lambda:us-east-1:123456789012:function:fn-1"
    assert _failed(expected, {"FunctionArn": arn, "Message": f"Function not found: {arn}-unknown:1"}) == {}
    assert "Message" in _failed(expected, {"FunctionArn": arn, "Message": f"Function not found: {arn}:1"})


def test_volatile_values_are_compared_for_presence_and_type() -> None:
    expected = {"CodeSize": "<code-size>", "LastModified": "date", "Location": "<location>"}
    good = {"CodeSize": 3, "LastModified": "2024-01-31T12:00:00.000+0000", "Location": "https://x"}
    assert _failed(expected, good) == {}
    bad = _failed(expected, {"CodeSize": "3", "LastModified": "2024-01-31T12:00:00.000Z"})
    assert set(bad) == {"CodeSize", "LastModified", "Location"}


def test_fields_the_recording_lacks_fail_its_object_and_missing_ones_fail_each_leaf() -> None:
    expected = {"Config": {"A": 1, "B": {"C": 2}}}
    assert _failed(expected, {"Config": {"A": 1, "B": {"C": 2}, "Layers": []}}) == {
        "Config.(other fields)": "not in the recording: ['Layers']"
    }
    assert set(_failed(expected, {"Config": {"A": 1}})) == {"Config.B.C", "Config.B.(other fields)"}


def test_every_expected_path_is_one_check_whatever_the_answer() -> None:
    expected = {"Error": {"Code": "X", "Message": "m"}, "Type": "User"}
    paths = list(expected_paths(expected))
    assert len(paths) == 5
    for actual in ({}, "text", {"Error": {"Code": "X", "Message": "m"}, "Type": "User"}):
        assert [c.path for c in compare("k", expected, actual, Bindings())] == paths
