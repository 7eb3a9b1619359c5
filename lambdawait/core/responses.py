"""Pure: API responses -> FunctionStatus / VersionInfo / AliasInfo, and names parsed from input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdawait.core.models import AliasInfo, FunctionStatus, VersionInfo


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def split_qualifier(name: str, qualifier: str | None = None) -> tuple[str, str | None]:
    """`fn:3` -> ("fn", "3"); an ARN (full or partial) keeps its form; an explicit qualifier wins."""
    from lambdawait.core.names import split_qualifier as split

    return split(name, qualifier)


def from_configuration(config: Mapping[str, Any], function: str, qualifier: str | None) -> FunctionStatus:
    """A FunctionConfiguration (GetFunction's `Configuration`) as a FunctionStatus."""
    archs = config.get("Architectures") or []
    env = (config.get("Environment") or {}).get("Variables") or {}
    return FunctionStatus(
        function=function,
        qualifier=qualifier,
        state=_str(config.get("State")),
        state_reason=_str(config.get("StateReason")),
        state_reason_code=_str(config.get("StateReasonCode")),
        last_update_status=_str(config.get("LastUpdateStatus")),
        last_update_status_reason=_str(config.get("LastUpdateStatusReason")),
        last_update_status_reason_code=_str(config.get("LastUpdateStatusReasonCode")),
        version=_str(config.get("Version")),
        runtime=_str(config.get("Runtime")),
        handler=_str(config.get("Handler")),
        architecture=_str(archs[0]) if archs else None,
        package_type=_str(config.get("PackageType")),
        code_sha256=_str(config.get("CodeSha256")),
        code_size=config.get("CodeSize"),
        last_modified=_str(config.get("LastModified")),
        revision_id=_str(config.get("RevisionId")),
        role=_str(config.get("Role")),
        memory=config.get("MemorySize"),
        timeout=config.get("Timeout"),
        description=_str(config.get("Description")),
        # Names only: values are secrets and are never copied out of the response.
        env_names=tuple(sorted(env)),
        function_arn=_str(config.get("FunctionArn")),
    )


def from_get_function(response: Mapping[str, Any], function: str, qualifier: str | None) -> FunctionStatus:
    """A GetFunction response as a FunctionStatus (the pre-signed code URL is dropped)."""
    return from_configuration(response.get("Configuration") or {}, function, qualifier)


def version_info(config: Mapping[str, Any]) -> VersionInfo:
    """One entry of ListVersionsByFunction."""
    return VersionInfo(
        version=str(config.get("Version")),
        state=_str(config.get("State")),
        state_reason_code=_str(config.get("StateReasonCode")),
        code_sha256=_str(config.get("CodeSha256")),
        last_modified=_str(config.get("LastModified")),
        description=_str(config.get("Description")) or None,
    )


def alias_info(alias: Mapping[str, Any]) -> AliasInfo:
    """One alias (GetAlias / ListAliases entry)."""
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return AliasInfo(
        name=str(alias.get("Name")),
        function_version=str(alias.get("FunctionVersion")),
        weights={str(k): float(v) for k, v in weights.items()},
        revision_id=_str(alias.get("RevisionId")),
        description=_str(alias.get("Description")) or None,
        arn=_str(alias.get("AliasArn")),
    )
