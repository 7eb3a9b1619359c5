"""Pure: API responses -> FunctionStatus / VersionInfo / AliasInfo.

The parsers take `Mapping[str, object]`: every boto3-stubs reply TypedDict (what LambdaApi
returns) is one, and so are the plain dicts of a plan or a test double. Each field is narrowed
where it is read, since Lambda omits the fields that do not apply (boto3-stubs marks every field of
a `...ResponseTypeDef` as present).
"""

from __future__ import annotations

from collections.abc import Mapping

from lambdawait.core.models import AliasInfo, FunctionStatus, VersionInfo


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def mapping(value: object) -> Mapping[str, object]:
    """A nested object of a reply (`Configuration`, `Environment`, ...); empty when absent."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return {}


def from_configuration(config: Mapping[str, object], function: str, qualifier: str | None) -> FunctionStatus:
    """A FunctionConfiguration (GetFunction's `Configuration`) as a FunctionStatus."""
    archs = config.get("Architectures")
    architecture = _str(archs[0]) if isinstance(archs, list | tuple) and archs else None
    env = mapping(mapping(config.get("Environment")).get("Variables"))
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
        architecture=architecture,
        package_type=_str(config.get("PackageType")),
        code_sha256=_str(config.get("CodeSha256")),
        code_size=_int(config.get("CodeSize")),
        last_modified=_str(config.get("LastModified")),
        revision_id=_str(config.get("RevisionId")),
        role=_str(config.get("Role")),
        memory=_int(config.get("MemorySize")),
        timeout=_int(config.get("Timeout")),
        description=_str(config.get("Description")),
        # Names only: values are secrets and are never copied out of the response.
        env_names=tuple(sorted(env)),
        function_arn=_str(config.get("FunctionArn")),
    )


def from_get_function(response: Mapping[str, object], function: str, qualifier: str | None) -> FunctionStatus:
    """A GetFunction response as a FunctionStatus (the pre-signed code URL is dropped)."""
    return from_configuration(mapping(response.get("Configuration")), function, qualifier)


def version_info(config: Mapping[str, object]) -> VersionInfo:
    """One entry of ListVersionsByFunction."""
    return VersionInfo(
        version=str(config.get("Version")),
        state=_str(config.get("State")),
        state_reason_code=_str(config.get("StateReasonCode")),
        code_sha256=_str(config.get("CodeSha256")),
        last_modified=_str(config.get("LastModified")),
        description=_str(config.get("Description")) or None,
    )


def weights(alias: Mapping[str, object]) -> dict[str, float]:
    """An alias's additional version weights (RoutingConfig), {} when it routes to one version."""
    routed = mapping(mapping(alias.get("RoutingConfig")).get("AdditionalVersionWeights"))
    return {k: float(v) for k, v in routed.items() if isinstance(v, int | float | str)}


def alias_info(alias: Mapping[str, object]) -> AliasInfo:
    """One alias (GetAlias / ListAliases entry)."""
    return AliasInfo(
        name=str(alias.get("Name")),
        function_version=str(alias.get("FunctionVersion")),
        weights=weights(alias),
        revision_id=_str(alias.get("RevisionId")),
        description=_str(alias.get("Description")) or None,
        arn=_str(alias.get("AliasArn")),
    )
