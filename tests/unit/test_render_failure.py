"""A failed function reads like `explain`: a ✗ headline, AWS's reason, steps chosen by what failed."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rich.console import Console

from lambdawait.core import reasons
from lambdawait.core.doc_types import ResultDocument
from lambdawait.core.errors import TargetFailedError, failure_details
from lambdawait.core.models import FunctionStatus
from lambdawait.output.documents import error_document, error_functions, function_entry
from lambdawait.output.render import Output

SCHEMA = json.loads((Path(__file__).parents[2] / "schema" / "result.schema.json").read_text())
REASON = "All subnets specified for the function are out of IP addresses."
ENI = "Lambda was not able to create an ENI in the VPC of the Lambda function because the limit was reached."

CREATE_FAILED = FunctionStatus(
    "broken-fn",
    state="Failed",
    state_reason=REASON,
    state_reason_code="SubnetOutOfIPAddresses",
    last_update_status="Failed",
    last_update_status_reason=REASON,
    last_update_status_reason_code="SubnetOutOfIPAddresses",
)
UPDATE_FAILED = FunctionStatus(
    "orders",
    state="Active",
    last_update_status="Failed",
    last_update_status_reason=ENI,
    last_update_status_reason_code="EniLimitExceeded",
)


def _error_doc(status: FunctionStatus, message: str) -> ResultDocument:
    hint = reasons.failure_remediation(status)
    err = TargetFailedError(message, hint=hint, details=failure_details(status, hint))
    document = error_document("deploy", err, 1.0)
    assert document is not None
    return document


def test_a_failed_creation_is_re_created_never_updated_again() -> None:
    steps = reasons.failure_steps(CREATE_FAILED)
    text = " ".join(steps)
    assert "update the function again" not in text and "just update again" not in text
    assert steps[-1].startswith("then delete broken-fn and deploy again to re-create it")
    assert "aws lambda delete-function --function-name broken-fn" in steps[-1]
    assert text.count("delete-function") == 1


def test_a_failed_update_is_fixed_and_updated_again_never_deleted() -> None:
    steps = reasons.failure_steps(UPDATE_FAILED)
    assert steps[-1] == "after the fix, update the function again: Lambda retries provisioning on an update"
    assert "delete" not in steps[-1] and not any("creation failed" in s for s in steps)


@pytest.mark.parametrize("code", ["InvalidSubnet", "InvalidSecurityGroup", "InternalError"])
def test_codes_whose_catalogue_entry_names_both_ways_pick_one(code: str) -> None:
    created = reasons.failure_steps(FunctionStatus("f", state="Failed", state_reason_code=code))
    updated = reasons.failure_steps(
        FunctionStatus("f", state="Active", last_update_status="Failed", last_update_status_reason_code=code)
    )
    assert not any("update the function's VpcConfig" in s or "retry the update" in s for s in created)
    assert not any("cannot be repaired" in s for s in updated)
    assert "cannot be repaired" in " ".join(reasons.lookup(code).remediation)  # explain: both


def test_the_function_name_fills_name_but_not_other_placeholders() -> None:
    status = FunctionStatus("orders", state="Failed", state_reason_code="InvalidSubnet")
    text = " ".join(reasons.failure_steps(status))
    assert "--function-name orders --query VpcConfig" in text
    assert not re.search(r"\bNAME\b", text) and "--subnet-ids SUBNET" in text


def test_inactive_without_a_code_gets_the_idle_steps() -> None:
    steps = reasons.failure_steps(FunctionStatus("f", state="Inactive"))
    assert steps and "function-active-v2 --function-name f" in " ".join(steps)


def test_json_keeps_remediation_and_adds_the_steps_as_a_list() -> None:
    doc = _error_doc(CREATE_FAILED, "creating broken-fn failed")
    jsonschema.validate(doc, SCHEMA)
    (entry,) = doc["functions"]
    assert entry["remediationSteps"] == list(reasons.failure_steps(CREATE_FAILED))
    assert entry["remediation"] == "; ".join(entry["remediationSteps"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "functions": [{**entry, "remediationSteps": "one string"}]}, SCHEMA)


def _plain(doc: dict[str, Any], message: str) -> list[str]:
    stderr = io.StringIO()
    out = Output("text", stdout=io.StringIO(), stderr=stderr)
    out.error(TargetFailedError(message), doc)
    return stderr.getvalue().splitlines()


def test_plain_output_one_item_per_line_each_piece_once() -> None:
    message = f"creating broken-fn failed: State Failed (SubnetOutOfIPAddresses): {REASON}"
    lines = _plain(_error_doc(CREATE_FAILED, message), message)
    steps = reasons.failure_steps(CREATE_FAILED)
    assert lines == [
        "error: broken-fn: creation failed — State Failed (SubnetOutOfIPAddresses)",
        f"  {REASON}",
        "  fix:",
        *(f"  - {step}" for step in steps),
    ]


def test_what_a_deploy_left_live_follows_the_reason() -> None:
    message = f"updating code of orders failed: x: {ENI}; Lambda kept the previous code; nothing was changed"
    lines = _plain(_error_doc(UPDATE_FAILED, message), message)
    assert lines[:3] == [
        "error: orders: update failed — LastUpdateStatus Failed (EniLimitExceeded)",
        f"  {ENI}",
        "  Lambda kept the previous code; nothing was changed",
    ]


def test_an_error_without_a_failed_function_stays_one_line() -> None:
    stderr = io.StringIO()
    Output("text", stdout=io.StringIO(), stderr=stderr).error(TargetFailedError("boom", hint="do x"))
    assert stderr.getvalue() == "error: boom (do x)\n"


def test_rich_failure_fits_an_80_column_terminal() -> None:
    stream = io.StringIO()
    out = Output("text", stdout=io.StringIO(), stderr=io.StringIO())
    out.rich_err = True
    out._consoles[True] = Console(file=stream, width=80, force_terminal=True, highlight=False)
    message = f"creating broken-fn failed: {REASON}"
    out.error(TargetFailedError(message), _error_doc(CREATE_FAILED, message))
    text = re.sub(r"\x1b\[[0-9;]*m", "", stream.getvalue())
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "✗ broken-fn: creation failed — State Failed (SubnetOutOfIPAddresses)"
    assert "\x1b[" in stream.getvalue()  # coloured
    bullets = [line for line in lines if line.startswith("  • ")]
    assert len(bullets) == len(reasons.failure_steps(CREATE_FAILED))
    # Wrapped lines hang under the bullet's text, not under the bullet.
    continued = [line for line in lines[lines.index("  fix:") + 1 :] if not line.startswith("  • ")]
    assert continued and all(line.startswith("    ") for line in continued)
    assert text.count("delete-function") == 1


def test_wait_result_for_a_failed_function_uses_the_same_block() -> None:
    stdout = io.StringIO()
    entry = {
        **function_entry(CREATE_FAILED, remediation="x"),
        "outcome": "failed",
        "message": f"broken-fn failed: State Failed: {REASON}",
        "elapsedSeconds": 1.5,
        "polls": 2,
    }
    Output("text", stdout=stdout, stderr=io.StringIO()).function_line(entry)
    lines = stdout.getvalue().splitlines()
    assert (
        lines[0] == "✗ broken-fn: creation failed — State Failed (SubnetOutOfIPAddresses) in 1.5s (2 polls)"
    )
    assert stdout.getvalue().count(REASON) == 1 and lines[2] == "  fix:"


def test_a_refusal_does_not_repeat_what_the_headline_and_steps_say() -> None:
    message = "broken-fn is Failed (SubnetOutOfIPAddresses); Lambda cannot update it; nothing was changed"
    lines = _plain(_error_doc(CREATE_FAILED, message), message)
    assert lines[2] == "  nothing was changed"
    assert sum("cannot update" in line for line in lines) == 1


def test_status_says_a_shared_reason_once() -> None:
    from lambdawait.output.render import describe_status

    entry = function_entry(CREATE_FAILED)
    assert describe_status(entry) == "State Failed, LastUpdateStatus Failed (SubnetOutOfIPAddresses)"
    stdout = io.StringIO()
    Output("text", stdout=stdout, stderr=io.StringIO()).status(
        {"functions": [{**entry, "function": "broken-fn"}]}
    )
    assert stdout.getvalue().count(REASON) == 1


def test_result_lines_on_a_terminal_wrap_at_words_under_their_indent() -> None:
    stream = io.StringIO()
    out = Output("text", stdout=io.StringIO(), stderr=io.StringIO())
    out.rich_out = True
    out._consoles[False] = Console(file=stream, width=40, force_terminal=True, highlight=False)
    out.out("  state          Failed (Code): all subnets are out of IP addresses", hang=17)
    lines = re.sub(r"\x1b\[[0-9;]*m", "", stream.getvalue()).splitlines()
    assert lines == [
        "  state          Failed (Code): all",
        "                 subnets are out of IP",
        "                 addresses",
    ]


def test_on_a_terminal_the_bake_counts_down_in_place() -> None:
    from lambdawait.aws.shift import ShiftEvent

    raw = io.StringIO()
    out = Output("text", stdout=io.StringIO(), stderr=raw)
    out.rich_err = True
    out._consoles[True] = Console(file=out.stderr, width=80, force_terminal=True, no_color=True)  # type: ignore[arg-type]
    for next_in in (300.0, 299.0, 61.0):
        out.shift_event(ShiftEvent("live", 0.1, 1, 2, next_in, "ok", "live: 10% on version 2 (step 1/2)"))
    out.log("a line in between")
    out.shift_event(ShiftEvent("live", 0.1, 1, 2, 60.0, "ok", "live: 10% on version 2 (step 1/2)"))  # stays
    out.shift_event(ShiftEvent("live", 1.0, 2, 2, 0.0, "ok", "live: 100% on version 2 (step 2/2)"))
    text = re.sub(r"\x1b\[[0-9;]*m", "", raw.getvalue())
    up = "\x1b[1A\x1b[2K"
    assert text == (
        "⇄ live: 10% on version 2 (step 1/2); next step in 5m; gates ok\n"
        f"{up}⇄ live: 10% on version 2 (step 1/2); next step in 4m59s; gates ok\n"
        f"{up}⇄ live: 10% on version 2 (step 1/2); next step in 1m1s; gates ok\n"
        "a line in between\n"
        "⇄ live: 100% on version 2 (step 2/2); gates ok\n"
    )


def test_a_failed_version_carries_its_entry_and_is_not_told_to_delete_the_function() -> None:
    from lambdawait.aws.guard import raise_for_wait
    from lambdawait.core.errors import WaitTimeoutError
    from lambdawait.core.models import WaitOutcome, WaitResult

    version = FunctionStatus("orders", qualifier="7", state="Failed", state_reason_code="InvalidSubnet")
    failed = WaitResult("orders", "7", "ready", WaitOutcome.FAILED, version, 1.0, 2, "orders:7 failed", "x")
    with pytest.raises(TargetFailedError) as info:
        raise_for_wait(failed, context="version 7 of orders")
    (entry,) = error_functions(info.value)
    assert entry["remediationSteps"] == list(reasons.failure_steps(version))
    assert not any("delete" in step for step in entry["remediationSteps"])
    assert info.value.hint == entry["remediation"]
    timeout = WaitResult("orders", None, "ready", WaitOutcome.TIMEOUT, None, 300.0, 9, "timed out after 300s")
    with pytest.raises(WaitTimeoutError) as late:
        raise_for_wait(timeout, context="updating code of orders")
    assert late.value.hint is not None and "--wait-timeout" in late.value.hint
