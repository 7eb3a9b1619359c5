"""A shift's data: what it is asked, what it knows of the alias while it changes it, what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from lambdawait.aws.aliases import Intent
from lambdawait.core import record
from lambdawait.core.models import AliasInfo
from lambdawait.core.strategy import Step, Strategy


@dataclass(frozen=True)
class ShiftRequest:
    function: str
    alias: str
    to_version: str
    strategy: Strategy
    steps: tuple[Step, ...]
    on_interrupt: str = "rollback"  # or "keep"
    force: bool = False


@dataclass(frozen=True)
class ShiftResult:
    function: str
    alias: str
    from_version: str | None
    to_version: str
    outcome: str  # created | shifted | unchanged
    final: AliasInfo | None
    weights_applied: tuple[float, ...] = ()
    elapsed: float = 0.0


@dataclass
class LiveAlias:
    """What we know of the alias while we change it."""

    alias: AliasInfo
    record: record.ReleaseRecord
    applied: list[float] = field(default_factory=list)
    # The update sent but not yet answered: an interrupt can land between Lambda applying it
    # and our reading its new RevisionId.
    pending: Intent | None = None
    old: str = field(init=False)

    def __post_init__(self) -> None:
        self.old = self.alias.function_version

    @property
    def touched(self) -> bool:
        """Whether anything of ours may have reached the alias."""
        return bool(self.applied) or self.pending is not None

    def wrote(self, alias: AliasInfo) -> bool:
        """Whether the alias is exactly as we left it (nobody else has changed it since)."""
        if alias.revision_id is not None and alias.revision_id == self.alias.revision_id:
            return True
        return self.pending is not None and self.pending.met_by(alias)
