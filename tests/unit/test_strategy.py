"""Tests for traffic-shifting strategies: parsing, schedules, CI-limit warnings, durations."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from lambdawait.core.errors import ExitCode, UsageError
from lambdawait.core.strategy import (
    MAX_DURATION_SECONDS,
    Step,
    Strategy,
    format_duration,
    parse_strategy,
    plan_warnings,
    schedule,
    total_seconds,
)

TENTHS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


def _linear10(minutes: int) -> list[tuple[float, float, float]]:
    iv = minutes * 60.0
    return [(w, i * iv, iv if w < 1.0 else 0.0) for i, w in enumerate(TENTHS)]


def _canary10(minutes: int) -> list[tuple[float, float, float]]:
    return [(0.1, 0.0, minutes * 60.0), (1.0, minutes * 60.0, 0.0)]


PREDEFINED = [
    ("AllAtOnce", "all-at-once", [(1.0, 0.0, 0.0)], 0.0),
    ("Canary10Percent5Minutes", "canary", _canary10(5), 300.0),
    ("Canary10Percent10Minutes", "canary", _canary10(10), 600.0),
    ("Canary10Percent15Minutes", "canary", _canary10(15), 900.0),
    ("Canary10Percent30Minutes", "canary", _canary10(30), 1800.0),
    # Ten shifts, nine waits: 100% lands 9 intervals after the first 10% (see schedule()).
    ("Linear10PercentEvery1Minute", "linear", _linear10(1), 540.0),
    ("Linear10PercentEvery2Minutes", "linear", _linear10(2), 1080.0),
    ("Linear10PercentEvery3Minutes", "linear", _linear10(3), 1620.0),
    ("Linear10PercentEvery10Minutes", "linear", _linear10(10), 5400.0),
]


def _triples(steps: tuple[Step, ...]) -> list[tuple[float, float, float]]:
    return [(s.weight, s.at_seconds, s.bake_seconds) for s in steps]


@pytest.mark.parametrize(("name", "kind", "expected", "total"), PREDEFINED)
def test_predefined_schedule(
    name: str, kind: str, expected: list[tuple[float, float, float]], total: float
) -> None:
    strategy = parse_strategy(name)
    assert strategy.name == name
    assert strategy.kind == kind
    steps = schedule(strategy)
    # Exact equality on purpose: weights are rounded, so 0.1 * 3 must read 0.3.
    assert _triples(steps) == expected
    assert total_seconds(steps) == total


@pytest.mark.parametrize(
    "text",
    [
        "canary10percent5minutes",
        "CANARY10PERCENT5MINUTES",
        "LambdaCanary10Percent5Minutes",
        "lambdacanary10percent5minutes",
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        "  Canary10Percent5Minutes\n",
    ],
)
def test_predefined_names_ignore_case_and_prefix(text: str) -> None:
    assert parse_strategy(text) == Strategy("Canary10Percent5Minutes", "canary", 10.0, 300.0)


@pytest.mark.parametrize("text", ["AllAtOnce", "allatonce", "ALL-AT-ONCE", "all-at-once", "LambdaAllAtOnce"])
def test_all_at_once_spellings(text: str) -> None:
    strategy = parse_strategy(text)
    assert strategy.kind == "all-at-once"
    assert schedule(strategy) == (Step(1.0, 0.0, 0.0),)


@pytest.mark.parametrize(
    ("text", "kind", "percent", "interval", "name"),
    [
        ("canary:10:5m", "canary", 10.0, 300.0, "canary:10:5m"),
        ("linear:25:30s", "linear", 25.0, 30.0, "linear:25:30s"),
        ("linear:50:1s", "linear", 50.0, 1.0, "linear:50:1s"),
        ("canary:2.5:1.5s", "canary", 2.5, 1.5, "canary:2.5:1.5s"),
        ("linear:10:500ms", "linear", 10.0, 0.5, "linear:10:0.5s"),
        ("CANARY:10:1H", "canary", 10.0, 3600.0, "canary:10:1h"),
        ("canary: 10 : 1m30s", "canary", 10.0, 90.0, "canary:10:1m30s"),
        ("linear:30:2m", "linear", 30.0, 120.0, "linear:30:2m"),
    ],
)
def test_custom_forms(text: str, kind: str, percent: float, interval: float, name: str) -> None:
    strategy = parse_strategy(text)
    assert (strategy.kind, strategy.percent, strategy.interval_seconds) == (
        kind,
        percent,
        interval,
    )
    assert strategy.name == name
    # The canonical name parses back to the same strategy.
    assert parse_strategy(strategy.name) == strategy


def test_custom_canary_schedule() -> None:
    assert _triples(schedule(parse_strategy("canary:10:5m"))) == [
        (0.1, 0.0, 300.0),
        (1.0, 300.0, 0.0),
    ]


def test_linear_25_every_30s() -> None:
    assert _triples(schedule(parse_strategy("linear:25:30s"))) == [
        (0.25, 0.0, 30.0),
        (0.5, 30.0, 30.0),
        (0.75, 60.0, 30.0),
        (1.0, 90.0, 0.0),
    ]


def test_linear_percent_not_dividing_100_ends_with_full_shift() -> None:
    steps = schedule(parse_strategy("linear:30:1m"))
    assert [s.weight for s in steps] == [0.3, 0.6, 0.9, 1.0]
    assert [s.at_seconds for s in steps] == [0.0, 60.0, 120.0, 180.0]
    assert total_seconds(steps) == 180.0


def test_fractional_linear_weights_are_rounded() -> None:
    steps = schedule(parse_strategy("linear:0.7:1s"))
    assert len(steps) == 143  # 142 shifts of 0.7% reach 99.4%, then 100%
    assert steps[2].weight == 0.021  # 0.7 * 3 / 100 is 0.020999999999999998 unrounded
    assert all(s.weight == round(s.weight, 6) for s in steps)
    assert steps[-2].weight == 0.994


@pytest.mark.parametrize(
    "text",
    [
        "canary:10:5m",
        "canary:99.5:1s",
        "linear:1:1s",
        "linear:33.3333:1m",
        "linear:7:45s",
        "linear:99:1m",
        *[name for name, *_ in PREDEFINED],
    ],
)
def test_schedule_invariants(text: str) -> None:
    steps = schedule(parse_strategy(text))
    weights = [s.weight for s in steps]
    assert weights[-1] == 1.0 and steps[-1].bake_seconds == 0.0
    assert all(0.0 < w <= 1.0 for w in weights)
    assert weights == sorted(set(weights))  # strictly increasing
    assert steps[0].at_seconds == 0.0
    for prev, nxt in itertools.pairwise(steps):
        assert nxt.at_seconds == pytest.approx(prev.at_seconds + prev.bake_seconds)


BAD_INPUTS = [
    "",
    "   ",
    "canary",
    "canary:10",
    "canary:10:5m:extra",
    "canary:0:5m",
    "canary:100:5m",
    "linear:150:1m",
    "canary:-5:5m",
    "canary:abc:5m",
    "canary:nan:5m",
    "canary:1e1:5m",
    "canary:10:0s",
    "linear:10:0ms",
    "canary:10:-5m",
    "canary:10:5",
    "canary:10:5d",
    "canary:10:5m5m",
    "linear:0.01:1s",
    "canary:0.0000001:1s",  # finer than the millionths of traffic a weight is applied in
    "canary:12.34567:1s",
    "canary:10:25h",
    "canary:10:1441m",
    "canary:\u0661\u0660:5m",  # Arabic-Indic digits: float() takes them, AWS's docs do not
    "canary:10:\uff15m",  # a fullwidth 5
    "Canary10Percent6Minutes",
    "blue-green",
    "Lambda",
]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_rejections_are_usage_errors_listing_valid_forms(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_strategy(text)
    err = info.value
    assert err.exit_code is ExitCode.USAGE
    assert repr(text) in err.message
    assert err.hint is not None
    if err.hint.startswith("did you mean"):  # a near miss names the closest ones instead
        return
    for form in (
        "Canary10Percent5Minutes",
        "Linear10PercentEvery1Minute",
        "AllAtOnce",
        "canary:PERCENT:BAKE",
        "linear:PERCENT:INTERVAL",
    ):
        assert form in err.hint


ABSURD = [
    "canary:10:" + "9" * 300 + "h",  # overflowed to inf: was an internal error, not exit 2
    "linear:10:" + "9" * 400 + "." + "9" * 400 + "ms",
    "canary:" + "9" * 400 + ":1s",
    "canary:1." + "0" * 300 + "1:1s",
    "canary:" + "x" * 5000 + ":1s",
]


@pytest.mark.parametrize("text", ABSURD, ids=lambda t: f"{t[:14]}...({len(t)} chars)")
def test_absurd_input_is_one_short_line_exit_2(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_strategy(text)
    assert info.value.exit_code is ExitCode.USAGE
    assert "\n" not in info.value.message and len(info.value.message) < 250


@pytest.mark.parametrize(
    ("text", "percent", "seconds"),
    [
        ("canary:0.0001:1s", 0.0001, 1.0),
        ("canary:10:24h", 10.0, MAX_DURATION_SECONDS),
        ("linear:50:1440m", 50, 86400),
    ],
)
def test_the_limits_themselves_are_accepted(text: str, percent: float, seconds: float) -> None:
    strategy = parse_strategy(text)
    assert (strategy.percent, strategy.interval_seconds) == (percent, seconds)
    assert schedule(strategy)[0].weight == round(percent / 100, 6) > 0


PIECES = [
    "canary", "linear", "Canary10Percent5Minutes", "lambda", "all-at-once", ":", ".", "-", "0", "9",
    "100", "e5", "nan", "inf", "ms", "s", "m", "h", "d", " ", "\t", "\n", "\x00", "\u0665", "\uff15", "%",
]  # fmt: skip


def _number(rng: random.Random) -> str:
    whole = str(rng.choice([0, 1, 5, 10, 33, 99, 100, 1000, 10 ** rng.randint(1, 400) - 1]))
    return whole + (
        "." + "".join(rng.choices("0123456789", k=rng.randint(1, 8))) if rng.random() < 0.5 else ""
    )


def _random_strategy_text(rng: random.Random) -> str:
    """Mostly the custom form with random numbers and units, sometimes mangled, sometimes noise."""
    if rng.random() < 0.2:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
    units = rng.sample(["h", "m", "s", "ms", "d", ""], k=rng.randint(1, 3))
    duration = "".join(_number(rng) + unit for unit in units)
    text = f"{rng.choice(['canary', 'linear', 'CANARY'])}:{_number(rng)}:{duration}"
    if rng.random() < 0.3:
        at = rng.randint(0, len(text))
        text = text[:at] + rng.choice(PIECES) + text[at:]
    return text


def test_random_text_parses_or_is_a_usage_error_never_anything_else() -> None:
    rng = random.Random(20240901)  # seeded: a failure is reproducible
    parsed = 0
    for _ in range(4000):
        text = _random_strategy_text(rng)
        try:
            strategy = parse_strategy(text)
        except UsageError as err:
            assert "\n" not in err.message, repr(text)
            continue
        parsed += 1
        steps = schedule(strategy)
        assert all(0.0 < s.weight <= 1.0 and math.isfinite(s.at_seconds) for s in steps), text
        assert parse_strategy(strategy.name) == strategy
        format_duration(total_seconds(steps))
    assert parsed > 200  # the generator does reach valid strategies


def test_total_seconds_of_nothing_is_zero() -> None:
    assert total_seconds(()) == 0.0


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, []),
        (9.9, []),
        (10, ["CircleCI"]),
        (59, ["CircleCI"]),
        (60, ["CircleCI", "GitLab", "CodeBuild"]),
        (359, ["CircleCI", "GitLab", "CodeBuild"]),
        (360, ["CircleCI", "GitLab", "CodeBuild", "GitHub Actions"]),
        (600, ["CircleCI", "GitLab", "CodeBuild", "GitHub Actions"]),
    ],
)
def test_plan_warnings_one_per_limit_reached(minutes: float, expected: list[str]) -> None:
    warnings = plan_warnings(minutes * 60.0, {})
    assert len(warnings) == len(expected)
    for warning, ci in zip(warnings, expected, strict=True):
        assert ci in warning
        assert format_duration(minutes * 60.0) in warning


def test_plan_warnings_for_predefined_plans() -> None:
    longest = total_seconds(schedule(parse_strategy("Linear10PercentEvery10Minutes")))
    assert len(plan_warnings(longest, {})) == 3  # 90 minutes: all but GitHub Actions
    assert plan_warnings(total_seconds(schedule(parse_strategy("Canary10Percent5Minutes"))), {}) == []


def test_plan_warnings_name_only_the_ci_that_is_running() -> None:
    day = 24 * 3600.0
    assert ["GitLab" in w for w in plan_warnings(day, {"GITLAB_CI": "true"})] == [True]
    assert ["GitHub Actions" in w for w in plan_warnings(day, {"GITHUB_ACTIONS": "true"})] == [True]
    assert plan_warnings(30 * 60.0, {"GITHUB_ACTIONS": "true"}) == []  # under GitHub's 6 h
    assert len(plan_warnings(day, {"CI": "true"})) == 4  # a CI we do not know: every limit


def test_plan_warnings_negative_is_empty() -> None:
    assert plan_warnings(-5.0, {}) == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.5, "0.5s"),
        (0.001, "0.001s"),
        (1.25, "1.25s"),
        (30, "30s"),
        (59.99999999, "1m"),
        (60, "1m"),
        (90, "1m30s"),
        (90.5, "1m30.5s"),
        (300, "5m"),
        (3600, "1h"),
        (3605, "1h5s"),
        (5400, "1h30m"),
        (86400, "24h"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("seconds", [-1.0, float("inf"), float("nan")])
def test_format_duration_rejects_nonsense(seconds: float) -> None:
    with pytest.raises(ValueError):
        format_duration(seconds)


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("canary10", ["Canary10Percent5Minutes", "canary:10:5m"]),
        ("Canary10Percent6Minutes", ["Canary10Percent5Minutes"]),
        ("CodeDeployDefault.LambdaLinear10PercentEvery1Minutes", ["Linear10PercentEvery1Minute"]),
        ("allatonc", ["AllAtOnce"]),
        ("linear-25", ["linear:25:1m"]),
    ],
)
def test_a_near_miss_is_one_short_line_naming_the_closest(text: str, suggested: list[str]) -> None:
    with pytest.raises(UsageError) as info:
        parse_strategy(text)
    line = info.value.one_line()
    assert line.startswith(f"unknown traffic strategy {text!r} (did you mean ") and len(line) < 250
    for name in suggested:
        assert name in line


def test_a_name_close_to_nothing_lists_the_forms_in_one_short_line() -> None:
    with pytest.raises(UsageError) as info:
        parse_strategy("blue-green")
    assert "did you mean" not in info.value.one_line() and len(info.value.one_line()) < 250
