"""Print a pip constraints file pinning every runtime and simulator dependency to its floor.

CI's second leg installs '.[dev]' with these constraints, so a floor in pyproject.toml is a
version the tests have run against, not a guess. Development tools (pytest, mypy, ruff, stubs)
are left free: their floors do not reach users.

    python tools/lowest_constraints.py > constraints-lowest.txt
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
# The extras whose dependencies reach users ("dev" is only ours).
USER_EXTRAS = ("sim",)
_REQUIREMENT = re.compile(r"\s*(?P<name>[A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*(?P<spec>[^;]*)(?P<marker>;.*)?")
_FLOOR = re.compile(r">=\s*([^,\s]+)")


def floors(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """One `name==floor[; marker]` line per user-facing dependency; a missing floor is an error."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in USER_EXTRAS:
        requirements += project["optional-dependencies"][extra]
    lines = []
    for text in requirements:
        match = _REQUIREMENT.fullmatch(text)
        if match is None:
            raise ValueError(f"cannot read the requirement {text!r}")
        if match["name"] == project["name"]:
            continue
        floor = _FLOOR.search(match["spec"])
        if floor is None:
            raise ValueError(f"{text!r} has no floor (>=): the lowest-versions leg cannot test it")
        lines.append(f"{match['name']}=={floor[1]}{match['marker'] or ''}")
    return lines


def main() -> int:
    try:
        lines = floors()
    except ValueError as exc:
        print(f"lowest_constraints: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
