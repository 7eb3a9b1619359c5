"""Pre-flight checks of a runtime name: its shape, a typo of a known one, its end of support."""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta

from lambdawait.core.package_checks import Findings

# End-of-support (phase 1) dates from the Lambda developer guide's runtime tables, with the
# replacement to suggest. Update when AWS announces new dates; unknown runtimes are not warned.
DEPRECATIONS: dict[str, tuple[date, str]] = {
    "nodejs": (date(2016, 10, 31), "nodejs22.x"),
    "nodejs4.3": (date(2020, 3, 5), "nodejs22.x"),
    "nodejs4.3-edge": (date(2020, 3, 5), "nodejs22.x"),
    "nodejs6.10": (date(2019, 8, 12), "nodejs22.x"),
    "nodejs8.10": (date(2020, 3, 6), "nodejs22.x"),
    "nodejs10.x": (date(2021, 7, 30), "nodejs22.x"),
    "nodejs12.x": (date(2023, 3, 31), "nodejs22.x"),
    "nodejs14.x": (date(2023, 12, 4), "nodejs22.x"),
    "nodejs16.x": (date(2024, 6, 12), "nodejs22.x"),
    "nodejs18.x": (date(2025, 9, 1), "nodejs22.x"),
    "nodejs20.x": (date(2026, 4, 30), "nodejs22.x"),
    "python2.7": (date(2021, 7, 15), "python3.13"),
    "python3.6": (date(2022, 7, 18), "python3.13"),
    "python3.7": (date(2023, 12, 4), "python3.13"),
    "python3.8": (date(2024, 10, 14), "python3.13"),
    "python3.9": (date(2025, 12, 15), "python3.13"),
    "python3.10": (date(2026, 6, 30), "python3.13"),
    "python3.11": (date(2026, 6, 30), "python3.13"),
    "java8": (date(2024, 1, 8), "java21"),
    "java8.al2": (date(2026, 6, 30), "java21"),
    "java11": (date(2026, 6, 30), "java21"),
    "java17": (date(2026, 6, 30), "java21"),
    "dotnetcore1.0": (date(2019, 7, 27), "dotnet8"),
    "dotnetcore2.0": (date(2019, 5, 30), "dotnet8"),
    "dotnetcore2.1": (date(2022, 1, 5), "dotnet8"),
    "dotnetcore3.1": (date(2023, 4, 3), "dotnet8"),
    "dotnet6": (date(2024, 11, 12), "dotnet8"),
    "go1.x": (date(2024, 1, 8), "provided.al2023"),
    "provided": (date(2024, 1, 8), "provided.al2023"),
    "provided.al2": (date(2026, 6, 30), "provided.al2023"),
    "ruby2.5": (date(2021, 7, 30), "ruby3.4"),
    "ruby2.7": (date(2023, 12, 7), "ruby3.4"),
    "ruby3.2": (date(2026, 3, 31), "ruby3.4"),
}
# Lambda e-mails owners 60 days ahead; warn in the same window.
DEPRECATION_NOTICE = timedelta(days=60)

# A runtime identifier's shape ("python3.13", "provided.al2023"); its family is the letters first.
_RUNTIME_SHAPE, _RUNTIME_FAMILY = re.compile(r"[a-z][a-z0-9.]*"), re.compile(r"[a-z]+")


def check_runtime(found: Findings, runtime: str, known: frozenset[str], today: date) -> None:
    """A runtime that is no runtime, a typo, or one near or past its end of support (a warning).

    `known` is the Runtime enum of the installed botocore model (empty: nothing to compare with).
    """
    if not _RUNTIME_SHAPE.fullmatch(runtime):
        found.fail(f"runtime {runtime!r} is not a Lambda runtime", "pass e.g. --runtime python3.13")
        return
    if known and runtime not in known:
        _unknown_runtime(found, runtime, known)
        return
    if runtime not in DEPRECATIONS:
        return
    ends, successor = DEPRECATIONS[runtime]
    if ends <= today:
        found.warnings.append(
            f"runtime {runtime} reached end of support on {ends.isoformat()}: it gets no security "
            f"patches and AWS blocks creating, then updating, functions with it "
            f"(move to {successor})"
        )
    elif ends - today <= DEPRECATION_NOTICE:
        found.warnings.append(
            f"runtime {runtime} reaches end of support on {ends.isoformat()} (move to {successor})"
        )


def _unknown_runtime(found: Findings, runtime: str, known: frozenset[str]) -> None:
    """A runtime the installed botocore model lacks: a typo of a family it knows, or just newer."""
    close = difflib.get_close_matches(runtime, sorted(known), n=1)
    family = _RUNTIME_FAMILY.match(runtime)
    families = {m.group() for m in map(_RUNTIME_FAMILY.match, known) if m}
    if close and (family is None or family.group() not in families):
        # "pyhton3.12": no family by that name, one letter swap from a real runtime.
        found.fail(f"runtime {runtime!r} is not a Lambda runtime", f"did you mean {close[0]}?")
        return
    # The model ships with botocore and lags AWS (botocore 1.34.0 lacks python3.13): Lambda
    # itself is the judge, so an older botocore must not block a runtime released since.
    found.warnings.append(
        f"runtime {runtime} is not in this botocore's Lambda model (botocore {_botocore_version()}): "
        "Lambda rejects it if it does not exist; upgrade botocore to check it here"
    )


def _botocore_version() -> str:
    from botocore import __version__

    return str(__version__)
