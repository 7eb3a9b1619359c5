"""Traffic-shifting strategies: parse a strategy name into the schedule of alias weights (pure)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from lambdawait.core.errors import UsageError

Kind = Literal["all-at-once", "canary", "linear"]


@dataclass(frozen=True)
class Strategy:
    """How to move traffic: kind, percent per shift, and seconds between shifts (or of the bake)."""

    name: str
    kind: Kind
    percent: float
    interval_seconds: float


@dataclass(frozen=True)
class Step:
    """One alias update: the new version's share of traffic, when it is applied, how long held."""

    weight: float  # fraction 0..1 of traffic on the NEW version; 1.0 = point the alias at it
    at_seconds: float  # offset from the start of the shift when this weight is applied
    bake_seconds: float  # how long the weight is held (and health-gated) before the next step


# CodeDeploy's predefined Lambda configurations, keyed by lower-case name without "Lambda".
_PREDEFINED: dict[str, Strategy] = {
    s.name.lower(): s
    for s in (
        Strategy("AllAtOnce", "all-at-once", 100.0, 0.0),
        Strategy("Canary10Percent5Minutes", "canary", 10.0, 5 * 60.0),
        Strategy("Canary10Percent10Minutes", "canary", 10.0, 10 * 60.0),
        Strategy("Canary10Percent15Minutes", "canary", 10.0, 15 * 60.0),
        Strategy("Canary10Percent30Minutes", "canary", 10.0, 30 * 60.0),
        Strategy("Linear10PercentEvery1Minute", "linear", 10.0, 1 * 60.0),
        Strategy("Linear10PercentEvery2Minutes", "linear", 10.0, 2 * 60.0),
        Strategy("Linear10PercentEvery3Minutes", "linear", 10.0, 3 * 60.0),
        Strategy("Linear10PercentEvery10Minutes", "linear", 10.0, 10 * 60.0),
    )
}
_ALL_AT_ONCE_ALIASES = frozenset({"all-at-once", "allatonce"})
# Prefixes users paste from CodeDeploy / SAM: "CodeDeployDefault.LambdaCanary10Percent5Minutes".
_PREFIXES = ("", "lambda", "codedeploydefault.lambda")

_CUSTOM = re.compile(r"(canary|linear):([^:]*):([^:]*)")
# ASCII digits only: Python's \d and float() also take other scripts' digits ("١٠").
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}

# AdditionalVersionWeights takes a double from 0.0 to 1.0 and documents no precision; CodeDeploy's
# own canary/linear percentages are whole numbers. Weights go out rounded to millionths of the
# traffic (see _weight), so a percent may carry 4 decimal places: anything finer cannot be applied.
PERCENT_DECIMALS = 4
# A bake or interval beyond a day is more likely a slip of the unit (h for m) than a plan, and
# bounding it keeps every schedule time a finite, printable number.
MAX_DURATION_SECONDS = 24 * 3600.0

# A linear plan with a tiny percent would mean thousands of alias updates against Lambda's shared
# 15 requests/s control-plane quota and is almost certainly a typo, so it is refused.
MAX_STEPS = 1000

VALID_FORMS = (
    "AllAtOnce, Canary10Percent5Minutes, Canary10Percent10Minutes, Canary10Percent15Minutes, "
    "Canary10Percent30Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery2Minutes, "
    "Linear10PercentEvery3Minutes, Linear10PercentEvery10Minutes (any case, optional 'Lambda' "
    "prefix), all-at-once, canary:PERCENT:BAKE or linear:PERCENT:INTERVAL with 0 < PERCENT < 100 "
    "(up to 4 decimal places) and a duration from 1ms to 24h such as 500ms, 30s, 1.5s, 5m, 1h or 1m30s"
)


def parse_strategy(text: str) -> Strategy:
    """Parse a predefined CodeDeploy name or a canary:/linear: form; UsageError if invalid."""
    key = text.strip().lower()
    if key in _ALL_AT_ONCE_ALIASES:
        return _PREDEFINED["allatonce"]
    predefined = _predefined(key)
    if predefined is not None:
        return predefined
    match = _CUSTOM.fullmatch(key)
    if match is None:
        raise _unknown(text, key)
    kind: Kind = "canary" if match.group(1) == "canary" else "linear"
    percent = _parse_percent(text, match.group(2).strip())
    interval = _parse_duration(text, match.group(3).strip())
    if kind == "linear" and math.ceil(round(100.0 / percent, 6)) > MAX_STEPS:
        raise _invalid(text, f"{_fmt_percent(percent)}% per step needs more than {MAX_STEPS} steps")
    name = f"{kind}:{_fmt_percent(percent)}:{format_duration(interval)}"
    return Strategy(name, kind, percent, interval)


def _predefined(key: str) -> Strategy | None:
    for prefix in _PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in _PREDEFINED:
            return _PREDEFINED[key[len(prefix) :]]
    return None


def _parse_percent(text: str, raw: str) -> float:
    if _NUMBER.fullmatch(raw) is None:
        raise _invalid(text, f"percent {_clip(raw)!r} must be a plain number above 0 and below 100")
    decimals = len(raw.partition(".")[2])
    if decimals > PERCENT_DECIMALS:
        raise _invalid(
            text,
            f"percent {_clip(raw)} has {decimals} decimal places; at most {PERCENT_DECIMALS} can be applied",
        )
    percent = float(raw)
    if not 0.0 < percent < 100.0:
        raise _invalid(text, f"percent {_clip(raw)} must be above 0 and below 100")
    return percent


def _parse_duration(text: str, raw: str) -> float:
    # A unit is required: CodeDeploy counts minutes and most tools count seconds, so a bare
    # number would be ambiguous.
    parts = _DURATION_PART.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != raw:
        raise _invalid(text, f"duration {_clip(raw)!r} needs a unit: ms, s, m or h")
    if len({u for _, u in parts}) != len(parts):
        raise _invalid(text, f"duration {_clip(raw)!r} repeats a unit")
    seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)  # inf at worst, never an error
    if round(seconds, 3) <= 0.0:
        raise _invalid(text, f"duration {_clip(raw)!r} must be at least 1ms")
    if seconds > MAX_DURATION_SECONDS:
        raise _invalid(
            text, f"duration {_clip(raw)!r} is longer than {format_duration(MAX_DURATION_SECONDS)}"
        )
    return round(seconds, 3)


# The forms in one short line, for a name that is close to none of them.
SHORT_FORMS = (
    "use AllAtOnce, Canary10Percent5Minutes, Linear10PercentEvery1Minute ..., canary:PERCENT:BAKE "
    "or linear:PERCENT:INTERVAL (e.g. canary:10:5m); `lambdawait shift --help` lists them"
)


def _unknown(text: str, key: str) -> UsageError:
    """One short line for a name that is no strategy, naming the closest ones when there are any."""
    close = suggestions(key)
    if not close:
        return UsageError(f"unknown traffic strategy {_clip(text)!r}", hint=SHORT_FORMS)
    names = " or ".join([", ".join(close[:-1]), close[-1]] if len(close) > 1 else close)
    return UsageError(
        f"unknown traffic strategy {_clip(text)!r}",
        hint=f"did you mean {names}? `lambdawait shift --help` lists every form",
    )


def suggestions(key: str) -> list[str]:
    """Up to three strategies close to a mistyped one: names it starts or nearly spells, and the
    canary:/linear: form when it begins like one (`canary10` -> canary:10:5m)."""
    import difflib

    key = key.strip().lower()
    for prefix in reversed(_PREFIXES):  # longest first: "lambda" must not eat the CodeDeploy one
        if prefix and key.startswith(prefix):
            key = key[len(prefix) :]
            break
    names = {s.name.lower(): s.name for s in _PREDEFINED.values()}
    close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.75)
    starting = [low for low in names if len(key) >= 4 and low.startswith(key)]
    found = [names[low] for low in dict.fromkeys([*close, *starting])][:2]
    form = re.match(r"(canary|linear)\W*([0-9]+(?:\.[0-9]+)?)?", key)
    if form:
        percent = form.group(2) or "10"
        found.append(f"{form.group(1)}:{percent}:{'5m' if form.group(1) == 'canary' else '1m'}")
    return found[:3]


def _invalid(text: str, why: str) -> UsageError:
    return UsageError(f"invalid traffic strategy {_clip(text)!r}: {why}", hint=f"use {VALID_FORMS}")


def _clip(text: str, limit: int = 60) -> str:
    """Long enough to recognise, short enough that 300 pasted digits stay one readable line."""
    return text if len(text) <= limit else f"{text[: limit - 21]}...{text[-18:]}"


def schedule(strategy: Strategy) -> tuple[Step, ...]:
    """The alias weights to apply, in order; the last step is always weight 1.0 (shift done)."""
    interval = strategy.interval_seconds
    if strategy.kind == "all-at-once":
        return (Step(1.0, 0.0, 0.0),)
    if strategy.kind == "canary":
        return (Step(_weight(strategy.percent), 0.0, interval), Step(1.0, interval, 0.0))
    # Linear: CodeDeploy's TimeBasedLinear shifts linearPercentage "at the start of each
    # increment", with linearInterval minutes "between each incremental traffic shift". So
    # Linear10PercentEvery1Minute applies 10% at 0:00, 20% at 1:00 ... 90% at 8:00 and 100% at
    # 9:00: ten shifts, nine waits, 9 minutes of baking (CodeDeploy's wall time adds its hooks).
    # A percent that does not divide 100 (30) ends with a shorter last increment (90% -> 100%).
    steps: list[Step] = []
    k = 1
    while (w := _weight(strategy.percent * k)) < 1.0:
        steps.append(Step(w, (k - 1) * interval, interval))
        k += 1
    steps.append(Step(1.0, (k - 1) * interval, 0.0))
    return tuple(steps)


def _weight(percent: float) -> float:
    # Rounded so 0.1 * 3 reads 0.3 in JSON and in UpdateAlias, and never above 1.0.
    return min(1.0, round(percent / 100.0, 6))


def total_seconds(steps: Sequence[Step]) -> float:
    """Seconds from the first alias update until the shift is complete."""
    return max((s.at_seconds + s.bake_seconds for s in steps), default=0.0)


# (limit in seconds, the CI's own environment variable, what it is). Reaching a limit is as bad as
# exceeding it: the job also needs time to build, deploy and wait for the function first.
_CI_LIMITS: tuple[tuple[float, str, str], ...] = (
    (
        10 * 60.0,
        "CIRCLECI",
        "CircleCI's default no_output_timeout (10m) stops a step that prints nothing for 10 "
        "minutes; keep progress output on or raise no_output_timeout on the step",
    ),
    (
        60 * 60.0,
        "GITLAB_CI",
        "GitLab CI's default job timeout is 60m (project Settings > CI/CD, or the job's timeout: keyword)",
    ),
    (
        60 * 60.0,
        "CODEBUILD_BUILD_ID",
        "AWS CodeBuild's default build timeout is 60m (the project's timeoutInMinutes, 5 to 2160)",
    ),
    (
        360 * 60.0,
        "GITHUB_ACTIONS",
        "GitHub Actions' default timeout-minutes is 360 (6h), which is also the most a job may "
        "run on GitHub-hosted runners",
    ),
)


def plan_warnings(total_seconds: float, environ: Mapping[str, str] | None = None) -> list[str]:
    """One warning per CI time limit that a shift of this length reaches or exceeds.

    Only the CI that is running is named (its own variable is set); with none detected, all are.
    """
    if not total_seconds > 0:
        return []
    env = os.environ if environ is None else environ
    running = {var for _, var, _ in _CI_LIMITS if env.get(var)}
    took = format_duration(total_seconds)
    return [
        f"the traffic shift takes {took}: {what}"
        for limit, var, what in _CI_LIMITS
        if total_seconds >= limit and (not running or var in running)
    ]


def format_duration(seconds: float) -> str:
    """Compact duration: 5m, 1m30s, 1h5m, 0.5s, 0s (millisecond precision)."""
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"duration must be finite and non-negative, got {seconds!r}")
    # Whole milliseconds, so float noise such as 59.99999 cannot print as "60s".
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    parts = [f"{hours}h"] if hours else []
    if minutes:
        parts.append(f"{minutes}m")
    if ms or not parts:
        secs = f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
        parts.append(f"{secs}s")
    return "".join(parts)


def _fmt_percent(percent: float) -> str:
    return f"{percent:.6f}".rstrip("0").rstrip(".")


def strategy_names() -> list[str]:
    """Every predefined strategy's name as users write it (for shell completion and suggestions)."""
    return [s.name for s in _PREDEFINED.values()]
