"""`deploy --dry-run` as text: each field old -> new under its step, then how the alias will move."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lambdawait.app.deploy import Release, release_instructions
from lambdawait.aws.deploy import plan_deploy
from lambdawait.core.spec import FunctionSpec
from lambdawait.output.documents import document
from lambdawait.output.plan_document import plan_document
from lambdawait.output.render import Output
from tests.unit.lambda_fake import active

SCHEMA = json.loads((Path(__file__).parents[2] / "schema" / "result.schema.json").read_text())


def _planned(strategy: str | None) -> dict[str, Any]:
    """The dry-run document of one plan, its release included: what `deploy --dry-run` prints."""
    config = active(Environment={"Variables": {"TOKEN": "s3cr3t-value"}})
    spec = FunctionSpec("fn", timeout=600, env={"TOKEN": "other-s3cr3t"})
    release = Release(
        publish=strategy is not None, alias="live" if strategy else None, strategy=strategy or ""
    )
    plan = plan_deploy(spec, None, {"Configuration": config, "Tags": {}, "Code": {}})
    plan = plan.then(*release_instructions("fn", release))
    return dict(
        document("deploy", "planned", 0.1, functions=[], plan=plan_document(plan, None, wait_timeout=300.0))
    )


def _text(doc: dict[str, Any]) -> list[str]:
    stdout = io.StringIO()
    Output("text", stdout=stdout, stderr=io.StringIO()).result(doc)
    return stdout.getvalue().splitlines()


def test_plan_document_matches_the_schema_and_never_carries_env_values() -> None:
    doc = _planned("linear:10:2m")
    jsonschema.validate(doc, SCHEMA)
    assert "s3cr3t" not in json.dumps(doc)
    bad = {"field": "environment", "old": "s3cr3t-value", "new": None}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "plan": {**doc["plan"], "changes": [bad]}}, SCHEMA)


def test_fields_line_up_under_their_step() -> None:
    lines = _text(_planned(None))
    assert lines[:3] == [
        "  plan: update configuration of fn:",
        "          timeout (function): 3 s → 600 s",
        "          environment: changed TOKEN (values not shown)",
    ]


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("AllAtOnce", "publish a new version, then shift alias live to it all at once"),
        (
            "linear:10:2m",
            "publish a new version, then shift alias live to it (linear:10:2m): 10% more every 2m, "
            "100% at 18m (total 18m, 10 alias updates)",
        ),
        (
            "Canary10Percent5Minutes",
            "publish a new version, then shift alias live to it (Canary10Percent5Minutes): 10% for 5m, "
            "then 100% (total 5m, 2 alias updates)",
        ),
    ],
)
def test_the_release_says_how_the_alias_moves_in_human_units(strategy: str, expected: str) -> None:
    assert f"  plan: {expected}" in _text(_planned(strategy))


def test_the_wait_deadline_is_named_apart_from_the_function_timeout() -> None:
    lines = _text(_planned(None))
    assert "  plan: wait up to 5m for each change to land (--wait-timeout)" in lines
    assert "          timeout (function): 3 s → 600 s" in lines
