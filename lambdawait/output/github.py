"""GitHub Actions reporting, pure: result documents -> `::error` annotations, a step summary, step outputs.

Workflow commands are written to stderr: the runner reads them there as well as on stdout, and
stdout must stay exactly one JSON document with `--output json`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdawait.core.doc_types import FunctionDoc, ResultDocument, ShiftDoc


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str) -> str:
    """One workflow command line, escaped as the runner expects."""
    props = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{_escape_data(message)}"


def error_annotations(document: ResultDocument) -> list[str]:
    """`::error` lines for a failed result: one per failed function, else one for the error."""
    if document.get("ok", True):
        return []
    lines = []
    from lambdawait.core.errors import OUTCOME_EXIT_CODES, ExitCode

    for entry in document.get("functions") or []:
        # Only a function whose own outcome is a failure: in a failed `apply`, the functions that
        # were deployed or left untouched are context, not errors.
        if OUTCOME_EXIT_CODES.get(entry.get("outcome") or "ok", ExitCode.OK) is ExitCode.OK:
            continue
        code = (
            entry.get("lastUpdateStatusReasonCode") or entry.get("stateReasonCode") or entry.get("errorCode")
        )
        title = f"lambdawait {document.get('command')}: {entry.get('function')}" + (
            f" ({code})" if code else ""
        )
        text = entry.get("message") or entry.get("stateReason") or entry.get("outcome") or "failed"
        if _steps(entry):
            text += "\nFix:" + "".join(f"\n- {step}" for step in _steps(entry))
        lines.append(command("error", text, title=title))
    error = document.get("error")
    if error and not lines:
        title = f"lambdawait {document.get('command')}" + (f" ({error['code']})" if error.get("code") else "")
        steps = [step for entry in document.get("functions") or [] for step in _steps(entry)]
        hint = error.get("hint")
        fix = "".join(f"\n- {step}" for step in steps) or (f" {hint}" if hint else "")
        text = error["message"] + (f"\nFix:{fix}" if fix else "")
        lines.append(command("error", text, title=title))
    return lines


def _cell(value: object) -> str:
    return "—" if value in (None, "", [], {}) else str(value).replace("|", "\\|").replace("\n", " ")


def summary(document: ResultDocument) -> str:
    """A Markdown section for $GITHUB_STEP_SUMMARY: function, outcome, versions, alias, time, codes."""
    mark = "✅" if document.get("ok") else "❌"
    head = f"### {mark} lambdawait {document.get('command')}: {document.get('outcome')}"
    lines = [head, "", f"Exit code {document.get('exitCode')} after {document.get('elapsedSeconds')} s.", ""]
    rows = document.get("functions") or []
    if rows:
        lines += [
            "| function | outcome | state | last update | reason code | version |",
            "|---|---|---|---|---|---|",
        ]
        for entry in rows:
            code = entry.get("lastUpdateStatusReasonCode") or entry.get("stateReasonCode")
            lines.append(
                "| "
                + " | ".join(
                    _cell(v)
                    for v in (
                        entry.get("function"),
                        entry.get("outcome", document.get("outcome")),
                        entry.get("state"),
                        entry.get("lastUpdateStatus"),
                        code,
                        entry.get("qualifier") or entry.get("version"),
                    )
                )
                + " |"
            )
        lines.append("")
    extras = _extras(document)
    lines += [f"- {text}" for text in extras]
    error = document.get("error")
    if error:
        lines.append(f"- **Error:** {_cell(error.get('message'))}")
    lines += _fix_section(document)
    return "\n".join(lines).rstrip() + "\n\n"


def _steps(entry: FunctionDoc) -> list[str]:
    steps = entry.get("remediationSteps") or []
    remediation = entry.get("remediation")
    return [str(s) for s in steps] or ([str(remediation)] if remediation else [])


def _fix_section(document: ResultDocument) -> list[str]:
    """One "Fix" section: each failed function's steps (named when there are several), else the
    error's hint; the hint of a failed function is its steps, so it is not repeated."""
    entries = [(e.get("function"), _steps(e)) for e in document.get("functions") or []]
    entries = [(name, steps) for name, steps in entries if steps]
    error = document.get("error")
    hint = error.get("hint") if error else None
    if not entries and not hint:
        return []
    lines = ["", "#### Fix", ""]
    for name, steps in entries:
        if len(entries) > 1:
            lines.append(f"**{_cell(name)}**")
        lines += [f"- {_cell(step)}" for step in steps]
    if not entries:
        lines.append(f"- {_cell(hint)}")
    return lines


def _shift_of(document: ResultDocument) -> ShiftDoc | ResultDocument:
    """Where the shift's fields are: deploy's `shift` object, else the document itself."""
    shift = document.get("shift")
    return shift if isinstance(shift, Mapping) else document


def _extras(document: ResultDocument) -> list[str]:
    extras = []
    if document.get("version"):
        extras.append(f"Published version: **{document['version']}**")
    shift = _shift_of(document)
    alias = shift.get("alias") if shift else None
    if isinstance(alias, Mapping):
        weights = alias.get("additionalVersionWeights") or {}
        split = "".join(f", {w * 100:g}% → version {v}" for v, w in weights.items())
        extras.append(f"Alias **{alias.get('name')}** → version {alias.get('functionVersion')}{split}")
    from_version, to_version = shift.get("fromVersion"), shift.get("toVersion")
    if shift and from_version and to_version:
        extras.append(f"Traffic: version {from_version} → {to_version}")
    weights_applied = shift.get("weightsApplied")
    if shift and weights_applied:
        extras.append("Weights applied: " + ", ".join(f"{w * 100:g}%" for w in weights_applied))
    if document.get("gate"):
        extras.append(f"Gate fired: **{document['gate']}** — {_cell(document.get('gateDetail'))}")
    return extras


def outputs(document: ResultDocument) -> dict[str, str]:
    """The step outputs a later step needs (`steps.<id>.outputs.version`): what is known, as text.

    `version` is the version published, else the one the alias points to after a shift or
    rollback; `function` and `code-sha256` are given when the result is about one function.
    """
    found: dict[str, object] = {
        "function": _one({e.get("function") for e in document.get("functions") or []} - {None})
        or document.get("function"),
        "version": document.get("version"),
        "alias": None,
        "code-sha256": document.get("codeSha256")
        or _one({e.get("codeSha256") for e in document.get("functions") or []} - {None}),
        "outcome": document.get("outcome"),
        "exit-code": document.get("exitCode"),
        "deployment-id": document.get("deploymentId"),  # a CodeDeploy hand-off, to wait on later
    }
    shift = _shift_of(document)
    alias = shift.get("alias") if shift else None
    if isinstance(alias, Mapping):
        found["alias"] = alias.get("name")
        found["version"] = found["version"] or alias.get("functionVersion")
    elif isinstance(alias, str):  # a plan names the alias it would move
        found["alias"] = alias
    return {name: str(value) for name, value in found.items() if value not in (None, "")}


def _one(values: set[str | None]) -> str | None:
    return next(iter(values)) if len(values) == 1 else None


def output_lines(values: Mapping[str, str]) -> str:
    """`name=value` lines as $GITHUB_OUTPUT reads them; a value with a newline uses a delimiter."""
    lines = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            # A random delimiter cannot occur in the value, so the value cannot end the block early.
            import secrets

            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}")
        else:
            lines.append(f"{name}={value}")
    return "".join(line + "\n" for line in lines)


def append_outputs(document: ResultDocument, environ: Mapping[str, str] | None = None) -> str | None:
    """Append the step outputs to the file named by GITHUB_OUTPUT, when there is one.

    Returns what went wrong when the file cannot be written; the caller warns and the outcome stays.
    """
    return _append("GITHUB_OUTPUT", "step outputs", output_lines(outputs(document)), environ)


def append_summary(document: ResultDocument, environ: Mapping[str, str] | None = None) -> str | None:
    """Append to the file named by GITHUB_STEP_SUMMARY, when there is one.

    Returns what went wrong when the file cannot be written (a directory, read-only, a missing
    folder): the caller warns, and the command's outcome and exit code stay what they were.
    """
    return _append("GITHUB_STEP_SUMMARY", "step summary", summary(document), environ)


def _append(variable: str, what: str, text: str, environ: Mapping[str, str] | None) -> str | None:
    path = (environ if environ is not None else os.environ).get(variable)
    if not path:
        return None
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"could not write the {what} to ${variable} ({path}): {reason}"
    return None
