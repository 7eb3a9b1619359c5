"""Benchmark 4: update 100 functions and wait for all of them, against the floor the quotas allow."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any

from engines import lambdawait_waiter
from harness import LAMBDAWAIT, clean_env, resolve_exe, run_timed
from scenarios import Pacer, create_functions, fleet_duration, fleet_function, flip_instant, scenario
from simproc import SimServer

CONTROL_PLANE_RATE = 15.0  # req/s shared by every mutating Lambda call (and GetFunctionConfiguration)


def _issue_updates(sim: SimServer, names: Sequence[str], tag: str) -> float:
    """Start every update, paced at the control-plane quota; returns the wall instant of the first."""
    mutator = sim.client()
    pacer = Pacer(CONTROL_PLANE_RATE)
    started = time.time()
    for name in names:
        pacer.wait()
        mutator.update_function_configuration(FunctionName=name, Description=f"fleet {tag}")
    return started


def _flips(sim: SimServer, names: Sequence[str], after: float) -> list[float]:
    events = sim.events()
    flips = [flip_instant(events, name, after) for name in names]
    missing = [n for n, f in zip(names, flips, strict=True) if f is None]
    if missing:
        raise RuntimeError(f"no InProgress -> Successful event for {missing[:3]}")
    return [f for f in flips if f is not None]


def _lambdawait_in_process(sim: SimServer, names: Sequence[str]) -> dict[str, Any]:
    from lambdawait.aws.waiter import WaitRequest
    from lambdawait.core.acceptors import Target

    waiter, counter = lambdawait_waiter(sim)
    requests = [WaitRequest(n, None, Target.READY) for n in names]
    started = _issue_updates(sim, names, "in-process")
    issued = time.time()
    results = waiter.wait_many(requests, timeout=120)
    ended = time.time()
    return _run_record(sim, names, started, issued, ended, counter.count, all(r.ok for r in results))


def _lambdawait_cli(sim: SimServer, names: Sequence[str]) -> dict[str, Any]:
    started = _issue_updates(sim, names, "cli")
    issued = time.time()
    before = sim.calls().get("GetFunction", 0)
    proc = subprocess.run(
        [LAMBDAWAIT, "wait", *names, "--output", "json", "--timeout", "120"],
        env=clean_env(sim.env()),
        capture_output=True,
        text=True,
        timeout=300,
    )
    ended = time.time()
    ok = proc.returncode == 0 and bool(json.loads(proc.stdout)["ok"])
    calls = sim.calls().get("GetFunction", 0) - before
    return _run_record(sim, names, started, issued, ended, calls, ok)


def _run_record(
    sim: SimServer, names: Sequence[str], started: float, issued: float, ended: float, calls: int, ok: bool
) -> dict[str, Any]:
    last_flip = max(_flips(sim, names, started))
    return {
        "ok": ok,
        "wall_seconds": ended - started,
        "issue_seconds": issued - started,
        "last_flip_seconds": last_flip - started,
        "lag_after_last_flip_ms": (ended - last_flip) * 1000,
        "get_function_calls": calls,
    }


def _aws_loop_sample(sim: SimServer, sample: Sequence[str]) -> dict[str, Any]:
    """`aws lambda update-function-configuration` + `aws lambda wait function-updated-v2`, one by one."""
    aws = resolve_exe("aws")
    env = clean_env(sim.env())
    per_function: list[float] = []
    sim.reset_calls()
    for name in sample:
        update = [
            aws,
            "lambda",
            "update-function-configuration",
            "--function-name",
            name,
            "--description",
            "fleet aws",
        ]
        wait = [aws, "lambda", "wait", "function-updated-v2", "--function-name", name]
        total = 0.0
        for cmd in (update, wait):
            seconds, code, _ = run_timed(cmd, env)
            if code != 0:
                raise RuntimeError(f"{' '.join(cmd)} exited {code}")
            total += seconds
        per_function.append(total)
    calls = sim.calls()
    return {
        "sample": list(sample),
        "per_function_seconds": per_function,
        "mean_seconds": sum(per_function) / len(per_function),
        "get_function_calls_per_function": calls.get("GetFunction", 0) / len(sample),
    }


def measure(size: int, aws_sample: int) -> dict[str, Any]:
    names = [fleet_function(i) for i in range(size)]
    durations = [fleet_duration(i) for i in range(size)]
    with SimServer(scenario(fleet_size=size)) as sim:
        create_functions(sim.client(), names, sim.role_arn)
        runs: dict[str, Callable[[SimServer, Sequence[str]], dict[str, Any]]] = {
            "lambdawait Waiter.wait_many (in-process)": _lambdawait_in_process,
            f"`lambdawait wait {names[0]} … {names[-1]}` (CLI, one process)": _lambdawait_cli,
        }
        results = {label: run(sim, names) for label, run in runs.items()}
        # One function per last digit (each duration bucket once): the sample's mean duration is the
        # fleet's, so mean x size extrapolates the sequential loop fairly.
        step = max(1, size // aws_sample)
        sample = [fleet_function(min(size - 1, k * step + (k % 10))) for k in range(aws_sample)]
        aws = _aws_loop_sample(sim, sample)
    floor = max(max(durations), size / CONTROL_PLANE_RATE)
    aws["extrapolated_seconds"] = aws["mean_seconds"] * size
    for record in results.values():
        record["vs_floor"] = record["wall_seconds"] / floor
        record["vs_schedule_floor"] = record["wall_seconds"] / record["last_flip_seconds"]
    return {
        "functions": size,
        "update_seconds": {"min": min(durations), "max": max(durations), "mean": sum(durations) / size},
        "updates_paced_at_per_second": CONTROL_PLANE_RATE,
        "floor_seconds": floor,
        "lambdawait": results,
        "aws_cli_loop": aws,
        "aws_vs_floor": aws["extrapolated_seconds"] / floor,
    }
