"""Unit tests for lambdawait.core.spec: code-source, KEY=VALUE and dotenv parsing, secret masking."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lambdawait.core.errors import ExitCode, UsageError
from lambdawait.core.spec import (
    CodeSource,
    FunctionSpec,
    MaskedEnv,
    build_spec,
    mask_env,
    merge_env,
    parse_code_source,
    parse_env_file,
    parse_int,
    parse_key_values,
    parse_s3_uri,
)

SECRET = "hunter2-SUPER-secret-9f8e7d"


def _usage(exc: pytest.ExceptionInfo[UsageError]) -> str:
    line = exc.value.one_line()
    assert "\n" not in line
    assert exc.value.exit_code is ExitCode.USAGE
    assert exc.value.hint, "every usage error names the fix"
    return line


# --- code sources -------------------------------------------------------------------------


def test_no_code_source_is_a_config_only_deploy() -> None:
    assert parse_code_source() is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"zip": "app.zip"}, CodeSource(kind="zip", path=Path("app.zip"))),
        ({"dir": "build"}, CodeSource(kind="dir", path=Path("build"))),
        (
            {"s3": "s3://my-bucket/path/to/app.zip"},
            CodeSource(kind="s3", s3_bucket="my-bucket", s3_key="path/to/app.zip"),
        ),
        (
            {"s3": "s3://my-bucket/app.zip?versionId=3Lg.x_Y"},
            CodeSource(kind="s3", s3_bucket="my-bucket", s3_key="app.zip", s3_object_version="3Lg.x_Y"),
        ),
        (
            {"image_uri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"},
            CodeSource(kind="image", image_uri="123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"),
        ),
    ],
)
def test_parse_code_source(kwargs: dict[str, str], expected: CodeSource) -> None:
    assert parse_code_source(**kwargs) == expected


def test_s3_key_may_contain_question_mark() -> None:
    assert parse_s3_uri("s3://bkt/a?b.zip") == ("bkt", "a?b.zip", None)
    assert parse_s3_uri("s3://bkt/a?b.zip?versionId=v1") == ("bkt", "a?b.zip", "v1")


def test_two_code_sources_are_rejected() -> None:
    with pytest.raises(UsageError) as exc:
        parse_code_source(zip="a.zip", s3="s3://bkt/a.zip")
    line = _usage(exc)
    assert "--zip and --s3" in line and "exactly one" in line


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("https://bkt/key.zip", "not an s3:// URI"),
        ("s3://bkt", "names no object key"),
        ("s3://bkt/", "names no object key"),
        ("s3://bkt/key.zip?versionId=", "empty versionId"),
        ("s3://Bad_Bucket/key.zip", "not a valid S3 bucket name"),
        ("s3://ab/key.zip", "not a valid S3 bucket name"),
    ],
)
def test_bad_s3_uris(uri: str, problem: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse_code_source(s3=uri)
    line = _usage(exc)
    assert problem in line


# --- KEY=VALUE ------------------------------------------------------------------------------


def test_key_values_value_may_contain_equals_and_last_wins() -> None:
    result = parse_key_values(["A=1", "URL=postgres://u:p@h/db?x=1", "A=2", "EMPTY="])
    assert result == {"A": "2", "URL": "postgres://u:p@h/db?x=1", "EMPTY": ""}


@pytest.mark.parametrize("item", [SECRET, f"={SECRET}", "  "])
def test_key_values_without_key_never_echo_the_item(item: str) -> None:
    with pytest.raises(UsageError) as exc:
        parse_key_values(["OK=1", item], what="--env")
    line = _usage(exc)
    assert "--env value #2 is not KEY=VALUE" in line
    assert SECRET not in line and SECRET not in repr(exc.value.details)


def test_tag_option_name_is_used_in_messages() -> None:
    with pytest.raises(UsageError, match="--tag value #1"):
        parse_key_values(["novalue"], what="--tag")


# --- dotenv ---------------------------------------------------------------------------------


def _env_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=1\n", {"A": "1"}),
        ("# comment\n\n   \nA=1\n", {"A": "1"}),
        ("export A=1\n", {"A": "1"}),
        ("A = spaced value  \n", {"A": "spaced value"}),
        ("A=\n", {"A": ""}),
        ("A=''\n", {"A": ""}),
        ("A='single $NOT \\n escaped'\n", {"A": "single $NOT \\n escaped"}),
        ('A="line\\nbreak \\"q\\" \\\\"\n', {"A": 'line\nbreak "q" \\'}),
        ("A=value # trailing comment\n", {"A": "value"}),
        ("A=val#ue\n", {"A": "val#ue"}),
        ('A="has # hash" # comment\n', {"A": "has # hash"}),
        ('A="multi\nline"\nB=2\n', {"A": "multi\nline", "B": "2"}),
        ("A=x=y=z\n", {"A": "x=y=z"}),
        ("A=1\nA=2\n", {"A": "2"}),
        ("\ufeffA=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
    ],
)
def test_parse_env_file(tmp_path: Path, text: str, expected: dict[str, str]) -> None:
    assert parse_env_file(_env_file(tmp_path, text)) == expected


@pytest.mark.parametrize(
    ("text", "line_no", "problem"),
    [
        (f"A=1\n{SECRET}\n", 2, "is not KEY=VALUE"),
        (f"A=1\n\n1BAD={SECRET}\n", 3, "is not KEY=VALUE"),
        (f"A=1\n# comment\n\nB C={SECRET}\n", 4, "is not KEY=VALUE"),
        (f'A="{SECRET}\nB=2\n', 1, "is not KEY=VALUE"),
        (f"A='{SECRET}' trailing{SECRET}\n", 1, "is not KEY=VALUE"),
        (f"A=1\n\n\"\n{SECRET}\n", 3, "is not KEY=VALUE"),
    ],
)
def test_bad_env_file_names_file_and_line_never_value(
    tmp_path: Path, text: str, line_no: int, problem: str
) -> None:
    path = _env_file(tmp_path, text)
    with pytest.raises(UsageError) as exc:
        parse_env_file(path)
    line = _usage(exc)
    assert str(path) in line and f"line {line_no}" in line and problem in line
    assert SECRET not in line and SECRET not in str(exc.value) and SECRET not in repr(exc.value)


def test_missing_env_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as exc:
        parse_env_file(tmp_path / "nope.env")
    assert "does not exist" in _usage(exc)


def test_merge_env_file_then_flags(tmp_path: Path) -> None:
    path = _env_file(tmp_path, "A=file\nB=file\n")
    assert merge_env(path, ["B=flag", "C=flag"]) == {"A": "file", "B": "flag", "C": "flag"}
    assert merge_env(None, []) is None
    assert merge_env(None, ["X=1"]) == {"X": "1"}


# --- masking --------------------------------------------------------------------------------


def test_mask_env() -> None:
    assert mask_env({"A": SECRET, "B": ""}) == {"A": "****", "B": "****"}
    assert mask_env(None) == {}


def test_spec_repr_and_str_never_show_env_values() -> None:
    spec = FunctionSpec(name="fn", env={"TOKEN": SECRET}, tags={"team": "a"})
    for text in (repr(spec), str(spec), repr(spec.env), str(spec.env), f"{spec}"):
        assert SECRET not in text
        assert "TOKEN" in text
    assert spec.env is not None and spec.env["TOKEN"] == SECRET
    assert isinstance(spec.env, MaskedEnv)
    assert SECRET not in repr(dataclasses.asdict(spec))
    assert SECRET not in repr(dataclasses.replace(spec, memory=256))


def test_masked_env_behaves_like_a_mapping() -> None:
    env = MaskedEnv({"A": "1"})
    assert dict(env) == {"A": "1"} == env.to_dict()
    assert env == {"A": "1"}
    assert len(env) == 1 and list(env) == ["A"]


def test_build_spec(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path, "A=1\n")
    spec = build_spec(
        "fn",
        zip="app.zip",
        runtime="python3.12",
        memory="256",
        timeout=30,
        env=["B=2"],
        env_file=env_file,
        layers=[],
        tags=["team=core"],
        subnets=["subnet-0123456789abcdef0"],
    )
    assert spec.code == CodeSource(kind="zip", path=Path("app.zip"))
    assert spec.memory == 256 and spec.timeout == 30 and spec.ephemeral_storage is None
    assert dict(spec.env or {}) == {"A": "1", "B": "2"}
    assert spec.layers is None  # not given: keep the current layers
    assert spec.tags == {"team": "core"}
    assert spec.subnets == ("subnet-0123456789abcdef0",) and spec.security_groups is None
    assert build_spec("fn").env is None


def test_prune_env_needs_the_variables_to_keep(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as exc:
        build_spec("fn", prune_env=True)
    assert "--prune-env needs --env or --env-file" in _usage(exc)
    assert build_spec("fn", env=["A=1"], prune_env=True).prune_env
    empty = build_spec("fn", env_file=_env_file(tmp_path, "# nothing kept\n"), prune_env=True)
    assert empty.env == {} and empty.prune_env  # the explicit way to remove every variable
    assert not build_spec("fn", env=["A=1"]).prune_env


def test_parse_int() -> None:
    assert parse_int(" 128 ", "--memory") == 128
    assert parse_int(None, "--memory") is None
    with pytest.raises(UsageError) as exc:
        parse_int("lots", "--memory")
    assert "--memory 'lots' is not a whole number" in _usage(exc)
