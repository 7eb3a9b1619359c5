"""An error's details are domain facts; output.documents turns them into the document's fields."""

from __future__ import annotations

import io

from lambdawait.core.errors import (
    ErrorDetails,
    RolledBackError,
    Seen,
    TargetFailedError,
    failure_details,
    redact_details,
)
from lambdawait.core.ledger import DeploySteps
from lambdawait.core.models import AliasInfo, FunctionStatus
from lambdawait.output.documents import error_document, error_fields, error_functions, function_entry
from lambdawait.output.render import Output

SECRET = "hunter2-value"
FAILED = FunctionStatus(
    "orders",
    state="Active",
    last_update_status="Failed",
    last_update_status_reason=f"could not start: KEY={SECRET}",
    last_update_status_reason_code="EniLimitExceeded",
    code_sha256="old",
)


def test_the_fields_come_in_the_order_the_facts_were_added_and_in_the_documents_shape() -> None:
    alias = AliasInfo("live", "1", {"2": 0.1}, "rev-1")
    details: ErrorDetails = {
        "gate": "alarm",
        "gateDetail": "errors in ALARM",
        "alias": alias,
        "fromVersion": "1",
        "toVersion": "2",
        "weightsApplied": [0.1],
        "run": "abc",
        "steps": DeploySteps(("code", "publish"), ("alias",), (), "sha", "2"),
    }
    fields = error_fields(details)
    assert list(fields) == [
        "gate", "gateDetail", "alias", "fromVersion", "toVersion", "weightsApplied", "run",
        "applied", "notApplied", "unconfirmed", "liveCodeSha256", "version",
    ]  # fmt: skip
    assert fields["alias"] == {
        "name": "live",
        "functionVersion": "1",
        "additionalVersionWeights": {"2": 0.1},
        "revisionId": "rev-1",
    }
    assert (fields["applied"], fields["notApplied"], fields["version"]) == (
        ["code", "publish"],
        ["alias"],
        "2",
    )


def test_a_fact_the_details_do_not_know_never_reaches_the_document() -> None:
    # An untyped caller (a library user) cannot make the document claim another outcome.
    details = {"outcome": "ok", "exitCode": 0, "gate": "x"}
    err = RolledBackError("gate fired", details=details)  # type: ignore[arg-type]
    doc = error_document("shift", err, 0.1)
    assert doc is not None and (doc["outcome"], doc["exitCode"], doc["gate"]) == ("gate-failed", 5, "x")


def test_the_functions_are_the_statuses_as_entries_unless_a_use_case_gave_its_own() -> None:
    err = TargetFailedError("update failed", hint="h", details=failure_details(FAILED, "raise the ENI limit"))
    (entry,) = error_functions(err)
    assert entry == function_entry(FAILED, remediation="raise the ENI limit")
    assert entry["codeSha256"] == "old"
    own = function_entry(None, function="a")
    err.details["functions"] = [own]
    assert error_functions(err) == [own]
    assert failure_details(None, "x") == {}


def test_redacting_masks_every_free_text_and_keeps_names_and_codes() -> None:
    details: ErrorDetails = {
        "statuses": [Seen(FAILED, f"set KEY={SECRET} again")],
        "problems": [f"too long: {SECRET}"],
        "warnings": [f"KEY={SECRET} looks odd"],
        "gateDetail": f"check said {SECRET}",
        "reasonCode": "EniLimitExceeded",
    }
    clean = redact_details(details, lambda text: text.replace(SECRET, "****"))
    assert SECRET not in repr(error_fields(clean)) and SECRET not in repr(error_functions(_err(clean)))
    (seen,) = clean["statuses"]
    assert (
        seen.status.function == "orders" and seen.status.last_update_status_reason_code == "EniLimitExceeded"
    )
    assert seen.remediation == "set KEY=**** again" and clean["reasonCode"] == "EniLimitExceeded"
    assert SECRET in repr(details)  # the original is left as it was


def _err(details: ErrorDetails) -> TargetFailedError:
    return TargetFailedError("x", details=details)


def test_a_command_outside_the_json_contract_has_no_document_yet_shows_the_failed_function() -> None:
    err = TargetFailedError("demo: creating orders failed", details=failure_details(FAILED, "fix it"))
    assert error_document("demo", err, 1.0) is None and error_document("sim serve", err, 1.0) is None
    stderr = io.StringIO()
    Output("text", stdout=io.StringIO(), stderr=stderr).error(err, None)
    text = stderr.getvalue()
    assert text.startswith("error: orders: update failed — LastUpdateStatus Failed (EniLimitExceeded)")
    assert "update the function again" in text  # the steps chosen for a failed update
