"""What a shift refuses before its first write: bad names, missing or Failed versions, split aliases,
weights that Lambda would reject (off $LATEST, across execution roles)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from lambdawait.aws.aliases import read_record, repair_command, split_text
from lambdawait.core import record
from lambdawait.core.errors import UsageError, client_error_code, translate_client_error
from lambdawait.core.models import AliasInfo
from lambdawait.core.strategy import Step

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi
    from lambdawait.aws.shift_model import ShiftRequest

ALIAS_NAME = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}")


def validate_alias_name(alias: str) -> None:
    if not ALIAS_NAME.fullmatch(alias):
        raise UsageError(
            f"invalid alias name {alias!r}: 1-128 letters, digits, '-' or '_', and not all digits",
            hint="a numeric name would be mistaken for a version; use e.g. live or prod",
        )


def validate_version(version: str) -> None:
    if not version.isdigit():
        raise UsageError(
            f"cannot shift traffic to {version!r}: an alias must point at a published version number",
            hint="publish first (`lambdawait publish FUNCTION`) and pass its number",
        )


def weighted(steps: tuple[Step, ...]) -> bool:
    return any(step.weight < 1.0 for step in steps)


def found_split(function: str, alias: AliasInfo, rec: record.ReleaseRecord) -> str:
    """What an earlier run left on an alias, for the next command to say."""
    who = f" left by lambdawait run {rec.run} ({rec.good} -> {rec.new})" if rec.run else ""
    return f"alias {alias.name} of {function} is split: {split_text(alias)}{who}"


def check_current(
    client: LambdaApi,
    req: ShiftRequest,
    current: AliasInfo,
    target_role: str | None,
    warn: Callable[[str], None],
) -> None:
    """Refuse shifting over a split (unless --force) and weights Lambda would reject."""
    if current.weights:
        rec = read_record(client, req.function, current)
        found = found_split(req.function, current, rec)
        if not req.force:
            fix = repair_command(req.function, req.alias, current.function_version)
            raise UsageError(found, hint=f"finish it, or `{fix}`, or pass --force")
        warn(f"{found}; --force: shifting over it")
    if not current.function_version.isdigit():
        if weighted(req.steps) and current.function_version != req.to_version:
            raise UsageError(
                f"alias {req.alias} serves {current.function_version}, which cannot carry weights, "
                f"so a {req.strategy.name} shift is impossible",
                hint=f"point it at a version first: `lambdawait shift {req.function} --alias "
                f"{req.alias} --to-version N --strategy AllAtOnce`, then shift gradually",
            )
    elif current.function_version != req.to_version and weighted(req.steps):
        # Only weighted routing needs one role; AllAtOnce just repoints the alias.
        old_role = version_role(client, req.function, current.function_version)
        if old_role != target_role:
            raise UsageError(
                f"versions {current.function_version} and {req.to_version} have different "
                "execution roles; Lambda refuses weighted aliases across roles",
                hint="deploy with the same --role, or shift with --strategy AllAtOnce",
            )


def version_role(client: LambdaApi, function: str, version: str) -> str | None:
    """The version's execution role; refuses a version that is missing or Failed."""
    import botocore.exceptions

    try:
        config = client.get_function(FunctionName=function, Qualifier=version)["Configuration"]
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ResourceNotFoundException":
            raise UsageError(
                f"version {version} of {function} does not exist",
                hint="publish it first, or check the number with `lambdawait status`",
            ) from exc
        raise translate_client_error(exc, action=f"reading version {version}") from exc
    if config.get("State") == "Failed":
        raise UsageError(
            f"version {version} of {function} is Failed ({config.get('StateReasonCode')})",
            hint=f"run `lambdawait explain {config.get('StateReasonCode')}`; publish a working version",
        )
    role = config.get("Role")
    return str(role) if role is not None else None
