"""Unit tests for lambdawait.core.preflight: every rejection is one line naming the problem and fix."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lambdawait.core.errors import ExitCode, UsageError
from lambdawait.core.package import LocalPackage, inspect_zip
from lambdawait.core.preflight import RESERVED_ENV_KEYS, check, known_runtimes
from lambdawait.core.runtime_checks import DEPRECATIONS
from lambdawait.core.spec import CodeSource, FunctionSpec
from tests.unit.test_package import fake_elf, make_zip

SECRET = "s3cr3t-VALUE-never-printed-42"
TODAY = date(2025, 1, 15)
ROLE = "arn:aws:iam::123456789012:role/lambda-exec"
LAYER = "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1"


def pkg(entries: Mapping[str, tuple[bytes, int | None]], label: str = "app.zip") -> LocalPackage:
    data = make_zip(entries)
    return LocalPackage(data=data, label=label, info=inspect_zip(data))


PY_PKG = {"app.py": (b"def handler(e, c): pass\n", 0o644)}
GO_PKG = {"bootstrap": (fake_elf(62), 0o755)}


def spec(**changes: Any) -> FunctionSpec:
    base = FunctionSpec(
        name="my-fn",
        code=CodeSource(kind="zip", path=Path("app.zip")),
        runtime="python3.12",
        handler="app.handler",
        role=ROLE,
        env={"TOKEN": SECRET},
    )
    return dataclasses.replace(base, **changes)


def run(
    the_spec: FunctionSpec,
    package: LocalPackage | None = None,
    *,
    creating: bool = True,
    **kwargs: Any,
) -> tuple[str, ...]:
    report = check(the_spec, package, creating=creating, today=TODAY, **kwargs)
    return report.warnings


def test_a_good_python_create_passes() -> None:
    assert run(spec(), pkg(PY_PKG)) == ()


def test_good_variants_pass() -> None:
    assert run(spec(runtime="provided.al2023", handler="x"), pkg(GO_PKG)) == ()
    arm = spec(runtime="provided.al2023", handler="x", architecture="arm64")
    assert run(arm, pkg({"bootstrap": (fake_elf(183), 0o755)})) == ()
    node = spec(runtime="nodejs20.x", handler="src/index.handler")
    assert run(node, pkg({"src/index.mjs": (b"", 0o644)})) == ()
    assert run(spec(handler="pkg.mod.handler"), pkg({"pkg/mod/__init__.py": (b"", 0o644)})) == ()
    ruby = spec(runtime="ruby3.3", handler="function.Handler.process")
    assert run(ruby, pkg({"function.rb": (b"", 0o644)})) == ()
    image = spec(code=CodeSource(kind="image", image_uri=IMAGE), runtime=None, handler=None)
    assert run(image) == ()
    s3 = CodeSource(kind="s3", s3_bucket="bkt", s3_key="app.zip")
    assert run(spec(code=s3, name="arn:aws:lambda:eu-west-1:123456789012:function:fn")) == ()
    # An update of configuration only, with no code and no runtime given.
    assert run(FunctionSpec(name="fn", memory=512), creating=False) == ()


def _big_env() -> dict[str, str]:
    return {"BIG": SECRET + "x" * 4100}


TOO_BIG_ZIP = LocalPackage(
    data=make_zip(PY_PKG),
    label="huge.zip",
    info=dataclasses.replace(inspect_zip(make_zip(PY_PKG)), zipped_size=52_428_801),
)
TOO_BIG_UNZIPPED = LocalPackage(
    data=make_zip(PY_PKG),
    label="fat.zip",
    info=dataclasses.replace(inspect_zip(make_zip(PY_PKG)), unzipped_size=262_144_001),
)

# (id, spec, package, check kwargs, words in the message, words in the hint)
BAD: list[tuple[str, FunctionSpec, LocalPackage | None, dict[str, Any], str, str]] = [
    ("zip-too-big", spec(), TOO_BIG_ZIP, {}, "huge.zip is 50.0 MB", "--s3 s3://bucket/key"),
    ("unzipped-too-big", spec(), TOO_BIG_UNZIPPED, {}, "allows 250 MB", "--image-uri"),
    ("empty-zip", spec(), pkg({"d/": (b"", 0o755)}), {}, "holds no files", "package the code"),
    (
        "not-world-readable",
        spec(),
        pkg({**PY_PKG, "conf.ini": (b"", 0o600)}),
        {},
        "1 entries in app.zip are not world-readable (e.g. 'conf.ini')",
        "chmod -R o+rX",
    ),
    (
        "no-bootstrap",
        spec(runtime="provided.al2023", handler="x"),
        pkg(PY_PKG),
        {},
        "no bootstrap",
        "root of the zip",
    ),
    (
        "bootstrap-not-executable",
        spec(runtime="provided.al2", handler="x"),
        pkg({"bootstrap": (fake_elf(62), 0o644)}),
        {},
        "bootstrap in app.zip is not executable (mode 0644)",
        "chmod 755 bootstrap",
    ),
    (
        "bootstrap-windows-zip",
        spec(runtime="provided.al2023", handler="x"),
        pkg({"bootstrap": (fake_elf(62), None)}),
        {},
        "no Unix permissions",
        "--dir",
    ),
    (
        "bootstrap-wrong-arch",
        spec(runtime="provided.al2023", handler="x", architecture="arm64"),
        pkg(GO_PKG),
        {},
        "bootstrap is an x86_64 ELF binary but the function's architecture is arm64",
        "rebuild with GOARCH=arm64, or deploy with --architecture x86_64",
    ),
    (
        "bootstrap-wrong-arch-current",
        spec(runtime=None, handler=None, role=None),
        pkg({"bootstrap": (fake_elf(183), 0o755)}),
        {"creating": False, "current_architecture": "x86_64", "current_runtime": "provided.al2"},
        "bootstrap is an arm64 ELF binary but the function's architecture is x86_64",
        "GOARCH=amd64, or deploy with --architecture arm64",
    ),
    (
        "handler-binary-32bit",
        spec(runtime="provided.al2023", handler="server"),
        pkg({**GO_PKG, "server": (fake_elf(3, bits=32), 0o755)}),
        {},
        "server is an ELF binary for machine 3",
        "rebuild it for Linux x86_64",
    ),
    (
        "python-handler-missing",
        spec(handler="main.handler"),
        pkg(PY_PKG),
        {},
        "needs main.py in app.zip",
        "fix --handler",
    ),
    (
        "python-handler-nested",
        spec(),
        pkg({"build/app.py": (b"", 0o644)}),
        {},
        "needs app.py",
        "found build/app.py: zip the directory's contents",
    ),
    (
        "python-handler-current",
        spec(handler=None, runtime=None, role=None, layers=()),
        pkg(PY_PKG),
        {"creating": False, "current_handler": "svc.main", "current_runtime": "python3.12"},
        "handler svc.main needs svc.py",
        "fix --handler",
    ),
    (
        "python-handler-form",
        spec(handler="handler"),
        pkg(PY_PKG),
        {},
        "not of the form module.function",
        "--handler",
    ),
    (
        "node-handler-missing",
        spec(runtime="nodejs20.x", handler="index.handler"),
        pkg(PY_PKG),
        {},
        "needs index.js",
        "fix --handler",
    ),
    (
        "ruby-handler-missing",
        spec(runtime="ruby3.3", handler="function.handler"),
        pkg(PY_PKG),
        {},
        "needs function.rb",
        "fix --handler",
    ),
    (
        "create-no-code",
        spec(code=None),
        None,
        {},
        "code source is required",
        "--zip, --dir, --s3 or --image-uri",
    ),
    ("create-no-runtime", spec(runtime=None), pkg(PY_PKG), {}, "--runtime is required", "--runtime python3"),
    (
        "create-no-handler",
        spec(handler=None),
        pkg(PY_PKG),
        {},
        "--handler is required",
        "--handler app.handler",
    ),
    (
        "create-no-role",
        spec(role=None),
        pkg(PY_PKG),
        {},
        "--role is required to create a function",
        "arn:aws:iam::",
    ),
    (
        "image-with-runtime",
        spec(code=CodeSource(kind="image", image_uri=IMAGE), handler=None),
        None,
        {},
        "--runtime cannot be used with --image-uri",
        "drop the option",
    ),
    (
        "image-not-ecr",
        spec(code=CodeSource(kind="image", image_uri="docker.io/library/app:1"), runtime=None, handler=None),
        None,
        {},
        "not an Amazon ECR image URI",
        "dkr.ecr.REGION",
    ),
    (
        "memory-low",
        spec(memory=64),
        None,
        {},
        "memory 64 MB is out of range",
        "--memory between 128 and 10240",
    ),
    ("memory-high", spec(memory=10_241), None, {}, "memory 10241 MB", "between 128 and 10240"),
    ("timeout-high", spec(timeout=901), None, {}, "timeout 901 seconds", "--timeout between 1 and 900"),
    ("timeout-zero", spec(timeout=0), None, {}, "timeout 0 seconds", "between 1 and 900"),
    (
        "ephemeral-low",
        spec(ephemeral_storage=256),
        None,
        {},
        "ephemeral storage 256 MB",
        "--ephemeral-storage between 512 and 10240",
    ),
    (
        "arch",
        spec(architecture="amd64"),
        None,
        {},
        "architecture 'amd64' is not supported",
        "x86_64 or arm64",
    ),
    (
        "runtime-unknown",
        spec(runtime="pyhton3.12"),
        None,
        {},
        "'pyhton3.12' is not a Lambda runtime",
        "did you mean python3.12",
    ),
    ("runtime-shape", spec(runtime="Python 3.12"), None, {}, "is not a Lambda runtime", "python3.13"),
    (
        "role-not-arn",
        spec(role="lambda-exec"),
        None,
        {},
        "role 'lambda-exec' is not an IAM role ARN",
        "arn:aws:iam::ACCOUNT:role/NAME",
    ),
    ("name-bad", spec(name="my fn!"), None, {}, "function name 'my fn!' is not valid", "1-64 letters"),
    ("name-long", spec(name="f" * 65), None, {}, "is not valid", "1-64"),
    (
        "name-qualified",
        spec(name="arn:aws:lambda:eu-west-1:123456789012:function:fn:prod"),
        None,
        {},
        "has a qualifier (:prod)",
        "unqualified",
    ),
    ("name-short-qualified", spec(name="fn:2"), None, {}, "'fn:2' has a qualifier (:2)", "updates $LATEST"),
    (
        "handler-long",
        spec(handler="a." + "b" * 127),
        None,
        {},
        "handler is 129 characters long",
        "at most 128",
    ),
    (
        "handler-space",
        spec(handler="app. handler"),
        None,
        {},
        "'app. handler' contains whitespace",
        "without spaces",
    ),
    (
        "description-long",
        spec(description="d" * 257),
        None,
        {},
        "description is 257 characters",
        "at most 256",
    ),
    (
        "too-many-layers",
        spec(layers=tuple(f"{LAYER[:-1]}{i}".replace("deps", f"l{i}") for i in range(6))),
        None,
        {},
        "6 layers were given",
        "at most 5",
    ),
    (
        "layer-no-version",
        spec(layers=(LAYER.rsplit(":", 1)[0],)),
        None,
        {},
        "is not a layer version ARN",
        ":layer:NAME:VERSION",
    ),
    (
        "layer-twice",
        spec(layers=(LAYER, LAYER[:-1] + "4")),
        None,
        {},
        "is listed more than once",
        "one version of each layer",
    ),
    (
        "env-reserved",
        spec(env={"AWS_REGION": SECRET}),
        None,
        {},
        "AWS_REGION is reserved by Lambda",
        "remove it",
    ),
    ("env-bad-name", spec(env={"1BAD": SECRET}), None, {}, "name '1BAD' is not valid", "start with a letter"),
    ("env-one-letter", spec(env={"A": SECRET}), None, {}, "name 'A' is not valid", "at least 2"),
    (
        "env-too-big",
        spec(env=_big_env()),
        None,
        {},
        "(largest: BIG); Lambda allows 4096 bytes",
        "Secrets Manager",
    ),
    ("tag-aws-prefix", spec(tags={"aws:owner": "x"}), None, {}, "reserved aws: prefix", "rename"),
    ("tag-key-long", spec(tags={"k" * 129: "x"}), None, {}, "tag key", "1-128"),
    ("tag-value-bad", spec(tags={"team": "a;b"}), None, {}, "value of tag 'team' is not valid", "_.:/=+-@"),
    (
        "subnet-bad",
        spec(subnets=("subnet-xyz",), security_groups=("sg-0123456789abcdef0",)),
        None,
        {},
        "--subnet 'subnet-xyz' is not a valid ID",
        "subnet-0123",
    ),
    (
        "vpc-half",
        spec(subnets=("subnet-0123456789abcdef0",)),
        None,
        {},
        "--security-group is missing",
        "--security-group",
    ),
]


@pytest.mark.parametrize(
    ("the_spec", "package", "kwargs", "problem", "fix"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD],
)
def test_rejections_are_one_line_with_problem_and_fix(
    the_spec: FunctionSpec,
    package: LocalPackage | None,
    kwargs: dict[str, Any],
    problem: str,
    fix: str,
) -> None:
    kwargs = {"creating": True, **kwargs}
    with pytest.raises(UsageError) as exc:
        check(the_spec, package, today=TODAY, **kwargs)
    err = exc.value
    line = err.one_line()
    assert err.exit_code is ExitCode.USAGE
    assert "\n" not in line
    assert problem in err.message, line
    assert err.hint is not None and fix in err.hint, line
    assert SECRET not in line and SECRET not in repr(err.details) and SECRET not in str(err)


def test_several_problems_are_counted_on_one_line() -> None:
    with pytest.raises(UsageError) as exc:
        run(spec(memory=1, timeout=0, architecture="sparc"))
    line = exc.value.one_line()
    assert line.startswith("memory 1 MB is out of range") and line.endswith("and 2 more problems)")
    assert len(exc.value.details["problems"]) == 3


def test_secret_never_appears_anywhere() -> None:
    bad = spec(env={"AWS_SESSION_TOKEN": SECRET, "2X": SECRET, "BIG": SECRET * 200})
    with pytest.raises(UsageError) as exc:
        run(bad, pkg(PY_PKG))
    for text in (exc.value.one_line(), str(exc.value), repr(exc.value), repr(exc.value.details)):
        assert SECRET not in text
    assert SECRET not in repr(bad)


def test_reserved_keys_list() -> None:
    assert {"_HANDLER", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT"} <= RESERVED_ENV_KEYS
    assert "PATH" not in RESERVED_ENV_KEYS  # PATH, LANG, ... may be overridden


def test_env_limit_counts_compact_json_bytes() -> None:
    # {"KEY":"..."} has 10 bytes of JSON around the value.
    run(spec(env={"KEY": "x" * (4096 - 10)}))
    with pytest.raises(UsageError, match="4097 bytes"):
        run(spec(env={"KEY": "x" * (4096 - 9)}))
    with pytest.raises(UsageError, match="4097 bytes"):
        run(spec(env={"KEY": "é" * 2043 + "x"}))  # 2 UTF-8 bytes per é


@pytest.mark.parametrize(
    ("runtime", "today", "expected"),
    [
        ("python3.8", TODAY, "runtime python3.8 reached end of support on 2024-10-14"),
        ("go1.x", TODAY, "(move to provided.al2023)"),
        ("nodejs16.x", TODAY, "reached end of support on 2024-06-12"),
        ("nodejs18.x", date(2025, 8, 1), "nodejs18.x reaches end of support on 2025-09-01"),
        ("nodejs18.x", date(2025, 1, 1), None),
        ("python3.13", TODAY, None),
    ],
)
def test_deprecated_runtime_warnings(runtime: str, today: date, expected: str | None) -> None:
    the_spec = spec(runtime=runtime, handler="app.handler" if "python" in runtime else "x.y")
    package = pkg({**PY_PKG, "x.js": (b"", 0o644), "bootstrap": (fake_elf(62), 0o755)})
    warnings = check(the_spec, package, creating=True, today=today).warnings
    if expected is None:
        assert warnings == ()
    else:
        assert len(warnings) == 1 and expected in warnings[0] and "\n" not in warnings[0]


def test_a_runtime_newer_than_the_botocore_model_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore 1.34.0's model predates python3.13: an older botocore must not block it.
    older_model = known_runtimes() - {"python3.13"}
    monkeypatch.setattr("lambdawait.core.preflight.known_runtimes", lambda: older_model)
    (warning,) = run(spec(runtime="python3.13"), pkg(PY_PKG))
    assert "runtime python3.13 is not in this botocore's Lambda model" in warning
    assert "upgrade botocore" in warning
    (warning,) = run(spec(runtime="nodejs99.x", handler="index.handler"), pkg({"index.js": (b"", 0o644)}))
    assert "nodejs99.x is not in this botocore's Lambda model" in warning


def test_deprecation_table_names_botocore_runtimes() -> None:
    runtimes = known_runtimes()
    assert "python3.12" in runtimes and "provided.al2023" in runtimes
    assert set(DEPRECATIONS) <= runtimes


def test_layers_turn_missing_files_into_warnings() -> None:
    with_layer = spec(layers=(LAYER,))
    (warning,) = run(with_layer, pkg({"other.py": (b"", 0o644)}))
    assert "needs app.py" in warning and "a layer must provide it" in warning
    custom = spec(runtime="provided.al2023", handler="x", layers=(LAYER,))
    (warning,) = run(custom, pkg(PY_PKG))
    assert "no bootstrap" in warning


def test_mismatched_native_libraries_warn() -> None:
    libs = {**PY_PKG, "numpy/_core.cpython-312-x86_64-linux-gnu.so": (fake_elf(62, e_type=3), 0o644)}
    assert run(spec(), pkg(libs)) == ()
    (warning,) = run(spec(architecture="arm64"), pkg(libs))
    assert warning.startswith("1 native libraries in app.zip are not built for arm64")


def test_update_defaults() -> None:
    # Updating code only: the function's current handler and runtime are checked.
    update = FunctionSpec(name="fn", code=CodeSource(kind="zip", path=Path("app.zip")))
    kwargs = {"current_runtime": "python3.12", "current_handler": "app.handler"}
    assert run(update, pkg(PY_PKG), creating=False, **kwargs) == ()
    # The current layers are unknown (layers=None: keep them), so a missing file only warns.
    (warning,) = run(update, pkg({"x.py": (b"", 0o644)}), creating=False, **kwargs)
    assert "needs app.py" in warning
    # Without a known handler the handler check is skipped, not guessed.
    assert run(update, pkg(PY_PKG), creating=False) == ()


def test_update_of_a_function_without_layers_needs_the_handler_file() -> None:
    """Keeping the current layers when there are none: nothing can supply app.py, so it is an error."""
    update = FunctionSpec(name="fn", code=CodeSource(kind="zip", path=Path("app.zip")))
    kwargs: dict[str, Any] = {"current_runtime": "python3.12", "current_handler": "app.handler"}
    with pytest.raises(UsageError, match=r"app\.py"):
        run(update, pkg({"x.py": (b"", 0o644)}), creating=False, current_layers=0, **kwargs)
    (warning,) = run(update, pkg({"x.py": (b"", 0o644)}), creating=False, current_layers=1, **kwargs)
    assert "a layer must provide it" in warning
