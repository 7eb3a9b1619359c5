"""Root test configuration: the simulator's pytest plugin, and one marker per test tier.

Tiers follow the folders: `unit` (no I/O), `functional` (plain moto in-process), `sim` and
`conformance` (the simulator over HTTP, in-process), `e2e` (the installed executable as a
subprocess). `pytest -m unit` runs the fast tier alone; the README's command runs them all.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Bytecode is cached (in the gitignored __pycache__ folders) even where PYTHONDONTWRITEBYTECODE is
# set: otherwise every xdist worker re-compiles the package and re-rewrites every test module
# (~2 s of CPU each) and every `lambdawait` subprocess re-compiles the package (~60 ms each, ~300
# of them). Set before anything is imported and before the workers and subprocesses inherit it.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

pytest_plugins = ["lambdawait.sim.pytest_plugin"]

TIERS = ("unit", "functional", "sim", "conformance", "e2e")
_ROOT = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    for tier in TIERS:
        config.addinivalue_line("markers", f"{tier}: the tests/{tier} tier")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.path)).relative_to(_ROOT).parts
        if parts and parts[0] in TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))
