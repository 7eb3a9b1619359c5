"""Text for people, pure: counts, status summaries, the release a plan describes, wrapped lines.

No Output here: the renderer (render.py) decides where and how these go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from lambdawait.core.doc_types import PlanDoc


def plural(count: int, word: str) -> str:
    """`1 poll`, `3 polls`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def describe_status(entry: Mapping[str, object]) -> str:
    """`State Pending (Creating), LastUpdateStatus InProgress` from a JSON entry."""
    if not entry.get("state"):
        return "not seen"
    state_code, update_code = entry.get("stateReasonCode"), entry.get("lastUpdateStatusReasonCode")
    # A failed creation fails both fields with the same code: name it once, at the end.
    once = state_code if entry.get("lastUpdateStatus") and state_code == update_code else None
    text = f"State {entry['state']}"
    if state_code and not once:
        text += f" ({state_code})"
    if entry.get("lastUpdateStatus"):
        text += f", LastUpdateStatus {entry['lastUpdateStatus']}"
        if update_code:
            text += f" ({update_code})"
    return text


def hanging_lines(console: Console, text: Text, first: Text, indent: int) -> list[Text]:
    """TEXT wrapped by Rich at word boundaries to the console's width, after FIRST; continuation
    lines hang INDENT columns in (under the text, not its bullet); a word longer than a line folds."""
    from rich.text import Text

    if "\n" in text.plain:  # each line of a multi-line text on its own
        return [out for part in text.split("\n") for out in hanging_lines(console, part, first, indent)]
    if not text.plain.strip():
        return [first + text]
    head = text.wrap(console, max(console.width - first.cell_len, 20), overflow="fold")[0]
    rest = text[len(head.plain) :]
    head.rstrip()
    lines = [first + head]
    skip = len(rest.plain) - len(rest.plain.lstrip())
    if rest.plain.strip():
        for line in rest[skip:].wrap(console, max(console.width - indent, 20), overflow="fold"):
            line.rstrip()
            lines.append(Text(" " * indent) + line)
    return lines


def release_text(plan: PlanDoc) -> str:
    """`publish a new version, then shift alias live to it: 10% every 2m, 100% at 18m (total 18m)`."""
    text = "publish a new version"
    if not plan.get("alias"):
        return text
    from lambdawait.core.strategy import format_duration, parse_strategy, schedule, total_seconds

    strategy = parse_strategy(plan.get("strategy") or "AllAtOnce")
    steps = schedule(strategy)
    move = f"then shift alias {plan['alias']} to it"
    if len(steps) == 1:
        return f"{text}, {move} all at once"
    first = steps[0]
    total = format_duration(total_seconds(steps))
    if strategy.kind == "canary":
        how = f"{first.weight * 100:g}% for {format_duration(first.bake_seconds)}, then 100%"
    else:
        how = f"{first.weight * 100:g}% more every {format_duration(first.bake_seconds)}, 100% at {total}"
    return f"{text}, {move} ({strategy.name}): {how} (total {total}, {len(steps)} alias updates)"


def with_reason(value: object, code: object, reason: object) -> str:
    text = str(value)
    if code:
        text += f" ({code})"
    if reason and value not in ("Active", "Successful"):
        text += f": {reason}"
    return text
