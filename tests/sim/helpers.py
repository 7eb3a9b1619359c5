"""Shared helpers for simulator tests: zips, function creation, polling with a deadline."""

from __future__ import annotations

import io
import json
import subprocess
import time
import zipfile
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.config import Config

from lambdawait.sim import Simulator

T = TypeVar("T")

FAST: dict[str, Any] = {"defaults": {"create_seconds": 0.2, "update_seconds": 0.2}}
POLL_INTERVAL = 0.07
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def make_zip(files: dict[str, str] | None = None, sim: dict[str, Any] | None = None) -> bytes:
    """A deterministic zip (fixed timestamps) with handler.py or `files`, plus lambdawait-sim.json."""
    entries = dict(files or {"handler.py": "def handler(e, c): return e\n"})
    if sim is not None:
        entries["lambdawait-sim.json"] = json.dumps(sim)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, text in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


def create(sim: Simulator, name: str, *, zip_bytes: bytes | None = None, **extra: Any) -> Any:
    return sim.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=sim.role_arn(),
        Handler="handler.handler",
        Code={"ZipFile": zip_bytes or make_zip()},
        **extra,
    )


def poll(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float = 3.0) -> T:
    """Call `fetch` until `done` holds; fail when the deadline passes (no blind sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {timeout}s; last value: {value!r}")
        # Polls read GetFunctionConfiguration, which shares the simulated account's 15
        # requests/s with every other control-plane call: poll below that rate.
        time.sleep(POLL_INTERVAL)


def config(sim: Simulator, name: str, qualifier: str | None = None) -> dict[str, Any]:
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    result: dict[str, Any] = dict(
        sim.client("lambda").get_function_configuration(FunctionName=name, **kwargs)
    )
    return result


def wait_active(sim: Simulator, name: str) -> dict[str, Any]:
    return poll(lambda: config(sim, name), lambda c: c["State"] == "Active")


def wait_updated(sim: Simulator, name: str) -> dict[str, Any]:
    return poll(lambda: config(sim, name), lambda c: c.get("LastUpdateStatus") != "InProgress")


def error_of(exc: Any) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a botocore ClientError."""
    response = exc.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def read_exports(proc: subprocess.Popen[str], deadline: float) -> dict[str, str]:
    """The `export KEY=VALUE` lines `serve` prints, read until all five are there."""
    exports: dict[str, str] = {}
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("export "):
            key, _, value = line[len("export ") :].strip().partition("=")
            exports[key] = value
            if len(exports) == 5:
                return exports
    raise AssertionError(f"serve printed no complete environment; got {exports}")
