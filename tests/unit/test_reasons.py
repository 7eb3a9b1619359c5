"""Tests for the reason-code catalogue, checked against the installed botocore Lambda model."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lambdawait.core import reasons
from lambdawait.core.errors import ExitCode, UsageError


def _enum(shape: str) -> set[str]:
    # Read the model directly (not through reasons.botocore_codes) so a bug there cannot hide
    # a missing entry.
    import botocore.session

    model = botocore.session.get_session().get_service_model("lambda")
    return set(model.shape_for(shape).enum)  # type: ignore[attr-defined]


STATE_CODES = _enum("StateReasonCode")
UPDATE_CODES = _enum("LastUpdateStatusReasonCode")
CATALOGUE = {r.code: r for r in reasons.all_reasons()}


def test_every_botocore_reason_code_has_an_entry() -> None:
    # Fails when a botocore upgrade brings a code AWS added: write its entry in reasons.py.
    missing = sorted((STATE_CODES | UPDATE_CODES) - set(CATALOGUE))
    assert missing == [], f"reason codes without a catalogue entry: {missing}"


def test_botocore_codes_reads_the_installed_model() -> None:
    codes = reasons.botocore_codes()
    assert codes == {"state": frozenset(STATE_CODES), "update": frozenset(UPDATE_CODES)}
    assert {"Idle", "Creating", "EniLimitExceeded"} <= codes["state"]
    # The caller gets its own dict: mutating it must not poison the cache.
    codes["state"] = frozenset()
    assert reasons.botocore_codes()["state"] == frozenset(STATE_CODES)


@pytest.mark.parametrize("reason", reasons.all_reasons(), ids=lambda r: r.code)
def test_applies_to_matches_the_enums(reason: reasons.Reason) -> None:
    expected = {
        name for name, enum in (("state", STATE_CODES), ("update", UPDATE_CODES)) if reason.code in enum
    }
    assert set(reason.applies_to) == (expected or {"invoke"})


@pytest.mark.parametrize("reason", reasons.all_reasons(), ids=lambda r: r.code)
def test_every_entry_has_meaning_and_actionable_steps(reason: reasons.Reason) -> None:
    assert reason.meaning.strip()
    assert "\n" not in reason.meaning
    assert len(reason.remediation) >= 1
    for step in reason.remediation:
        assert step.strip() and "\n" not in step
        assert step == step.strip()


def test_codes_are_unique_ignoring_case() -> None:
    codes = [r.code.lower() for r in reasons.all_reasons()]
    assert len(codes) == len(set(codes))


def test_all_reasons_is_sorted_and_includes_runtime_errors() -> None:
    codes = [r.code for r in reasons.all_reasons()]
    assert codes == sorted(codes, key=str.lower)
    for code in (
        "Runtime.InvalidEntrypoint",
        "Runtime.ExitError",
        "Runtime.ImportModuleError",
        "Runtime.HandlerNotFound",
        "Runtime.UserCodeSyntaxError",
        "Runtime.OutOfMemory",
        "Sandbox.Timedout",
    ):
        assert CATALOGUE[code].applies_to == frozenset({"invoke"})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("EniLimitExceeded", "EniLimitExceeded"),
        ("enilimitexceeded", "EniLimitExceeded"),
        ("ENILIMITEXCEEDED", "EniLimitExceeded"),
        ("  idle ", "Idle"),
        ("functionerror.INITTIMEOUT", "FunctionError.InitTimeout"),
        ("runtime.invalidentrypoint", "Runtime.InvalidEntrypoint"),
        ("kmskeyaccessdenied", "KMSKeyAccessDenied"),
    ],
)
def test_lookup_is_case_insensitive(text: str, code: str) -> None:
    assert reasons.lookup(text).code == code


def test_lookup_typo_suggests_the_closest_codes() -> None:
    with pytest.raises(UsageError) as info:
        reasons.lookup("EniLimitExceded")
    err = info.value
    assert err.exit_code is ExitCode.USAGE
    assert "'EniLimitExceded'" in err.message
    assert err.hint is not None
    assert err.hint.startswith("did you mean: EniLimitExceeded")
    assert "lambdawait explain --list" in err.hint
    assert err.details["suggestions"][0] == "EniLimitExceeded"
    assert err.one_line().startswith("unknown reason code 'EniLimitExceded' (did you mean: EniLimitExceeded")


def test_lookup_prefix_match_is_not_accepted_but_suggested() -> None:
    # "FunctionError.InitTimeou" must not silently resolve to a neighbour.
    with pytest.raises(UsageError) as info:
        reasons.lookup("FunctionError.InitTimeou")
    assert "FunctionError.InitTimeout" in info.value.details["suggestions"]


def test_lookup_garbage_has_no_suggestions_but_points_at_the_list() -> None:
    with pytest.raises(UsageError) as info:
        reasons.lookup("zzzzzzzz")
    assert info.value.details["suggestions"] == []
    assert info.value.hint is not None and "lambdawait explain --list" in info.value.hint
    assert "did you mean" not in info.value.hint


@pytest.mark.parametrize("code", [None, "", "   ", "NotARealCode"])
def test_remediation_for_unknown_is_none(code: str | None) -> None:
    assert reasons.remediation_for(code) is None


def test_remediation_for_joins_every_step_on_one_line() -> None:
    line = reasons.remediation_for("subnetoutofipaddresses")
    assert line is not None and "\n" not in line
    for step in CATALOGUE["SubnetOutOfIPAddresses"].remediation:
        assert step in line


@pytest.mark.parametrize(
    ("code", "must_mention"),
    [
        ("InvalidImage", ["GOARCH=arm64", "--platform linux/arm64", "--architectures"]),
        ("Runtime.InvalidEntrypoint", ["GOARCH=arm64", "755"]),
        ("EniLimitExceeded", ["quota", "available"]),
        ("SubnetOutOfIPAddresses", ["Availability Zones", "AvailableIpAddressCount"]),
        ("InsufficientRolePermissions", ["AWSLambdaVPCAccessExecutionRole", "ec2:CreateNetworkInterface"]),
        ("KMSKeyAccessDenied", ["kms:Decrypt", "execution role"]),
        ("DisabledKMSKey", ["enable-key"]),
        ("EFSMountConnectivityError", ["2049"]),
        ("EFSMountFailure", ["elasticfilesystem:ClientMount"]),
        ("ImageAccessDenied", ["ecr:BatchGetImage"]),
        ("Idle", ["invoke", "Active"]),
        ("Runtime.OutOfMemory", ["MemorySize"]),
        ("Sandbox.Timedout", ["Timeout", "NAT"]),
    ],
)
def test_remediation_names_the_setting_or_permission(code: str, must_mention: list[str]) -> None:
    text = " ".join(CATALOGUE[code].remediation)
    for needle in must_mention:
        assert needle in text, f"{code} remediation should mention {needle!r}"


def test_invalid_entrypoint_explains_exec_format_error() -> None:
    assert "exec format error" in CATALOGUE["Runtime.InvalidEntrypoint"].meaning


def test_importing_reasons_does_not_load_botocore() -> None:
    code = "import sys, lambdawait.core.reasons; print('botocore' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"
