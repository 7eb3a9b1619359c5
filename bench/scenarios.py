"""Scenario dicts and fixtures for the benchmarks: function names, update durations, a tiny package."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

HANDLER_SOURCE = "def handler(event, context):\n    return {'ok': True}\n"
CREATE_SECONDS = 0.2

# Detection lag: one function per (engine, duration); the duration is encoded in the name.
LAG_ENGINES = ("lw", "bc", "cli")


def lag_tag(seconds: float) -> str:
    return f"{round(seconds * 1000):05d}ms"


def lag_function(engine: str, seconds: float) -> str:
    return f"lag-{engine}-{lag_tag(seconds)}"


def fleet_function(index: int) -> str:
    return f"fleet-{index:03d}"


def fleet_duration(index: int) -> float:
    """Update durations spread evenly over 1..5 s by the name's last digit (10 scenario rules, not 100)."""
    return round(1.0 + 4.0 * (index % 10) / 9, 3)


def scenario(
    lag_durations: Iterable[float] = (), fleet_size: int = 0, default_update: float = 0.5
) -> dict[str, Any]:
    """Every rule the benchmarks need, in one scenario (durations are real seconds)."""
    rules: list[dict[str, Any]] = [
        {"match": f"lag-*-{lag_tag(d)}", "update_seconds": d} for d in sorted(set(lag_durations))
    ]
    if fleet_size:
        rules += [
            {"match": f"fleet-*{digit}", "update_seconds": fleet_duration(digit)} for digit in range(10)
        ]
    return {
        "defaults": {
            "create_seconds": CREATE_SECONDS,
            "update_seconds": default_update,
            "publish_seconds": 0,
        },
        "functions": rules,
    }


def package_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("app.py", HANDLER_SOURCE)
    return buf.getvalue()


def write_source_dir(root: Path) -> Path:
    """A one-file Python function source directory for `lambdawait deploy --dir`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(HANDLER_SOURCE)
    return root


def create_functions(client: Any, names: Sequence[str], role_arn: str) -> None:
    """Create every function, then block until all are Active (simple polling, not a benchmark)."""
    code = package_bytes()
    for name in names:
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role_arn,
            Handler="app.handler",
            Code={"ZipFile": code},
        )
    wait_ready(client, names)


def wait_ready(client: Any, names: Sequence[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    pending = list(names)
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready: {pending[:5]}")
        pending = [n for n in pending if not _ready(client.get_function(FunctionName=n))]
        if pending:
            time.sleep(0.2)


def _ready(response: Mapping[str, Any]) -> bool:
    config = response["Configuration"]
    return bool(config.get("State") == "Active" and config.get("LastUpdateStatus") == "Successful")


class Pacer:
    """Spaces calls at `rate` per second (the 15 req/s control-plane quota for mutating calls)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            due = max(now, self._next)
            self._next = due + self.interval
        if due > now:
            time.sleep(due - now)


def flip_instant(events: Sequence[Mapping[str, Any]], function: str, after: float) -> float | None:
    """Wall-clock instant of the function's first InProgress -> Successful at or after `after`."""
    for event in events:
        if (
            event["function"] == function
            and event["qualifier"] == "$LATEST"
            and event["field"] == "LastUpdateStatus"
            and event["from"] == "InProgress"
            and event["to"] == "Successful"
            and float(event["at"]) >= after - 0.001
        ):
            return float(event["at"])
    return None
