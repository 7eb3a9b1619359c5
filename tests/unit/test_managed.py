"""Lambda Managed Instances: $LATEST in ActiveNonInvocable is ready; the newer states are explained."""

from __future__ import annotations

import pytest

from lambdawait.core.acceptors import Target
from lambdawait.core.models import WaitOutcome
from tests.fakes import config
from tests.unit.test_waiter import run


@pytest.mark.parametrize("target", [Target.READY, Target.ACTIVE, Target.UPDATED])
def test_latest_active_non_invocable_is_ready(target: Target) -> None:
    result, client, _, _ = run([config("ActiveNonInvocable", "Successful")], target)
    assert result.outcome is WaitOutcome.READY
    assert len(client.calls) == 1
    if target is not Target.UPDATED:
        assert "Lambda Managed Instances run published versions only" in result.message


def test_latest_waits_for_its_update_then_fails_or_succeeds() -> None:
    updating = config("ActiveNonInvocable", "InProgress")
    result, client, _, _ = run([updating, updating, config("ActiveNonInvocable", "Successful")])
    assert result.outcome is WaitOutcome.READY and len(client.calls) == 3
    failed = config("ActiveNonInvocable", "Failed", update_code="InvalidImage", reason="bad image")
    result, _, _, _ = run([updating, failed])
    assert result.outcome is WaitOutcome.FAILED
    assert "bad image" in result.message


def test_a_published_version_is_ready_only_when_active() -> None:
    pending = config("Pending", None, Version="2")
    result, client, _, _ = run(
        [pending, pending, config("Active", None, Version="2")], Target.VERSION, qualifier="2"
    )
    assert result.outcome is WaitOutcome.READY and len(client.calls) == 3


def test_deactivated_is_reported_with_its_meaning() -> None:
    result, _, _, _ = run([config("Deactivated", "Successful", Version="2")], Target.VERSION, qualifier="2")
    assert result.outcome is WaitOutcome.UNSUPPORTED_STATE
    assert "no execution environments" in result.message
