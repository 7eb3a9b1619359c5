"""Benchmark 6: `plan` and `apply` on 100 functions against the simulator's quotas (run by hand).

    .venv/bin/python bench/many.py                 # 100 functions, --rate 14, about 6 minutes
    .venv/bin/python bench/many.py --functions 20  # a quick look

Against `lambdawait sim serve` with the quota model on (15 control-plane requests/s, GetFunction
100/s) and updates of 1-5 s (by the name's last digit): every function gets a code and a
configuration change, is published and its alias moved AllAtOnce. Measured:

- `apply` wall time against the floor (see `floor`): every control-plane call the run made
  (counted by the simulator) at 15/s plus the shortest code + configuration settle, or the slowest
  function's two settles, whichever is longer. Target ≤ 1.15x, zero calls failed by throttling
  after retries (the run exits 0; the simulator's 429 count is printed).
- the same change as a loop of single-function `lambdawait deploy --publish --alias` runs, on 10
  functions (one per duration bucket), extrapolated x N.
- `plan` on N functions (target ≤ 2 s plus start-up, start-up = `lambdawait --version`).
- SIGTERM during an N-function canary (2 s into the bake of its first step): time from the signal
  to the process's exit with every alias whole again (checked afterwards; target ≤ 7 s).
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from harness import LAMBDAWAIT, clean_env
from scenarios import fleet_duration
from simproc import SimServer

QUOTA = 15.0
BAKE_BEFORE_SIGNAL = 2.0


def name(index: int) -> str:
    return f"many-{index:03d}"


def scenario() -> dict[str, Any]:
    rules = [{"match": f"many-*{d}", "update_seconds": fleet_duration(d)} for d in range(10)]
    defaults = {"create_seconds": 0.5, "update_seconds": 1.0, "publish_seconds": 0}
    return {"defaults": defaults, "functions": rules}


def write_file(root: Path, count: int, memory: int, strategy: str = "AllAtOnce") -> Path:
    body = [
        "[defaults]",
        'runtime = "python3.12"',
        'handler = "app.handler"',
        'role = "${ROLE}"',
        'dir = "app"',
        'alias = "live"',
        f"memory = {memory}",
        f'strategy = "{strategy}"',
        "",
    ]
    body += [f"[functions.{name(i)}]" for i in range(count)]
    path = root / "lambdawait.toml"
    path.write_text("\n".join(body) + "\n")
    return path


def code(root: Path, tag: str) -> None:
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "app.py").write_text(f"def handler(event, context):\n    return {tag!r}\n")


def run(env: dict[str, str], *args: str, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run([LAMBDAWAIT, *args], env=env, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def floor(calls: int, n: int) -> float:
    """No run can beat either bound: every control-plane call at the quota, then some function's
    code and configuration settle (2 x the shortest); or the slowest function's two settles."""
    durations = [fleet_duration(i) for i in range(min(n, 10))]
    return max(calls / QUOTA + 2 * min(durations), 2 * max(durations))


def control_plane_calls(calls: dict[str, int]) -> int:
    return sum(n for op, n in calls.items() if op not in ("GetFunction", "Invoke"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--functions", type=int, default=100)
    parser.add_argument("--rate", type=float, default=14.0)
    args = parser.parse_args()
    n, figures = args.functions, {}
    with SimServer(scenario()) as sim, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = clean_env({**sim.env(), "ROLE": sim.role_arn})
        rate = ["--rate", str(args.rate)]
        code(root, "v1")
        write_file(root, n, 128)
        seconds, proc = run(env, "apply", *rate, cwd=root)
        assert proc.returncode == 0, proc.stderr[-2000:]
        print(f"created {n} functions in {seconds:.1f} s", file=sys.stderr)
        figures["startup"], _ = run(env, "plan", "--help", cwd=root)

        code(root, "v2")
        write_file(root, n, 256)
        figures["plan"], proc = run(env, "plan", "--detailed-exitcode", cwd=root)
        assert proc.returncode == 7, proc.stderr[-2000:]
        sim.reset_calls()
        figures["apply"], proc = run(env, "apply", *rate, "-o", "json", cwd=root)
        assert proc.returncode == 0, proc.stderr[-2000:]
        snapshot = sim._control("GET", "/_sim/calls")
        calls = snapshot["calls"]
        figures["controlPlaneCalls"] = control_plane_calls(calls)
        figures["throttled"] = sum((snapshot.get("throttled") or {}).values())
        figures["floor"] = floor(figures["controlPlaneCalls"], n)
        figures["sequential"] = _sequential(env, root, sim, n)

        code(root, "v3")
        write_file(root, n, 512, strategy="canary:10:10m")
        figures["sigterm"], whole = _sigterm(env, root, sim, n, rate)
        figures["aliasesWhole"] = whole
    figures["ratio"] = figures["apply"] / figures["floor"]
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}, indent=2))


def _sequential(env: dict[str, str], root: Path, sim: SimServer, n: int) -> float:
    """One `deploy --publish --alias` per function, one after the other, on 10 functions (x n/10)."""
    code(root, "v2-seq")
    total = 0.0
    for index in range(10):
        seconds, proc = run(
            env, "deploy", name(index), "--dir", "app", "--memory", "384", "--publish", "--alias", "live",
            cwd=root,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        total += seconds
    return total * n / 10


def _sigterm(env: dict[str, str], root: Path, sim: SimServer, n: int, rate: list[str]) -> tuple[float, bool]:
    proc = subprocess.Popen(
        [LAMBDAWAIT, "apply", *rate], env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    for line in proc.stderr:
        if "release: 10%" in line:
            break
    # A cancelled job is cancelled during a bake (minutes long), not in the instant a step landed.
    time.sleep(BAKE_BEFORE_SIGNAL)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    seconds = time.perf_counter() - sent
    client = sim.client(retries={"mode": "standard", "total_max_attempts": 10})
    whole = True
    for index in range(n):
        alias = client.get_alias(FunctionName=name(index), Name="live")
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        whole = whole and not weights
    print(f"SIGTERM: exit {proc.returncode} after {seconds:.2f} s", file=sys.stderr)
    return seconds, whole


if __name__ == "__main__":
    main()
