"""Provisioned concurrency: `wait --for provisioned` and the shift's wait for READY after each step."""

from __future__ import annotations

from typing import Any

import pytest

from lambdawait.app.commands import wait_requests
from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.errors import RolledBackError, UsageError
from lambdawait.core.models import WaitOutcome
from tests.fakes import FakeClock
from tests.unit.test_traffic import START, make

PROVISIONED = "get_provisioned_concurrency_config"


def _waiter(fake: Any, clock: FakeClock) -> Waiter:
    return Waiter(fake, clock=clock)


def test_wait_polls_once_a_second_until_ready() -> None:
    _, fake, *_ = make()
    fake.provisioned = ["IN_PROGRESS", "IN_PROGRESS", "READY"]
    clock = FakeClock(START)
    result = _waiter(fake, clock).wait(WaitRequest("fn", "live", Target.PROVISIONED), 60)
    assert result.outcome is WaitOutcome.READY
    assert result.polls == 3
    assert "READY (2/2 allocated)" in result.message
    # A control-plane read shares 15 req/s with every change: about once a second, never faster.
    assert all(0.9 <= s <= 1.1 for s in clock.sleeps) and len(clock.sleeps) == 2


def test_wait_reports_failed_with_its_reason_and_a_remediation() -> None:
    _, fake, *_ = make()
    fake.provisioned = ["IN_PROGRESS", "FAILED"]
    result = _waiter(fake, FakeClock(START)).wait(WaitRequest("fn", "live", Target.PROVISIONED), 60)
    assert result.outcome is WaitOutcome.FAILED
    assert "FUNCTION_ERROR_INIT_FAILURE" in result.message
    assert result.remediation and "initialisation" in result.remediation


def test_wait_on_a_missing_config_is_a_usage_error() -> None:
    _, fake, *_ = make()
    with pytest.raises(UsageError, match="has no provisioned concurrency config"):
        _waiter(fake, FakeClock(START)).wait(WaitRequest("fn", "live", Target.PROVISIONED), 60)


@pytest.mark.parametrize("name", ["fn", "fn:$LATEST"])
def test_wait_for_provisioned_needs_an_alias_or_version(name: str) -> None:
    with pytest.raises(UsageError, match="needs an alias or a published version"):
        wait_requests([name], "provisioned", None)
    assert wait_requests(["fn:live"], "provisioned", None)[0].qualifier == "live"


def test_the_waiter_itself_refuses_provisioned_without_a_qualifier_before_any_call() -> None:
    # A library caller bypassing wait_requests: a usage error, not botocore's parameter error.
    _, fake, *_ = make()
    fake.provisioned = ["READY"]
    with pytest.raises(UsageError, match="needs an alias or a published version"):
        _waiter(fake, FakeClock(START)).wait(WaitRequest("fn", None, Target.PROVISIONED), 60)
    assert [op for op, _, _ in fake.calls].count(PROVISIONED) == 0


def test_shift_waits_for_ready_after_every_alias_update_before_the_bake() -> None:
    shifter, fake, _, request, events = make("canary:10:5s")
    # precheck's read, then per step: IN_PROGRESS once, then READY.
    fake.provisioned = ["READY", "IN_PROGRESS", "READY", "IN_PROGRESS", "READY"]
    result = shifter.run(request)
    assert result.outcome == "shifted"
    names = [op for op, _, _ in fake.calls if op in ("update_alias", PROVISIONED)]
    assert names == [
        PROVISIONED,
        "update_alias",
        PROVISIONED,
        PROVISIONED,
        "update_alias",
        PROVISIONED,
        PROVISIONED,
    ]
    first_update = next(t for op, _, t in fake.calls if op == "update_alias")
    second_update = [t for op, _, t in fake.calls if op == "update_alias"][1]
    ready_at = [t for op, _, t in fake.calls if op == PROVISIONED][2]
    # The 5 s bake starts once READY was seen, not at the update.
    assert second_update - ready_at >= 5.0 and ready_at > first_update
    messages = [e.message for e in events]
    assert any("each step waits for it to be READY" in m for m in messages)
    assert sum("waiting for provisioned concurrency to be READY" in m for m in messages) == 2


def test_shift_rolls_back_when_provisioned_concurrency_fails() -> None:
    shifter, fake, _, request, _ = make("canary:10:5s")
    fake.provisioned = ["READY", "IN_PROGRESS", "FAILED"]
    with pytest.raises(RolledBackError) as info:
        shifter.run(request)
    assert info.value.reason_code == "provisioned-concurrency"
    assert "FUNCTION_ERROR_INIT_FAILURE" in info.value.message
    assert fake.alias is not None and fake.alias["FunctionVersion"] == "1"
    assert fake.alias["RoutingConfig"]["AdditionalVersionWeights"] == {}


def test_shift_without_provisioned_concurrency_reads_once_and_never_waits() -> None:
    shifter, fake, _, request, _ = make("canary:10:5s")
    shifter.run(request)
    assert [op for op, _, _ in fake.calls].count(PROVISIONED) == 1


def test_shift_without_permission_to_read_the_config_warns_and_goes_on() -> None:
    from tests.fakes import client_error

    shifter, fake, _, request, events = make("canary:10:5s")

    def denied(**kwargs: Any) -> dict[str, Any]:
        raise client_error("AccessDeniedException", 403, "not authorized")

    fake.get_provisioned_concurrency_config = denied  # type: ignore[method-assign]
    assert shifter.run(request).outcome == "shifted"
    assert any("lambda:GetProvisionedConcurrencyConfig" in e.message for e in events)
