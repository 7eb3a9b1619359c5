"""The simulator's typed JSON reads: a member of the wrong kind reads as absent, never as a crash."""

from __future__ import annotations

import pytest

from lambdawait.sim.jsondata import (
    as_list,
    as_mapping,
    as_object,
    as_sequence,
    is_number,
    list_at,
    object_at,
    objects_at,
    parse_object,
    str_at,
    str_map_at,
)

BODY: dict[str, object] = {
    "Code": {"ZipFile": "UEsFBg=="},
    "Layers": ["arn:one", {"odd": True}, "arn:two"],
    "Aliases": [{"Name": "live"}, "stray", {"Name": "beta"}],
    "Tags": {"team": "core", "tier": 2},
    "Role": ["not", "a", "string"],
    "Environment": None,
}


def test_an_object_member_is_the_same_dict_so_changes_land_in_the_body() -> None:
    code = object_at(BODY, "Code")
    assert code is BODY["Code"]


def test_missing_null_or_wrong_kind_members_read_as_empty() -> None:
    assert object_at(BODY, "Environment") == {}
    assert object_at(BODY, "Layers") == {}
    assert object_at(BODY, "Nope") == {}
    assert list_at(BODY, "Code") == []
    assert str_at(BODY, "Role") is None
    assert str_at(BODY, "Nope") is None


def test_objects_at_keeps_only_the_objects_of_an_array() -> None:
    assert objects_at(BODY, "Aliases") == [{"Name": "live"}, {"Name": "beta"}]
    assert list_at(BODY, "Layers") == ["arn:one", {"odd": True}, "arn:two"]


def test_a_string_map_is_a_new_dict_of_strings() -> None:
    tags = str_map_at(BODY, "Tags")
    assert tags == {"team": "core", "tier": "2"}
    assert tags is not BODY["Tags"]


@pytest.mark.parametrize(
    ("value", "number"), [(1, True), (0.5, True), (True, False), ("1", False), (None, False)]
)
def test_true_and_false_are_not_numbers(value: object, number: bool) -> None:
    assert is_number(value) is number


def test_the_narrowing_helpers_say_none_for_another_kind() -> None:
    assert as_object([1]) is None
    assert as_list({"a": 1}) is None
    assert as_mapping("text") is None
    assert as_sequence(3) is None
    assert as_sequence((1, 2)) == (1, 2)


def test_parse_object_wants_an_object_and_reads_nothing_as_empty() -> None:
    assert parse_object(b"") == {}
    assert parse_object(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(ValueError, match="not an object"):
        parse_object(b"[1, 2]")
    with pytest.raises(ValueError):
        parse_object(b"{broken")
