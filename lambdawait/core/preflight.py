"""Checks of a deploy's inputs before any AWS mutation: package, architecture, handler, limits.

The runtime's own checks (shape, typos, end of support) are in runtime_checks.py, the package's
contents in package_checks.py: this module runs them all and turns what they find into one error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

from lambdawait.core import model, snapstart
from lambdawait.core.errors import UsageError
from lambdawait.core.names import parse_function_ref
from lambdawait.core.package import (
    ARCHITECTURES,
    Findings,
    LocalPackage,
    check_contents,
)
from lambdawait.core.runtime_checks import check_runtime
from lambdawait.core.spec import FunctionSpec

# Documented quotas (lambda-facts.md "Limits"); botocore's model allows more, so it is not used.
MAX_ENV_BYTES = 4096
MAX_LAYERS = 5
MEMORY_RANGE = (128, 10_240)
TIMEOUT_RANGE = (1, 900)
EPHEMERAL_RANGE = (512, 10_240)
MAX_HANDLER = 128
MAX_DESCRIPTION = 256
MAX_TAGS, MAX_TAG_KEY, MAX_TAG_VALUE = 50, 128, 256
MAX_SUBNETS, MAX_SECURITY_GROUPS = 16, 5

# Set by the runtime at start-up; Lambda rejects them in the function configuration.
RESERVED_ENV_KEYS = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    }
)  # fmt: skip

_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_ROLE_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-/]+")
_LAYER_ARN = re.compile(r"(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[a-zA-Z0-9_-]+):\d+")
_ENV_KEY = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")
_IMAGE_URI = re.compile(
    r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[a-z0-9._/-]+(:[\w.-]+|@sha256:[0-9a-f]{64})?"
)
_SUBNET, _SECURITY_GROUP = re.compile(r"subnet-[0-9a-f]{8,17}"), re.compile(r"sg-[0-9a-f]{8,17}")
_TAG_PUNCT = set("_.:/=+-@")


@dataclass(frozen=True)
class PreflightReport:
    """The checks passed; these warnings are worth showing (one line each)."""

    warnings: tuple[str, ...] = ()


def check(
    spec: FunctionSpec,
    package: LocalPackage | None,
    *,
    current_architecture: str | None = None,
    current_runtime: str | None = None,
    current_handler: str | None = None,
    current_layers: int | None = None,
    creating: bool,
    today: date | None = None,
) -> PreflightReport:
    """Raise one UsageError naming the first problem (and how many more), or return warnings."""
    found = Findings()
    runtime = spec.runtime or (None if creating else current_runtime)
    handler = spec.handler or (None if creating else current_handler)
    arch = spec.architecture or current_architecture or "x86_64"
    # Layers may supply the handler or bootstrap; on an update, None means "keep the current ones"
    # (how many: `current_layers`, or unknown when not given).
    kept = not creating and (current_layers is None or current_layers > 0)
    layers_possible = bool(spec.layers) or (spec.layers is None and kept)

    _check_name(found, spec.name)
    _check_code_options(found, spec, creating)
    _check_architecture_change(found, spec, current_architecture, creating)
    if spec.runtime is not None:
        check_runtime(found, spec.runtime, known_runtimes(), today or date.today())
    _check_settings(found, spec, creating)
    snapstart.check(found, spec, runtime)
    _check_env(found, spec.env)
    if package is not None:
        check_contents(found, package, runtime=runtime, handler=handler, arch=arch, layers=layers_possible)

    if found.problems:
        _refuse(found)
    return PreflightReport(warnings=tuple(_one_line(w) for w in found.warnings))


def _refuse(found: Findings) -> NoReturn:
    """One line for the first problem and its fix (and how many more); all of them in the details."""
    (message, hint), more = found.problems[0], len(found.problems) - 1
    if more:
        hint += f"; and {more} more problem{'s' if more > 1 else ''}"
    raise UsageError(
        _one_line(message),
        hint=_one_line(hint),
        details={
            "problems": [_one_line(f"{m} ({h})") for m, h in found.problems],
            "warnings": found.warnings,
        },
    )


def check_name(name: str, command: str = "deploy") -> None:
    """Reject a bad function name before it is used in any AWS request (its URL path).

    `deploy` and `publish` both act on $LATEST, so a qualifier (`fn:1`, an ARN ending in `:live`)
    is refused here rather than sent to Lambda.
    """
    found = Findings()
    _check_name(found, name, command)
    if found.problems:
        message, hint = found.problems[0]
        raise UsageError(_one_line(message), hint=_one_line(hint))


def _one_line(text: str) -> str:
    return " ".join(text.split())


_UNQUALIFIED_HINTS = {
    "deploy": "deploy updates $LATEST: pass the unqualified name or ARN",
    "publish": "publish makes a new version from $LATEST: pass the unqualified name or ARN",
}


def _check_name(found: Findings, name: str, command: str = "deploy") -> None:
    try:
        ref = parse_function_ref(name)
    except UsageError:
        ref = None
    if ref is not None and _NAME.fullmatch(ref.name):
        if ref.qualifier is None:
            return
        found.fail(f"function {name!r} has a qualifier (:{ref.qualifier})", _UNQUALIFIED_HINTS[command])
        return
    found.fail(
        f"function name {name!r} is not valid",
        "use 1-64 letters, digits, hyphens or underscores, or a full function ARN",
    )


def _check_code_options(found: Findings, spec: FunctionSpec, creating: bool) -> None:
    code = spec.code
    if code is not None and code.kind == "image":
        if spec.runtime or spec.handler:
            given = " and ".join(
                o for o, v in (("--runtime", spec.runtime), ("--handler", spec.handler)) if v
            )
            found.fail(
                f"{given} cannot be used with --image-uri",
                "a container image brings its own runtime and entry point: drop the option",
            )
        if not _IMAGE_URI.fullmatch(code.image_uri or ""):
            found.fail(
                f"--image-uri {code.image_uri!r} is not an Amazon ECR image URI",
                "use ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG (or @sha256:DIGEST)",
            )
    if not creating:
        return
    if code is None:
        found.fail(
            f"a code source is required to create function {spec.name}",
            "pass one of --zip, --dir, --s3 or --image-uri",
        )
    elif code.kind != "image":
        if not spec.runtime:
            found.fail(
                "--runtime is required to create a function from a zip",
                "pass e.g. --runtime python3.13",
            )
        if not spec.handler:
            found.fail(
                "--handler is required to create a function from a zip",
                "pass e.g. --handler app.handler",
            )
    if not spec.role:
        found.fail(
            "--role is required to create a function",
            "pass --role arn:aws:iam::ACCOUNT:role/NAME (the function's execution role)",
        )


def _check_architecture_change(
    found: Findings, spec: FunctionSpec, current: str | None, creating: bool
) -> None:
    # Architectures is a parameter of UpdateFunctionCode: Lambda takes it only with new code.
    if creating or spec.code is not None or spec.architecture is None or current is None:
        return
    if spec.architecture != current:
        found.fail(
            f"--architecture {spec.architecture} changes the function from {current} but no code was given",
            f"pass the code built for {spec.architecture} (--zip, --dir, --s3 or --image-uri)",
        )


def known_runtimes() -> frozenset[str]:
    """The Runtime enum of the installed botocore Lambda model."""
    return model.runtimes()


def _check_range(
    found: Findings, value: int | None, bounds: tuple[int, int], what: str, option: str, unit: str
) -> None:
    low, high = bounds
    if value is not None and not low <= value <= high:
        found.fail(
            f"{what} {value} {unit} is out of range",
            f"use {option} between {low} and {high} ({unit})",
        )


def _check_settings(found: Findings, spec: FunctionSpec, creating: bool) -> None:
    _check_range(found, spec.memory, MEMORY_RANGE, "memory", "--memory", "MB")
    _check_range(found, spec.timeout, TIMEOUT_RANGE, "timeout", "--timeout", "seconds")
    _check_range(
        found,
        spec.ephemeral_storage,
        EPHEMERAL_RANGE,
        "ephemeral storage",
        "--ephemeral-storage",
        "MB",
    )
    if spec.architecture is not None and spec.architecture not in ARCHITECTURES:
        found.fail(
            f"architecture {spec.architecture!r} is not supported",
            "use --architecture x86_64 or arm64",
        )
    if spec.handler is not None and len(spec.handler) > MAX_HANDLER:
        found.fail(
            f"handler is {len(spec.handler)} characters long",
            f"shorten --handler to at most {MAX_HANDLER} characters",
        )
    elif spec.handler is not None and (not spec.handler or any(c.isspace() for c in spec.handler)):
        found.fail(f"handler {spec.handler!r} contains whitespace", "pass --handler without spaces")
    if spec.description is not None and len(spec.description) > MAX_DESCRIPTION:
        found.fail(
            f"description is {len(spec.description)} characters long",
            f"shorten --description to at most {MAX_DESCRIPTION} characters",
        )
    if spec.role is not None and not _ROLE_ARN.fullmatch(spec.role):
        found.fail(
            f"role {spec.role!r} is not an IAM role ARN",
            "pass --role arn:aws:iam::ACCOUNT:role/NAME",
        )
    _check_layers(found, spec.layers or ())
    _check_tags(found, spec.tags)
    _check_vpc(found, spec, creating)


def _check_layers(found: Findings, layers: tuple[str, ...]) -> None:
    if len(layers) > MAX_LAYERS:
        found.fail(f"{len(layers)} layers were given", f"a function can use at most {MAX_LAYERS} layers")
    seen: set[str] = set()
    for arn in layers:
        match = _LAYER_ARN.fullmatch(arn)
        if not match:
            found.fail(
                f"layer {arn!r} is not a layer version ARN",
                "use arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION",
            )
        elif match.group(1) in seen:
            found.fail(
                f"layer {match.group(1)} is listed more than once",
                "a function can use one version of each layer: keep one --layer",
            )
        else:
            seen.add(match.group(1))


def _tag_chars_ok(text: str) -> bool:
    # AWS allows Unicode letters, separators and numbers plus _.:/=+-@ (\p{L}\p{Z}\p{N}).
    return all(c.isalpha() or c.isnumeric() or c == " " or c in _TAG_PUNCT for c in text)


def _check_tags(found: Findings, tags: Mapping[str, str]) -> None:
    items = list(tags.items())
    if len(items) > MAX_TAGS:
        found.fail(f"{len(items)} tags were given", f"a function can have at most {MAX_TAGS} tags")
    for key, value in items:
        if not 1 <= len(key) <= MAX_TAG_KEY or not _tag_chars_ok(key):
            found.fail(
                f"tag key {key[:40]!r} is not valid",
                f"use 1-{MAX_TAG_KEY} letters, digits, spaces or _.:/=+-@",
            )
        elif key.lower().startswith("aws:"):
            found.fail(f"tag key {key[:40]!r} uses the reserved aws: prefix", "rename the tag key")
        if len(value) > MAX_TAG_VALUE or not _tag_chars_ok(value):
            found.fail(
                f"the value of tag {key[:40]!r} is not valid",
                f"use at most {MAX_TAG_VALUE} letters, digits, spaces or _.:/=+-@",
            )


def _check_vpc(found: Findings, spec: FunctionSpec, creating: bool) -> None:
    subnets, groups = spec.subnets or (), spec.security_groups or ()
    for pattern, values, option, limit in (
        (_SUBNET, subnets, "--subnet", MAX_SUBNETS),
        (_SECURITY_GROUP, groups, "--security-group", MAX_SECURITY_GROUPS),
    ):
        if len(values) > limit:
            found.fail(f"{len(values)} {option} values were given", f"pass at most {limit}")
        for value in values:
            if not pattern.fullmatch(value):
                example = "subnet-0123456789abcdef0" if option == "--subnet" else "sg-0123456789abcdef0"
                found.fail(f"{option} {value!r} is not a valid ID", f"use an ID like {example}")
    if creating and bool(subnets) != bool(groups):
        missing = "--security-group" if subnets else "--subnet"
        found.fail(
            f"a VPC function needs both subnets and security groups; {missing} is missing",
            f"pass at least one {missing}, or neither option for a function outside a VPC",
        )


def _check_env(found: Findings, env: Mapping[str, str] | None) -> None:
    """Keys and size only: values are never put in a message."""
    if env is None:
        return
    variables = dict(env.items())
    for key in variables:
        shown = key[:40]
        if not _ENV_KEY.fullmatch(key):
            found.fail(
                f"environment variable name {shown!r} is not valid",
                "names start with a letter and hold at least 2 letters, digits or underscores",
            )
        elif key in RESERVED_ENV_KEYS:
            found.fail(
                f"environment variable {key} is reserved by Lambda",
                "remove it: the runtime sets it; use another name for your own value",
            )
    # AWS measures the Variables map as compact JSON; its size is not a secret, values are.
    size = len(json.dumps(variables, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > MAX_ENV_BYTES:
        largest = max(variables, key=lambda k: len(variables[k].encode("utf-8")))
        found.fail(
            f"environment variables take {size} bytes (largest: {largest[:40]}); "
            f"Lambda allows {MAX_ENV_BYTES} bytes (4 KB)",
            "move large values to SSM Parameter Store or Secrets Manager, or into the package",
        )
