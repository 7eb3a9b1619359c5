"""Root test configuration: the simulator's pytest plugin, and one marker per test tier.

Tiers follow the folders: `unit` (no I/O), `functional` (plain moto in-process), `sim` and
`conformance` (the simulator over HTTP, in-process), `e2e` (the installed executable as a
subprocess). `pytest -m unit` runs the fast tier alone; the README's command runs them all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
