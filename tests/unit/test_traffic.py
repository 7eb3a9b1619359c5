"""Shifter and rollback against a fake Lambda that records every call, with a fake clock and gates."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from lambdawait.aws.gates import GateFailure
from lambdawait.aws.restore import restore_alias
from lambdawait.aws.rollback import rollback
from lambdawait.aws.shift import Shifter, ShiftEvent, ShiftRequest
from lambdawait.aws.waiter import Waiter
from lambdawait.core import record
from lambdawait.core.errors import (
    ConflictError,
    InterruptedError_,
    NotFoundError,
    RolledBackError,
    UsageError,
)
from lambdawait.core.strategy import _PREDEFINED, parse_strategy, schedule, total_seconds
from tests.fakes import FakeClock, LambdaDouble, client_error

ROLE = "arn:aws:iam::123456789012:role/app"
START = 1000.0


class FakeLambda(LambdaDouble):
    """Versions, one alias with RevisionIds enforced like Lambda's; every call recorded with its time."""

    def __init__(self, clock: FakeClock, *, alias: tuple[str, dict[str, float]] | None = ("1", {})) -> None:
        self.clock = clock
        self.roles = {"1": ROLE, "2": ROLE}
        self.states = {"1": "Active", "2": "Active"}
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        self.alias: dict[str, Any] | None = None
        self.after_update: Callable[[], None] | None = None
        self.tags: dict[str, str] = {}
        # Scripted trouble, consumed in order: (operation, error, whether the call applies first).
        self.faults: list[tuple[str, Exception, bool]] = []
        # The alias's provisioned concurrency: None (no config), else the Status each read answers
        # in turn (the last one repeats).
        self.provisioned: list[str] | None = None
        if alias is not None:
            self._set(alias[0], alias[1], "user text")

    def _set(self, version: str, weights: dict[str, float], description: str | None) -> dict[str, Any]:
        self.alias = {
            "Name": "live",
            "FunctionVersion": version,
            "RoutingConfig": {"AdditionalVersionWeights": dict(weights)},
            "Description": description if description is not None else self.alias_description(),
            "RevisionId": uuid.uuid4().hex,
        }
        return dict(self.alias)

    def alias_description(self) -> str:
        return str(self.alias["Description"]) if self.alias else ""

    def mutating(self) -> list[tuple[str, dict[str, Any], float]]:
        return [c for c in self.calls if not c[0].startswith(("get", "invoke", "list"))]

    def updates(self) -> list[dict[str, Any]]:
        return [kwargs for op, kwargs, _ in self.calls if op == "update_alias"]

    def someone_else_updates(self, version: str, weights: dict[str, float]) -> None:
        """Another client's UpdateAlias without a Description (Lambda keeps the old one)."""
        self._set(version, weights, None)

    def someone_else_updates_after_our_next_update(self, version: str, weights: dict[str, float]) -> None:
        """Once, right after our next UpdateAlias lands: someone_else_updates(version, weights)."""

        def meddle() -> None:
            self.after_update = None
            self.someone_else_updates(version, weights)

        self.after_update = meddle

    # -- the API ---------------------------------------------------------------------------------

    def get_function(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("get_function", kwargs, self.clock.now()))
        version = kwargs.get("Qualifier")
        if version not in self.roles:
            raise client_error("ResourceNotFoundException", 404, "Function not found")
        return {
            "Configuration": {
                "FunctionName": kwargs["FunctionName"],
                "Version": version,
                "State": self.states[version],
                "StateReasonCode": "InvalidZipFileException" if self.states[version] == "Failed" else None,
                "LastUpdateStatus": "Successful",
                "Role": self.roles[version],
            }
        }

    def get_provisioned_concurrency_config(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("get_provisioned_concurrency_config", kwargs, self.clock.now()))
        if self.provisioned is None:
            raise client_error("ProvisionedConcurrencyConfigNotFoundException", 404, "No config")
        status = self.provisioned.pop(0) if len(self.provisioned) > 1 else self.provisioned[0]
        allocated = 2 if status == "READY" else 0
        return {
            "RequestedProvisionedConcurrentExecutions": 2,
            "AllocatedProvisionedConcurrentExecutions": allocated,
            "AvailableProvisionedConcurrentExecutions": allocated,
            "Status": status,
            **({"StatusReason": "FUNCTION_ERROR_INIT_FAILURE"} if status == "FAILED" else {}),
        }

    def _fault(self, op: str) -> tuple[Exception, bool] | None:
        for index, (name, exc, applies) in enumerate(self.faults):
            if name == op:
                del self.faults[index]
                return exc, applies
        return None

    def list_tags(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("list_tags", kwargs, self.clock.now()))
        return {"Tags": dict(self.tags)}

    def tag_resource(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("tag_resource", kwargs, self.clock.now()))
        self.tags.update(kwargs["Tags"])
        return {}

    def get_alias(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("get_alias", kwargs, self.clock.now()))
        fault = self._fault("get_alias")
        if fault:
            raise fault[0]
        if self.alias is None:
            raise client_error("ResourceNotFoundException", 404, "Alias not found")
        return dict(self.alias)

    def create_alias(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("create_alias", kwargs, self.clock.now()))
        return self._set(kwargs["FunctionVersion"], {}, kwargs.get("Description"))

    def update_alias(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("update_alias", kwargs, self.clock.now()))
        assert self.alias is not None
        fault = self._fault("update_alias")
        if fault and not fault[1]:
            raise fault[0]
        if "RevisionId" in kwargs and kwargs["RevisionId"] != self.alias["RevisionId"]:
            raise client_error("PreconditionFailedException", 412, "The RevisionId provided does not match")
        weights = kwargs["RoutingConfig"]["AdditionalVersionWeights"]
        response = self._set(kwargs["FunctionVersion"], weights, kwargs.get("Description"))
        if self.after_update:
            self.after_update()
        if fault:  # applied, then the reply is lost
            raise fault[0]
        return response


class FakeGates:
    """Gates whose verdicts the test scripts: `fire_at` = (gate, clock time from which it fails)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.fire: dict[str, float] = {}
        self.step_end_envs: list[dict[str, str]] = []
        self.missing_alarm = False
        self.alarm_polls: list[float] = []
        self.check_fails_from: int | None = None  # the check command fails from this step on

    def _firing(self, gate: str) -> GateFailure | None:
        at = self.fire.get(gate)
        return GateFailure(gate, f"{gate} is unhappy") if at is not None and self.clock.now() >= at else None

    def check_alarms_exist(self) -> None:
        if self.missing_alarm:
            raise UsageError("CloudWatch alarm(s) not found: nope")

    def alarms(self) -> GateFailure | None:
        self.alarm_polls.append(self.clock.now())
        return self._firing("alarm")

    def smoke_invoke(self, function: str, version: str) -> GateFailure | None:
        return self._firing("smoke-invoke")

    def step_end(self, function: str, version: str, env: dict[str, str]) -> GateFailure | None:
        self.step_end_envs.append(env)
        if self.check_fails_from is not None and len(self.step_end_envs) >= self.check_fails_from:
            return GateFailure("check-command", "`check` exited 1")
        return self.alarms() or self.smoke_invoke(function, version)


class InterruptingClock(FakeClock):
    """A fake clock whose sleep raises KeyboardInterrupt (as the signal handler does) at a given time."""

    def __init__(self, at: float) -> None:
        super().__init__(START)
        self.at = at

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        if self.t >= self.at:
            raise KeyboardInterrupt


def make(
    strategy: str = "canary:10:5s",
    *,
    clock: FakeClock | None = None,
    alias: tuple[str, dict[str, float]] | None = ("1", {}),
    to_version: str = "2",
    on_interrupt: str = "rollback",
    force: bool = False,
) -> tuple[Shifter, FakeLambda, FakeGates, ShiftRequest, list[ShiftEvent]]:
    clock = clock or FakeClock(START)
    fake = FakeLambda(clock, alias=alias)
    gates = FakeGates(clock)
    events: list[ShiftEvent] = []
    waiter = Waiter(fake, clock=clock)
    shifter = Shifter(
        fake,
        waiter,
        gates,  # type: ignore[arg-type]  # FakeGates scripts the verdicts of Gates' four methods
        clock,
        on_event=events.append,
        run_id="run1",
        restore=functools.partial(restore_alias, sleep=clock.sleep, now=clock.now),
    )
    parsed = parse_strategy(strategy)
    request = ShiftRequest("fn", "live", to_version, parsed, schedule(parsed), on_interrupt, force)
    return shifter, fake, gates, request, events


# -- the UpdateAlias sequence of every strategy -----------------------------------------------------

STRATEGIES = [*(s.name for s in _PREDEFINED.values()), "canary:10:1s", "linear:50:1s", "linear:30:2m"]


@pytest.mark.parametrize("name", STRATEGIES)
def test_update_alias_sequence_for_every_strategy(name: str) -> None:
    shifter, fake, gates, req, _ = make(name)
    result = shifter.run(req)
    steps = req.steps
    updates = fake.updates()
    assert [u["RoutingConfig"]["AdditionalVersionWeights"] for u in updates[:-1]] == [
        {"2": s.weight} for s in steps[:-1]
    ]
    assert all(u["FunctionVersion"] == "1" for u in updates[:-1])
    assert updates[-1]["FunctionVersion"] == "2"
    assert updates[-1]["RoutingConfig"] == {"AdditionalVersionWeights": {}}
    # Each update carries the RevisionId the previous one returned (the first: the alias as read).
    times = [t for op, _, t in fake.calls if op == "update_alias"]
    assert times == [START + s.at_seconds for s in steps]
    assert result.outcome == "shifted" and result.weights_applied == tuple(s.weight for s in steps)
    assert result.final is not None and result.final.function_version == "2" and not result.final.weights
    assert result.elapsed == pytest.approx(total_seconds(steps))
    assert len(gates.step_end_envs) == len(steps)  # every step is gated, the last one too
    assert [m[0] for m in fake.mutating()] == ["update_alias"] * len(steps)


def test_revision_ids_chain_from_the_alias_as_read() -> None:
    shifter, fake, _, req, _ = make("linear:25:1s")
    first_revision = fake.alias["RevisionId"] if fake.alias else None
    seen: list[str] = []
    fake.after_update = lambda: seen.append(fake.alias["RevisionId"] if fake.alias else "")
    shifter.run(req)
    assert [u["RevisionId"] for u in fake.updates()] == [first_revision, *seen[:-1]]


def test_record_in_description_keeps_user_text() -> None:
    shifter, fake, _, req, _ = make("canary:10:1s")
    shifter.run(req)
    for update in fake.updates():
        assert update["Description"].startswith("user text [lambdawait")
        rec = record.parse(update["Description"])
        assert (rec.run, rec.good, rec.new) == ("run1", "1", "2")
    states = [record.parse(u["Description"]).state for u in fake.updates()]
    assert states == ["shifting", "released"]


def test_alarms_polled_throughout_the_bake_and_gate_env() -> None:
    shifter, _, gates, req, events = make("canary:10:3s")
    shifter.run(req)
    assert gates.alarm_polls[:4] == [START, START + 1, START + 2, START + 3]
    assert gates.step_end_envs[0] == {
        "LAMBDAWAIT_FUNCTION": "fn",
        "LAMBDAWAIT_ALIAS": "live",
        "LAMBDAWAIT_VERSION": "2",
        "LAMBDAWAIT_PREVIOUS_VERSION": "1",
        "LAMBDAWAIT_WEIGHT": "0.1",
        "LAMBDAWAIT_PERCENT": "10",
    }
    assert events[0].weight == 0.1 and events[0].next_in == 3.0 and events[0].steps == 2


# -- gates -----------------------------------------------------------------------------------------


def test_alarm_mid_bake_rolls_back_at_once() -> None:
    shifter, fake, gates, req, events = make("canary:10:60s")
    gates.fire["alarm"] = START + 2.5
    revisions: list[str] = []
    fake.after_update = lambda: revisions.append(fake.alias["RevisionId"] if fake.alias else "")
    with pytest.raises(RolledBackError) as info:
        shifter.run(req)
    err = info.value
    assert err.details["gate"] == "alarm" and err.reason_code == "alarm"
    alias = err.details["alias"]
    assert alias is not None and alias.function_version == "1" and alias.weights == {}
    assert err.details["weightsApplied"] == [0.1]
    restore = fake.updates()[-1]
    assert restore["FunctionVersion"] == "1" and restore["RoutingConfig"] == {"AdditionalVersionWeights": {}}
    assert restore["RevisionId"] == revisions[0]  # guarded by the revision our own step returned
    assert fake.calls[-1][2] == START + 3  # noticed at the next 1 s poll, not at the end of the bake
    assert "rolling back to version 1" in events[-1].message


def test_check_command_failure_after_full_shift_rolls_back_from_100_percent() -> None:
    shifter, fake, gates, req, _ = make("linear:50:1s")
    gates.check_fails_from = 2  # passes at 50%, fails once wholly on the new version
    with pytest.raises(RolledBackError) as info:
        shifter.run(req)
    assert info.value.details["weightsApplied"] == [0.5, 1.0]
    assert [
        (u["FunctionVersion"], u["RoutingConfig"]["AdditionalVersionWeights"]) for u in fake.updates()
    ] == [
        ("1", {"2": 0.5}),
        ("2", {}),
        ("1", {}),
    ]
    assert fake.alias is not None and fake.alias["FunctionVersion"] == "1"


def test_smoke_failure_before_traffic_moves_changes_nothing() -> None:
    shifter, fake, gates, req, _ = make()
    gates.fire["smoke-invoke"] = 0.0
    with pytest.raises(RolledBackError) as info:
        shifter.run(req)
    assert info.value.details["gate"] == "smoke-invoke"
    assert fake.mutating() == []


# -- interrupts ------------------------------------------------------------------------------------


def test_interrupt_mid_bake_restores_old_version() -> None:
    shifter, fake, _, req, _ = make("linear:25:10s", clock=InterruptingClock(START + 13))
    with pytest.raises(InterruptedError_) as info:
        shifter.run(req)
    assert "restored to version 1" in info.value.message
    assert info.value.details["weightsApplied"] == [0.25, 0.5]
    assert fake.alias is not None
    assert (fake.alias["FunctionVersion"], fake.alias["RoutingConfig"]["AdditionalVersionWeights"]) == (
        "1",
        {},
    )


def test_interrupt_with_keep_leaves_split_and_says_so() -> None:
    shifter, fake, _, req, _ = make("canary:10:10s", clock=InterruptingClock(START + 2), on_interrupt="keep")
    with pytest.raises(InterruptedError_) as info:
        shifter.run(req)
    assert "10% on version 2" in info.value.message and "keep" in info.value.message
    assert len(fake.updates()) == 1
    assert fake.alias is not None and fake.alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}


def test_interrupt_between_update_and_its_reply_still_restores() -> None:
    """Lambda applied our update but the signal arrived before we read the new RevisionId."""
    shifter, fake, _, req, _ = make("linear:50:5s")

    def interrupt() -> None:
        fake.after_update = None
        raise KeyboardInterrupt

    fake.after_update = interrupt
    with pytest.raises(InterruptedError_):
        shifter.run(req)
    assert fake.alias is not None
    assert (fake.alias["FunctionVersion"], fake.alias["RoutingConfig"]["AdditionalVersionWeights"]) == (
        "1",
        {},
    )


# -- conflicts -------------------------------------------------------------------------------------


def test_someone_elses_update_stops_the_shift_without_rollback() -> None:
    clock = FakeClock(START)
    shifter, fake, _, req, _ = make("linear:50:5s", clock=clock)
    fake.someone_else_updates_after_our_next_update("1", {"2": 0.2})
    with pytest.raises(ConflictError) as info:
        shifter.run(req)
    assert info.value.exit_code == 4
    assert len(fake.updates()) == 2  # ours, then the refused one; no rollback attempted
    assert fake.alias is not None and fake.alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.2}


@pytest.mark.parametrize("how", ["gate", "interrupt"])
def test_rollback_never_overwrites_someone_elses_change(how: str) -> None:
    clock = InterruptingClock(START + 3) if how == "interrupt" else FakeClock(START)
    shifter, fake, gates, req, _ = make("canary:10:10s", clock=clock)
    gates.fire["alarm"] = START + 2
    fake.someone_else_updates_after_our_next_update("1", {"2": 0.7})
    with pytest.raises(ConflictError) as info:
        shifter.run(req)
    alias = info.value.details["alias"]
    assert alias is not None and alias.weights == {"2": 0.7}
    assert len(fake.updates()) == 1
    assert fake.alias is not None and fake.alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.7}


# -- pre-checks and special cases ------------------------------------------------------------------


def test_mid_shift_alias_refused_without_force() -> None:
    shifter, fake, _, req, _ = make(alias=("1", {"2": 0.3}))
    with pytest.raises(UsageError, match=r"is split: version 1, 30% on version 2"):
        shifter.run(req)
    assert fake.mutating() == []


def test_force_over_split_whose_primary_is_the_target_just_finishes() -> None:
    shifter, fake, _, req, _ = make("linear:10:1s", alias=("2", {"1": 0.4}), force=True)
    shifter.run(req)
    assert [(u["FunctionVersion"], u["RoutingConfig"]) for u in fake.updates()] == [
        ("2", {"AdditionalVersionWeights": {}})
    ]


@pytest.mark.parametrize("strategy", ["canary:10:1s", "linear:50:1s"])
def test_different_roles_refused_for_weighted_strategies(strategy: str) -> None:
    shifter, fake, _, req, _ = make(strategy)
    fake.roles["2"] = "arn:aws:iam::123456789012:role/other"
    with pytest.raises(UsageError, match="execution roles"):
        shifter.run(req)
    assert fake.mutating() == []


def test_different_roles_allowed_all_at_once() -> None:
    shifter, fake, _, req, _ = make("AllAtOnce")
    fake.roles["2"] = "arn:aws:iam::123456789012:role/other"
    assert shifter.run(req).outcome == "shifted"


def test_missing_or_failed_version_and_missing_alarm_refused() -> None:
    shifter, fake, gates, req, _ = make(to_version="7")
    with pytest.raises(UsageError, match="does not exist"):
        shifter.run(req)
    shifter, fake, gates, req, _ = make()
    fake.states["2"] = "Failed"
    with pytest.raises(UsageError, match="Failed"):
        shifter.run(req)
    shifter, fake, gates, req, _ = make()
    gates.missing_alarm = True
    with pytest.raises(UsageError, match="alarm"):
        shifter.run(req)
    assert fake.mutating() == []


@pytest.mark.parametrize(("alias", "version"), [("123", "2"), ("live", "$LATEST"), ("bad name", "2")])
def test_invalid_names_refused_before_any_call(alias: str, version: str) -> None:
    shifter, fake, _, req, _ = make()
    bad = ShiftRequest("fn", alias, version, req.strategy, req.steps)
    with pytest.raises(UsageError):
        shifter.run(bad)
    assert fake.calls == []


def test_missing_alias_is_created_on_the_version() -> None:
    shifter, fake, _, req, _ = make("canary:10:1s", alias=None)
    result = shifter.run(req)
    assert result.outcome == "created"
    [(op, kwargs, _)] = fake.mutating()
    assert op == "create_alias" and kwargs["FunctionVersion"] == "2"
    assert record.parse(kwargs["Description"]).run == "run1"


def test_unchanged_when_already_on_the_version() -> None:
    shifter, fake, _, req, _ = make(to_version="1")
    assert shifter.run(req).outcome == "unchanged"
    assert fake.mutating() == []


def test_alias_on_latest_moves_in_one_step_all_at_once() -> None:
    shifter, fake, _, req, _ = make("AllAtOnce", alias=("$LATEST", {}))
    shifter.run(req)
    assert [u["FunctionVersion"] for u in fake.updates()] == ["2"]


def test_weighted_shift_off_latest_is_refused_before_any_change() -> None:
    shifter, fake, _, req, _ = make("linear:10:1s", alias=("$LATEST", {}))
    with pytest.raises(UsageError, match=r"serves \$LATEST, which cannot carry weights") as info:
        shifter.run(req)
    assert "--strategy AllAtOnce" in (info.value.hint or "")
    assert fake.mutating() == []


# -- rollback ------------------------------------------------------------------------------------------


def _rollback(fake: FakeLambda, to_version: str | None = None) -> Any:
    return rollback(fake, Waiter(fake, clock=fake.clock), "fn", "live", to_version)


def test_rollback_uses_the_record_and_the_revision() -> None:
    shifter, fake, _, req, _ = make()
    shifter.run(req)
    revision = fake.alias["RevisionId"] if fake.alias else None
    result = _rollback(fake)
    assert (result.before.function_version, result.after.function_version) == ("2", "1")
    last = fake.updates()[-1]
    assert last["RevisionId"] == revision and last["RoutingConfig"] == {"AdditionalVersionWeights": {}}
    assert record.parse(last["Description"]) == record.ReleaseRecord("run1", "1", "2", "rolled-back")


def test_rollback_of_split_goes_to_primary() -> None:
    fake = FakeLambda(FakeClock(START), alias=("1", {"2": 0.3}))
    result = _rollback(fake)
    assert result.after.function_version == "1" and result.after.weights == {}
    assert result.message == "cleared a 30% to version 2 split; alias wholly on version 1"


def test_rollback_without_record_or_to_missing_version_refused() -> None:
    fake = FakeLambda(FakeClock(START))
    with pytest.raises(UsageError, match="no lambdawait record"):
        _rollback(fake)
    with pytest.raises(UsageError, match="does not exist"):
        _rollback(fake, "9")
    assert fake.mutating() == []


def test_rollback_missing_alias_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        _rollback(FakeLambda(FakeClock(START), alias=None))


def test_rollback_conflict_overwrites_nothing() -> None:
    fake = FakeLambda(FakeClock(START))
    real_update = fake.update_alias

    def racing_update(**kwargs: Any) -> dict[str, Any]:
        fake.someone_else_updates("1", {})  # another deployer keeps moving it under us
        return real_update(**kwargs)

    fake.update_alias = racing_update  # type: ignore[method-assign]
    with pytest.raises(ConflictError, match="kept changing"):
        _rollback(fake, "2")
    assert fake.alias is not None and fake.alias["Description"] == "user text"
    assert fake.alias["FunctionVersion"] == "1"


def test_rollback_reads_again_after_a_race_and_then_succeeds() -> None:
    shifter, fake, _, req, _ = make()
    shifter.run(req)
    real_update = fake.update_alias
    raced: list[int] = []

    def racing_once(**kwargs: Any) -> dict[str, Any]:
        if not raced:
            raced.append(1)
            fake.someone_else_updates("2", {})  # same place, new RevisionId
        return real_update(**kwargs)

    fake.update_alias = racing_once  # type: ignore[method-assign]
    result = _rollback(fake)
    assert result.outcome == "rolled-back" and result.after.function_version == "1"
