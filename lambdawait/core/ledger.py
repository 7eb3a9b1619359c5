"""What a deploy changed before it stopped: its error then says exactly what is live and what is not.

A deploy is steps (create | code -> configuration -> tags -> publish -> alias). Each step is
begun (its call sent), accepted (Lambda took it) and landed (waited on until live). When anything
stops the deploy, `annotate` ends the error's message with one clause per planned step, e.g.
"code 3Kf2a9c1… is live on $LATEST; configuration not applied; no version published; alias live
untouched", and puts the same facts in its details (`DeploySteps`). An exit-2 usage error promises
that nothing was changed, so after a change one becomes an AWS error (exit 4) instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lambdawait.core.errors import AwsError, LambdawaitError, TargetFailedError, UsageError


@dataclass(frozen=True)
class DeploySteps:
    """Where a deploy's steps stand: landed, never sent, sent and maybe landing."""

    applied: tuple[str, ...]
    not_applied: tuple[str, ...]
    unconfirmed: tuple[str, ...]
    live_code_sha256: str | None
    version: str | None

    @property
    def reached(self) -> tuple[str, ...]:
        """The steps that reached Lambda (landed, or accepted and perhaps landing)."""
        return (*self.applied, *self.unconfirmed)


STEPS = ("create", "code", "configuration", "tags", "publish", "alias")
DEPLOY_STEPS = STEPS[:4]


@dataclass
class Ledger:
    """The steps a deploy planned and how far each got."""

    function: str
    planned: list[str]
    alias: str | None = None
    applied: list[str] = field(default_factory=list)
    current: str | None = None  # the step begun and not yet landed
    accepted: bool = False  # Lambda took the current step's call (so it may still land)
    live_code_sha256: str | None = None
    version: str | None = None

    def replan(self, deploy_steps: Iterable[str]) -> None:
        """The deploy planned again (after waiting out someone's update): new deploy steps."""
        later = [s for s in self.planned if s not in DEPLOY_STEPS]
        self.planned = [*deploy_steps, *later]

    def begin(self, step: str) -> None:
        self.current, self.accepted = step, False

    def accept(self, step: str, *, version: str | None = None) -> None:
        self.current, self.accepted = step, True
        self.version = version or self.version

    def land(self, step: str, *, code_sha256: str | None = None, version: str | None = None) -> None:
        self.applied.append(step)
        self.current, self.accepted = None, False
        if code_sha256 and step in ("create", "code"):
            self.live_code_sha256 = code_sha256
        self.version = version or self.version

    @property
    def changed(self) -> bool:
        """Something reached Lambda: a landed step, or an accepted one that may still land."""
        return bool(self.applied) or self.accepted

    def annotate(self, err: LambdawaitError) -> LambdawaitError:
        """`err` with what changed and what did not appended (once); exit 2 only if nothing changed."""
        if "steps" in err.details or (isinstance(err, UsageError) and not self.changed):
            return err  # annotated already, or refused before any change as exit 2 promises
        clauses = self._clauses(err)
        if clauses:  # a failed creation has none to add: the error already says it is Failed
            err.message = f"{err.message}; {'; '.join(clauses)}"
        err.args = (err.message,)
        err.details["steps"] = self.steps(err)
        if isinstance(err, UsageError) and self.changed:
            converted = AwsError(err.message, hint=err.hint, reason_code=err.reason_code, details=err.details)
            converted.__cause__ = err.__cause__
            return converted
        return err

    def steps(self, err: LambdawaitError | None = None) -> DeploySteps:
        """Where the steps stand now (after `err`, if the deploy stopped on it)."""
        pending = [s for s in self.planned if s not in self.applied]
        unconfirmed = [self.current] if self.current and self.accepted and not self._reverted(err) else []
        return DeploySteps(
            applied=tuple(self.applied),
            not_applied=tuple(s for s in pending if s not in unconfirmed),
            unconfirmed=tuple(unconfirmed),
            live_code_sha256=self.live_code_sha256,
            version=self.version,
        )

    def _reverted(self, err: LambdawaitError | None) -> bool:
        """The current step was an update that ended Failed: Lambda put back what was live before."""
        failed = isinstance(err, TargetFailedError)
        return self.accepted and failed and self.current in ("code", "configuration")

    def _clauses(self, err: LambdawaitError) -> list[str]:
        failed_state = isinstance(err, TargetFailedError)
        if not self.applied and (not self.accepted or self._reverted(err)):
            if self._reverted(err):
                return [
                    "Lambda kept the previous code and configuration, which are still live",
                    "nothing was changed",
                ]
            return ["nothing was changed"]
        clauses = []
        for step in self.planned:
            if step in self.applied:
                clauses.append(self._applied(step))
            elif step == self.current and self.accepted:
                clauses.append(self._in_flight(step, failed_state))
            elif step == self.current and step == "alias" and not isinstance(err, UsageError):
                continue  # the shift's own error says where the alias was left
            else:
                clauses.append(self._not_applied(step))
        return [c for c in clauses if c]

    def _applied(self, step: str) -> str:
        sha = _short(self.live_code_sha256)
        return {
            "create": f"{self.function} was created" + (f" with code {sha}" if sha else ""),
            "code": f"code {sha} is live on $LATEST",
            "configuration": "configuration applied",
            "tags": "tags applied",
            "publish": f"version {self.version} published",
            "alias": f"alias {self.alias} shifted",
        }[step]

    def _in_flight(self, step: str, failed_state: bool) -> str:
        if failed_state:
            return {
                "create": "",  # the error says the function is Failed and how to re-create it
                "code": "code not updated (Lambda kept the previous code live)",
                "configuration": "configuration not applied (Lambda kept the previous configuration)",
                "publish": "",  # the error names the Failed version
            }.get(step, "")
        what = {
            "create": f"{self.function} was created but is not confirmed Active",
            "code": "code update sent but not confirmed",
            "configuration": "configuration update sent but not confirmed",
            "publish": f"version {self.version} published but not confirmed Active",
        }.get(step, f"{step} sent but not confirmed")
        return f"{what} (check `lambdawait status {self.function}`)"

    def _not_applied(self, step: str) -> str:
        return {
            "create": f"{self.function} not created",
            "code": "code not updated",
            "configuration": "configuration not applied",
            "tags": "tags not applied",
            "publish": "no version published",
            "alias": f"alias {self.alias} untouched",
        }[step]


def _short(sha: str | None) -> str:
    return f"{sha[:8]}…" if sha else ""
