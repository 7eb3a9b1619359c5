"""Many functions as one change: plan them all, deploy them concurrently under one request budget.

Each function goes through exactly what `deploy` does for one (app.deploy._prepare, Deployer.apply,
publish_version), in a thread of its own, so waiting on one never holds the budget (budget.py): the
threads only meet at the limiter. Nothing here moves an alias; release_set.py releases the set.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from lambdawait.app.deploy import Release, publish_what_landed
from lambdawait.aws.gates import GateSpec
from lambdawait.core.errors import LambdawaitError, UsageError
from lambdawait.core.ledger import Ledger
from lambdawait.core.manifest import FunctionEntry, check_supported

if TYPE_CHECKING:
    from lambdawait.app.commands import Session
    from lambdawait.app.deploy import _Prepared
    from lambdawait.core.doc_types import FunctionDoc, MemberErrorDoc
    from lambdawait.core.models import FunctionStatus
    from lambdawait.core.spec import FunctionSpec

T = TypeVar("T")
MAX_WORKERS = 32
# What a member's `state` can be, in the order a run reaches them.
UNTOUCHED, UNCHANGED, DEPLOYING, PUBLISHING, DEPLOYED, FAILED = (
    "untouched", "unchanged", "deploying", "publishing", "deployed", "failed",
)  # fmt: skip


@dataclass
class Member:
    """One function of the set and how far it got."""

    entry: FunctionEntry
    spec: FunctionSpec
    release: Release
    prepared: _Prepared | None = None
    ledger: Ledger | None = None
    state: str = UNTOUCHED
    error: LambdawaitError | None = None
    version: str | None = None
    status: FunctionStatus | None = None
    alias_version: str | None = None  # what the alias serves now (None: no alias yet)
    alias_behind: bool = False  # the alias serves other code/configuration than $LATEST
    started: float | None = None
    finished: float | None = None

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def deploy_changes(self) -> bool:
        plan = self.prepared.plan if self.prepared else None
        return plan is not None and (plan.create or plan.changes)

    @property
    def changes(self) -> bool:
        """Anything for apply to do: a deploy change, or an alias to create or bring up to $LATEST."""
        alias_missing = self.release.alias is not None and self.alias_version is None
        return self.deploy_changes or alias_missing or self.alias_behind

    @property
    def new_code(self) -> bool:
        """Code or configuration of ours is (or may be) on $LATEST: landed, or accepted and landing.

        An update that ended Failed is not: Lambda kept what was live before.
        """
        if self.ledger is None:
            return False
        reached = self.ledger.steps(self.error).reached
        return any(step in ("create", "code", "configuration") for step in reached)


def members_from(entries: Sequence[FunctionEntry]) -> list[Member]:
    """Every entry as deploy's spec and release, each checked: bad input is exit 2 before any call."""
    from lambdawait.core.spec import build_spec

    members = []
    for entry in entries:
        check_supported(entry)
        spec = build_spec(entry.name, **entry.spec_kwargs())
        members.append(Member(entry, spec, _release(entry)))
    strategies = {m.release.strategy.strip().lower() for m in members if m.release.alias}
    if len(strategies) > 1:
        raise UsageError(
            f"the functions name different strategies ({', '.join(sorted(strategies))}): "
            "a release moves every alias on one schedule",
            hint="set strategy once, in [defaults]",
        )
    return members


def _release(entry: FunctionEntry) -> Release:
    from lambdawait.aws import gates

    alias = entry.text("alias")
    publish = entry.flag("publish", alias is not None)
    check_timeout = gates.parse_check_timeout(entry.number("check_timeout", gates.CHECK_COMMAND_TIMEOUT))
    spec = GateSpec(
        tuple(entry.strings("alarms") or ()),
        gates.parse_check_command(entry.text("check_command")),
        gates.parse_payload(entry.text("smoke_invoke")),
        check_timeout,
    )
    on_interrupt = entry.text("on_interrupt", "rollback")
    if on_interrupt not in ("rollback", "keep"):
        raise UsageError(
            f"[functions.{entry.name}] on_interrupt {on_interrupt!r} is not valid",
            hint="use rollback or keep",
        )
    if alias is not None:
        from lambdawait.app.commands import shift_request

        strategy = entry.text("strategy", "AllAtOnce")
        shift_request(
            entry.name,
            alias=alias,
            version="1",
            strategy_text=strategy,
            on_interrupt=on_interrupt,
            force=False,
        )
    return Release(
        publish=publish,
        description=entry.text("version_description"),
        alias=alias,
        strategy=entry.text("strategy", "AllAtOnce"),
        gates=spec,
        on_interrupt=on_interrupt,
    )


def each(
    items: Sequence[T],
    work: Callable[[T], None],
    *,
    on_abort: Callable[[], None] | None = None,
    workers: int = MAX_WORKERS,
) -> None:
    """`work` on every item concurrently; the first failure (in time) is raised once all have ended.

    With `on_abort`, the first failure, or a signal in this (the main) thread, calls it before
    waiting for the items in flight (it closes the request budget, so they end at once), and items
    not yet started never start.
    """
    if not items:
        return
    failures: list[BaseException] = []
    lock = threading.Lock()
    stopped = threading.Event()

    def run(item: T) -> None:
        if stopped.is_set():
            return
        try:
            work(item)
        except BaseException as exc:  # collected, raised below
            with lock:
                failures.append(exc)
            if on_abort is not None:
                stopped.set()
                on_abort()

    pool = ThreadPoolExecutor(max_workers=min(workers, len(items)))
    try:
        for future in [pool.submit(run, item) for item in items]:
            future.result()
    except BaseException:
        stopped.set()
        if on_abort is not None:
            on_abort()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if failures:
        raise failures[0]


def prepare(session: Session, members: Sequence[Member], timeout: float, *, for_apply: bool) -> None:
    """Read and check every function (deploy's own checks); a plan also reads where each alias is.

    A plan reads the alias with GetFunction(Qualifier=ALIAS), on the 100/s GetFunction quota,
    instead of GetAlias on the shared 15/s one, and only for a function without a deploy change
    (with one, the alias moves to the new version whatever it serves now).
    """
    from lambdawait.app.deploy import _prepare

    def one(member: Member) -> None:
        release = member.release if for_apply else replace(member.release, alias=None)
        member.prepared = _prepare(session, member.spec, release, timeout)
        # With a deploy change the alias moves whatever it serves: one read per function, not two.
        if member.release.alias is not None and not member.deploy_changes:
            _read_alias(session, member)

    each(members, one)


def _read_alias(session: Session, member: Member) -> None:
    """Which version the alias serves, and whether it already serves what $LATEST holds."""
    import botocore.exceptions

    from lambdawait.core.errors import client_error_code
    from lambdawait.core.plan import differing_fields

    prepared = member.prepared
    assert prepared is not None and member.release.alias is not None
    if prepared.plan.create:
        return
    try:
        response = session.clients.lambda_().get_function(
            FunctionName=member.name, Qualifier=member.release.alias
        )
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ResourceNotFoundException":
            return
        raise
    config = response.get("Configuration") or {}
    member.alias_version = config.get("Version")
    latest = prepared.plan.current
    same_code = latest is not None and config.get("CodeSha256") == latest.code_sha256
    same_config = not differing_fields(member.spec, config)
    member.alias_behind = not (same_code and same_config)


def deploy(
    session: Session,
    members: Sequence[Member],
    on_change: Callable[[Member, str], None],
    stop: threading.Event,
    *,
    on_abort: Callable[[], None] | None = None,
) -> None:
    """Deploy and publish every member with changes, concurrently; failures stay on their member.

    `stop` (set on a signal or once the budget is closed) keeps members not yet started untouched.
    """

    def one(member: Member) -> None:
        if stop.is_set():
            return
        member.started = time.monotonic()
        try:
            _deploy_one(session, member, on_change)
        except BaseException as exc:  # every failure is the member's, reported with the set
            member.state = FAILED
            member.error = _as_error(member, exc)
            on_change(member, FAILED)
        finally:
            member.finished = time.monotonic()

    # `one` keeps every failure on its member: only a signal here aborts the others.
    each([m for m in members if m.changes], one, on_abort=on_abort)


def _deploy_one(session: Session, member: Member, on_change: Callable[[Member, str], None]) -> None:

    prepared = member.prepared
    assert prepared is not None
    release = member.release
    steps = [*prepared.plan.step_names(), *(["publish"] if release.publish else [])]
    member.ledger = ledger = Ledger(member.name, steps, alias=release.alias)
    member.state = DEPLOYING
    on_change(member, DEPLOYING)
    result = prepared.deployer.apply(member.spec, prepared.package, prepared.plan, ledger=ledger)
    member.status = result.status
    if release.publish:
        member.state = PUBLISHING
        on_change(member, PUBLISHING)
        ledger.begin("publish")
        deployed = result.status
        published = publish_what_landed(session, member.name, release, deployed, prepared.timeout, ledger)
        ledger.land("publish", version=published.version)
        member.version = published.version
    member.state = DEPLOYED
    on_change(member, DEPLOYED)


def _as_error(member: Member, exc: BaseException) -> LambdawaitError:
    import botocore.exceptions

    from lambdawait.core.errors import InterruptedError_, translate_client_error

    if isinstance(exc, LambdawaitError):
        error = exc
    elif isinstance(exc, botocore.exceptions.ClientError):
        error = translate_client_error(exc, action=f"deploying {member.name}")
    elif isinstance(exc, KeyboardInterrupt):
        error = InterruptedError_("interrupted")
    else:
        from lambdawait.core.errors import AwsError

        error = AwsError(f"{type(exc).__name__}: {exc}", hint="check the network and --endpoint-url")
    return member.ledger.annotate(error) if member.ledger is not None else error


def entry_document(member: Member) -> FunctionDoc:
    """The member's functions[] entry: deploy's function fields plus what happened to it."""
    from lambdawait.output.documents import function_entry
    from lambdawait.output.entries import steps_doc

    doc = function_entry(member.status, function=member.name)
    doc["result"] = member.state
    doc["newCodeOnLatest"] = member.new_code
    doc["version"] = member.version
    doc["alias"] = member.release.alias
    doc["error"] = _error_doc(member.error)
    if member.ledger is not None:
        doc["steps"] = steps_doc(member.ledger.steps(member.error))
    return doc


def _error_doc(error: LambdawaitError | None) -> MemberErrorDoc | None:
    if error is None:
        return None
    return {"message": error.message, "hint": error.hint, "outcome": error.outcome}
