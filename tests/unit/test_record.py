"""The rollback record kept in the alias description: parse, write, keep the user's text, fit 256."""

from __future__ import annotations

import pytest

from lambdawait.record import MAX_DESCRIPTION, AliasRecord, parse, write


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (None, AliasRecord()),
        ("", AliasRecord()),
        ("just the user's words", AliasRecord()),
        ("[lambdawait run=abc previous=3]", AliasRecord("abc", "3")),
        ("prod [lambdawait previous=12]", AliasRecord(None, "12")),
        ("[lambdawait run=abc] trailing text", AliasRecord("abc", None)),
        ("[lambdawait run=abc junk previous=4 x=y]", AliasRecord("abc", "4")),
        ("[lambdawait]", AliasRecord()),
    ],
)
def test_parse(description: str | None, expected: AliasRecord) -> None:
    assert parse(description) == expected


def test_write_appends_marker_to_user_text_and_round_trips() -> None:
    text = write("prod traffic", AliasRecord("run1", "7"))
    assert text == "prod traffic [lambdawait run=run1 previous=7]"
    assert parse(text) == AliasRecord("run1", "7")


def test_write_replaces_the_previous_marker_instead_of_stacking() -> None:
    first = write("prod", AliasRecord("a", "1"))
    second = write(first, AliasRecord("b", "2"))
    assert second == "prod [lambdawait run=b previous=2]"
    assert second.count("[lambdawait") == 1


@pytest.mark.parametrize(
    ("record", "marker"),
    [
        (AliasRecord(), "[lambdawait]"),
        (AliasRecord(run="r"), "[lambdawait run=r]"),
        (AliasRecord(previous="5"), "[lambdawait previous=5]"),
    ],
)
def test_write_without_user_text(record: AliasRecord, marker: str) -> None:
    assert write(None, record) == marker
    assert parse(write(None, record)) == record


def test_write_trims_user_text_to_lambdas_limit_and_keeps_the_marker() -> None:
    long = "x" * 300
    text = write(long, AliasRecord("0123456789ab", "123"))
    assert len(text) <= MAX_DESCRIPTION
    assert parse(text) == AliasRecord("0123456789ab", "123")
    assert text.startswith("x")
