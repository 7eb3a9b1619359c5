"""A failed function as a person reads it: a headline, AWS's reason, what is live, the steps to take.

Pure: built from a result document's per-function entry (and the error's message, for what a
deploy left behind), so the terminal, the CI log and `explain` all say the same once. The lines
are built here too, plain for a log and as Rich Text for a terminal; the renderer prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.output.render_text import hanging_lines

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from lambdawait.core.doc_types import FunctionDoc


@dataclass(frozen=True)
class FailureView:
    """What one failed function shows, each piece once."""

    headline: str  # `NAME: creation failed — State Failed (Code)`
    reason: str | None  # AWS's StateReason / LastUpdateStatusReason text
    aftermath: str | None  # what a deploy changed and what is live (the ledger's clauses)
    steps: tuple[str, ...]  # remediation steps, chosen for what failed, names filled in


def failure_lines(view: FailureView, *, plain_mark: str, suffix: str) -> list[str]:
    """The view as plain lines, one item each (a log is never wrapped): headline, reason, steps."""
    lines = [f"{plain_mark}{view.headline}{suffix}"] if view.headline else []
    lines += [f"  {text}" for text in (view.reason, view.aftermath) if text]
    if view.steps:
        lines += ["  fix:", *(f"  - {step}" for step in view.steps)]
    return lines


def rich_failure_lines(console: Console, view: FailureView, *, suffix: str) -> list[Text]:
    """The view for a terminal: a red ✗ headline, the steps as bullets, each wrapped to the
    console's width with its continuation lines under the text, not under the mark."""
    from rich.text import Text

    lines: list[Text] = []

    def hanging(first: Text, text: Text, indent: int) -> None:
        lines.extend(hanging_lines(console, text, first, indent))

    if view.headline:
        hanging(Text("✗ ", style="bold red"), Text.assemble((view.headline, "bold"), suffix), 2)
    for text, style in ((view.reason, ""), (view.aftermath, "dim")):
        if text:
            hanging(Text("  "), Text(text, style=style), 2)
    if view.steps:
        lines.append(Text("  fix:", style="yellow"))
        for step in view.steps:
            hanging(Text("  • ", style="yellow"), Text(step), 4)
    return lines


def failed_entry(functions: Sequence[FunctionDoc]) -> FunctionDoc | None:
    """The one per-function entry an error is about, when it is about a failed function."""
    failing = [e for e in functions if is_failing(e)]
    return failing[0] if len(failing) == 1 else None


def is_failing(entry: FunctionDoc) -> bool:
    return "Failed" in (entry.get("state"), entry.get("lastUpdateStatus")) or entry.get("state") == "Inactive"


def phase(entry: FunctionDoc) -> str:
    """What failed, in a person's words: a creation, an update, a version, or an inactive function."""
    if entry.get("state") == "Failed":
        return "version failed" if entry.get("qualifier") else "creation failed"
    if entry.get("lastUpdateStatus") == "Failed":
        return "update failed"
    if entry.get("state") == "Inactive":
        return "inactive"
    return str(entry.get("outcome") or "failed")


def brief_status(entry: FunctionDoc) -> str:
    """The failed field and its code, once: `State Failed (SubnetOutOfIPAddresses)`."""
    state, update = entry.get("state"), entry.get("lastUpdateStatus")
    if state in ("Failed", "Inactive"):
        code = entry.get("stateReasonCode") or entry.get("lastUpdateStatusReasonCode")
        text = f"State {state}"
    elif update == "Failed":
        code = entry.get("lastUpdateStatusReasonCode")
        text = (
            f"LastUpdateStatus Failed (State {state})"
            if state and state != "Active"
            else "LastUpdateStatus Failed"
        )
    else:
        code = entry.get("stateReasonCode")
        text = f"State {state}" if state else "not seen"
    return f"{text} ({code})" if code else text


def reason_text(entry: FunctionDoc) -> str | None:
    update_reason = entry.get("lastUpdateStatusReason")
    if entry.get("lastUpdateStatus") == "Failed" and update_reason:
        return update_reason
    return entry.get("stateReason") or update_reason or None


def failure_view(entry: FunctionDoc, message: str | None = None) -> FailureView:
    """The view of ENTRY; MESSAGE (an error's) adds what the command changed, when it says so."""
    label = str(entry.get("function")) + (f":{entry['qualifier']}" if entry.get("qualifier") else "")
    reason = reason_text(entry)
    remediation = entry.get("remediation")
    steps = entry.get("remediationSteps") or ([remediation] if remediation else [])
    headline = f"{label}: {phase(entry)} — {brief_status(entry)}"
    said = " ".join([headline, *steps])
    return FailureView(
        headline=headline,
        reason=reason,
        aftermath=_unsaid(_aftermath(message, reason), said),
        steps=tuple(steps),
    )


def _unsaid(text: str | None, said: str) -> str | None:
    """TEXT without the clauses whose every word the headline or a step already says
    ("X is Failed (Code)", "Lambda cannot update it"): each piece once."""
    if not text:
        return None
    known = set(_words(said))
    kept = [c for c in text.split("; ") if not set(_words(c)) <= known]
    return "; ".join(kept) or None


def _words(text: str) -> list[str]:
    import re

    return [w for w in re.findall(r"[\w$.-]+", text.lower()) if len(w) > 2]


def _aftermath(message: str | None, reason: str | None) -> str | None:
    """What the message adds to AWS's reason: in a deploy error, the ledger's "what is live" clauses
    after it; a message that does not quote the reason (an Inactive function, a refusal) whole."""
    if not message:
        return None
    if not reason or reason not in message:
        return message
    tail = message.split(reason, 1)[1].strip().lstrip(";").strip()
    return tail or None
