"""`lambdawait sim serve`: run the simulator in the foreground until SIGINT or SIGTERM."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import TextIO

from lambdawait.core.errors import UsageError
from lambdawait.sim.scenario import Scenario, ScenarioError
from lambdawait.sim.simulator import Simulator


def serve(host: str, port: int, scenario_path: str | None, out: TextIO) -> int:
    """Serve until a stop signal; print the endpoint and the variables to export. Returns 0."""
    try:
        scenario = Scenario.load(scenario_path) if scenario_path else None
    except (OSError, ScenarioError) as exc:
        raise UsageError(
            f"cannot load scenario {scenario_path}: {exc}",
            hint="see the scenario format in the README (TOML or JSON)",
        ) from exc
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Simulator(scenario=scenario, host=host, port=port) as sim:
            out.write(f"lambdawait simulator listening on {sim.endpoint}\n")
            out.write(f"execution role: {sim.role_arn()}\n")
            out.write("# point AWS SDKs and the aws CLI at it:\n")
            for key, value in sim.env().items():
                out.write(f"export {key}={value}\n")
            out.flush()
            # A timeout keeps the main thread responsive to signals on every platform.
            while not stop.wait(0.2):
                pass
            out.write("simulator stopped\n")
            out.flush()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
