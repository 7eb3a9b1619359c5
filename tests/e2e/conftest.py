"""End-to-end fixtures: the installed `lambdawait` executable, run as a subprocess against the simulator.

`cli` runs the installed executable. `cli_in_process` runs the same entry point
(`lambdawait.__main__.main`) inside the test process, with the same arguments, environment and
exit code, over the same real HTTP: a test that checks a text property of many runs (exit 2 and
one line for 40 bad inputs, no secret in any output) proves it there at ~1/10 of the CPU, and
keeps a representative few on the installed executable for what only a real process shows
(Python's own output at start and exit, the console script, signals).
"""

from __future__ import annotations

import gc
import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lambdawait.sim import Simulator

EXE = Path(sys.executable).with_name("lambdawait")


def _result_schema() -> Any:
    schema = json.loads((Path(__file__).parents[2] / "schema" / "result.schema.json").read_text())
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


# schema/result.schema.json, checked once: jsonschema.validate(doc, schema) re-checks the schema
# itself against its meta-schema on every call (~30 ms each).
RESULT_SCHEMA = _result_schema()
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
def home(tmp_path: Path) -> Path:
    """HOME for the commands of one test (no ~/.aws: only the simulator's environment counts)."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def cli(sim: Simulator, home: Path) -> Callable[..., Run]:
    """Run the installed executable with the simulator's endpoint and credentials in the environment."""
    assert EXE.exists(), f"{EXE} missing: install the project (pip install -e '.[dev]')"

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


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def _process_state(args: tuple[str, ...], env: Mapping[str, str]) -> Iterator[tuple[io.BytesIO, io.BytesIO]]:
    """What a fresh process would have (argv, environment, stdout/stderr pipes), restored after."""
    # main() installs signal handlers, which Python allows only on the main thread.
    assert threading.current_thread() is threading.main_thread(), "in-process runs need the main thread"
    from lambdawait.cli import boundary

    saved_env, saved_argv = dict(os.environ), sys.argv
    saved_streams = sys.stdout, sys.stderr
    saved_signals = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
    out, err = io.BytesIO(), io.BytesIO()
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [str(EXE), *args]
    pipes = [io.TextIOWrapper(buffer, encoding="utf-8", write_through=True) for buffer in (out, err)]
    sys.stdout, sys.stderr = pipes
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved_streams
        for pipe in pipes:  # detached, a collected wrapper cannot close the buffers read after
            if not pipe.closed:
                pipe.flush()
                pipe.detach()
        sys.argv = saved_argv
        os.environ.clear()
        os.environ.update(saved_env)
        for sig, handler in saved_signals.items():
            signal.signal(sig, handler)
        boundary.started = False  # module state a new process starts without
        gc.unfreeze()  # main() freezes the heap for its exit; this process goes on collecting


def run_in_process(args: tuple[str, ...], env: Mapping[str, str]) -> Run:
    """Run `lambdawait ARGS` through the console script's entry point, in this process."""
    from lambdawait.__main__ import main

    with _process_state(args, env) as (out, err):
        code = 0
        try:
            main()
        except SystemExit as exc:
            if isinstance(exc.code, int) or exc.code is None:
                code = exc.code or 0
            else:  # as the interpreter does at exit: the message on stderr, exit 1
                print(exc.code, file=sys.stderr)
                code = 1
    return Run(tuple(args), code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def cli_in_process(sim: Simulator, home: Path) -> Callable[..., Run]:
    """Like `cli`, but through `lambdawait.__main__.main` in this process (main thread only)."""

    def run(*args: str, env: Mapping[str, str] | None = None) -> Run:
        return run_in_process(args, {**base_env(sim, home), **(env or {})})

    return run


@pytest.fixture
def cli_mixed(cli: Callable[..., Run], cli_in_process: Callable[..., Run]) -> Callable[..., Run]:
    """The first run of each command (deploy, wait, ...) through the installed executable, the later
    ones in-process: a test of many runs keeps a real process per command at a fraction of the CPU."""
    seen: set[str] = set()

    def run(*args: str, env: Mapping[str, str] | None = None, timeout: float = 60) -> Run:
        command = args[0] if args else ""
        if command in seen:
            return cli_in_process(*args, env=env)
        seen.add(command)
        return cli(*args, env=env, timeout=timeout)

    return run
