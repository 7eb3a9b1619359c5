"""Timing helpers shared by every benchmark: subprocess timing, percentiles, the machine record."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LAMBDAWAIT = str(VENV_BIN / "lambdawait")
PYTHON = sys.executable


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100), like numpy's default."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarize(values: Sequence[float]) -> dict[str, float]:
    """Median, p95, min, max, mean and count of a sample."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "min": min(values),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def run_timed(cmd: Sequence[str], env: Mapping[str, str], timeout: float = 120) -> tuple[float, int, str]:
    """Wall time of a whole process (spawn to reap), its exit code and its stdout."""
    start = time.perf_counter()
    proc = subprocess.run(
        list(cmd), env=dict(env), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - start, proc.returncode, proc.stdout


def time_interleaved(
    commands: Mapping[str, Sequence[str]],
    runs: int,
    env: Mapping[str, str],
    warmup: int = 2,
    before_each: Any = None,
) -> dict[str, list[float]]:
    """Run each command `runs` times, round-robin so drift hits all alike; warm-up runs are dropped.

    A non-zero exit aborts: a benchmark of a failing command measures nothing.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(warmup + runs):
        for name, cmd in commands.items():
            if before_each is not None:
                before_each(name)
            seconds, code, _ = run_timed(cmd, env)
            if code != 0:
                raise RuntimeError(f"{name}: {' '.join(cmd)} exited {code}")
            if i >= warmup:
                times[name].append(seconds)
    return times


def resolve_exe(name: str) -> str:
    """The real executable behind `name`; a pyenv shim (a bash script) would add its own start-up."""
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} not found on PATH")
    if "/.pyenv/shims/" in path and shutil.which("pyenv"):
        real = subprocess.run(["pyenv", "which", name], capture_output=True, text=True)
        if real.returncode == 0 and real.stdout.strip():
            return real.stdout.strip()
    return path


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without the user's AWS settings (never real credentials), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_"))}
    env.update({"NO_COLOR": "1", "COLUMNS": "120"})
    env.update(extra or {})
    return env


def _version_of(cmd: Sequence[str]) -> str:
    try:
        out = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return (out.stdout or out.stderr).strip()


def machine_info() -> dict[str, Any]:
    """What the figures ran on."""
    import boto3
    import botocore

    import lambdawait

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        moto_version = __import__("moto").__version__
    except ImportError:
        moto_version = None
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "lambdawait": lambdawait.__version__,
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "moto": moto_version,
        "awscli": _version_of([resolve_exe("aws"), "--version"]),
        "load_average": list(os.getloadavg()),
        "git_commit": _version_of(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
    }


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")
