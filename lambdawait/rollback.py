"""`lambdawait rollback`: put an alias wholly back on a version, using the record kept in AWS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait import record
from lambdawait.acceptors import Target
from lambdawait.errors import NotFoundError, UsageError
from lambdawait.guard import raise_for_wait
from lambdawait.models import AliasInfo
from lambdawait.status import alias_info
from lambdawait.traffic import (
    VERSION_WAIT_TIMEOUT,
    get_alias,
    update_alias,
    validate_alias_name,
    validate_version,
)
from lambdawait.waiter import Waiter, WaitRequest

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient


def rollback_target(alias: AliasInfo, to_version: str | None) -> str:
    """Where `lambdawait rollback` goes: the given version, the primary of a split, or the record."""
    if to_version:
        validate_version(to_version)
        return to_version
    if alias.weights:
        return alias.function_version
    previous = record.parse(alias.description).previous
    if not previous:
        raise UsageError(
            f"alias {alias.name} has no lambdawait record of a previous version",
            hint="pass --to-version N",
        )
    return previous


def rollback(
    client: LambdaClient, waiter: Waiter, function: str, alias_name: str, to_version: str | None
) -> tuple[AliasInfo, AliasInfo]:
    """Point the alias wholly at the target version (waited Active first); returns (before, after)."""
    validate_alias_name(alias_name)
    alias = get_alias(client, function, alias_name)
    if alias is None:
        raise NotFoundError(
            f"alias {alias_name} of {function} does not exist", hint="check the names and region"
        )
    target = rollback_target(alias, to_version)
    result = waiter.wait(WaitRequest(function, target, Target.VERSION), VERSION_WAIT_TIMEOUT)
    if result.outcome.value == "not-found":
        raise UsageError(
            f"version {target} of {function} does not exist", hint="pick one from `lambdawait status`"
        )
    raise_for_wait(result, context=f"version {target} of {function}")
    if alias.function_version == target and not alias.weights:
        return alias, alias
    description = record.write(alias.description, record.AliasRecord(previous=alias.function_version))
    response = update_alias(
        client, function, alias_name, target, {}, alias.revision_id, description, during="the rollback"
    )
    return alias, alias_info(response)
