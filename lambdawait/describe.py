"""Read-only inspection of a function for `lambdawait status`: config, versions, aliases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait.errors import translate_client_error
from lambdawait.models import AliasInfo, FunctionReport, VersionInfo
from lambdawait.status import alias_info, from_get_function, split_qualifier, version_info

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

RECENT_VERSIONS = 5


def list_versions(client: LambdaClient, function: str) -> list[VersionInfo]:
    """Every published version (not $LATEST), oldest first."""
    versions: list[VersionInfo] = []
    for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=function):
        versions.extend(version_info(v) for v in page.get("Versions", []) if v.get("Version") != "$LATEST")
    versions.sort(key=lambda v: int(v.version))
    return versions


def list_aliases(client: LambdaClient, function: str) -> list[AliasInfo]:
    aliases: list[AliasInfo] = []
    for page in client.get_paginator("list_aliases").paginate(FunctionName=function):
        aliases.extend(alias_info(a) for a in page.get("Aliases", []))
    return sorted(aliases, key=lambda a: a.name)


def describe(client: LambdaClient, name: str) -> FunctionReport:
    """Status, the most recent versions and every alias of one function."""
    import botocore.exceptions

    from lambdawait.reasons import remediation_for

    function, qualifier = split_qualifier(name)
    try:
        kwargs = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
        status = from_get_function(client.get_function(**kwargs), function, qualifier)  # type: ignore[arg-type,unused-ignore]
        versions = list_versions(client, function)[-RECENT_VERSIONS:]
        aliases = list_aliases(client, function)
    except botocore.exceptions.ClientError as exc:
        raise translate_client_error(exc, action=f"reading {name}") from exc
    failing = status.state in ("Failed", "Inactive") or status.last_update_status == "Failed"
    return FunctionReport(
        status=status,
        versions=tuple(versions),
        aliases=tuple(aliases),
        remediation=remediation_for(status.reason_code) if failing else None,
    )
