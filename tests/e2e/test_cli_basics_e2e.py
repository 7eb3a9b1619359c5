"""The installed entry points: --version, --help, python -m, explain, and the demo."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import EXE


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def test_version_names_the_package_python_and_botocore() -> None:
    import platform

    import botocore

    from lambdawait import __version__

    expected = (
        f"lambdawait {__version__} (Python {platform.python_version()}, botocore {botocore.__version__})"
    )
    assert _run("--version").stdout.strip() == expected
    module = subprocess.run(
        [sys.executable, "-m", "lambdawait", "--version"], capture_output=True, text=True, check=True
    )
    assert module.stdout.strip() == expected
    # Typer's eager option (`--version` after another option) says the same.
    assert _run("--version", "--help").stdout.strip() == expected


def test_help_lists_every_command() -> None:
    run = _run("--help")
    assert run.returncode == 0
    for command in ("wait", "status", "explain", "deploy", "publish", "shift", "rollback", "sim", "demo"):
        assert command in run.stdout


def test_no_arguments_shows_help_not_a_traceback() -> None:
    run = _run()
    assert "Usage" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_explain_known_code() -> None:
    run = _run("explain", "EniLimitExceeded", "-o", "json")
    assert run.returncode == 0
    reason = json.loads(run.stdout)["reasons"][0]
    assert reason["code"] == "EniLimitExceeded" and reason["remediation"]


def test_explain_unknown_code_suggests_and_exits_2() -> None:
    run = _run("explain", "EniLimitExceded")
    assert run.returncode == 2
    assert "EniLimitExceeded" in run.stderr
    assert run.stderr.strip().count("\n") == 0


def test_explain_list_covers_botocore() -> None:
    from lambdawait.core.reasons import botocore_codes

    listed = {r["code"] for r in json.loads(_run("explain", "--list", "-o", "json").stdout)["reasons"]}
    for codes in botocore_codes().values():
        assert codes <= listed


def test_demo_runs_the_whole_job() -> None:
    run = _run("demo", timeout=90)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    for needle in (
        "deploy: created",
        "deploy: unchanged",
        "memory: 128 MB → 256 MB",  # the --dry-run diff
        '"outcome": "published"',  # -o json
        "shift: created",
        "✓ demo-fn:live: ready",  # wait
        "rollback: rolled-back",
        "alarm gate fired: demo-fn-errors is in ALARM",
        "alias live rolled back to version 1",
        "(exit 5, as expected)",
        "error: demo-broken: creation failed — State Failed (SubnetOutOfIPAddresses)",
    ):
        assert needle in run.stdout, needle
    assert "s3cr3t" not in run.stdout + run.stderr
    # Every command shown can be copied and run: nothing masked, no endpoint or scratch path in it.
    commands = [line for line in run.stdout.splitlines() if line.startswith("$ ")]
    assert len(commands) >= 15
    for line in commands:
        assert "****" not in line and "--endpoint-url" not in line and "127.0.0.1" not in line, line
        assert "/tmp" not in line, line
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in run.stdout


# -- signals before a command has its own handlers; output nobody reads --------------------------------


def _catches(pid: int, sig: int) -> bool:
    """Whether the process has a handler for `sig` (Linux: the SigCgt mask in /proc/PID/status)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


@pytest.fixture
def blackhole() -> Iterator[str]:
    """An endpoint that accepts connections and never answers: a command there runs until stopped."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


STARTUP_CASES = [
    (sig, argv, delay)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for argv, delay in zip(
        (("wait", "fn"), ("status", "fn")), random.Random(int(sig)).sample(range(150), 2), strict=True
    )
]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
@pytest.mark.parametrize(("sig", "argv", "delay_ms"), STARTUP_CASES, ids=lambda v: getattr(v, "name", str(v)))
def test_a_signal_during_startup_exits_130_without_a_traceback(
    blackhole: str, sig: signal.Signals, argv: tuple[str, ...], delay_ms: int
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1")
    proc = subprocess.Popen(
        [str(EXE), *argv, "--endpoint-url", blackhole],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # From the moment the entry point's handlers are in (SIGHUP is the last one installed), up
        # to 150 ms into the imports, option parsing and the command's own start.
        deadline = time.monotonic() + 20
        while not _catches(proc.pid, signal.SIGHUP):
            assert time.monotonic() < deadline and proc.poll() is None, "startup handlers never installed"
            time.sleep(0.001)
        time.sleep(delay_ms / 1000)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Traceback" not in err and out == ""


def _unread_pipe() -> int:
    """The write end of a pipe whose reader is already gone (`| head -0`): every write fails."""
    read_fd, write_fd = os.pipe()
    os.close(read_fd)
    return write_fd


@pytest.mark.parametrize(
    ("argv", "code"), [(("explain", "--list"), 0), (("explain", "NoSuchCode", "-o", "json"), 2)]
)
def test_a_reader_that_went_away_changes_nothing(argv: tuple[str, ...], code: int) -> None:
    broken = _unread_pipe()
    try:
        run = subprocess.run(
            [str(EXE), *argv],
            stdout=broken,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.close(broken)
    assert run.returncode == code
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr
    both = _unread_pipe()  # stdout and stderr gone (`2>&1 | head -0`)
    try:
        quiet = subprocess.run(
            [str(EXE), *argv], stdout=both, stderr=both, timeout=60, stdin=subprocess.DEVNULL
        )
    finally:
        os.close(both)
    assert quiet.returncode == code
