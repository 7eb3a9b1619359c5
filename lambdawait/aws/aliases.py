"""Alias reads and guarded writes: lost replies reconciled by re-reading, the release record beside.

botocore retries a call whose reply was lost; when the first attempt had landed, the retry meets a
RevisionId that moved (412) or an alias that exists (409). Neither proves that someone else acted:
the alias is read again, and when it holds exactly what this call meant to write (version, weights
and our own description with its run marker), the call landed. A transport error (a read timeout, a
closed connection) is reconciled the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.aws.guard import retried_after_transport_error
from lambdawait.core import record
from lambdawait.core.errors import (
    ConflictError,
    LambdawaitError,
    client_error_code,
    translate_client_error,
)
from lambdawait.core.models import AliasInfo
from lambdawait.core.responses import alias_info

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_lambda.type_defs import (
        AliasConfigurationResponseTypeDef,
        CreateAliasRequestTypeDef,
        UpdateAliasRequestTypeDef,
    )

    from lambdawait.aws.api import LambdaApi

STALE = "PreconditionFailedException"
# AWS answers ResourceConflictException; moto (under the simulator) says ConflictException.
EXISTS = ("ResourceConflictException", "ConflictException")


@dataclass(frozen=True)
class Intent:
    """What one alias write means to leave: the test of "it landed" after a lost reply."""

    version: str
    weights: Mapping[str, float]
    description: str | None  # None: the call leaves the description as it is

    def met_by(self, alias: AliasInfo | None) -> bool:
        if alias is None or alias.function_version != self.version:
            return False
        if set(alias.weights) != set(self.weights):
            return False
        if any(not math.isclose(alias.weights[v], w, abs_tol=1e-9) for v, w in self.weights.items()):
            return False
        return self.description is None or (alias.description or "") == self.description


def get_alias(client: LambdaApi, function: str, alias: str) -> AliasInfo | None:
    import botocore.exceptions

    try:
        return alias_info(client.get_alias(FunctionName=function, Name=alias))
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ResourceNotFoundException":
            return None
        raise translate_client_error(exc, action=f"reading alias {alias}") from exc


def is_transport_error(exc: BaseException) -> bool:
    """The request may or may not have reached Lambda: only a re-read can tell."""
    import botocore.exceptions as bex

    lost = (bex.ReadTimeoutError, bex.ConnectionClosedError, bex.EndpointConnectionError)
    return isinstance(exc, lost) or (isinstance(exc, bex.ClientError) and _status(exc) in (502, 504))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


def read_record(client: LambdaApi, function: str, alias: AliasInfo) -> record.ReleaseRecord:
    """The alias's release record: its description's marker, else the function tag (best effort)."""
    found = record.parse(alias.description)
    if not found.empty:
        return found
    import botocore.exceptions

    try:
        tags = client.list_tags(Resource=record.function_arn(alias.arn, function)).get("Tags") or {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        return found  # no permission to read tags: there is no record we can see
    return record.parse_text(tags.get(record.tag_key(alias.name)))


def keep_record(
    client: LambdaApi, function: str, alias: AliasInfo, rec: record.ReleaseRecord
) -> bool:
    """Store the record in the function tag when the description had no room; False if that failed."""
    if record.write(alias.description, rec) is not None and not record.parse(alias.description).empty:
        return True  # it is in the description already
    import botocore.exceptions

    try:
        client.tag_resource(
            Resource=record.function_arn(alias.arn, function),
            Tags={record.tag_key(alias.name): record.body(rec)},
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        return False
    return True


def update_alias(
    client: LambdaApi,
    function: str,
    alias: str,
    intent: Intent,
    revision: str | None,
    *,
    during: str,
) -> AliasInfo:
    """One UpdateAlias guarded by the RevisionId last seen; a lost reply is reconciled by re-reading."""
    kwargs: UpdateAliasRequestTypeDef = {
        "FunctionName": function,
        "Name": alias,
        "FunctionVersion": intent.version,
        "RoutingConfig": {"AdditionalVersionWeights": dict(intent.weights)},
    }
    if intent.description is not None:
        kwargs["Description"] = intent.description
    if revision:
        kwargs["RevisionId"] = revision

    def refused(code: str) -> LambdawaitError:
        return ConflictError(
            f"alias {alias} was changed by someone else during {during} (RevisionId mismatch)",
            hint="lambdawait stopped without overwriting their change; check `lambdawait status`",
            reason_code=code,
        )

    return _write(
        lambda: client.update_alias(**kwargs), client, function, alias, intent,
        echoes=(STALE,), refused=refused, action=f"updating alias {alias}",
    )  # fmt: skip


def create_alias(client: LambdaApi, function: str, alias: str, intent: Intent) -> AliasInfo:
    """CreateAlias; "already exists" after a lost reply is ours when it holds exactly our intent."""
    kwargs: CreateAliasRequestTypeDef = {
        "FunctionName": function,
        "Name": alias,
        "FunctionVersion": intent.version,
    }
    if intent.description is not None:
        kwargs["Description"] = intent.description

    def refused(code: str) -> LambdawaitError:
        return ConflictError(
            f"alias {alias} was created by someone else meanwhile",
            hint="nothing was overwritten; re-run to shift it",
            reason_code=code,
        )

    return _write(
        lambda: client.create_alias(**kwargs), client, function, alias, intent,
        echoes=EXISTS, refused=refused, action=f"creating alias {alias}",
    )  # fmt: skip


def _write(
    send: Callable[[], AliasConfigurationResponseTypeDef],
    client: LambdaApi,
    function: str,
    alias: str,
    intent: Intent,
    *,
    echoes: tuple[str, ...],
    refused: Callable[[str], LambdawaitError],
    action: str,
) -> AliasInfo:
    """Send one alias write; an error that may be the echo of our own landed call is checked first.

    `echoes` are the codes a retry meets when the first attempt landed (412 for UpdateAlias, 409 for
    CreateAlias); they are only an echo after botocore retried. A transport error may have landed too.
    """
    import botocore.exceptions

    try:
        return alias_info(send())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        code = client_error_code(exc)
        if (code in echoes and retried_after_transport_error(exc)) or is_transport_error(exc):
            landed = _landed(client, function, alias, intent)
            if landed is not None:
                return landed
        if not isinstance(exc, botocore.exceptions.ClientError):
            raise
        if code in echoes:
            raise refused(code) from exc
        raise translate_client_error(exc, action=action) from exc


def get_alias_quietly(client: LambdaApi, function: str, alias: str) -> AliasInfo | None:
    """The alias for a report, or None when even that read fails (the report must still go out).

    Read a few times: a signal that interrupted a request can leave a broken connection in the
    pool, and the first read after it may fail where the next one succeeds.
    """
    import time

    for attempt in range(3):
        try:
            return get_alias(client, function, alias)
        except Exception:
            time.sleep(0.1 * (attempt + 1))
    return None


def _landed(client: LambdaApi, function: str, alias: str, intent: Intent) -> AliasInfo | None:
    try:
        current = get_alias(client, function, alias)
    except Exception:  # the re-read failed too: we cannot tell, so the original error stands
        return None
    return current if intent.met_by(current) else None


def split_text(alias: AliasInfo | None) -> str:
    """`version 1, 10% on version 2` for messages."""
    if alias is None:
        return "no alias"
    split = "".join(f", {w * 100:g}% on version {v}" for v, w in alias.weights.items())
    return f"version {alias.function_version}{split}"


def repair_command(function: str, alias: str, version: str) -> str:
    return f"lambdawait rollback {function} --alias {alias} --to-version {version}"
