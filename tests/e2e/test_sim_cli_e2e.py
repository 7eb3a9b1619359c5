"""`lambdawait demo` and `lambdawait sim serve` when they cannot run: one line, exit 2, no traceback."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from lambdawait.cli.app import SIM_PORT
from tests.e2e.conftest import EXE

# Runs the entry point with some top-level packages made unimportable, as without the [sim] extra.
WITHOUT = """
import sys

class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

BLOCKED = set(sys.argv[1].split(","))
sys.meta_path.insert(0, Missing())
sys.argv = ["lambdawait", *sys.argv[2:]]
from lambdawait.__main__ import main
main()
"""


@pytest.mark.parametrize(
    ("missing", "argv"),
    [("werkzeug", ("demo",)), ("moto", ("sim", "serve", "--port", "0")), ("flask", ("demo",))],
)
def test_without_the_sim_extra_one_line_says_what_to_install(missing: str, argv: tuple[str, ...]) -> None:
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT, missing, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 2 and run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: ") and f"'{missing}'" in line and "pip install 'lambdawait[sim]'" in line


@pytest.fixture
def default_port_taken() -> Iterator[None]:
    """The simulator's default port, held by someone else (us, or whoever already has it)."""
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", SIM_PORT))
        holder.listen(1)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
    yield
    holder.close()


def test_a_busy_port_is_one_line_suggesting_port_0(default_port_taken: None) -> None:
    run = subprocess.run(
        [str(EXE), "sim", "serve"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert run.returncode == 2 and run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert f"port {SIM_PORT} " in line and "already in use" in line and "--port 0" in line


def test_the_default_port_is_not_airplays() -> None:
    assert SIM_PORT not in (5000, 4566, 3000, 3001, 8000)
    run = subprocess.run([str(EXE), "sim", "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert f"[default: {SIM_PORT};" in " ".join(run.stdout.split())


def test_an_address_that_is_not_this_machines_is_one_line() -> None:
    run = subprocess.run(
        [str(EXE), "sim", "serve", "--host", "192.0.2.1", "--port", "0"],  # TEST-NET-1: never local
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 2
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: cannot listen on --host 192.0.2.1")
