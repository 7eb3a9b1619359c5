"""Ledger: a stopped deploy's error says exactly what changed and what did not."""

from __future__ import annotations

from lambdawait.core.doc_types import DocumentFields
from lambdawait.core.errors import (
    AwsError,
    ConflictError,
    ExitCode,
    InterruptedError_,
    LambdawaitError,
    RolledBackError,
    TargetFailedError,
    UsageError,
    WaitTimeoutError,
)
from lambdawait.core.ledger import DeploySteps, Ledger
from lambdawait.output.documents import error_fields

SHA = "3Kf2a9c1ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ="
ALL = ["code", "configuration", "tags", "publish", "alias"]


def shown(err: LambdawaitError) -> DocumentFields:
    """The error's details as its result document shows them."""
    return error_fields(err.details)


def ledger(*landed: str) -> Ledger:
    book = Ledger("fn", list(ALL), alias="live")
    for step in landed:
        book.begin(step)
        book.land(
            step, code_sha256=SHA if step == "code" else None, version="3" if step == "publish" else None
        )
    return book


def test_config_failing_after_the_code_landed_names_every_step() -> None:
    book = ledger("code")
    book.begin("configuration")
    book.accept("configuration")
    err = book.annotate(TargetFailedError("updating configuration of fn failed: ENI limit"))
    assert err.message == (
        "updating configuration of fn failed: ENI limit; code 3Kf2a9c1… is live on $LATEST; "
        "configuration not applied (Lambda kept the previous configuration); tags not applied; "
        "no version published; alias live untouched"
    )
    assert err.exit_code is ExitCode.FAILED
    not_applied = ("configuration", "tags", "publish", "alias")
    assert err.details == {"steps": DeploySteps(("code",), not_applied, (), SHA, None)}
    assert shown(err) == {
        "applied": ["code"],
        "notApplied": ["configuration", "tags", "publish", "alias"],
        "unconfirmed": [],
        "liveCodeSha256": SHA,
        "version": None,
    }


def test_a_usage_error_after_a_change_is_not_exit_2() -> None:
    book = ledger("code")
    book.begin("configuration")  # Lambda refused the call itself (InvalidParameterValue)
    cause = ValueError("the ClientError")
    usage = UsageError(
        "updating configuration of fn failed: InvalidParameterValueException: bad", hint="fix it"
    )
    usage.__cause__ = cause
    err = book.annotate(usage)
    assert type(err) is AwsError and err.exit_code is ExitCode.AWS
    assert err.hint == "fix it" and err.__cause__ is cause
    assert "; code 3Kf2a9c1… is live on $LATEST; configuration not applied; tags not applied;" in err.message


def test_nothing_changed_says_so_and_a_usage_error_stays_exit_2_untouched() -> None:
    book = ledger()
    book.begin("code")
    err = book.annotate(AwsError("updating code of fn failed: AccessDeniedException"))
    assert err.message.endswith("; nothing was changed")
    assert shown(err)["applied"] == [] and shown(err)["notApplied"] == ALL
    usage = UsageError("deploying would remove 1 environment variable of fn: A")
    assert Ledger("fn", ["configuration"]).annotate(usage) is usage
    assert usage.message.endswith(": A") and usage.details == {}


def test_an_update_that_ended_failed_changed_nothing() -> None:
    book = ledger()
    book.begin("code")
    book.accept("code")
    err = book.annotate(TargetFailedError("updating code of fn failed: ENI limit"))
    assert err.message.endswith(
        "; Lambda kept the previous code and configuration, which are still live; nothing was changed"
    )
    assert shown(err)["unconfirmed"] == [] and shown(err)["notApplied"] == ALL


def test_a_timeout_after_an_accepted_update_is_unconfirmed() -> None:
    book = ledger("code")
    book.begin("configuration")
    book.accept("configuration")
    err = book.annotate(WaitTimeoutError("updating configuration of fn: timed out"))
    assert "configuration update sent but not confirmed (check `lambdawait status fn`)" in err.message
    assert shown(err)["unconfirmed"] == ["configuration"]
    assert shown(err)["notApplied"] == ["tags", "publish", "alias"]


def test_publish_failing_after_the_deploy() -> None:
    book = ledger("code", "configuration", "tags")
    book.begin("publish")
    err = book.annotate(ConflictError("refusing to publish fn: $LATEST's code is not X"))
    assert err.message.endswith(
        "; code 3Kf2a9c1… is live on $LATEST; configuration applied; tags applied; "
        "no version published; alias live untouched"
    )


def test_the_shift_reports_the_alias_itself_but_a_refused_shift_left_it_untouched() -> None:
    book = ledger("code", "configuration", "tags", "publish")
    book.begin("alias")
    gate = book.annotate(RolledBackError("alarm gate fired: x; alias live rolled back to version 2"))
    assert gate.message.endswith("; tags applied; version 3 published")
    assert gate.exit_code is ExitCode.ROLLED_BACK and shown(gate)["version"] == "3"
    again = ledger("code", "configuration", "tags", "publish")
    again.begin("alias")
    refused = again.annotate(UsageError("alias live is mid-shift"))
    assert refused.exit_code is ExitCode.AWS
    assert refused.message.endswith("; version 3 published; alias live untouched")


def test_annotating_twice_adds_nothing_and_keeps_the_errors_own_details() -> None:
    book = ledger("code")
    err = InterruptedError_("interrupted; fn left as Lambda reports it", details={"reasonCode": "X"})
    once = book.annotate(err)
    text = once.message
    assert book.annotate(once).message == text
    assert once.details["reasonCode"] == "X" and shown(once)["applied"] == ["code"]
    keys = ["reasonCode", "applied", "notApplied", "unconfirmed", "liveCodeSha256", "version"]
    assert list(shown(once)) == keys  # in the order the facts were added


def test_a_create_replanned_replaces_the_deploy_steps_only() -> None:
    book = Ledger("fn", ["code", "configuration", "publish"])
    book.replan(["configuration"])
    assert book.planned == ["configuration", "publish"]
