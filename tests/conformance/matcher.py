"""Compare a simulator answer with a recorded AWS answer, reading the recording's placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Values the recording replaced because they differ on every run: compared for presence and type.
VOLATILE: dict[str, type] = {"date": str, "<code-size>": int, "<location>": str}
# AWS's LastModified format; the recording keeps only "date", the format is checked besides.
AWS_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")
OTHER_FIELDS = "(other fields)"

_TOKEN = re.compile(r"<[a-z_0-9-]+(?::\d+)?>|\b111111111111\b")
# How a placeholder's value may look; names are anything that ends at a separator.
_SHAPES = {
    "uuid": r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}",
    "code-sha256": r"[A-Za-z0-9+/=]+",
    "partition": r"aws[a-z-]*",
    "region": r"[a-z]{2}(?:-[a-z]+)+-\d+",
    "account": r"\d{12}",
}
_NAME_SHAPE = r"[^\s:'\"\[\]{},]+"


@dataclass(frozen=True)
class Check:
    """One compared field of one recorded answer; `path` is dotted, `detail` says why it failed."""

    key: str
    path: str
    ok: bool
    detail: str = ""


def family(token: str) -> str:
    """`<uuid:3>` -> 'uuid'; the account id placeholder is the family 'account'."""
    if token == "111111111111":
        return "account"
    return token.strip("<>").split(":")[0]


@dataclass
class Bindings:
    """Which actual value each placeholder stands for, within one recording.

    Equal placeholders must bind equal values, and different placeholders of one family
    (two `<uuid:N>`s) different values: the equality relation is what the recording keeps.
    """

    values: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (value, where)
    owners: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # -> (token, where)

    def bind(self, token: str, value: str, where: str) -> str | None:
        known = self.values.get(token)
        if known is not None:
            if known[0] != value:
                return f"{token} is {value!r} here but {known[0]!r} at {known[1]}"
            return None
        owner = self.owners.get((family(token), value))
        if owner is not None and owner[0] != token:
            return f"{token} is {value!r}, the value {owner[0]} already had at {owner[1]}"
        self.values[token] = (value, where)
        self.owners[(family(token), value)] = (token, where)
        return None


def expected_paths(expected: Any, path: str = "") -> Iterator[str]:
    """Every check a recorded value yields: each leaf, and each object's 'no other fields'."""
    if isinstance(expected, dict):
        for name, value in expected.items():
            yield from expected_paths(value, _join(path, name))
        yield _join(path, OTHER_FIELDS)
    elif isinstance(expected, list):
        for index, value in enumerate(expected):
            yield from expected_paths(value, _join(path, str(index)))
        yield _join(path, OTHER_FIELDS)
    else:
        yield path


def compare(key: str, expected: Any, actual: Any, bindings: Bindings) -> list[Check]:
    out: list[Check] = []
    _compare(key, expected, actual, "", bindings, out)
    return out


def _compare(key: str, expected: Any, actual: Any, path: str, bindings: Bindings, out: list[Check]) -> None:
    if isinstance(expected, (dict, list)):
        kind = dict if isinstance(expected, dict) else list
        if not isinstance(actual, kind):
            why = f"expected {kind.__name__}, got {actual!r}"[:300]
            out.extend(Check(key, p, False, why) for p in expected_paths(expected, path))
            return
        names = list(expected) if isinstance(expected, dict) else list(range(len(expected)))
        for name in names:
            sub = _join(path, str(name))
            present = name in actual if isinstance(actual, dict) else name < len(actual)
            if not present:
                out.extend(Check(key, p, False, "missing") for p in expected_paths(expected[name], sub))
            else:
                _compare(key, expected[name], actual[name], sub, bindings, out)
        extra = sorted(set(actual) - set(expected)) if isinstance(actual, dict) else actual[len(expected) :]
        detail = f"not in the recording: {extra}"[:300] if extra else ""
        out.append(Check(key, _join(path, OTHER_FIELDS), not extra, detail))
        return
    out.append(Check(key, path, *_leaf(expected, actual, path or key, bindings)))


def _leaf(expected: Any, actual: Any, where: str, bindings: Bindings) -> tuple[bool, str]:
    if isinstance(expected, str) and expected in VOLATILE:
        wanted = VOLATILE[expected]
        if not isinstance(actual, wanted) or isinstance(actual, bool):
            return False, f"expected a {wanted.__name__} ({expected}), got {actual!r}"
        if where.endswith("LastModified") and not AWS_TIMESTAMP.fullmatch(actual):
            return False, f"not AWS's timestamp format (2024-01-31T12:00:00.000+0000): {actual!r}"
        return True, ""
    if isinstance(expected, str):
        return _string(expected, actual, where, bindings)
    if type(expected) is not type(actual) or expected != actual:
        return False, f"expected {expected!r}, got {actual!r}"
    return True, ""


def _string(expected: str, actual: Any, where: str, bindings: Bindings) -> tuple[bool, str]:
    if not isinstance(actual, str):
        return False, f"expected a string like {expected!r}, got {actual!r}"
    pattern, groups = _pattern(expected)
    found = re.fullmatch(pattern, actual, re.DOTALL)
    if found is None:
        return False, f"expected {expected!r}, got {actual!r}"
    for group, token in groups.items():
        problem = bindings.bind(token, found.group(group), where)
        if problem is not None:
            return False, problem
    return True, ""


def _pattern(expected: str) -> tuple[str, dict[str, str]]:
    """A regex for a recorded string: literal text, one named group per distinct placeholder."""
    parts: list[str] = []
    groups: dict[str, str] = {}  # group name -> token
    names: dict[str, str] = {}  # token -> group name
    position = 0
    for found in _TOKEN.finditer(expected):
        parts.append(re.escape(expected[position : found.start()]))
        token = found.group(0)
        if token in names:
            parts.append(f"(?P={names[token]})")
        else:
            name = names[token] = f"g{len(names)}"
            groups[name] = token
            parts.append(f"(?P<{name}>{_SHAPES.get(family(token), _NAME_SHAPE)})")
        position = found.end()
    parts.append(re.escape(expected[position:]))
    return "".join(parts), groups


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
