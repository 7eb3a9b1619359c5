"""lambdawait.toml: inheritance, ${VAR}, paths, unknown keys, types, `after`, deploy's vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from lambdawait.core.errors import UsageError
from lambdawait.core.manifest import KNOWN_KEYS, find, load

SCHEMA_FILE = Path(__file__).parents[2] / "schema" / "lambdawait.schema.json"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "lambdawait.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_are_inherited_and_overridden_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[defaults]
runtime = "python3.12"
dir = "src"
memory = 128
env = {A = "1"}

[functions.api]
memory = 512
env = {TOKEN = "${TOKEN}", B = "x-${STAGE}-y"}
tags = {team = "core"}
""",
    )
    entry = load(path, {"TOKEN": "s3cret", "STAGE": "prod"}).functions["api"]
    assert entry.values["runtime"] == "python3.12"
    assert entry.values["memory"] == 512
    assert entry.values["dir"] == str((tmp_path / "conf" / "src").resolve())
    assert entry.values["env"] == {"TOKEN": "s3cret", "B": "x-prod-y"}  # a table replaces, not merges
    kwargs = entry.spec_kwargs()
    assert kwargs["env"] == ["TOKEN=s3cret", "B=x-prod-y"] and kwargs["tags"] == ["team=core"]


def test_the_file_is_found_in_the_current_directory_or_named(tmp_path: Path) -> None:
    assert find(None, tmp_path) is None
    (tmp_path / "lambdawait.toml").write_text("")
    assert find(None, tmp_path) == tmp_path / "lambdawait.toml"
    with pytest.raises(UsageError, match="does not exist"):
        find(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("[functions.a]\nmemroy = 1\n", "unknown key 'memroy'", "did you mean 'memory'?"),
        ("[defaults]\nsecurity_group = []\n[functions.a]\n", "'security_group'", "'security_groups'"),
        ("[function.a]\n", "top-level key 'function'", "'functions'"),
        ("[functions.a]\nrole = '${NOPE}'\n", "${NOPE}, which is not set", "export NOPE"),
        ("[functions.a]\nmemory = true\n", "memory must be a number", None),
        ("[functions.a]\nenv = {A = 1}\n", "env must be a table of strings", None),
        ("[functions.a]\nlayers = 'arn'\n", "layers must be a list", None),
        ("[functions.a]\nafter = ['b']\n", "'b' is not a function in the file", None),
        ("[functions.a]\nafter = ['b']\n[functions.b]\nafter = ['a']\n", "cycle", None),
        ("[defaults]\nruntime = 'x'\n", "defines no functions", None),
        ("[functions.a\n", "lambdawait.toml", "TOML syntax"),
    ],
)
def test_every_mistake_is_one_usage_error_naming_it(
    tmp_path: Path, text: str, message: str, hint: str | None
) -> None:
    with pytest.raises(UsageError) as caught:
        load(write(tmp_path, text), {})
    assert message in caught.value.message
    if hint:
        assert hint in (caught.value.hint or "")


def test_after_orders_the_release_and_select_keeps_that_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[functions.web]\nafter = ['api']\n[functions.api]\nafter = ['db']\n[functions.db]\n[functions.x]\n",
    )
    manifest = load(path, {})
    assert [e.name for e in manifest.select([])] == ["db", "api", "web", "x"]
    assert [e.name for e in manifest.select(["x", "web"])] == ["web", "x"]
    with pytest.raises(UsageError, match="wbe is not in") as caught:
        manifest.select(["wbe"])
    assert "'web'" in (caught.value.hint or "")


def test_the_json_schema_knows_exactly_the_loaders_keys(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    assert set(schema["$defs"]["function"]["properties"]) == set(KNOWN_KEYS)
    example = {"defaults": {"runtime": "python3.12", "env": {"A": "1"}}, "functions": {"a": {"after": []}}}
    jsonschema.validate(example, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"functions": {"a": {"memroy": 1}}}, schema)


def test_the_readmes_example_file_loads(tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Many functions", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.S)
    assert example
    path = write(tmp_path, example.group(1))
    manifest = load(path, {"DEPLOY_ROLE_ARN": "arn:aws:iam::123456789012:role/x", "STAGE": "prod"})
    assert [e.name for e in manifest.select([])] == ["orders-api", "orders-worker", "payments"]
    from lambdawait.app.fleet import members_from

    dotenv = tmp_path / "conf" / "services" / "orders" / ".env.production"  # relative to the file
    dotenv.parent.mkdir(parents=True)
    dotenv.write_text("MODE=worker\n")
    members = members_from(manifest.select([]))  # every value is one deploy accepts
    assert members[0].spec.env == {"LOG_LEVEL": "info", "TABLE": "orders-prod"}


def test_entries_read_back_typed_and_a_fractional_size_is_refused_by_deploy(tmp_path: Path) -> None:
    from lambdawait.core.spec import build_spec

    path = write(
        tmp_path,
        """
[functions.api]
alias = "live"
publish = false
check_timeout = "45"
alarms = ["errors"]
memory = 512.5
""",
    )
    entry = load(path, {}).functions["api"]
    assert (entry.text("alias"), entry.text("strategy"), entry.text("strategy", "AllAtOnce")) == (
        "live",
        None,
        "AllAtOnce",
    )
    assert entry.flag("publish", True) is False and entry.flag("prune_env", False) is False
    assert entry.number("check_timeout", 300.0) == 45.0 and entry.number("wait_timeout", 300.0) == 300.0
    assert entry.strings("alarms") == ["errors"] and entry.strings("layers") is None
    with pytest.raises(UsageError, match=r"--memory '512\.5' is not a whole number"):
        build_spec(entry.name, **entry.spec_kwargs())
