"""tools/lowest_constraints.py: every user-facing dependency pinned to its floor, or an error."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("lowest_constraints", ROOT / "tools" / "lowest_constraints.py")
assert _spec is not None and _spec.loader is not None
lowest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lowest)


def _pyproject(tmp_path: Path, dependencies: str, sim: str = "") -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        f'[project]\nname = "lambdawait"\ndependencies = [{dependencies}]\n'
        f'[project.optional-dependencies]\nsim = [{sim}]\ndev = ["lambdawait[sim]", "pytest"]\n',
        encoding="utf-8",
    )
    return path


def test_floors_become_pins_keeping_markers_and_dropping_extras(tmp_path: Path) -> None:
    path = _pyproject(
        tmp_path,
        '"boto3>=1.40", "pathspec >= 0.12.1"',
        sim='"moto[server]>=5.2.5,<5.3", "tomli>=2.0; python_version < \'3.11\'"',
    )
    assert lowest.floors(path) == [
        "boto3==1.40",
        "pathspec==0.12.1",
        "moto==5.2.5",
        "tomli==2.0; python_version < '3.11'",
    ]


def test_a_dependency_without_a_floor_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'rich' has no floor"):
        lowest.floors(_pyproject(tmp_path, '"boto3>=1.40", "rich"'))


def test_the_project_pyproject_has_a_floor_for_every_runtime_and_sim_dependency() -> None:
    names = [line.split("==")[0] for line in lowest.floors()]
    assert {"boto3", "botocore", "typer", "python-dotenv", "moto"} <= set(names)
    assert "pytest" not in names  # development tools stay unconstrained
