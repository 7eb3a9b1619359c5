"""End-to-end fixtures: the installed `lambdawait` executable, run as a subprocess against the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lambdawait.sim import Simulator

EXE = Path(sys.executable).with_name("lambdawait")
FAST: dict[str, Any] = {"defaults": {"create_seconds": 0.3, "update_seconds": 0.3, "publish_seconds": 0.0}}


@dataclass
class Run:
    """A finished `lambdawait` process."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def base_env(sim: Simulator, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
    env.update(sim.env())
    env.update({"HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"})
    return env


@pytest.fixture
def sim(lambda_sim_factory: Callable[[Any], Simulator]) -> Simulator:
    """A simulator with short (real) durations."""
    return lambda_sim_factory(FAST)


@pytest.fixture
def cli(sim: Simulator, tmp_path: Path) -> Callable[..., Run]:
    """Run the installed executable with the simulator's endpoint and credentials in the environment."""
    assert EXE.exists(), f"{EXE} missing: install the project (pip install -e '.[dev]')"
    home = tmp_path / "home"
    home.mkdir()

    def run(*args: str, env: Mapping[str, str] | None = None, timeout: float = 60) -> Run:
        proc = subprocess.run(
            [str(EXE), *args],
            env={**base_env(sim, home), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return Run(tuple(args), proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    """A tiny Python function source directory."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "app.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    return root
