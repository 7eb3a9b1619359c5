"""Progress events: what the engines tell the renderers while they work (pure data).

They live below both: the engines in lambdawait.aws emit them and lambdawait.output renders them,
and neither of those two layers may import the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from lambdawait.core.acceptors import Target
from lambdawait.core.models import FunctionStatus


@dataclass(frozen=True)
class WaitRequest:
    """One thing to wait for: FUNCTION[:QUALIFIER] reaching `target`."""

    function: str
    qualifier: str | None
    target: Target

    @property
    def label(self) -> str:
        return f"{self.function}:{self.qualifier}" if self.qualifier else self.function


@dataclass(frozen=True)
class WaitEvent:
    """Progress of one wait, for the renderer (one per poll; `changed` marks a transition)."""

    request: WaitRequest
    status: FunctionStatus | None
    elapsed: float
    polls: int
    changed: bool
    note: str | None = None


@dataclass(frozen=True)
class ShiftEvent:
    """Progress: the weight now live, time to the next step, gate status."""

    alias: str
    weight: float
    step: int
    steps: int
    next_in: float
    gate_status: str
    message: str
