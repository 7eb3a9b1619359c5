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
    from lambdawait.core.preflight import check_name

    check_name(function, "publish")  # `fn:1` would otherwise be sent to PublishVersion
    request = _prepare(
        client, waiter, function, description=description, code_sha256=code_sha256,
        revision_id=revision_id, timeout=timeout,
    )  # fmt: skip
    response = _send(client, waiter, request, timeout)
    version = str(response["Version"])
    if on_published is not None:
        on_published(version)
    note = pending_note(response, version, function)
    if on_step is not None and note:
        on_step(note)
    return _await_active(waiter, request, version, timeout)


@dataclass(frozen=True)
class _Request:
    """One PublishVersion request and what was read to build it."""

    function: str
    expected: str | None  # the CodeSha256 the new version must have: the code we saw
    pinned: str | None  # the caller's RevisionId: never replaced by a fresher one
    before: frozenset[str]  # the versions that existed: Lambda may return one of them
    params: PublishVersionRequestTypeDef  # a fresher RevisionId may replace an unpinned one


def _prepare(
    client: LambdaApi,
    waiter: Waiter,
    function: str,
    *,
    description: str | None,
    code_sha256: str | None,
    revision_id: str | None,
    timeout: float,
) -> _Request:
    """Wait until no update is in progress, then guard the request with what that read saw."""
    from lambdawait.aws.describe import list_versions

    status = wait_ready(waiter, function, timeout, context=f"before publishing {function}")
    # CodeSha256 makes Lambda refuse to publish code other than what we saw (or were told).
    expected = code_sha256 or status.code_sha256
    before = frozenset(v.version for v in list_versions(client, function))
    params: PublishVersionRequestTypeDef = {"FunctionName": function}
    if expected:
        params["CodeSha256"] = expected
    # RevisionId refuses any change since that read, even one that finished.
    revision = revision_id or status.revision_id
    if revision:
        params["RevisionId"] = revision
    if description:
        params["Description"] = description
    return _Request(function, expected, revision_id, before, params)


def _send(client: LambdaApi, waiter: Waiter, request: _Request, timeout: float) -> dict[str, object]:
    """PublishVersion, guarded: an update in progress is waited out, a lost reply reconciled."""
    function, expected = request.function, request.expected

    def refresh() -> None:
        # Another update ran meanwhile: its new RevisionId replaces ours, unless the caller pinned one
        # (then any change since is a conflict the call must report, not paper over).
        fresh = wait_ready(waiter, function, timeout, context=f"before publishing {function}")
        if fresh.revision_id and not request.pinned:
            request.params["RevisionId"] = fresh.revision_id

    return guarded_call(
        f"publishing {function}",
        lambda: _call_publish(client, request),
        wait_idle=refresh,
        # A retried call refused after the first one landed: the version with our code is ours.
        reconcile=lambda: _latest_version_with(client, function, expected) if expected else None,
    )


def _call_publish(client: LambdaApi, request: _Request) -> dict[str, object]:
    """One PublishVersion call; a CodeSha256 refusal is a conflict, named as such."""
    import botocore.exceptions

    try:
        return dict(client.publish_version(**request.params))
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "InvalidParameterValueException" and "CodeSHA256" in str(
            client_error_message(exc)
        ):
            raise ConflictError(
                f"refusing to publish {request.function}: $LATEST's code is not {request.expected} "
                f"({client_error_message(exc)})",
                hint="someone deployed other code meanwhile; re-deploy what you tested, then publish",
                reason_code="CodeSha256Mismatch",
            ) from exc
        raise


def _await_active(waiter: Waiter, request: _Request, version: str, timeout: float) -> PublishResult:
    """Wait for the version to be Active: publishing returns while it may still be Pending."""
    function = request.function
    result = waiter.wait(WaitRequest(function, version, Target.VERSION), timeout)
    final = raise_for_wait(result, context=f"version {version} of {function}")
    return PublishResult(
        function=function,
        version=version,
        code_sha256=final.code_sha256 or request.expected,
        created=version not in request.before,
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
