"""Judging one soak run with the faults off: whole, reported (exit 6 and repaired) or broken; then
`lambdawait rollback` three times in a row must leave the known-good version (version 1).

Broken: a split alias without exit 6, stdout that is not exactly one JSON document, a document
whose alias is not the alias Lambda holds, an exit code outside the documented set (or different
from the document's), a hang, a traceback, or an alias moved to a version the run did not report.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdawait.sim import Simulator
from tests.e2e.conftest import EXE, base_env
from tests.e2e.shift_setup import alias_state

DOCUMENTED_EXITS = frozenset({0, 1, 3, 4, 5, 6, 130})
KNOWN_GOOD = "1"
ALIAS = "live"
_MARKER = re.compile(r"\[lambdawait(?P<body>[^\]]*)\]")
Held = tuple[str, dict[str, float]]


@dataclass(frozen=True)
class Attempt:
    """What one `lambdawait deploy` did."""

    function: str
    argv: tuple[str, ...]
    code: int | None  # None: killed after hanging
    stdout: str
    stderr: str
    reached_shift: bool
    signal_sent: bool
    seconds: float
    home: Path
    env: dict[str, str]


@dataclass
class Verdict:
    outcome: str  # whole | reported | broken
    alias: Held
    on_new: bool = False  # whole on the released version (else on the known-good one)
    rollback: str = "failed"  # known-good | no-record | failed
    problems: list[str] = field(default_factory=list)
    rollback_problems: list[str] = field(default_factory=list)


def judge(sim: Simulator, a: Attempt, cli_rollbacks: int = 3) -> Verdict:
    """The verdict on one run; the simulator's faults must be off."""
    problems: list[str] = []
    held = alias_state(sim, a.function, ALIAS)
    doc = _document(a, held, problems)
    version, weights = held
    released = doc.get("version") if doc else None
    outcome, on_new = "whole", False
    if weights:
        outcome = _split(sim, a, held, doc, problems)
    elif version != KNOWN_GOOD:
        on_new = True
        if version != released or a.code != 0:
            problems.append(f"alias moved to version {version}; the run exited {a.code} (version {released})")
    verdict = Verdict("broken" if problems else outcome, held, on_new, problems=problems)
    verdict.rollback = _rollback_three_times(sim, a, verdict.rollback_problems, cli_rollbacks)
    return verdict


def _document(a: Attempt, held: Held, problems: list[str]) -> dict[str, Any] | None:
    """The run's one JSON document, checked against its exit code and the alias Lambda holds."""
    if a.code is None:
        problems.append("hung: killed")
    elif a.code not in DOCUMENTED_EXITS:
        problems.append(f"exit {a.code} is not a documented exit code")
    if "Traceback" in a.stderr:
        problems.append("a traceback on stderr")
    try:
        doc = json.loads(a.stdout)  # refuses trailing data: two documents fail here
    except json.JSONDecodeError as exc:
        problems.append(f"stdout is not exactly one JSON document ({exc})")
        return None
    if not isinstance(doc, dict):
        problems.append("stdout is JSON but not a result document")
        return None
    if doc.get("exitCode") != a.code:
        problems.append(f"document says exit {doc.get('exitCode')}, the process exited {a.code}")
    reported = (doc.get("shift") or {}).get("alias") if a.code == 0 else doc.get("alias")
    if a.code == 0 and not reported:
        problems.append("exit 0 without the shifted alias in the document")
    if reported:
        said = (reported.get("functionVersion"), reported.get("additionalVersionWeights"))
        if said != held:
            problems.append(f"document reports alias {said}, Lambda holds {held}")
    return doc


def split_text(held: Held) -> str:
    version, weights = held
    return f"version {version}" + "".join(f", {w * 100:g}% on version {v}" for v, w in weights.items())


def _split(sim: Simulator, a: Attempt, held: Held, doc: dict[str, Any] | None, problems: list[str]) -> str:
    """A split left behind is fine only as exit 6 naming it and a repair that makes the alias whole."""
    if a.code != 6 or doc is None:
        problems.append(f"alias left split ({split_text(held)}) with exit {a.code}")
        return "broken"
    error = doc.get("error") or {}
    repair = f"lambdawait rollback {a.function} --alias {ALIAS} --to-version {KNOWN_GOOD}"
    if doc.get("outcome") != "alias-split" or split_text(held) not in (error.get("message") or ""):
        problems.append(f"exit 6 does not name the split {split_text(held)!r}: {error}")
    if doc.get("repairCommand") != repair or repair not in (error.get("hint") or ""):
        problems.append(f"exit 6 does not name the repair {repair!r}: {doc.get('repairCommand')!r}")
    fixed = cli(sim, a, *shlex.split(repair)[1:])
    after = alias_state(sim, a.function, ALIAS)
    if fixed.returncode != 0 or after != (KNOWN_GOOD, {}):
        problems.append(f"the repair exited {fixed.returncode} and left {after}: {fixed.stderr[-400:]!r}")
    return "reported"


def cli(sim: Simulator, a: Attempt, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], env={**base_env(sim, a.home), **a.env}, capture_output=True, text=True,
        timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def release_record(sim: Simulator, function: str) -> dict[str, str]:
    """The alias's release record, read without lambdawait: the description marker, else the tag."""
    got = sim.client("lambda").get_alias(FunctionName=function, Name=ALIAS)
    match = _MARKER.search(got.get("Description") or "")
    text = match.group("body") if match else None
    if text is None:
        arn = got["AliasArn"].rsplit(":", 1)[0]
        text = sim.client("lambda").list_tags(Resource=arn).get("Tags", {}).get(f"lambdawait:alias:{ALIAS}")
    return dict(part.split("=", 1) for part in (text or "").split() if "=" in part)


@dataclass(frozen=True)
class Rolled:
    """One rollback as the judge compares it, from the CLI's document or the library's result."""

    code: int
    outcome: str | None
    alias: Held | None  # what it says it left
    revision: str | None
    message: str


def _rollback_cli(sim: Simulator, a: Attempt) -> Rolled:
    run = cli(sim, a, "rollback", a.function, "--alias", ALIAS, "-o", "json")
    try:
        doc = json.loads(run.stdout)
    except json.JSONDecodeError:
        return Rolled(
            run.returncode, None, None, None, f"stdout is not one JSON document: {run.stdout[:300]!r}"
        )
    alias = doc.get("alias") or {}
    said = (alias["functionVersion"], alias["additionalVersionWeights"]) if alias else None
    message = doc.get("message") or (doc.get("error") or {}).get("message") or ""
    return Rolled(run.returncode, doc.get("outcome"), said, alias.get("revisionId"), message)


def _rollback_library(sim: Simulator, a: Attempt) -> Rolled:
    """The code below `lambdawait rollback`'s boundary, in-process: a subprocess costs ~0.5 s of CPU."""
    from lambdawait.aws.rollback import rollback
    from lambdawait.aws.waiter import Waiter
    from lambdawait.core.clock import SystemClock
    from lambdawait.core.errors import LambdawaitError

    client = sim.client("lambda")
    try:
        got = rollback(client, Waiter(client, clock=SystemClock()), a.function, ALIAS, None)
    except LambdawaitError as err:
        return Rolled(int(err.exit_code), err.outcome, None, None, err.message)
    after = (got.after.function_version, dict(got.after.weights))
    return Rolled(0, got.outcome, after, got.after.revision_id, got.message)


def _rollback_three_times(sim: Simulator, a: Attempt, problems: list[str], cli_rollbacks: int) -> str:
    """Three rollbacks in a row (the first `cli_rollbacks` through the CLI): each leaves version 1,
    and the 2nd and 3rd change nothing."""
    before = alias_state(sim, a.function, ALIAS)
    record = release_record(sim, a.function)
    runs = []
    for attempt in range(3):
        rolled = (_rollback_cli if attempt < cli_rollbacks else _rollback_library)(sim, a)
        runs.append((rolled, alias_state(sim, a.function, ALIAS)))
    seen = [(r.code, r.outcome, r.message, held) for r, held in runs]
    if not record:
        # The deploy never touched the alias (it stopped before the shift): no release to undo.
        no_record = "has no lambdawait record of a known-good version"
        ok = before == (KNOWN_GOOD, {}) and all(
            r.code == 2 and no_record in r.message and held == before for r, held in runs
        )
        if not ok:
            problems.append(f"no record, alias {before}: rollbacks {seen}")
        return "no-record" if ok else "failed"
    first = "unchanged" if before == (KNOWN_GOOD, {}) else "rolled-back"
    # The 2nd and 3rd change nothing: the alias keeps the revision the 1st left.
    ok = record.get("good") == KNOWN_GOOD and len({r.revision for r, _ in runs}) == 1
    for (r, held), outcome in zip(runs, (first, "unchanged", "unchanged"), strict=True):
        ok = ok and r.code == 0 and r.outcome == outcome and held == r.alias == (KNOWN_GOOD, {})
    if not ok:
        problems.append(f"record {record}, alias {before}: rollbacks {seen}")
    return "known-good" if ok else "failed"
