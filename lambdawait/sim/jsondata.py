"""Typed reads of JSON nobody vouches for: request bodies, moto's answers, scenario tables.

What arrives on the wire is unknown until looked at, so it is `object`, and these helpers narrow
it with isinstance: a member of the wrong kind reads as absent, as Lambda's own model would not
let it through either. One module, so every part of the simulator reads JSON the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TypeGuard, cast

# A JSON object: its keys are strings (JSON allows no others), its values anything JSON holds.
JSONObject = dict[str, object]


def as_object(value: object) -> JSONObject | None:
    """`value` if it is a JSON object (a dict), else None."""
    if isinstance(value, dict):
        return cast(JSONObject, value)
    return None


def as_mapping(value: object) -> Mapping[str, object] | None:
    """`value` if it is any mapping (a scenario given as a Python dict or a TOML table), else None."""
    if isinstance(value, Mapping):
        return cast("Mapping[str, object]", value)
    return None


def as_list(value: object) -> list[object] | None:
    """`value` if it is a JSON array, else None."""
    if isinstance(value, list):
        return cast("list[object]", value)
    return None


def as_sequence(value: object) -> Sequence[object] | None:
    """`value` if it is a sequence (a list, a tuple; also a string: callers refuse those), else None."""
    if isinstance(value, Sequence):
        return cast("Sequence[object]", value)
    return None


def parse(raw: bytes | str) -> object:
    """A JSON text's value, not yet looked at; ValueError (JSONDecodeError) when it is not JSON."""
    data: object = json.loads(raw)
    return data


def parse_object(raw: bytes | str) -> JSONObject:
    """A JSON text that must hold an object; an empty text is the empty object.

    Raises ValueError (json.JSONDecodeError is one) when it is not JSON or not an object.
    """
    if not raw:
        return {}
    data = parse(raw)
    found = as_object(data)
    if found is None:
        raise ValueError("not an object")
    return found


def object_at(data: Mapping[str, object], key: str) -> JSONObject:
    """The object under `key`; an empty one when it is missing, null or not an object."""
    found = as_object(data.get(key))
    return {} if found is None else found


def list_at(data: Mapping[str, object], key: str) -> list[object]:
    """The array under `key`; an empty one when it is missing, null or not an array."""
    found = as_list(data.get(key))
    return [] if found is None else found


def objects_at(data: Mapping[str, object], key: str) -> list[JSONObject]:
    """The objects in the array under `key` (anything else in it is skipped)."""
    return [item for item in map(as_object, list_at(data, key)) if item is not None]


def str_map_at(data: Mapping[str, object], key: str) -> dict[str, str]:
    """The string map under `key` (tags, environment variables), a new dict; empty when absent."""
    return {name: str(value) for name, value in object_at(data, key).items()}


def str_at(data: Mapping[str, object], key: str) -> str | None:
    """The string under `key`; None when it is missing or not a string."""
    value = data.get(key)
    return value if isinstance(value, str) else None


def is_number(value: object) -> TypeGuard[int | float]:
    """A JSON number (true and false are not numbers, though Python's bool is an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
