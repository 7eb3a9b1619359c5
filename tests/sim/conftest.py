"""Simulator fixtures, imported from the plugin (pytest_plugins is only honoured in a root conftest)."""

from lambdawait.sim.pytest_plugin import (  # noqa: F401
    lambda_sim,
    lambda_sim_factory,
    lambda_sim_scenario,
)
