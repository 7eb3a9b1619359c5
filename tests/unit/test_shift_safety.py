"""Every way out of a shift restores the alias (or names the split left and its repair).

And rollback is idempotent: it always goes to the known-good version of the last release.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from lambdawait.aws.restore import RESTORE_BUDGET_SECONDS
from lambdawait.core import record
from lambdawait.core.errors import (
    AliasSplitError,
    AwsError,
    ExitCode,
    InterruptedError_,
    LambdawaitError,
    UsageError,
)
from tests.fakes import client_error
from tests.unit.test_traffic import START, FakeGates, _rollback, make


def _weights(fake: Any) -> tuple[str, dict[str, float]]:
    return fake.alias["FunctionVersion"], fake.alias["RoutingConfig"]["AdditionalVersionWeights"]


def _throttled() -> Exception:
    return client_error("TooManyRequestsException", 429, "Rate exceeded")


def _lost_reply_412() -> Exception:
    """What botocore raises when a retry follows a lost reply: 412, marked as retried."""
    exc = client_error("PreconditionFailedException", 412, "The RevisionId provided does not match")
    exc.response["ResponseMetadata"]["RetryAttempts"] = 1
    return exc


def _read_timeout() -> Exception:
    return botocore.exceptions.ReadTimeoutError(endpoint_url="http://sim/alias")


class FailingGates(FakeGates):
    """The alarm read raises `error` on its `at`-th call (during a bake)."""

    def __init__(self, clock: Any, error: BaseException, at: int = 2) -> None:
        super().__init__(clock)
        self.error, self.at = error, at
        self.arm: Any = lambda: None  # called just before the error is raised

    def alarms(self) -> Any:
        super().alarms()
        if len(self.alarm_polls) == self.at:
            self.arm()
            raise self.error
        return None


def _shift_with(error: BaseException, strategy: str = "canary:10:5s") -> tuple[Any, Any, Any]:
    shifter, fake, _, req, _ = make(strategy)
    shifter.gates = FailingGates(fake.clock, error)
    return shifter, fake, req


@pytest.mark.parametrize(
    "error",
    [
        AwsError("throttled beyond the retry budget", reason_code="TooManyRequestsException"),
        BrokenPipeError(32, "Broken pipe"),
        UnicodeEncodeError("ascii", "✓", 0, 1, "ordinal not in range"),
        RuntimeError("a lambdawait bug"),
        KeyboardInterrupt(),
        SystemExit(1),
    ],
    ids=["aws-error", "broken-pipe", "encoding", "bug", "interrupt", "system-exit"],
)
def test_any_way_out_after_the_first_update_restores_the_alias(error: BaseException) -> None:
    shifter, fake, req = _shift_with(error)
    with pytest.raises(BaseException) as info:
        shifter.run(req)
    assert _weights(fake) == ("1", {})
    assert record.parse(fake.alias["Description"]).state == "rolled-back"
    assert record.parse(fake.alias["Description"]).good == "1"
    if isinstance(error, KeyboardInterrupt):
        assert isinstance(info.value, InterruptedError_)
        assert "restored to version 1" in info.value.message
    elif isinstance(error, LambdawaitError):
        assert info.value is error and "alias live restored to version 1" in error.message
        alias = error.details["alias"]
        assert alias is not None and alias.function_version == "1"
    else:
        assert info.value is error  # a bug is still reported as what it is, after the restore


def test_progress_output_failing_never_changes_the_shift() -> None:
    shifter, fake, _, req, _ = make("linear:50:1s")

    def broken(event: Any) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    shifter.on_event = broken
    assert shifter.run(req).outcome == "shifted"
    assert _weights(fake) == ("2", {})


@pytest.mark.parametrize("lost", [_lost_reply_412, _read_timeout], ids=["412-after-retry", "read-timeout"])
@pytest.mark.parametrize("nth", [1, 2], ids=["first-step", "final-step"])
def test_a_lost_update_alias_reply_is_reconciled_by_reading_again(lost: Any, nth: int) -> None:
    shifter, fake, _, req, _ = make("canary:10:1s")
    real_update = fake.update_alias
    seen = {"n": 0}

    def lose_the_nth_reply(**kwargs: Any) -> Any:
        seen["n"] += 1
        response = real_update(**kwargs)  # Lambda applies it …
        if seen["n"] == nth:
            raise lost()  # … and the reply never arrives
        return response

    fake.update_alias = lose_the_nth_reply  # type: ignore[method-assign]
    result = shifter.run(req)
    assert result.outcome == "shifted" and result.weights_applied == (0.1, 1.0)
    assert _weights(fake) == ("2", {})
    assert record.parse(fake.alias["Description"]).state == "released"


def test_a_lost_reply_on_the_restore_itself_is_reconciled() -> None:
    shifter, fake, req = _shift_with(KeyboardInterrupt())
    # The restore's UpdateAlias lands, then its reply is lost (read timeout).
    fake.faults = [("update_alias", _read_timeout(), True)]
    calls_before = len(fake.updates())
    real = fake._fault

    def only_the_restore(op: str) -> Any:
        return real(op) if op == "update_alias" and len(fake.updates()) > calls_before + 1 else None

    fake._fault = only_the_restore  # type: ignore[method-assign]
    with pytest.raises(InterruptedError_, match="restored to version 1"):
        shifter.run(req)
    assert _weights(fake) == ("1", {})


def test_the_restore_starts_at_once_and_is_retried_through_throttling() -> None:
    shifter, fake, req = _shift_with(KeyboardInterrupt())
    interrupted_at = START + 1  # the second alarm poll, one second into the bake
    fake.faults = [("get_alias", _throttled(), False), ("update_alias", _throttled(), False)]
    real = fake._fault
    armed = {"on": False}

    def after_interrupt(op: str) -> Any:
        return real(op) if armed["on"] else None

    fake._fault = after_interrupt  # type: ignore[method-assign]
    shifter.gates.arm = lambda: armed.update(on=True)
    with pytest.raises(InterruptedError_):
        shifter.run(req)
    assert _weights(fake) == ("1", {})
    restore_reads = [t for op, _, t in fake.calls if op == "get_alias"][-3:]
    assert restore_reads[0] == interrupted_at  # the first restore attempt did not wait


def test_a_restore_that_cannot_succeed_names_the_split_and_its_repair() -> None:
    shifter, fake, req = _shift_with(KeyboardInterrupt())
    denied = client_error("AccessDeniedException", 403, "not allowed to lambda:UpdateAlias")
    real_update = fake.update_alias

    def deny_restore(**kwargs: Any) -> Any:
        if kwargs["FunctionVersion"] == "1" and not kwargs["RoutingConfig"]["AdditionalVersionWeights"]:
            raise denied
        return real_update(**kwargs)

    fake.update_alias = deny_restore  # type: ignore[method-assign]
    with pytest.raises(AliasSplitError) as info:
        shifter.run(req)
    err = info.value
    assert err.exit_code is ExitCode.ALIAS_SPLIT == 6
    assert "left on version 1, 10% on version 2" in err.message
    assert "lambdawait rollback fn --alias live --to-version 1" in (err.hint or "")
    assert err.details["repairCommand"] == "lambdawait rollback fn --alias live --to-version 1"
    assert _weights(fake) == ("1", {"2": 0.1})


def test_a_restore_throttled_past_its_budget_reports_the_split() -> None:
    shifter, fake, req = _shift_with(KeyboardInterrupt())
    real_update = fake.update_alias
    restores: list[float] = []

    def always_throttled(**kwargs: Any) -> Any:
        if kwargs["FunctionVersion"] == "1" and not kwargs["RoutingConfig"]["AdditionalVersionWeights"]:
            restores.append(fake.clock.now())
            raise _throttled()
        return real_update(**kwargs)

    fake.update_alias = always_throttled  # type: ignore[method-assign]
    with pytest.raises(AliasSplitError):
        shifter.run(req)
    assert _weights(fake) == ("1", {"2": 0.1})
    assert len(restores) > 3  # it kept trying …
    assert restores[-1] - restores[0] <= RESTORE_BUDGET_SECONDS  # … for a bounded time


def test_rollback_three_times_always_leaves_the_known_good_version() -> None:
    shifter, fake, _, req, _ = make("canary:10:1s")
    shifter.run(req)
    first = _rollback(fake)
    assert first.outcome == "rolled-back" and first.after.function_version == "1"
    for _ in range(2):
        again = _rollback(fake)
        assert again.outcome == "unchanged" and _weights(fake) == ("1", {})
        assert again.message == "already on 1, the known-good version of release run1"
    # Going forward again is explicit.
    forward = _rollback(fake, "2")
    assert forward.after.function_version == "2"


def test_rollback_after_a_kill_mid_shift_clears_the_split_and_says_so() -> None:
    shifter, fake, _, req, _ = make(alias=("1", {"2": 0.1}))
    fake.alias["Description"] = "user text [lambdawait run=dead good=1 new=2 state=shifting]"
    found = r"is split: version 1, 10% on version 2 left by lambdawait run dead"
    with pytest.raises(UsageError, match=found):
        shifter.run(req)
    result = _rollback(fake)
    assert result.message == "cleared a 10% to version 2 split; alias wholly on version 1"
    assert _weights(fake) == ("1", {})


def test_a_long_user_description_is_never_cut_the_record_goes_to_a_tag() -> None:
    shifter, fake, _, req, _ = make("canary:10:1s")
    text = "d" * 241
    fake.alias["Description"] = text
    shifter.run(req)
    assert fake.alias["Description"] == text
    assert all("Description" not in u for u in fake.updates())
    assert record.parse_text(fake.tags[record.tag_key("live")]).state == "released"
    result = _rollback(fake)
    assert result.after.function_version == "1" and fake.alias["Description"] == text
    assert _rollback(fake).outcome == "unchanged"
