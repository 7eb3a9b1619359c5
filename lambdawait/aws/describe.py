"""Read-only inspection of a function for `lambdawait status`: config, versions, aliases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lambdawait.core.errors import translate_client_error
from lambdawait.core.models import AliasInfo, FunctionReport, VersionInfo
from lambdawait.core.names import split_qualifier
from lambdawait.core.responses import alias_info, from_get_function, version_info

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi

RECENT_VERSIONS = 5


def _all_pages(call: Callable[..., Any], function: str, key: str) -> list[dict[str, Any]]:
    """Every item of a Marker-paged Lambda list call.

    Pages by hand rather than with a botocore paginator so each page goes through the retrying
    client.
    """
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"FunctionName": function}
    while True:
        page = call(**kwargs)
        items.extend(page.get(key, []))
        if not page.get("NextMarker"):
            return items
        kwargs["Marker"] = page["NextMarker"]


def list_versions(client: LambdaApi, function: str) -> list[VersionInfo]:
    """Every published version (not $LATEST), oldest first."""
    versions = _all_pages(client.list_versions_by_function, function, "Versions")
    infos = [version_info(v) for v in versions if v.get("Version") != "$LATEST"]
    return sorted(infos, key=lambda v: int(v.version))


def list_aliases(client: LambdaApi, function: str) -> list[AliasInfo]:
    aliases = [alias_info(a) for a in _all_pages(client.list_aliases, function, "Aliases")]
    return sorted(aliases, key=lambda a: a.name)


def describe(client: LambdaApi, name: str) -> FunctionReport:
    """Status, the most recent versions and every alias of one function."""
    import botocore.exceptions

    from lambdawait.aws.provisioned import list_all
    from lambdawait.core.reasons import remediation_for

    function, qualifier = split_qualifier(name)
    try:
        kwargs = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
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
