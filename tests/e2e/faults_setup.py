"""Helpers for the fault e2e tests: a faulty scenario, a client that sees through faults, processes."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from lambdawait.sim import Simulator
from tests.e2e.conftest import EXE, Run, base_env

T = TypeVar("T")

# 30 % of Lambda calls throttled, 5 % answered 503. Retry-After is whole seconds on the wire
# (the scenario takes an integer, as HTTP does): 0 keeps 20 runs inside the time budget, and
# lambdawait's own backoff (0.1-0.2 s first retry) still applies on top of it.
FAULTY: dict[str, Any] = {
    "seed": 20240601,
    "defaults": {"create_seconds": 0.05, "update_seconds": 0.08, "publish_seconds": 0.0},
    "faults": {"throttle_rate": 0.3, "error_rate": 0.05, "error_status": 503, "retry_after_seconds": 0},
}
# botocore's own retries off: each throttle then reaches lambdawait's retrying client (every
# non-polling call) or the waiter's transient retry (polls), which are what is under test here.
NO_BOTOCORE_RETRIES = {"AWS_MAX_ATTEMPTS": "1"}
TRANSIENT = {"TooManyRequestsException", "ServiceException", "ThrottlingException"}


def steady(call: Callable[[], T], attempts: int = 60) -> T:
    """Run a test-side AWS call until it gets through the injected faults (a fault-free view)."""
    import botocore.exceptions

    for _ in range(attempts - 1):
        try:
            return call()
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in TRANSIENT:
                raise
            time.sleep(0.01)
    return call()


def checker(sim: Simulator) -> Any:
    """A Lambda client without botocore retries: `steady` alone decides, so its sleeps stay short."""
    from botocore.config import Config

    return sim.client("lambda", config=Config(retries={"total_max_attempts": 1}))


def alias_of(client: Any, function: str, alias: str = "live") -> tuple[str, dict[str, float]]:
    """(primary version, additional weights) of the alias, read through any injected faults."""
    got = steady(lambda: client.get_alias(FunctionName=function, Name=alias))
    weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return str(got["FunctionVersion"]), dict(weights)


def wait_ready(client: Any, function: str, timeout: float = 5.0) -> None:
    """Until $LATEST is Active with its last update Successful."""
    deadline = time.monotonic() + timeout
    while True:
        cfg = steady(lambda: client.get_function_configuration(FunctionName=function))
        if cfg.get("State") == "Active" and cfg.get("LastUpdateStatus") == "Successful":
            return
        assert time.monotonic() < deadline, f"{function} never became ready"
        time.sleep(0.02)


def faulted_calls(sim: Simulator) -> dict[str, int]:
    """How many Lambda calls the simulator answered with an injected fault, per operation."""
    with urllib.request.urlopen(f"{sim.endpoint}/_sim/calls", timeout=5) as reply:
        return dict(json.load(reply)["faulted"])


def spawn(
    sim: Simulator, home: Path, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start the installed executable in the background, pipes on stdout and stderr."""
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [str(EXE), *args],
        env={**base_env(sim, home), **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def one_json(run: Run) -> dict[str, Any]:
    """The single JSON document on stdout (json.loads refuses trailing data, so two fail)."""
    doc = json.loads(run.stdout)
    assert isinstance(doc, dict)
    return doc


def write_zip(path: Path, entries: Mapping[str, tuple[bytes, int]]) -> Path:
    """A zip of `name -> (content, unix mode)` with fixed timestamps."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, (content, mode) in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system, info.external_attr = 3, (0o100000 | mode) << 16
            archive.writestr(info, content)
    return path


def elf(machine: int) -> bytes:
    """A 64-bit little-endian ELF header for `machine` (62 = x86_64, 183 = aarch64)."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    header[18:20] = machine.to_bytes(2, "little")
    return bytes(header)
