"""Application services behind each command: build the engine, run it, return a result document."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.core.acceptors import Target
from lambdawait.core.clock import SystemClock
from lambdawait.core.errors import UsageError
from lambdawait.core.names import split_qualifier
from lambdawait.core.signals import interrupts

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from lambdawait.aws.cd_handoff import HandOff
    from lambdawait.aws.clients import Clients
    from lambdawait.aws.gates import Gates, GateSpec
    from lambdawait.aws.shift import Shifter, ShiftRequest, ShiftResult
    from lambdawait.core.doc_types import DocumentFields, FunctionDoc, ReleaseDoc, ResultDocument
    from lambdawait.core.models import AliasInfo, FunctionStatus
    from lambdawait.output.render import Output


def wait_requests(functions: Sequence[str], target: str, qualifier: str | None) -> list[WaitRequest]:
    """Parse FUNCTION[:QUALIFIER] arguments; `version` needs a numeric qualifier."""
    requests = []
    for name in functions:
        function, qual = split_qualifier(name, qualifier)
        if not function:
            raise UsageError(f"empty function name in {name!r}", hint="pass FUNCTION or FUNCTION:VERSION")
        if target == Target.VERSION.value and not (qual and qual.isdigit()):
            raise UsageError(
                f"--for version needs a published version number for {name}",
                hint="pass --qualifier N or FUNCTION:N",
            )
        if target == Target.PROVISIONED.value:
            from lambdawait.aws.provisioned import check_qualifier

            check_qualifier(name, qual)
        requests.append(WaitRequest(function, qual, Target(target)))
    return requests


def run_wait(
    clients: Clients,
    out: Output,
    *,
    functions: Sequence[str],
    target: str,
    qualifier: str | None,
    timeout: float,
    start: float,
) -> ResultDocument:
    """`lambdawait wait`: every function concurrently, one shared rate limit."""
    from lambdawait.output.documents import wait_document

    requests = wait_requests(functions, target, qualifier)
    client = clients.polling_lambda()
    clock = SystemClock()
    with out.wait_progress([r.label for r in requests]) as sink, interrupts(clock):
        waiter = Waiter(client, clock=clock, on_event=sink, cancelled=lambda: clock.cancelled)
        results = waiter.wait_many(requests, timeout)
    return wait_document(results, time.monotonic() - start)


def run_status(clients: Clients, *, functions: Sequence[str], start: float) -> ResultDocument:
    """`lambdawait status`: read-only."""
    from lambdawait.aws.describe import describe
    from lambdawait.output.documents import status_document

    client = clients.lambda_()
    reports = [describe(client, name) for name in functions]
    document = status_document(reports, time.monotonic() - start)
    from lambdawait.app.cd_inflight import status_lines

    for entry in document["functions"]:
        aliases = [a["name"] for a in entry.get("aliases", [])]
        function = entry["function"]
        in_flight = status_lines(clients, function, aliases) if aliases and function else []
        if in_flight:
            entry["deployments"] = in_flight  # CodeDeploy deployments moving an alias now
    return document


class Session:
    """What every command shares: the clients, one cancellable clock, the output, one rate limit."""

    def __init__(self, clients: Clients, out: Output) -> None:
        from lambdawait.aws.waiter import DEFAULT_POLL_RATE
        from lambdawait.core.clock import RateLimiter

        self.clients = clients
        self.out = out
        clients.on_notice = out.step  # a call retried for a while says so on the progress stream
        self.clock = SystemClock()
        self.limiter = RateLimiter(DEFAULT_POLL_RATE, self.clock)
        self.start = time.monotonic()

    def waiter(self) -> Waiter:
        return Waiter(
            self.clients.polling_lambda(),
            clock=self.clock,
            limiter=self.limiter,
            on_event=self.out.transition,
            cancelled=lambda: self.clock.cancelled,
        )

    def elapsed(self) -> float:
        return round(time.monotonic() - self.start, 3)


def _entry(
    status: FunctionStatus | None, remediation: str | None = None, qualifier: str | None = None
) -> FunctionDoc:
    from lambdawait.output.documents import function_entry

    return function_entry(status, qualifier=qualifier, remediation=remediation)


def _document(
    command: str,
    outcome: str,
    session: Session,
    *,
    functions: Sequence[FunctionDoc] = (),
    **extra: Unpack[DocumentFields],
) -> ResultDocument:
    """A result document; `ok` and `exitCode` follow from the outcome (one table, errors.py)."""
    from lambdawait.output.documents import document

    return document(command, outcome, session.elapsed(), functions=functions, **extra)


def _interrupted_state(session: Session, function: str, cause: BaseException) -> Exception:
    """After Ctrl-C/SIGTERM outside a shift: report where the function was left."""
    from lambdawait.core.errors import InterruptedError_, failure_details
    from lambdawait.core.responses import from_get_function
    from lambdawait.core.signals import deferred

    with deferred():
        try:
            status = from_get_function(
                session.clients.lambda_().get_function(FunctionName=function), function, None
            )
        except Exception:  # the report is best effort; the interrupt is what matters
            status = None
    what = (
        f"left as Lambda reports it: {status.state}, last update {status.last_update_status}"
        if status
        else ""
    )
    return InterruptedError_(
        f"interrupted; {function} {what}".rstrip(),
        hint="Lambda finishes an update it has accepted; run `lambdawait wait` then re-run",
        details=failure_details(status, None),
    )


def shift_request(
    function: str, *, alias: str, version: str, strategy_text: str, on_interrupt: str, force: bool
) -> ShiftRequest:
    from lambdawait.aws.shift import ShiftRequest, validate_alias_name, validate_version
    from lambdawait.core.strategy import parse_strategy, schedule

    validate_alias_name(alias)
    validate_version(version)
    if on_interrupt not in ("rollback", "keep"):
        raise UsageError(f"--on-interrupt {on_interrupt!r} is not valid", hint="use rollback or keep")
    strategy = parse_strategy(strategy_text)
    return ShiftRequest(function, alias, version, strategy, schedule(strategy), on_interrupt, force)


def plan_document(
    session: Session, request: ShiftRequest, current: AliasInfo | None = None
) -> ResultDocument:
    """`shift --plan`: the schedule in human units, or "unchanged" when there is nothing to shift."""
    from lambdawait.core.strategy import plan_warnings, total_seconds
    from lambdawait.output.documents import alias_doc

    if current is not None and current.function_version == request.to_version and not current.weights:
        return _document(
            "shift", "unchanged", session, alias=alias_doc(current), toVersion=request.to_version,
            strategy=request.strategy.name, schedule=[], totalSeconds=0.0, warnings=[],
            message=f"alias {request.alias} already serves version {request.to_version}: nothing to shift",
        )  # fmt: skip
    total = total_seconds(request.steps)
    return _document(
        "shift",
        "planned",
        session,
        alias=request.alias,
        toVersion=request.to_version,
        strategy=request.strategy.name,
        schedule=[
            {"weight": s.weight, "atSeconds": s.at_seconds, "bakeSeconds": s.bake_seconds}
            for s in request.steps
        ],
        totalSeconds=total,
        warnings=plan_warnings(total),
    )


def _current_alias(session: Session, request: ShiftRequest) -> tuple[AliasInfo | None, list[str]]:
    """The alias as it is, for a plan; a plan still prints when it cannot be read (and says so)."""
    import botocore.exceptions

    from lambdawait.aws.aliases import get_alias
    from lambdawait.core.errors import LambdawaitError

    try:
        return get_alias(session.clients.lambda_(), request.function, request.alias), []
    except (LambdawaitError, botocore.exceptions.BotoCoreError) as exc:
        return None, [f"could not read alias {request.alias} ({exc}); the plan assumes it will move"]


def _gates(session: Session, gates_spec: GateSpec) -> Gates:
    from lambdawait.aws.gates import Gates

    return Gates(gates_spec, lambda_client=session.clients.lambda_(), cloudwatch=session.clients.cloudwatch)


def _shifter(session: Session, gates_spec: GateSpec) -> Shifter:
    from lambdawait.aws.shift import Shifter

    return Shifter(
        session.clients.lambda_(),
        session.waiter(),
        _gates(session, gates_spec),
        session.clock,
        on_event=session.out.shift_event,
        restore_client=session.clients.polling_lambda(),
    )


def shift_document(session: Session, result: ShiftResult, request: ShiftRequest) -> ResultDocument:
    from lambdawait.output.documents import alias_doc

    return _document(
        "shift",
        result.outcome,
        session,
        functions=[],
        alias=alias_doc(result.final),
        fromVersion=result.from_version,
        toVersion=result.to_version,
        strategy=request.strategy.name,
        weightsApplied=list(result.weights_applied),
    )


def run_shift(
    session: Session,
    request: ShiftRequest,
    *,
    gates_spec: GateSpec,
    plan_only: bool,
    handoff: HandOff | None = None,
) -> ResultDocument:
    """`lambdawait shift`: pre-checks, then steps with gates; rollback on gate or interrupt.

    With a CodeDeploy `handoff`, CodeDeploy holds the shift instead (lambdawait.app.cd_shift).
    """
    if handoff is not None and not plan_only:
        from lambdawait.app.cd_shift import run_codedeploy_shift

        return run_codedeploy_shift(session, request, gates_spec=gates_spec, handoff=handoff)
    if plan_only:
        current, notes = _current_alias(session, request)
        if current is not None:
            from lambdawait.aws.provisioned import plan_note

            notes += plan_note(session.clients.lambda_(), request.function, request.alias)
        document = plan_document(session, request, current)
        document["warnings"] = [*notes, *document.get("warnings", [])]
        if handoff is not None and document["outcome"] == "planned":
            from lambdawait.app.cd_shift import plan_message

            document["engine"] = "codedeploy"
            document["message"] = plan_message(request, handoff)
        return document
    shifter = _shifter(session, gates_spec)
    # Handlers first: a CI log's group opening means a signal from now on restores the alias.
    with (
        interrupts(session.clock),
        session.out.group(f"Shifting {request.alias} to version {request.to_version}"),
    ):
        result = shifter.run(request)
    return shift_document(session, result, request)


def run_publish(
    session: Session, function: str, *, description: str | None, code_sha256: str | None, timeout: float
) -> ResultDocument:
    from lambdawait.aws.publish import publish_version

    with interrupts(session.clock):
        result = publish_version(
            session.clients.lambda_(),
            session.waiter(),
            function,
            description=description,
            code_sha256=code_sha256,
            timeout=timeout,
            on_step=session.out.step,
        )
    return _document(
        "publish",
        "published" if result.created else "unchanged",
        session,
        functions=[_entry(result.status, qualifier=result.version)],
        version=result.version,
        codeSha256=result.code_sha256,
    )


def run_rollback(session: Session, function: str, *, alias: str, to_version: str | None) -> ResultDocument:
    from lambdawait.app.cd_inflight import stop_in_flight
    from lambdawait.aws.rollback import rollback
    from lambdawait.output.documents import alias_doc

    # CodeDeploy moving the alias would fight a client-side restore: stop it (with rollback) first.
    stopped = stop_in_flight(session, function, alias)
    if stopped is not None and to_version is None:
        return stopped
    with interrupts(session.clock):
        result = rollback(session.clients.lambda_(), session.waiter(), function, alias, to_version)
    release: ReleaseDoc = {
        "run": result.record.run,
        "knownGood": result.record.good,
        "released": result.record.new,
        "state": result.record.state,
    }
    return _document(
        "rollback",
        result.outcome,
        session,
        functions=[],
        alias=alias_doc(result.after),
        fromVersion=result.before.function_version,
        fromWeights=result.before.weights,
        toVersion=result.after.function_version,
        message=f"{alias}: {result.message}",
        release=release,
    )
