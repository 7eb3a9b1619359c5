"""Provisioned concurrency: reading an alias's or version's config and judging it while it allocates.

A config is IN_PROGRESS while Lambda allocates (or, after an alias change, reallocates between the
versions) its execution environments, then READY or FAILED with a StatusReason. Until it is READY,
traffic sent to the alias spills over to on-demand environments (cold starts), or is throttled
under a reserved-concurrency limit. GetProvisionedConcurrencyConfig counts against the account's
15 requests/s control-plane quota, so waits poll it once a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.core.errors import UsageError, client_error_code, translate_client_error
from lambdawait.core.models import FunctionStatus, ProvisionedInfo, WaitOutcome

if TYPE_CHECKING:
    from mypy_boto3_lambda.type_defs import (
        GetProvisionedConcurrencyConfigResponseTypeDef,
        ListProvisionedConcurrencyConfigsRequestTypeDef,
        ProvisionedConcurrencyConfigListItemTypeDef,
    )

    # A config as GetProvisionedConcurrencyConfig answers it, or one item of the List call.
    ConfigReply = GetProvisionedConcurrencyConfigResponseTypeDef | ProvisionedConcurrencyConfigListItemTypeDef

    from lambdawait.aws.api import LambdaApi
    from lambdawait.aws.waiter import Waiter

NOT_FOUND = "ProvisionedConcurrencyConfigNotFoundException"
POLL_SECONDS = 1.0
REMEDIATION = (
    "provisioned environments run the function's initialisation code ahead of traffic; "
    "FUNCTION_ERROR_INIT_FAILURE means that code failed (see the version's logs, invoke it "
    "directly to reproduce); a concurrency shortfall means the account or the function's "
    "reserved concurrency has no room for the requested amount (aws lambda get-account-settings)"
)


@dataclass(frozen=True)
class ProvisionedConfig:
    """One config as GetProvisionedConcurrencyConfig answers it."""

    requested: int
    allocated: int
    available: int
    status: str  # IN_PROGRESS | READY | FAILED
    reason: str | None = None
    last_modified: str | None = None

    @classmethod
    def parse(cls, response: ConfigReply) -> ProvisionedConfig:
        return cls(
            requested=int(response.get("RequestedProvisionedConcurrentExecutions") or 0),
            allocated=int(response.get("AllocatedProvisionedConcurrentExecutions") or 0),
            available=int(response.get("AvailableProvisionedConcurrentExecutions") or 0),
            status=str(response.get("Status") or "IN_PROGRESS"),
            reason=response.get("StatusReason"),
            last_modified=response.get("LastModified"),
        )

    def text(self) -> str:
        """'READY (3/3 allocated)' or 'FAILED: reason'."""
        text = f"{self.status} ({self.allocated}/{self.requested} allocated)"
        return f"{text}: {self.reason}" if self.reason else text


def read(client: LambdaApi, function: str, qualifier: str) -> ProvisionedConfig | None:
    """The config on FUNCTION:QUALIFIER, or None when it has none."""
    config, _ = _read(client, function, qualifier, denied_ok=False)
    return config


def read_if_allowed(
    client: LambdaApi, function: str, qualifier: str
) -> tuple[ProvisionedConfig | None, str | None]:
    """The config, or (None, why) when the caller may not read it: a role without
    lambda:GetProvisionedConcurrencyConfig still shifts, without waiting for capacity."""
    return _read(client, function, qualifier, denied_ok=True)


def _read(
    client: LambdaApi, function: str, qualifier: str, *, denied_ok: bool
) -> tuple[ProvisionedConfig | None, str | None]:
    import botocore.exceptions

    try:
        response = client.get_provisioned_concurrency_config(FunctionName=function, Qualifier=qualifier)
    except botocore.exceptions.ClientError as exc:
        code = client_error_code(exc)
        if code == NOT_FOUND:
            return None, None
        if denied_ok and code == "AccessDeniedException":
            return None, (
                f"cannot read the provisioned concurrency of {function}:{qualifier} (AccessDenied): "
                "steps will not wait for it (grant lambda:GetProvisionedConcurrencyConfig)"
            )
        raise translate_client_error(
            exc, action=f"reading the provisioned concurrency of {function}:{qualifier}"
        ) from exc
    return ProvisionedConfig.parse(response), None


def list_all(client: LambdaApi, function: str) -> tuple[ProvisionedInfo, ...]:
    """Every alias's and version's config, for `status` (which may lack the permission: then none)."""
    import botocore.exceptions

    infos: list[ProvisionedInfo] = []
    kwargs: ListProvisionedConcurrencyConfigsRequestTypeDef = {"FunctionName": function}
    while True:
        try:
            page = client.list_provisioned_concurrency_configs(**kwargs)
        except botocore.exceptions.ClientError as exc:
            # No permission, or an endpoint without the API (moto answers "404: Not yet
            # implemented"): status still shows everything else.
            if client_error_code(exc) in ("AccessDeniedException", "UnsupportedOperationException", "404"):
                return ()
            raise
        for item in page.get("ProvisionedConcurrencyConfigs", []):
            config = ProvisionedConfig.parse(item)
            qualifier = str(item.get("FunctionArn", "")).rsplit(":", 1)[-1]
            infos.append(
                ProvisionedInfo(qualifier, config.requested, config.allocated, config.status, config.reason)
            )
        if not page.get("NextMarker"):
            return tuple(infos)
        kwargs["Marker"] = page["NextMarker"]


def plan_note(client: LambdaApi, function: str, alias: str) -> list[str]:
    """What `shift --plan` says about the alias's provisioned concurrency (nothing when it has none
    or it cannot be read: a plan still prints)."""
    try:
        config = read(client, function, alias)
    except Exception as exc:
        return [f"could not read the provisioned concurrency of {alias} ({exc})"]
    if config is None:
        return []
    return [
        f"alias {alias} has provisioned concurrency ({config.requested}, {config.status}): after each "
        "step the shift waits until it is READY again before the bake; FAILED rolls back"
    ]


def missing(function: str, qualifier: str) -> UsageError:
    """Waiting for a config that does not exist would never end: say so (exit 2)."""
    return UsageError(
        f"{function}:{qualifier} has no provisioned concurrency config, so there is nothing to wait for",
        hint=f"put one first (aws lambda put-provisioned-concurrency-config --function-name {function} "
        f"--qualifier {qualifier} --provisioned-concurrent-executions N), or wait --for version",
    )


def check_qualifier(name: str, qualifier: str | None) -> str:
    """Provisioned concurrency lives on an alias or a published version, never on $LATEST."""
    if not qualifier or qualifier == "$LATEST":
        raise UsageError(
            f"--for provisioned needs an alias or a published version for {name}",
            hint="pass FUNCTION:ALIAS, FUNCTION:N or --qualifier",
        )
    return qualifier


def as_status(
    response: GetProvisionedConcurrencyConfigResponseTypeDef, function: str, qualifier: str | None
) -> FunctionStatus:
    """A config in the shape every wait reports: its Status as the state, StatusReason as why."""
    config = ProvisionedConfig.parse(response)
    return FunctionStatus(
        function=function,
        qualifier=qualifier,
        state=config.status,
        state_reason=config.text(),
        state_reason_code=config.reason,
        version=qualifier,
    )


def decide_error(label: str, code: str, message: str) -> tuple[WaitOutcome, str, str]:
    """(outcome, message, error code) for an error answer: no config at all is exit 2."""
    if code == NOT_FOUND:
        function, _, qualifier = label.rpartition(":")
        raise missing(function, qualifier)
    outcome = WaitOutcome.NOT_FOUND if code == "ResourceNotFoundException" else WaitOutcome.ERROR
    return outcome, f"{label}: {code}: {message}", code


def decide(
    label: str, response: GetProvisionedConcurrencyConfigResponseTypeDef
) -> tuple[WaitOutcome | None, str, str | None]:
    """(outcome or None to keep polling, message, error code) for one answer."""
    config = ProvisionedConfig.parse(response)
    if config.status == "READY":
        return WaitOutcome.READY, f"{label} provisioned concurrency is {config.text()}", None
    if config.status == "FAILED":
        return WaitOutcome.FAILED, f"{label} provisioned concurrency {config.text()}", None
    return None, "", None


def wait_ready(waiter: Waiter, function: str, qualifier: str, timeout: float) -> tuple[bool, str]:
    """Wait until the config is READY (True) or FAILED (False), with what was seen; anything else
    (a timeout, an AWS error, the config gone) raises the lambdawait error it stands for."""
    from lambdawait.aws.guard import raise_for_wait
    from lambdawait.aws.waiter import WaitRequest
    from lambdawait.core.acceptors import Target

    result = waiter.wait(WaitRequest(function, qualifier, Target.PROVISIONED), timeout)
    if result.outcome is not WaitOutcome.FAILED:
        raise_for_wait(result, context=f"provisioned concurrency of {function}:{qualifier}")
    return result.ok, result.message
