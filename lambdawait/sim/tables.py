"""Checked reads of a scenario's tables: every malformed value is a ScenarioError naming its key."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

from lambdawait.sim.jsondata import as_mapping, as_sequence, is_number

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_Dataclass = TypeVar("_Dataclass", bound="DataclassInstance")


class ScenarioError(ValueError):
    """A scenario file or dict is malformed; the message names the offending key."""


def table_of(raw: object, where: str) -> Mapping[str, object]:
    """`raw` as a table (a TOML table, a JSON object, a dict); `where` names it in the error."""
    found = as_mapping(raw)
    if found is None:
        raise ScenarioError(f"'{where}' must be a table/object")
    return found


def reject_unknown(raw: Mapping[str, object], known: set[str], where: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ScenarioError(f"unknown key(s) in {where}: {', '.join(unknown)}")


def seconds(key: str, value: object) -> float:
    """A duration: a number >= 0 (true and false are not numbers here)."""
    if not is_number(value) or value < 0:
        raise ScenarioError(f"'{key}' must be a number of seconds >= 0")
    return float(value)


def rate(raw: Mapping[str, object], key: str, default: float) -> float:
    """A fault's probability: a number within [0, 1]."""
    value = raw.get(key, default)
    if not is_number(value) or not 0 <= value <= 1:
        raise ScenarioError(f"faults.{key} must be between 0 and 1")
    return float(value)


def ordinal_list(value: object) -> tuple[int, ...] | None:
    """A list of 1-based ordinals (1, 2, ...); None when `value` is anything else."""
    items = as_sequence(value)
    if items is None:
        return None
    found = tuple(n for n in items if isinstance(n, int) and not isinstance(n, bool) and n >= 1)
    return found if len(found) == len(items) else None


def operations(value: object, where: str) -> tuple[str, ...]:
    """A list of Lambda operation names."""
    items = as_sequence(value)
    names = () if items is None else tuple(v for v in items if isinstance(v, str))
    if isinstance(value, str) or items is None or len(names) != len(items):
        raise ScenarioError(f"{where} must be a list of operation names")
    return names


def ordinals_by_operation(value: object) -> dict[str, tuple[int, ...]]:
    """Operation name -> which of its calls (1, 2, ...) a fault hits."""
    message = "faults.lost_reply_calls must map operation names to lists of call ordinals (1, 2, ...)"
    table = as_mapping(value)
    if table is None:
        raise ScenarioError(message)
    out: dict[str, tuple[int, ...]] = {}
    for operation, given in table.items():
        found = None if isinstance(given, str) else ordinal_list(given)
        if found is None:
            raise ScenarioError(message)
        out[str(operation)] = found
    return out


def replaced(base: _Dataclass, changes: dict[str, object]) -> _Dataclass:
    """`base` with the named fields replaced: the callers checked each value against its field."""
    return dataclasses.replace(base, **changes)
