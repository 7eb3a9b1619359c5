"""The release record: parse, write beside the user's text (never cutting it), tag fallback, legacy form."""

from __future__ import annotations

import pytest

from lambdawait.core.record import (
    MAX_DESCRIPTION,
    MAX_TAG_KEY,
    RELEASED,
    ROLLED_BACK,
    ReleaseRecord,
    function_arn,
    parse,
    parse_text,
    tag_key,
    user_text,
    write,
)


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (None, ReleaseRecord()),
        ("", ReleaseRecord()),
        ("just the user's words", ReleaseRecord()),
        ("[lambdawait run=abc good=3 new=4 state=released]", ReleaseRecord("abc", "3", "4", RELEASED)),
        ("prod [lambdawait good=12 state=rolled-back]", ReleaseRecord(None, "12", None, ROLLED_BACK)),
        ("[lambdawait run=abc] trailing text", ReleaseRecord("abc")),
        ("[lambdawait run=abc junk good=4 x=y state=bogus]", ReleaseRecord("abc", "4")),
        ("[lambdawait]", ReleaseRecord()),
        # The form written before 0.2: the version the last shift left is the known-good one.
        ("[lambdawait run=abc previous=3]", ReleaseRecord("abc", "3", None, RELEASED)),
    ],
)
def test_parse(description: str | None, expected: ReleaseRecord) -> None:
    assert parse(description) == expected


def test_write_appends_marker_to_user_text_and_round_trips() -> None:
    rec = ReleaseRecord("run1", "7", "8", RELEASED)
    text = write("prod traffic", rec)
    assert text == "prod traffic [lambdawait run=run1 good=7 new=8 state=released]"
    assert parse(text) == rec
    assert user_text(text) == "prod traffic"


def test_write_replaces_an_old_marker_and_keeps_the_user_text_exactly() -> None:
    first = write("  prod  traffic ", ReleaseRecord("a", "1", "2", "shifting"))
    second = write(first, ReleaseRecord("a", "1", "2", ROLLED_BACK))
    assert second == "prod  traffic [lambdawait run=a good=1 new=2 state=rolled-back]"


def test_a_description_without_room_is_never_cut_the_record_goes_elsewhere() -> None:
    long_text = "x" * 241
    assert write(long_text, ReleaseRecord("run1", "1", "2", RELEASED)) is None
    # Exactly at the limit still fits.
    rec = ReleaseRecord("r", "1", "2", RELEASED)
    room = MAX_DESCRIPTION - len(" [lambdawait run=r good=1 new=2 state=released]")
    fitted = write("y" * room, rec)
    assert fitted is not None and len(fitted) == MAX_DESCRIPTION
    assert write("y" * (room + 1), rec) is None


def test_tag_key_fits_lambdas_limit_for_any_alias_name() -> None:
    assert tag_key("live") == "lambdawait:alias:live"
    long_a, long_b = "a" * 128, "a" * 127 + "b"
    assert len(tag_key(long_a)) <= MAX_TAG_KEY
    assert tag_key(long_a) != tag_key(long_b)


def test_tag_value_round_trips() -> None:
    rec = ReleaseRecord("r1", "4", "5", ROLLED_BACK)
    from lambdawait.core.record import body

    assert parse_text(body(rec)) == rec


def test_function_arn_drops_the_alias_qualifier() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:app:live"
    assert function_arn(arn, "app") == "arn:aws:lambda:us-east-1:123456789012:function:app"
    assert function_arn(None, "app") == "app"
