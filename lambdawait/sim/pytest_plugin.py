"""pytest fixtures: `lambda_sim` and `lambda_sim_factory`; enable with pytest_plugins."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pytest

from lambdawait.sim.scenario import Scenario
from lambdawait.sim.simulator import Simulator

SimFactory = Callable[["Scenario | Mapping[str, object] | None"], Simulator]


@pytest.fixture
def lambda_sim_scenario() -> Scenario | Mapping[str, object] | None:
    """Override this fixture to give `lambda_sim` a scenario (a Scenario or a plain dict)."""
    return None


@pytest.fixture
def lambda_sim_factory() -> Iterator[SimFactory]:
    """Start a Simulator for a scenario; a second call stops the first (one per process)."""
    running: list[Simulator] = []

    def start(scenario: Scenario | Mapping[str, object] | None = None) -> Simulator:
        while running:
            running.pop().stop()
        if isinstance(scenario, Mapping):
            scenario = Scenario.from_dict(scenario)
        sim = Simulator(scenario=scenario).start()
        running.append(sim)
        return sim

    yield start
    while running:
        running.pop().stop()


@pytest.fixture
def lambda_sim(
    lambda_sim_factory: SimFactory, lambda_sim_scenario: Scenario | Mapping[str, object] | None
) -> Simulator:
    """A running Simulator with isolated state, stopped after the test."""
    return lambda_sim_factory(lambda_sim_scenario)
