"""Read-only inspection of a function for `lambdawait status`: config, versions, aliases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait.core.errors import translate_client_error
from lambdawait.core.models import AliasInfo, FunctionReport, VersionInfo
from lambdawait.core.names import split_qualifier
from lambdawait.core.responses import alias_info, from_get_function, version_info

if TYPE_CHECKING:
    from mypy_boto3_lambda.type_defs import (
        AliasConfigurationTypeDef,
        FunctionConfigurationTypeDef,
        GetFunctionRequestTypeDef,
        ListAliasesRequestTypeDef,
        ListVersionsByFunctionRequestTypeDef,
    )

    from lambdawait.aws.api import LambdaApi

RECENT_VERSIONS = 5

# Each list call is paged by hand (Marker / NextMarker) rather than with a botocore paginator, so
# each page goes through the retrying client.


def list_versions(client: LambdaApi, function: str) -> list[VersionInfo]:
    """Every published version (not $LATEST), oldest first."""
    versions: list[FunctionConfigurationTypeDef] = []
    kwargs: ListVersionsByFunctionRequestTypeDef = {"FunctionName": function}
    while True:
        page = client.list_versions_by_function(**kwargs)
        versions.extend(page.get("Versions", []))
        if not page.get("NextMarker"):
            break
        kwargs["Marker"] = page["NextMarker"]
    infos = [version_info(v) for v in versions if v.get("Version") != "$LATEST"]
    return sorted(infos, key=lambda v: int(v.version))


def list_aliases(client: LambdaApi, function: str) -> list[AliasInfo]:
    aliases: list[AliasConfigurationTypeDef] = []
    kwargs: ListAliasesRequestTypeDef = {"FunctionName": function}
    while True:
        page = client.list_aliases(**kwargs)
        aliases.extend(page.get("Aliases", []))
        if not page.get("NextMarker"):
            break
        kwargs["Marker"] = page["NextMarker"]
    return sorted((alias_info(a) for a in aliases), key=lambda a: a.name)


def describe(client: LambdaApi, name: str) -> FunctionReport:
    """Status, the most recent versions and every alias of one function."""
    import botocore.exceptions

    from lambdawait.aws.provisioned import list_all
    from lambdawait.core.reasons import remediation_for

    function, qualifier = split_qualifier(name)
    try:
        kwargs: GetFunctionRequestTypeDef = {"FunctionName": function}
        if qualifier:
            kwargs["Qualifier"] = qualifier
        status = from_get_function(client.get_function(**kwargs), function, qualifier)
        versions = list_versions(client, function)[-RECENT_VERSIONS:]
        aliases = list_aliases(client, function)
        provisioned = list_all(client, function)
    except botocore.exceptions.ClientError as exc:
        raise translate_client_error(exc, action=f"reading {name}") from exc
    failing = status.state in ("Failed", "Inactive") or status.last_update_status == "Failed"
    return FunctionReport(
        status=status,
        versions=tuple(versions),
        aliases=tuple(aliases),
        remediation=remediation_for(status.reason_code) if failing else None,
        provisioned=provisioned,
    )
