"""The TypedDicts of output/doc_types.py and schema/result.schema.json must not drift apart.

Walked from the root: every object the schema defines is found in the TypedDict field that holds
it (through unions, lists and $refs), and each of its properties must be a key there, required
exactly when the schema requires it. Keys beyond the schema are allowed (the schema allows them).
"""

from __future__ import annotations

import copy
import json
import types
import typing
from pathlib import Path
from typing import Literal, Union, get_args, get_origin, get_type_hints

from lambdawait.core import doc_types
from lambdawait.core.doc_types import ResultDocument
from lambdawait.core.errors import OUTCOME_EXIT_CODES, ExitCode

SCHEMA = json.loads((Path(__file__).parents[2] / "schema" / "result.schema.json").read_text())


def _typed_dicts(hint: object) -> list[type]:
    """The TypedDict classes a field's type names (through `X | None` and `A | B`)."""
    if typing.is_typeddict(hint):
        assert isinstance(hint, type)
        return [hint]
    if get_origin(hint) in (Union, types.UnionType):
        return [td for arg in get_args(hint) for td in _typed_dicts(arg)]
    return []


def _list_items(hint: object) -> list[object]:
    if get_origin(hint) is list:
        return [get_args(hint)[0]]
    if get_origin(hint) in (Union, types.UnionType):
        return [item for arg in get_args(hint) for item in _list_items(arg)]
    return []


def _resolve(node: dict[str, object], schema: dict[str, object]) -> dict[str, object]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        target: object = schema
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(target, dict)
            target = target[part]
        assert isinstance(target, dict)
        return target
    return node


def drift(node: dict[str, object], hint: object, schema: dict[str, object], where: str = "$") -> list[str]:
    """Every difference between the schema at `node` and the type `hint` (empty: they agree)."""
    node = _resolve(node, schema)
    problems: list[str] = []
    branches = node.get("oneOf")
    if isinstance(branches, list):
        for branch in branches:
            problems += drift(branch, hint, schema, where)
        return problems
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    properties = node.get("properties")
    required = node.get("required")
    if "object" in kinds and (isinstance(properties, dict) or isinstance(required, list)):
        return _object_drift(node, hint, schema, where)
    items = node.get("items")
    if "array" in kinds and isinstance(items, dict):
        inner = _list_items(hint)
        if not inner:
            return [f"{where}: the schema has an array, the type {hint} has no list"]
        for item in inner:
            problems += drift(items, item, schema, f"{where}[]")
    return problems


def _object_drift(node: dict[str, object], hint: object, schema: dict[str, object], where: str) -> list[str]:
    found = _typed_dicts(hint)
    if len(found) != 1:
        return [f"{where}: the schema has an object, the type {hint} names {len(found)} TypedDicts"]
    (td,) = found
    properties = node.get("properties") or {}
    listed = node.get("required") or []
    assert isinstance(properties, dict) and isinstance(listed, list)
    required = set(listed)
    hints = get_type_hints(td)
    listed_keys = set(properties) | required
    problems = [f"{where}: {td.__name__} lacks {key!r}" for key in sorted(listed_keys - set(hints))]
    for key in sorted(listed_keys & set(hints)):
        in_schema = key in required
        in_type = key in td.__required_keys__
        if in_schema != in_type:
            what = "required" if in_schema else "optional"
            problems.append(f"{where}.{key}: the schema has it {what}, {td.__name__} does not")
    for key in sorted(td.__required_keys__ - listed_keys):
        problems.append(f"{where}.{key}: {td.__name__} requires it, the schema does not")
    for key, sub in properties.items():
        if key in hints:
            problems += drift(sub, hints[key], schema, f"{where}.{key}")
    return problems


def test_the_typed_documents_match_the_schema() -> None:
    assert drift(SCHEMA, ResultDocument, SCHEMA) == []


def test_the_drift_check_sees_a_missing_key_a_required_key_and_a_nested_difference() -> None:
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["brandNew"] = {"type": "string"}
    schema["required"].append("version")
    schema["$defs"]["alias"]["required"].append("revisionId")
    schema["properties"]["plan"]["properties"]["changes"]["items"]["properties"]["why"] = {"type": "string"}
    problems = drift(schema, ResultDocument, schema)
    assert any("lacks 'brandNew'" in p for p in problems)
    assert any(p.startswith("$.version: the schema has it required") for p in problems)
    assert any("$.alias.revisionId" in p for p in problems)  # through oneOf and $ref
    assert any("$.functions[].aliases[].revisionId" in p for p in problems)  # through items and $ref
    assert any("$.plan.changes[]: ChangeDoc lacks 'why'" in p for p in problems)


def test_the_check_sees_a_type_that_requires_more_than_the_schema() -> None:
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["error"]["required"].remove("hint")
    expected = "$.error.hint: the schema has it optional, ErrorDoc does not"
    assert drift(schema, ResultDocument, schema) == [expected]


def test_the_enumerations_are_the_schemas() -> None:
    props = SCHEMA["properties"]
    assert set(get_args(doc_types.Command)) == set(props["command"]["enum"])
    assert set(get_args(doc_types.Outcome)) == set(props["outcome"]["enum"]) == set(OUTCOME_EXIT_CODES)
    assert set(get_args(doc_types.ExitNumber)) == set(props["exitCode"]["enum"]) == {int(c) for c in ExitCode}
    statuses = props["deployment"]["properties"]["status"]["enum"]
    assert set(get_args(doc_types.DeploymentStatus)) == set(statuses)
    assert get_args(get_type_hints(doc_types.DocumentFields)["engine"]) == tuple(props["engine"]["enum"])
    assert Literal["codedeploy"] == get_type_hints(doc_types.ShiftDoc)["engine"]


def test_checked_conversions_refuse_what_the_schema_does_not_list() -> None:
    assert doc_types.as_outcome("shifted") == "shifted"
    assert doc_types.as_command("apply") == "apply"
    assert doc_types.as_deployment_status("Baking") == "Baking"
    assert doc_types.as_deployment_status("SomethingNew") == "Unknown"
    for convert in (doc_types.as_outcome, doc_types.as_command):
        try:
            convert("nope")
        except ValueError as exc:
            assert "not in the result schema" in str(exc)
        else:
            raise AssertionError(f"{convert.__name__} accepted 'nope'")
