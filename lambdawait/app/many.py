"""`plan`, `apply` and `rollback --config`: the use cases behind many functions as one release."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from lambdawait.app.fleet import (
    DEPLOYED,
    FAILED,
    Member,
    deploy,
    each,
    entry_document,
    members_from,
    prepare,
)
from lambdawait.core.budget import Budget, install
from lambdawait.core.errors import LambdawaitError
from lambdawait.core.signals import interrupts

if TYPE_CHECKING:
    from lambdawait.app.commands import Session
    from lambdawait.aws.release_set import Move
    from lambdawait.core.doc_types import FunctionDoc, MoveDoc, ReleaseDoc, ResultDocument
    from lambdawait.core.errors import ErrorDetails
    from lambdawait.core.manifest import Manifest

# Progress: (function or None for the set, phase, state text).
Sink = Callable[[str | None, str, str], None]


def _wait_timeout(members: Sequence[Member]) -> float:
    return max((m.entry.number("wait_timeout", 300.0) for m in members), default=300.0)


def run_plan(
    session: Session, manifest: Manifest, *, names: Sequence[str], detailed: bool, budget: Budget
) -> ResultDocument:
    """Read every function (GetFunction only) and say what `apply` would change."""
    from lambdawait.app.commands import _document

    members = members_from(manifest.select(names))
    remove = install(session.clients.polling_lambda(), budget)
    try:
        with interrupts(session.clock):
            prepare(session, members, _wait_timeout(members), for_apply=False)
    finally:
        remove()
    entries = [_plan_entry(m) for m in members]
    changed = sum(1 for m in members if m.changes)
    outcome = "changes" if detailed and changed else "planned"
    return _document(
        "plan", outcome, session, functions=entries, config=str(manifest.path),
        total={"functions": len(members), "changed": changed, "unchanged": len(members) - changed},
    )  # fmt: skip


def _plan_entry(member: Member) -> FunctionDoc:
    from lambdawait.app.deploy import release_instructions
    from lambdawait.output.documents import function_entry
    from lambdawait.output.plan_document import plan_document

    prepared = member.prepared
    assert prepared is not None
    plan = prepared.plan
    doc = function_entry(plan.current, function=member.name)
    release = member.release
    steps = plan.describe() if member.deploy_changes else []
    if member.changes and release.publish:
        steps.append("publish a new version" if member.deploy_changes or member.alias_behind else
                     "publish $LATEST as a version")  # fmt: skip
    if member.changes and release.alias:
        if member.deploy_changes and not plan.create:
            source = "what it serves now (created if missing)"  # not read: one GetFunction saved
        else:
            source = f"version {member.alias_version}" if member.alias_version else "nothing (alias created)"
        steps.append(f"alias {release.alias}: {source} -> the new version ({release.strategy})")
    plan_doc = plan_document(plan.then(*release_instructions(member.name, release)), prepared.package)
    plan_doc["steps"] = steps
    doc["outcome"] = "changes" if member.changes else "unchanged"
    doc["changes"] = member.changes
    doc["plan"] = plan_doc
    doc["aliasVersion"] = member.alias_version
    doc["warnings"] = list(plan.warnings)
    doc["codeSha256"] = plan.local_sha256
    return doc


def run_apply(
    session: Session, manifest: Manifest, *, names: Sequence[str], budget: Budget, progress: Sink
) -> ResultDocument:
    """Deploy every changed function concurrently, then release the set as one."""
    members = members_from(manifest.select(names))
    remove = install(session.clients.polling_lambda(), budget)
    try:
        return _apply(session, members, budget, progress, _retry_command(manifest))
    finally:
        remove()


def _retry_command(manifest: Manifest) -> str:
    """`lambdawait apply`, with -c FILE unless the file is the one apply finds by itself."""
    from pathlib import Path

    from lambdawait.core.manifest import FILE_NAME

    default = (Path.cwd() / FILE_NAME).resolve()
    return "lambdawait apply" + ("" if manifest.path.resolve() == default else f" -c {manifest.path}")


def _apply(
    session: Session, members: list[Member], budget: Budget, progress: Sink, retry: str
) -> ResultDocument:
    from lambdawait.app.commands import _document

    with interrupts(session.clock):
        prepare(session, members, _wait_timeout(members), for_apply=True)
    changed = [m for m in members if m.changes]
    for member in members:
        progress(member.name, "plan", "changes" if member.changes else "unchanged")
    if not changed:
        docs = [_doc(m, "unchanged") for m in members]
        return _document("apply", "unchanged", session, functions=docs, release={"outcome": "unchanged"})
    _deploy_phase(session, members, budget, progress, retry)
    moves = _moves(session, changed)
    release = _release_phase(session, members, moves, budget, progress)
    return _document(
        "apply", "applied", session,
        functions=[_doc(m, "released" if m.changes else "unchanged") for m in members],
        release=release, throttled=budget.throttled,
    )  # fmt: skip


def _doc(member: Member, outcome: str) -> FunctionDoc:
    doc = entry_document(member)
    doc["outcome"] = outcome
    return doc


def _deploy_phase(
    session: Session, members: list[Member], budget: Budget, progress: Sink, retry: str
) -> None:
    stop = threading.Event()

    def on_change(member: Member, state: str) -> None:
        progress(member.name, "deploy", state)

    def abort() -> None:
        stop.set()
        budget.close()

    try:
        with interrupts(session.clock):
            deploy(session, members, on_change, stop, on_abort=abort)
    except KeyboardInterrupt:
        raise _not_released(members, "interrupted while deploying", retry) from None
    if any(m.state == FAILED for m in members):
        raise _not_released(members, "updates failed", retry)


def _not_released(members: Sequence[Member], why: str, command: str) -> LambdawaitError:
    """Nothing was released: which functions have new code on $LATEST, which are untouched, how to retry."""
    from lambdawait.core.errors import InterruptedError_

    failed = [m for m in members if m.state == FAILED]
    new_code = [m.name for m in members if m.new_code]
    untouched = [m.name for m in members if not m.new_code]
    retry = [m.name for m in members if m.changes]
    first = next((m.error for m in failed if m.error and not _closed(m.error)), None)
    if first is None and failed:
        first = failed[0].error
    message = (
        f"{why} ({', '.join(m.name for m in failed) or 'none failed'}); no alias moved. "
        f"New code on $LATEST: {', '.join(new_code) or 'none'}; untouched: {', '.join(untouched) or 'none'}"
    )
    hint = f"fix the cause, then `{command} {' '.join(retry)}`"
    details: ErrorDetails = {
        "functions": [_doc(m, m.state) for m in members],
        "release": {"outcome": "not-released", "newCodeOnLatest": new_code, "untouched": untouched},
        "retryCommand": f"{command} {' '.join(retry)}",
    }
    if why.startswith("interrupted") or first is None:
        return InterruptedError_(message, hint=hint, details=details)
    text = f"{message}. First failure: {first.message}"
    return type(first)(text, hint=hint, reason_code=first.reason_code, details=details)


def _closed(error: LambdawaitError) -> bool:
    from lambdawait.core.budget import Closed

    return isinstance(error.__cause__, Closed) or "budget is closed" in error.message


def _moves(session: Session, members: Sequence[Member]) -> list[Move]:
    from lambdawait.app.commands import _gates
    from lambdawait.aws.release_set import Move

    waves: dict[str, int] = {}
    for m in members:  # in release order already: whatever a member comes after has its wave
        waves[m.name] = 1 + max((waves[a] for a in m.entry.after if a in waves), default=-1)
    moves = []
    for m in members:
        if m.release.alias is None or m.version is None or m.state != DEPLOYED:
            continue
        gates = _gates(session, m.release.gates)
        moves.append(Move(m.name, m.release.alias, m.version, gates, wave=waves[m.name]))
    return moves


def _release_phase(
    session: Session, members: Sequence[Member], moves: list[Move], budget: Budget, progress: Sink
) -> ReleaseDoc:
    from lambdawait.aws.release_set import SetRelease
    from lambdawait.core.strategy import parse_strategy, schedule

    strategy = next((m.release.strategy for m in members if m.release.alias), "AllAtOnce")
    steps = schedule(parse_strategy(strategy))

    def on_event(move: Move | None, text: str) -> None:
        progress(move.function if move else None, "release", text)

    keep = bool(moves) and all(m.release.on_interrupt == "keep" for m in members if m.release.alias)
    engine = SetRelease(
        session.clients.lambda_(), budget, session.clock, each=each, on_event=on_event, keep_on_interrupt=keep
    )
    try:
        with interrupts(session.clock):
            engine.run(moves, steps)
    except LambdawaitError as err:
        err.details["functions"] = [_doc(m, "not-released") for m in members]
        err.details["release"] = _release_doc(engine.run_id, strategy, moves, "restored")
        raise
    return _release_doc(engine.run_id, strategy, moves, "released")


def _release_doc(run: str, strategy: str, moves: Sequence[Move], outcome: str) -> ReleaseDoc:
    return {"outcome": outcome, "run": run, "strategy": strategy, "aliases": [_move_doc(m) for m in moves]}


def _move_doc(move: Move) -> MoveDoc:
    """One alias of the set release, as the document shows it."""
    from lambdawait.output.documents import alias_doc

    return {
        "function": move.function,
        "alias": move.alias,
        "fromVersion": move.old,
        "toVersion": move.to_version,
        "weightsApplied": list(move.applied),
        "outcome": move.outcome,
        "detail": move.detail,
        "final": alias_doc(move.live),
    }


def run_rollback_set(session: Session, manifest: Manifest, *, names: Sequence[str]) -> ResultDocument:
    """Every alias of the set back on the known-good version its release record names."""
    from lambdawait.app.commands import _document, run_rollback
    from lambdawait.output.documents import function_entry

    entries = [(e, alias) for e in manifest.select(names) if (alias := e.text("alias"))]
    functions: list[FunctionDoc] = []
    failures: list[LambdawaitError] = []
    for entry, alias in entries:
        doc = function_entry(None, function=entry.name)
        try:
            result = run_rollback(session, entry.name, alias=alias, to_version=None)
        except LambdawaitError as err:
            failures.append(err)
            doc["outcome"] = err.outcome
            doc["alias"] = alias
            doc["message"] = err.message
        else:
            doc["outcome"] = result["outcome"]
            doc["alias"] = result.get("alias")
            doc["fromVersion"] = result.get("fromVersion")
            doc["toVersion"] = result.get("toVersion")
            doc["message"] = result.get("message")
            doc["release"] = result.get("release")
        functions.append(doc)
    if failures:
        first = failures[0]
        first.details["functions"] = functions
        raise first
    return _document("rollback", "rolled-back", session, functions=functions)
