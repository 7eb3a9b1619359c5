"""SnapStart: which runtimes support it, checked before any change (`deploy --snapstart`).

With `SnapStart.ApplyOn=PublishedVersions`, every published version runs its init and is
snapshotted while it is Pending, which can take minutes; it is invocable once Active. AWS supports
it on Java 11 and later, Python 3.12 and later and .NET 8 and later managed runtimes, not on
container images, and with at most 512 MB of ephemeral storage.
"""

from __future__ import annotations

import re

from lambdawait.core.package_checks import Findings
from lambdawait.core.spec import FunctionSpec

_RUNTIME = re.compile(r"(java|python|dotnet)(\d+)(?:\.(\d+))?(?:\.al2(?:023)?)?")
# The first supported (major, minor) of each family.
_FIRST_SUPPORTED = {"java": (11, 0), "python": (3, 12), "dotnet": (8, 0)}
SUPPORTED_TEXT = "java11+, python3.12+ or dotnet8+"
MAX_EPHEMERAL_MB = 512


def supports(runtime: str) -> bool:
    """Whether a managed runtime identifier supports SnapStart."""
    m = _RUNTIME.fullmatch(runtime)
    if m is None:
        return False
    family, major, minor = m.group(1), int(m.group(2)), int(m.group(3) or 0)
    return (major, minor) >= _FIRST_SUPPORTED[family]


def check(found: Findings, spec: FunctionSpec, runtime: str | None) -> None:
    """`--snapstart` on what cannot take it is refused before any change."""
    if not spec.snapstart:
        return
    fix = "drop --snapstart, or deploy on a runtime that supports it"
    if spec.code is not None and spec.code.kind == "image":
        found.fail("SnapStart does not support container images", fix)
    elif runtime is not None and not supports(runtime):
        found.fail(f"SnapStart does not support {runtime} (it supports {SUPPORTED_TEXT})", fix)
    if spec.ephemeral_storage is not None and spec.ephemeral_storage > MAX_EPHEMERAL_MB:
        found.fail(
            f"SnapStart allows at most {MAX_EPHEMERAL_MB} MB of ephemeral storage "
            f"(--ephemeral-storage {spec.ephemeral_storage})",
            f"use --ephemeral-storage {MAX_EPHEMERAL_MB} with --snapstart",
        )
