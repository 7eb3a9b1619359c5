"""publish_version against the stateful fake: waits, guards, Pending versions, failures."""

from __future__ import annotations

import pytest

from lambdawait.aws.publish import publish_version
from lambdawait.core.errors import ConflictError, ExitCode, TargetFailedError, UsageError
from tests.unit.lambda_fake import FakeLambda, active, error, waiter


def test_publishes_with_code_sha_and_revision_of_what_it_saw() -> None:
    client = FakeLambda(active("sha-1"))
    result = publish_version(client, waiter(client), "fn", description="d")
    assert result.version == "1" and result.created and result.status.state == "Active"
    call = next(kw for op, kw in client.calls if op == "publish_version")
    assert call == {"FunctionName": "fn", "CodeSha256": "sha-1", "RevisionId": "rev-0", "Description": "d"}


def test_waits_for_an_update_in_progress_first() -> None:
    client = FakeLambda(active("old"), busy_polls=3)
    client.update_function_configuration(FunctionName="fn", MemorySize=256)
    client.calls.clear()
    result = publish_version(client, waiter(client), "fn")
    assert result.version == "1"
    ops = [op for op, _ in client.calls]
    assert ops.index("publish_version") > 3 and ops[:4] == ["get_function"] * 4


def test_code_sha_mismatch_is_a_conflict_and_creates_no_version() -> None:
    client = FakeLambda(active("sha-live"))
    with pytest.raises(ConflictError) as info:
        publish_version(client, waiter(client), "fn", code_sha256="sha-tested")
    assert info.value.exit_code is ExitCode.AWS
    assert info.value.reason_code == "CodeSha256Mismatch"
    assert "sha-tested" in info.value.message
    assert client.versions == []


def test_pinned_revision_refuses_a_change_made_since() -> None:
    client = FakeLambda(active("sha-1"))
    with pytest.raises(ConflictError):
        publish_version(client, waiter(client), "fn", revision_id="rev-stale")
    assert client.versions == []


def test_pending_version_is_waited_for() -> None:
    client = FakeLambda(active("sha-1"))
    client.version_busy_polls = 3
    result = publish_version(client, waiter(client), "fn")
    assert result.status.state == "Active"
    assert [op for op, kw in client.calls if kw.get("Qualifier") == "1"] == ["get_function"] * 4


def test_failed_version_exits_1_with_reason_code() -> None:
    client = FakeLambda(active("sha-1"))
    client.version_busy_polls = 1
    client.version_outcome = "Failed"
    with pytest.raises(TargetFailedError) as info:
        publish_version(client, waiter(client), "fn")
    assert info.value.exit_code is ExitCode.FAILED
    assert info.value.reason_code == "SnapStartNotReady"


def test_republishing_unchanged_code_reports_not_created() -> None:
    client = FakeLambda(active("sha-1"))
    publish_version(client, waiter(client), "fn")
    real = client.publish_version
    client.publish_version = lambda **kw: {**client.versions[0]}  # type: ignore[method-assign]
    again = publish_version(client, waiter(client), "fn")
    assert again.version == "1" and not again.created
    client.publish_version = real  # type: ignore[method-assign]


def test_lost_reply_then_conflict_finds_the_version_we_published() -> None:
    client = FakeLambda(active("sha-1"))
    real = client.publish_version

    def lands_then_412(**kwargs: object) -> dict[str, object]:
        real(**kwargs)
        raise error("PreconditionFailedException", "revision mismatch", 412, retries=1)

    client.publish_version = lands_then_412  # type: ignore[method-assign]
    result = publish_version(client, waiter(client), "fn")
    assert result.version == "1"


@pytest.mark.parametrize(
    "name",
    [
        "fn:1",
        "fn:live",
        "arn:aws:lambda:us-east-1:123456789012:function:fn:3",
        "123456789012:function:fn:$LATEST",
    ],
)
def test_a_qualified_name_is_refused_before_any_call(name: str) -> None:
    client = FakeLambda(active("sha-1"))
    with pytest.raises(UsageError) as info:
        publish_version(client, waiter(client), name)
    assert info.value.exit_code is ExitCode.USAGE
    assert "has a qualifier" in info.value.message and "unqualified" in (info.value.hint or "")
    assert client.calls == []


def test_an_unqualified_arn_is_published() -> None:
    client = FakeLambda(active("sha-1"))
    arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
    assert publish_version(client, waiter(client), arn).version == "1"
