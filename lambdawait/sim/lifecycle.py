"""The state machine of simulated functions and versions, advanced lazily from a monotonic clock."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypedDict

from lambdawait.sim.capacity import NON_INVOCABLE, instances_behaviour, settled_state
from lambdawait.sim.jsondata import JSONObject
from lambdawait.sim.scenario import Behaviour, Scenario
from lambdawait.sim.snapstart import snapstart_behaviour
from lambdawait.sim.wire import SimError, conflict_in_progress, conflict_resource_state, conflict_state

LATEST = "$LATEST"
CREATING = ("Creating", "The function is being created.")
# AWS really answers an update in progress with the *creation* wording and code.
UPDATING = ("Creating", "The function is being created.")
RESTORING = ("Restoring", "The function is being restored.")
IDLE = ("Idle", "The function is currently idle.")

Clock = Callable[[], float]
# One observed change of State or LastUpdateStatus ("at": wall-clock seconds).
Event = TypedDict(
    "Event",
    {"function": str, "qualifier": str, "field": str, "from": str | None, "to": str, "at": float},
)


def new_revision() -> str:
    return str(uuid.uuid4())


@dataclass
class Status:
    """The observable lifecycle fields of $LATEST or of one published version."""

    state: str = "Pending"
    state_reason: str | None = None
    state_reason_code: str | None = None
    last_update_status: str | None = None
    last_update_reason: str | None = None
    last_update_reason_code: str | None = None
    revision_id: str = field(default_factory=new_revision)

    def patch(self, config: JSONObject) -> JSONObject:
        """Overwrite moto's always-Active view with ours, dropping fields AWS omits when unset."""
        values: dict[str, str | None] = {
            "State": self.state,
            "StateReason": self.state_reason,
            "StateReasonCode": self.state_reason_code,
            "LastUpdateStatus": self.last_update_status,
            "LastUpdateStatusReason": self.last_update_reason,
            "LastUpdateStatusReasonCode": self.last_update_reason_code,
            "RevisionId": self.revision_id,
        }
        for key, value in values.items():
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value
        return config


@dataclass
class Scheduled:
    """A transition that becomes true at `due` (monotonic seconds)."""

    due: float
    fire: Callable[[float], None]


@dataclass
class VersionRecord:
    version: str
    status: Status
    pending: Scheduled | None = None


@dataclass
class FunctionRecord:
    name: str
    region: str
    arn: str
    tags: dict[str, str]
    status: Status
    pending: Scheduled | None = None
    versions: dict[str, VersionRecord] = field(default_factory=dict)
    update_count: int = 0
    last_used: float = 0.0
    published_fingerprint: str | None = None
    serving_code: bytes | None = None  # the code invokes run while an update is in progress


class Lifecycle:
    """Owns every record and the event log. Callers hold `lock` and call `advance` first."""

    def __init__(self, scenario: Scenario, clock: Clock = time.monotonic) -> None:
        self.scenario = scenario
        self.clock = clock
        self.lock = threading.RLock()
        self.records: dict[tuple[str, str], FunctionRecord] = {}
        self.events: list[Event] = []
        # Events carry wall-clock instants; computed once so every event uses the same mapping.
        self._wall_offset = time.time() - clock()

    def behaviour(self, rec: FunctionRecord) -> Behaviour:
        return self.scenario.behaviour_for(rec.name, rec.tags)

    def get(self, region: str, name: str) -> FunctionRecord | None:
        return self.records.get((region, name))

    # --- the clock -------------------------------------------------------------------------

    def advance(self) -> float:
        """Apply, in order, every transition whose due instant has passed; return `now`."""
        now = self.clock()
        while True:
            best: Scheduled | None = None
            for candidate in self._candidates():
                if candidate.due <= now and (best is None or candidate.due < best.due):
                    best = candidate
            if best is None:
                return now
            best.fire(best.due)

    def _candidates(self) -> Iterator[Scheduled]:
        for rec in list(self.records.values()):
            if rec.pending is not None:
                yield rec.pending
            else:
                idle = self._idle_transition(rec)
                if idle is not None:
                    yield idle
            for ver in rec.versions.values():
                if ver.pending is not None:
                    yield ver.pending

    def _idle_transition(self, rec: FunctionRecord) -> Scheduled | None:
        after = self.behaviour(rec).idle_after_seconds
        if after is None or rec.status.state != "Active":
            return None

        def fire(due: float) -> None:
            self._set_state(rec, LATEST, rec.status, "Inactive", IDLE, due)

        return Scheduled(rec.last_used + after, fire)

    # --- events ----------------------------------------------------------------------------

    def _set_state(
        self,
        rec: FunctionRecord,
        qualifier: str,
        status: Status,
        state: str,
        reason: tuple[str, str] | None,
        due: float,
    ) -> None:
        self._event(rec, qualifier, "State", status.state, state, due)
        status.state = state
        status.state_reason_code, status.state_reason = reason if reason else (None, None)

    def _set_update(
        self,
        rec: FunctionRecord,
        qualifier: str,
        status: Status,
        value: str,
        reason: tuple[str, str] | None,
        due: float,
    ) -> None:
        self._event(rec, qualifier, "LastUpdateStatus", status.last_update_status, value, due)
        status.last_update_status = value
        status.last_update_reason_code, status.last_update_reason = reason if reason else (None, None)

    def _event(
        self, rec: FunctionRecord, qualifier: str, name: str, old: str | None, new: str, due: float
    ) -> None:
        if old == new:
            return
        self.events.append(
            {
                "function": rec.name,
                "qualifier": qualifier,
                "field": name,
                "from": old,
                "to": new,
                "at": due + self._wall_offset,
            }
        )

    # --- guards ----------------------------------------------------------------------------

    @staticmethod
    def check_mutable(rec: FunctionRecord) -> None:
        """AWS accepts updates, publishes and tags only in Active or Inactive, with no update running."""
        if rec.status.state not in ("Active", "Inactive", NON_INVOCABLE):
            raise conflict_resource_state(rec.arn, rec.status.state, rec.status.state_reason_code)
        if rec.status.last_update_status == "InProgress":
            raise conflict_in_progress(rec.arn)

    @staticmethod
    def check_invocable(status: Status) -> None:
        if status.state != "Active":
            raise conflict_state(status.state)

    # --- transitions started by API calls --------------------------------------------------

    def create(self, region: str, name: str, arn: str, tags: dict[str, str], now: float) -> FunctionRecord:
        rec = FunctionRecord(name, region, arn, dict(tags), Status())
        self.records[(region, name)] = rec
        self._event(rec, LATEST, "State", None, "Pending", now)
        rec.status.state_reason_code, rec.status.state_reason = CREATING
        b = self.behaviour(rec)

        def fire(due: float) -> None:
            rec.pending = None
            if b.create_outcome == "active":
                self._set_state(rec, LATEST, rec.status, settled_state(b), None, due)
                self._set_update(rec, LATEST, rec.status, "Successful", None, due)
                rec.last_used = due
            else:
                reason = (b.create_reason_code, b.create_reason)
                self._set_state(rec, LATEST, rec.status, "Failed", reason, due)
                self._set_update(rec, LATEST, rec.status, "Failed", reason, due)
            rec.status.revision_id = new_revision()

        rec.pending = Scheduled(now + b.create_seconds, fire)
        return rec

    def begin_update(self, rec: FunctionRecord, now: float, restore: Callable[[], None]) -> None:
        """Start an update; `restore` puts the previous code and configuration back on failure."""
        b = self.behaviour(rec)
        rec.update_count += 1
        fails = b.update_fails(rec.update_count)
        was_inactive = rec.status.state == "Inactive"
        if was_inactive:
            self._set_state(rec, LATEST, rec.status, "Pending", RESTORING, now)
        self._set_update(rec, LATEST, rec.status, "InProgress", UPDATING, now)
        rec.status.revision_id = new_revision()

        def fire(due: float) -> None:
            rec.pending = None
            rec.serving_code = None
            if fails:
                restore()
                reason = (b.update_reason_code, b.update_reason)
                self._set_update(rec, LATEST, rec.status, "Failed", reason, due)
                if was_inactive:
                    self._set_state(rec, LATEST, rec.status, "Inactive", IDLE, due)
            else:
                self._set_update(rec, LATEST, rec.status, "Successful", None, due)
                if was_inactive:
                    self._set_state(rec, LATEST, rec.status, "Active", None, due)
            rec.last_used = due
            rec.status.revision_id = new_revision()

        rec.pending = Scheduled(now + b.update_seconds, fire)

    def publish(
        self, rec: FunctionRecord, version: str, now: float, snapstart: bool = False
    ) -> VersionRecord:
        b = self.behaviour(rec)
        if b.capacity_provider is not None:  # instances start while Pending (lambdawait.sim.capacity)
            b = instances_behaviour(b)
        elif snapstart:  # the snapshot is taken while the version is Pending (lambdawait.sim.snapstart)
            b = snapstart_behaviour(b)
        ver = VersionRecord(version, Status())
        rec.versions[version] = ver
        rec.status.revision_id = new_revision()
        # A version published with a create or update (Publish=True) waits for it, and fails
        # with it: it is a snapshot of code that never became ready.
        linked = rec.pending is not None
        start = rec.pending.due if rec.pending is not None else now

        def fire(due: float) -> None:
            ver.pending = None
            parent_failed = linked and "Failed" in (rec.status.state, rec.status.last_update_status)
            if b.publish_outcome == "failed" or parent_failed:
                reason = (b.publish_reason_code, b.publish_reason)
                self._set_state(rec, version, ver.status, "Failed", reason, due)
                self._set_update(rec, version, ver.status, "Failed", reason, due)
            else:
                self._set_state(rec, version, ver.status, "Active", None, due)
                self._set_update(rec, version, ver.status, "Successful", None, due)
            # A version keeps the RevisionId it was published with when it settles (as on AWS).

        self._event(rec, version, "State", None, "Pending", now)
        ver.status.state_reason_code, ver.status.state_reason = CREATING
        ver.pending = Scheduled(start + b.publish_seconds, fire)
        if ver.pending.due <= now:
            fire(now)  # an instant publish answers Active, as a plain (non-SnapStart) one does
        return ver

    def deactivate(self, rec: FunctionRecord, now: float) -> None:
        if rec.pending is not None:
            raise conflict_in_progress(rec.arn)
        if rec.status.state != "Active":
            raise conflict_state(rec.status.state)
        self._set_state(rec, LATEST, rec.status, "Inactive", IDLE, now)

    def reactivate(self, rec: FunctionRecord, now: float) -> None:
        """An invoke of an Inactive function fails and wakes it up through Pending."""
        self._set_state(rec, LATEST, rec.status, "Pending", RESTORING, now)

        def fire(due: float) -> None:
            rec.pending = None
            self._set_state(rec, LATEST, rec.status, "Active", None, due)
            rec.last_used = due

        rec.pending = Scheduled(now + self.behaviour(rec).reactivation_seconds(), fire)

    def status_of(self, rec: FunctionRecord, version: str) -> Status:
        if version == LATEST:
            return rec.status
        ver = rec.versions.get(version)
        if ver is None:
            raise SimError(404, "ResourceNotFoundException", f"Function not found: {rec.arn}:{version}")
        return ver.status

    def forget(self, region: str, name: str, qualifier: str | None) -> None:
        rec = self.records.get((region, name))
        if rec is None:
            return
        if qualifier is None or qualifier == LATEST:
            del self.records[(region, name)]
        else:
            rec.versions.pop(qualifier, None)
