"""`lambdawait rollback`: put an alias wholly back on the known-good version of its last release.

The release record (lambdawait.core.record) names the version a release replaced, so a rollback goes to
the same place however often it runs: the second run says "already on 1" and changes nothing. Going
forward again is explicit (`shift --to-version`, or `rollback --to-version`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.aws.aliases import Intent, get_alias, keep_record, read_record, update_alias
from lambdawait.aws.guard import raise_for_wait
from lambdawait.aws.shift import VERSION_WAIT_TIMEOUT, validate_alias_name, validate_version
from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core import record
from lambdawait.core.acceptors import Target
from lambdawait.core.errors import ConflictError, NotFoundError, UsageError, client_error_code
from lambdawait.core.models import AliasInfo

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi

# Another deployer (a shift still running elsewhere) may move the alias between our read and our
# write; the rollback reads again and decides again, this many times.
MAX_CONFLICTS = 5


@dataclass(frozen=True)
class Decision:
    """Where a rollback goes and how to say it; target None: nothing to do."""

    target: str | None
    message: str


@dataclass(frozen=True)
class RollbackResult:
    before: AliasInfo
    after: AliasInfo
    outcome: str  # rolled-back | unchanged
    message: str
    record: record.ReleaseRecord


def decide(alias: AliasInfo, rec: record.ReleaseRecord, to_version: str | None) -> Decision:
    """Pure: the target of a rollback from the alias as it is and its release record."""
    release = f"release {rec.run}" if rec.run else "the last release"
    if to_version:
        validate_version(to_version)
        if alias.function_version == to_version and not alias.weights:
            return Decision(None, f"already on version {to_version}")
        return Decision(to_version, f"to version {to_version} (--to-version)")
    if alias.weights:
        primary = alias.function_version
        target = rec.good if rec.good in (primary, *alias.weights) else primary
        split = ", ".join(f"{w * 100:g}% to version {v}" for v, w in alias.weights.items())
        return Decision(target, f"cleared a {split} split; alias wholly on version {target}")
    current = alias.function_version
    if rec.empty:
        raise UsageError(
            f"alias {alias.name} has no lambdawait record of a known-good version",
            hint="pass --to-version N",
        )
    if rec.good is None:
        raise UsageError(
            f"{release} created alias {alias.name} on version {current}: there is no version before it",
            hint="pass --to-version N",
        )
    if current == rec.good:
        return Decision(None, f"already on {current}, the known-good version of {release}")
    if current == rec.new:
        good = rec.good
        return Decision(good, f"from version {current} to {good}, the known-good version of {release}")
    raise UsageError(
        f"alias {alias.name} is on version {current}, which is not part of {release} "
        f"({rec.good} -> {rec.new}); someone else moved it",
        hint="pass --to-version N to say where it should go",
    )


def rollback(
    client: LambdaApi, waiter: Waiter, function: str, alias_name: str, to_version: str | None
) -> RollbackResult:
    """Point the alias wholly at the known-good (or given) version, waited Active first."""
    validate_alias_name(alias_name)
    if to_version:
        validate_version(to_version)
    for attempt in range(MAX_CONFLICTS):
        alias = _read(client, function, alias_name)
        rec = read_record(client, function, alias)
        decision = decide(alias, rec, to_version)
        if decision.target is None:
            return RollbackResult(alias, alias, "unchanged", decision.message, rec)
        if attempt == 0:
            _wait_version(waiter, function, decision.target)
        new = rec.new if rec.new and rec.new != decision.target else alias.function_version
        run = rec.run or uuid.uuid4().hex[:12]
        rolled = record.ReleaseRecord(run, decision.target, new, record.ROLLED_BACK)
        intent = Intent(decision.target, {}, record.write(alias.description, rolled))
        try:
            after = update_alias(
                client, function, alias_name, intent, alias.revision_id, during="the rollback"
            )
        except ConflictError:
            continue  # moved between our read and our write: read and decide again
        if intent.description is None:
            keep_record(client, function, after, rolled)
        return RollbackResult(alias, after, "rolled-back", decision.message, rolled)
    raise ConflictError(
        f"alias {alias_name} kept changing under the rollback ({MAX_CONFLICTS} attempts)",
        hint="another deployer is moving it; stop it, then run the rollback again",
    )


def _read(client: LambdaApi, function: str, alias_name: str) -> AliasInfo:
    alias = get_alias(client, function, alias_name)
    if alias is not None:
        return alias
    import botocore.exceptions

    try:
        client.get_function(FunctionName=function)
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ResourceNotFoundException":
            raise NotFoundError(
                f"function {function} does not exist", hint="check the function name and region"
            ) from exc
        raise
    raise NotFoundError(
        f"alias {alias_name} of {function} does not exist",
        hint=f"list the aliases with `lambdawait status {function}`",
    )


def _wait_version(waiter: Waiter, function: str, target: str) -> None:
    result = waiter.wait(WaitRequest(function, target, Target.VERSION), VERSION_WAIT_TIMEOUT)
    if result.outcome.value == "not-found":
        raise UsageError(
            f"version {target} of {function} does not exist", hint="pick one from `lambdawait status`"
        )
    raise_for_wait(result, context=f"version {target} of {function}")
