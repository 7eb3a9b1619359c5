"""Simulator test fixtures: the plugin's own fixtures, re-exported (pytest_plugins must live in a root conftest)."""

from lambdawait.sim.pytest_plugin import (  # noqa: F401
    lambda_sim,
    lambda_sim_factory,
    lambda_sim_scenario,
)
