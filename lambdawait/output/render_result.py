"""The text of a deploy / publish / shift / rollback result, pure: what changed per function, the
plan of a dry run, the version and code published, the traffic schedule, the alias, the warnings.

No Output here: the renderer (render.py) prints these lines, then the ✓/✗ summary line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait.output.render_text import describe_status, release_text

if TYPE_CHECKING:
    from lambdawait.core.doc_types import PlanDoc, ResultDocument


def result_lines(document: ResultDocument) -> list[str]:
    """Every line above the summary, in the order people read them."""
    lines = [
        f"{entry['function']}: {describe_status(entry)}"
        for entry in document["functions"]
        if entry.get("function")
    ]
    plan = document.get("plan")
    if plan and document["outcome"] == "planned":
        lines += _plan_lines(plan)
    shown = ((document.get("version"), "version"), (document.get("codeSha256"), "code sha256"))
    lines += [f"  {label}: {value}" for value, label in shown if value]
    lines += _schedule_lines(document)
    if document.get("message"):
        lines.append(f"  {document['message']}")
    lines += [f"  warning: {warning}" for warning in document.get("warnings", [])]
    shift = document.get("shift")
    alias = document.get("alias") or (shift.get("alias") if shift else None)
    if alias is not None and not isinstance(alias, str):  # a plan names the alias by its name
        split = "".join(f", {w * 100:g}% -> {v}" for v, w in alias["additionalVersionWeights"].items())
        lines.append(f"  alias {alias['name']} -> {alias['functionVersion']}{split}")
    if document.get("fromVersion"):
        lines.append(f"  from version {document['fromVersion']} to {document['toVersion']}")
    return lines


def _plan_lines(plan: PlanDoc) -> list[str]:
    """A dry run's steps, the release it would make and how long it would wait for each change."""
    # A field under its step (`  timeout (function): 3 s → 600 s`) lines up under it.
    lines = [f"        {step}" if step.startswith("  ") else f"  plan: {step}" for step in plan["steps"]]
    if plan.get("publish"):
        lines.append(f"  plan: {release_text(plan)}")
    wait_timeout = plan.get("waitTimeoutSeconds")
    if wait_timeout and plan["steps"] and "unchanged" not in plan["steps"][0]:
        from lambdawait.core.strategy import format_duration

        took = format_duration(wait_timeout)
        lines.append(f"  plan: wait up to {took} for each change to land (--wait-timeout)")
    return lines


def _schedule_lines(document: ResultDocument) -> list[str]:
    """A shift's schedule: when each weight is reached, and the total."""
    from lambdawait.core.strategy import format_duration

    lines = []
    for point in document.get("schedule", []):
        at = format_duration(point["atSeconds"])
        lines.append(f"  at {at:>8}  {point['weight'] * 100:g}% -> version {document['toVersion']}")
    if document.get("schedule"):
        lines.append(f"  total: {format_duration(document['totalSeconds'])}")
    return lines
