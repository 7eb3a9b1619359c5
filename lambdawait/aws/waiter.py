"""The polling engine: botocore's acceptors, an adaptive jittered schedule, one deadline, one rate."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lambdawait.aws import provisioned
from lambdawait.aws.retrying import is_transient, retry_after
from lambdawait.core import managed
from lambdawait.core.acceptors import Target, Verdict, classify
from lambdawait.core.clock import Clock, RateLimiter
from lambdawait.core.errors import client_error_code, client_error_message

# Re-exported: callers name the waiter's request and event where they name the waiter.
from lambdawait.core.events import WaitEvent as WaitEvent
from lambdawait.core.events import WaitRequest as WaitRequest
from lambdawait.core.models import FunctionStatus, WaitOutcome, WaitResult
from lambdawait.core.responses import from_get_function

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_lambda.type_defs import GetFunctionRequestTypeDef, GetFunctionResponseTypeDef

    from lambdawait.aws.api import LambdaApi

# States that botocore's waiters do not know: they would poll them until attempts run out.
NEWER_STATES = frozenset({"Deactivating", "Deactivated", "ActiveNonInvocable", "Deleting"})
DEFAULT_TIMEOUT = 300.0
# Lambda's GetFunction quota is 100 req/s per account; leave half for everything else.
DEFAULT_POLL_RATE = 50.0


@dataclass(frozen=True)
class PollSchedule:
    """Poll fast while a change is likely imminent, then back off for long waits.

    Most creates and updates finish within seconds, so for the first `settle_after` seconds the
    interval grows from `first` only to `cap` (detection lag p95 ~300 ms in bench/); after that the
    wait is a long one (VPC, SnapStart) and polls every `slow_cap`, like botocore's 1 s waiters.
    GetFunction's quota is 100 req/s per account and every poll in the process shares one limiter.
    """

    first: float = 0.1
    factor: float = 1.25
    cap: float = 0.3
    settle_after: float = 30.0
    slow_cap: float = 1.0
    jitter: float = 0.1

    def interval(self, polls: int, rng: random.Random, elapsed: float = 0.0) -> float:
        if elapsed >= self.settle_after:
            base = self.slow_cap
        else:
            base = min(self.cap, self.first * self.factor ** max(0, polls - 1))
        return base * (1 + rng.uniform(-self.jitter, self.jitter))


@dataclass
class _Progress:
    polls: int = 0
    failures: int = 0  # transient errors in a row: the backoff grows with these, not with polls
    status: FunctionStatus | None = None
    signature: tuple[str | None, ...] | None = None
    error: BaseException | None = field(default=None, repr=False)


@dataclass(frozen=True)
class _Decision:
    outcome: WaitOutcome | None  # None: keep polling
    message: str = ""
    error_code: str | None = None


def _describe(status: FunctionStatus) -> str:
    parts = [f"State {status.state}"]
    if status.state_reason_code:
        parts[0] += f" ({status.state_reason_code})"
    if status.last_update_status:
        text = f"LastUpdateStatus {status.last_update_status}"
        if status.last_update_status_reason_code:
            text += f" ({status.last_update_status_reason_code})"
        parts.append(text)
    return ", ".join(parts)


def decide_error(request: WaitRequest, response: Mapping[str, object], code: str, message: str) -> _Decision:
    """Terminal or not, for an error answer (not a transient one): a missing function is what
    `--for exists` polls through; anything else ends the wait."""
    if request.target is Target.PROVISIONED:
        return _Decision(*provisioned.decide_error(request.label, code, message))
    if request.target is Target.EXISTS and classify(request.target, response) is Verdict.RETRY:
        return _Decision(None)
    if code == "ResourceNotFoundException":
        return _Decision(WaitOutcome.NOT_FOUND, f"{request.label} does not exist: {message}", code)
    return _Decision(WaitOutcome.ERROR, f"GetFunction failed: {code}: {message}", code)


def decide(request: WaitRequest, response: GetFunctionResponseTypeDef, status: FunctionStatus) -> _Decision:
    """Terminal or not, for one GetFunction response (`status` is that response, parsed)."""
    if request.target in (Target.ACTIVE, Target.READY, Target.VERSION):
        if status.state == "Inactive":
            return _Decision(
                WaitOutcome.INACTIVE,
                f"{request.label} is Inactive ({status.state_reason_code or 'Idle'}): Lambda "
                "reclaimed its resources; an invoke or an update reactivates it (through Pending)",
            )
        if status.state == managed.NON_INVOCABLE and managed.is_latest(request.qualifier):
            return _managed_latest(request, status)
        if status.state in NEWER_STATES:
            return _Decision(
                WaitOutcome.UNSUPPORTED_STATE,
                f"{request.label} is {status.state} ({managed.meaning(status.state)}): "
                "it will not become ready by waiting",
            )
    verdict = classify(request.target, response)
    if verdict is Verdict.SUCCESS:
        return _Decision(WaitOutcome.READY, f"{request.label} is {request.target.value}")
    if verdict is Verdict.FAILURE:
        reason = status.last_update_status_reason or status.state_reason or ""
        return _Decision(
            WaitOutcome.FAILED, f"{request.label} failed: {_describe(status)}: {reason}".rstrip(": ")
        )
    if verdict is Verdict.UNMATCHED:
        return _Decision(
            WaitOutcome.UNSUPPORTED_STATE,
            f"{request.label} is in a state lambdawait does not wait through: {_describe(status)}",
        )
    return _Decision(None)


def _undecided(decision: _Decision) -> bool:
    """Keep polling: no terminal verdict yet."""
    return decision.outcome is None


def _managed_latest(request: WaitRequest, status: FunctionStatus) -> _Decision:
    """$LATEST of a Managed Instances function is ActiveNonInvocable by design: that is ready."""
    ready = managed.latest_ready(status, need_update=request.target is Target.READY)
    if ready is None:
        return _Decision(None)
    if not ready:
        reason = status.last_update_status_reason or ""
        message = f"{request.label} failed: {_describe(status)}: {reason}".rstrip(": ")
        return _Decision(WaitOutcome.FAILED, message)
    return _Decision(
        WaitOutcome.READY,
        f"{request.label} is {request.target.value} ({managed.NON_INVOCABLE}: Lambda Managed Instances "
        "run published versions only)",
    )


class _Run:
    """One wait in progress: its deadline, what was seen, and the next delay."""

    def __init__(self, waiter: Waiter, request: WaitRequest, timeout: float) -> None:
        self.waiter = waiter
        self.request = request
        self.timeout = timeout
        self.start = waiter.clock.now()
        self.deadline = self.start + timeout
        self.progress = _Progress()

    def poll(self) -> _Decision:
        import botocore.exceptions

        waiter, request, progress = self.waiter, self.request, self.progress
        waiter.limiter.acquire()
        progress.polls += 1
        try:
            decision = self._ask()
        except botocore.exceptions.ClientError as exc:
            if is_transient(exc):
                self._failed(exc)
                raise
            decision = self._answered_error(exc)
        except Exception as exc:
            if is_transient(exc):
                self._failed(exc)
            raise
        else:
            progress.error = None
            progress.failures = 0
            waiter._emit(request, progress, self.start)
        return decision

    def _ask(self) -> _Decision:
        """One read; the status it shows is recorded (a decision on a reply never raises)."""
        client, request = self.waiter.client, self.request
        if request.target is Target.PROVISIONED:
            qualifier = provisioned.check_qualifier(request.function, request.qualifier)
            config = client.get_provisioned_concurrency_config(
                FunctionName=request.function, Qualifier=qualifier
            )
            self.progress.status = provisioned.as_status(config, request.function, request.qualifier)
            return _Decision(*provisioned.decide(request.label, config))
        kwargs: GetFunctionRequestTypeDef = {"FunctionName": request.function}
        if request.qualifier:
            kwargs["Qualifier"] = request.qualifier
        response = client.get_function(**kwargs)
        status = from_get_function(response, request.function, request.qualifier)
        self.progress.status = status
        return decide(request, response, status)

    def _answered_error(self, exc: ClientError) -> _Decision:
        """An error answer that waiting does not cure (or, for `exists`, the one it waits through)."""
        self.progress.error = None
        self.progress.failures = 0
        self.waiter._emit(self.request, self.progress, self.start)
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code")), str(error.get("Message"))
        return decide_error(self.request, exc.response, code, message)

    def _failed(self, exc: BaseException) -> None:
        self.progress.error = exc
        self.progress.failures += 1
        code = client_error_code(exc) or type(exc).__name__
        self.waiter._emit(self.request, self.progress, self.start, note=f"{code}; retrying")

    def delay(self, failed: BaseException | None) -> float:
        """The next sleep: the schedule, or a jittered backoff after an error; never past the deadline."""
        waiter, progress = self.waiter, self.progress
        remaining = max(0.0, self.deadline - waiter.clock.now())
        if failed is not None:
            backoff = min(5.0, 0.2 * 2.0 ** min(progress.failures - 1, 5)) * waiter.rng.uniform(0.5, 1.0)
            return float(min(remaining, max(backoff, retry_after(failed))))
        elapsed = waiter.clock.now() - self.start
        if self.request.target is Target.PROVISIONED:
            # A control-plane read (15 req/s shared with every change): gently, once a second.
            return min(remaining, provisioned.POLL_SECONDS * waiter.rng.uniform(0.9, 1.1))
        return min(remaining, waiter.schedule.interval(progress.polls, waiter.rng, elapsed))

    def give_up(self) -> _Decision:
        progress, request = self.progress, self.request
        if self.waiter.cancelled():
            return _Decision(WaitOutcome.ERROR, "interrupted", "Interrupted")
        if progress.error is not None:
            code = client_error_code(progress.error) or type(progress.error).__name__
            return _Decision(
                WaitOutcome.ERROR,
                f"GetFunction kept failing until the deadline: {code}: "
                f"{client_error_message(progress.error)}",
                code,
            )
        seen = _describe(progress.status) if progress.status else "nothing"
        return _Decision(
            WaitOutcome.TIMEOUT,
            f"timed out after {self.timeout:g}s waiting for {request.label} to be "
            f"{request.target.value}; last seen: {seen}",
        )


class Waiter:
    """Waits for functions with GetFunction; every wait shares one client, clock and rate limit."""

    def __init__(
        self,
        client: LambdaApi,
        *,
        clock: Clock,
        limiter: RateLimiter | None = None,
        schedule: PollSchedule | None = None,
        on_event: Callable[[WaitEvent], None] | None = None,
        cancelled: Callable[[], bool] = lambda: False,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.limiter = limiter or RateLimiter(DEFAULT_POLL_RATE, clock)
        self.schedule = schedule or PollSchedule()
        self.on_event = on_event or (lambda event: None)
        self.cancelled = cancelled
        self.rng = rng or random.Random()

    def wait_many(self, requests: Sequence[WaitRequest], timeout: float) -> list[WaitResult]:
        """Wait for all requests concurrently; results come back in request order."""
        if len(requests) == 1:
            return [self.wait(requests[0], timeout)]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(32, len(requests))) as pool:
            return list(pool.map(lambda r: self.wait(r, timeout), requests))

    def wait(self, request: WaitRequest, timeout: float = DEFAULT_TIMEOUT) -> WaitResult:
        """Poll until a terminal verdict or the deadline; never sleeps past the deadline.

        The first poll runs on its own: a function that is already ready (or failed) costs one
        GetFunction and never builds the retry loop.
        """
        run = _Run(self, request, timeout)
        try:
            first = run.poll()
            if first.outcome is not None:
                return self._result(request, first, run.progress, run.start)
            failed: BaseException | None = None
        except Exception as exc:
            if not is_transient(exc):
                raise
            failed = exc
        from tenacity import Retrying, retry_if_exception, retry_if_result

        if self.cancelled() or self.clock.now() >= run.deadline:
            return self._result(request, run.give_up(), run.progress, run.start)
        self.clock.sleep(run.delay(failed))
        retrying = Retrying(
            sleep=self.clock.sleep,
            stop=lambda state: self.cancelled() or self.clock.now() >= run.deadline,
            wait=lambda state: run.delay(state.outcome.exception() if state.outcome else None),
            retry=retry_if_exception(is_transient) | retry_if_result(_undecided),
            retry_error_callback=lambda state: run.give_up(),
            reraise=True,
        )
        decision: _Decision = retrying(run.poll)
        return self._result(request, decision, run.progress, run.start)

    def _emit(self, request: WaitRequest, progress: _Progress, start: float, note: str | None = None) -> None:
        status = progress.status
        signature = (status.state, status.last_update_status, status.reason_code) if status else None
        changed = signature != progress.signature and note is None
        if changed:
            progress.signature = signature
        self.on_event(WaitEvent(request, status, self.clock.now() - start, progress.polls, changed, note))

    def _result(
        self, request: WaitRequest, decision: _Decision, progress: _Progress, start: float
    ) -> WaitResult:
        outcome = decision.outcome or WaitOutcome.TIMEOUT
        status = progress.status
        remediation = None
        if outcome in (WaitOutcome.FAILED, WaitOutcome.INACTIVE, WaitOutcome.UNSUPPORTED_STATE):
            # The catalogue is only loaded when there is something to explain.
            from lambdawait.core.reasons import failure_remediation, remediation_for

            code = status.reason_code if status else None
            if outcome is WaitOutcome.INACTIVE:
                code = code or "Idle"
            # Steps chosen for what failed: a Failed creation is deleted and re-created (Lambda
            # never updates it), a failed update is fixed and updated again.
            remediation = (failure_remediation(status) if status else None) or remediation_for(code)
            if request.target is Target.PROVISIONED:
                remediation = provisioned.REMEDIATION
        return WaitResult(
            function=request.function,
            qualifier=request.qualifier,
            target=request.target.value,
            outcome=outcome,
            status=status,
            elapsed=self.clock.now() - start,
            polls=progress.polls,
            message=decision.message,
            remediation=remediation,
            error_code=decision.error_code,
        )
