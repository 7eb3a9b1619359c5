"""Root test configuration: the simulator's pytest plugin, shipped in the package, is used here too."""

pytest_plugins = ["lambdawait.sim.pytest_plugin"]
