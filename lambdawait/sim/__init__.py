"""A simulated Lambda control plane on moto: real states, conflicts, revisions, faults, over HTTP."""

from lambdawait.sim.scenario import (
    Behaviour,
    Faults,
    FunctionRule,
    InvokeRule,
    Quotas,
    Scenario,
    ScenarioError,
)
from lambdawait.sim.simulator import Simulator, SimulatorBusyError

__all__ = [
    "Behaviour",
    "Faults",
    "FunctionRule",
    "InvokeRule",
    "Quotas",
    "Scenario",
    "ScenarioError",
    "Simulator",
    "SimulatorBusyError",
]
