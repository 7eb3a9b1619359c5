"""`demo` and `sim serve`: the embedded simulator, which needs the `[sim]` extra."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from lambdawait.cli.options import TEXT, option

# Where `sim serve` listens unless told: not 5000 (AirPlay on macOS, moto's own server), 4566
# (LocalStack), 3000/3001 (SAM local) or 8000 (DynamoDB local), so it can run beside all of them.
SIM_PORT = 5599
# What the `[sim]` extra brings, imported before starting so that a missing one is named at once.
_SIM_MODULES = ("werkzeug.serving", "moto.moto_server.werkzeug_app", "moto.awslambda.models")


def _require_sim(what: str) -> None:
    """A UsageError (exit 2) when the `[sim]` extra is not installed (the imports inside the
    simulator happen only once it starts, well past any guard around `import lambdawait.sim`)."""
    import importlib
    import warnings

    from lambdawait.core.errors import UsageError

    for module in _SIM_MODULES:
        try:
            with warnings.catch_warnings():  # moto's own "install moto[server]" warning: ours says it
                warnings.simplefilter("ignore")
                importlib.import_module(module)
        except ImportError as exc:
            missing = exc.name or module
            raise UsageError(
                f"{what} needs the [sim] extra (no module named {missing!r}): pip install 'lambdawait[sim]'"
            ) from None


def demo() -> None:
    """Walk through create, update, publish, canary, rollback and a failure on the embedded simulator."""
    import sys

    from lambdawait.cli.boundary import command

    with command("demo", TEXT.render()):
        _require_sim("the demo")
        from lambdawait.app.demo import run_demo

        def write(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()

        run_demo(write)


def sim_serve(
    port: Annotated[
        int,
        option("--port", metavar="PORT", min=0, max=65535, help="Port to listen on (0: any free port)."),
    ] = SIM_PORT,
    host: Annotated[
        str, option("--host", metavar="ADDRESS", help="Address to bind (loopback by default).")
    ] = "127.0.0.1",
    scenario: Annotated[
        Path | None,
        option(
            "--scenario", metavar="FILE", help="Scenario file (TOML or JSON).", exists=True, dir_okay=False
        ),
    ] = None,
) -> None:
    """Run the simulated Lambda control plane until Ctrl-C / SIGTERM."""
    import sys

    from lambdawait.cli.boundary import command

    with command("sim serve", TEXT.render()):
        _require_sim("`lambdawait sim serve`")
        from lambdawait.core.errors import UsageError
        from lambdawait.sim.server import serve

        problem = _bind_problem(host, port)
        if problem is not None:
            raise UsageError(problem)
        # A scenario that does not load is serve's UsageError; SIGINT/SIGTERM end it with exit 0.
        serve(host, port, str(scenario) if scenario else None, sys.stdout)


def _bind_problem(host: str, port: int) -> str | None:
    """Why `sim serve` could not listen on host:port, in one line; None when it can.

    Tried here, before serving: the web server behind the simulator prints its own paragraph and
    exits 1 when its bind fails. (Another program may still take the port in between: rare.)
    """
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        socket.create_server((host, port), family=family).close()
    except OSError as exc:
        return _bind_error_line(exc, host, port)
    return None


def _bind_error_line(exc: OSError, host: str, port: int) -> str:
    import errno
    import os
    import socket

    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; pass another --port, or --port 0 for any free one"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port}; use a port above 1023, or --port 0"
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
        reason = exc.strerror if isinstance(exc, socket.gaierror) else os.strerror(exc.errno or 0)
        return f"cannot listen on --host {host}: {reason}; use an address of this machine"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
