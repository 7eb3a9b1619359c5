"""Publishing versions: guarded by CodeSha256 and RevisionId, then waited on until Active."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.aws.guard import guarded_call, raise_for_wait, wait_ready
from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.errors import ConflictError, client_error_code, client_error_message
from lambdawait.core.models import FunctionStatus
from lambdawait.core.responses import mapping

if TYPE_CHECKING:
    from mypy_boto3_lambda.type_defs import PublishVersionRequestTypeDef

    from lambdawait.aws.api import LambdaApi

# SnapStart versions can stay Pending for minutes while Lambda snapshots the initialised runtime.
DEFAULT_PUBLISH_TIMEOUT = 900.0


@dataclass(frozen=True)
class PublishResult:
    """A published, Active version."""

    function: str
    version: str
    code_sha256: str | None
    created: bool  # False when Lambda returned the version published before (nothing changed)
    status: FunctionStatus


def _latest_version_with(client: LambdaApi, function: str, code_sha256: str) -> dict[str, object] | None:
    from lambdawait.aws.describe import list_versions

    matches = [v for v in list_versions(client, function) if v.code_sha256 == code_sha256]
    if not matches:
        return None
    return {"Version": matches[-1].version, "CodeSha256": code_sha256}


def publish_version(
    client: LambdaApi,
    waiter: Waiter,
    function: str,
    *,
    description: str | None = None,
    code_sha256: str | None = None,
    revision_id: str | None = None,
    timeout: float = DEFAULT_PUBLISH_TIMEOUT,
    on_published: Callable[[str], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> PublishResult:
    """Wait for any update in progress, publish exactly the code we saw, wait until Active.

    `revision_id` pins the RevisionId (a deploy passes the one it ended on): any change since,
    even one that finished, is refused with a conflict instead of being published.
    `on_published` hears the version number as soon as Lambda returns it, before the wait.
    `on_step` hears what the wait is for when it is more than a moment (a SnapStart snapshot).
    """
    import botocore.exceptions

    from lambdawait.aws.describe import list_versions
    from lambdawait.core.preflight import check_name

    check_name(function, "publish")  # `fn:1` would otherwise be sent to PublishVersion
    status = wait_ready(waiter, function, timeout, context=f"before publishing {function}")
    expected = code_sha256 or status.code_sha256
    before = {v.version for v in list_versions(client, function)}
    kwargs: PublishVersionRequestTypeDef = {"FunctionName": function}
    if expected:
        kwargs["CodeSha256"] = expected
    revision = revision_id or status.revision_id
    if revision:
        kwargs["RevisionId"] = revision
    if description:
        kwargs["Description"] = description

    def call() -> dict[str, object]:
        try:
            return dict(client.publish_version(**kwargs))
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) == "InvalidParameterValueException" and "CodeSHA256" in str(
                client_error_message(exc)
            ):
                raise ConflictError(
                    f"refusing to publish {function}: $LATEST's code is not {expected} "
                    f"({client_error_message(exc)})",
                    hint="someone deployed other code meanwhile; re-deploy what you tested, then publish",
                    reason_code="CodeSha256Mismatch",
                ) from exc
            raise

    def refresh() -> None:
        fresh = wait_ready(waiter, function, timeout, context=f"before publishing {function}")
        if fresh.revision_id and not revision_id:
            kwargs["RevisionId"] = fresh.revision_id

    response = guarded_call(
        f"publishing {function}",
        call,
        wait_idle=refresh,
        reconcile=lambda: _latest_version_with(client, function, expected) if expected else None,
    )
    version = str(response["Version"])
    if on_published is not None:
        on_published(version)
    note = pending_note(response, version, function)
    if on_step is not None and note:
        on_step(note)
    result = waiter.wait(WaitRequest(function, version, Target.VERSION), timeout)
    final = raise_for_wait(result, context=f"version {version} of {function}")
    return PublishResult(
        function=function,
        version=version,
        code_sha256=final.code_sha256 or expected,
        created=version not in before,
        status=final,
    )


def pending_note(response: Mapping[str, object], version: str, function: str) -> str | None:
    """Why a version just published is Pending when that takes minutes, not a moment."""
    from lambdawait.core.managed import publishing_note

    if response.get("State") != "Pending":
        return None
    if response.get("CapacityProviderConfig"):
        return publishing_note(version, function)
    if snapshotting(response):
        return (
            f"version {version} of {function} is Pending while Lambda runs its init and takes the "
            "SnapStart snapshot (often minutes); waiting for it to be Active"
        )
    return None


def snapshotting(response: Mapping[str, object]) -> bool:
    """A version just published with SnapStart on is Pending while its snapshot is taken."""
    apply_on = mapping(response.get("SnapStart")).get("ApplyOn")
    return apply_on == "PublishedVersions" and response.get("State") == "Pending"
