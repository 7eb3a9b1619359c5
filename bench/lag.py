"""Benchmark 3: detection lag, from the simulator's InProgress -> Successful flip to the waiter's return."""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from engines import CallCounter, lambdawait_waiter
from harness import LAMBDAWAIT, clean_env, percentile, summarize
from scenarios import CREATE_SECONDS, create_functions, flip_instant, lag_function
from simproc import SimServer

# Nominal durations are scaled by U(1 - SPREAD, 1 + SPREAD) per trial: whole-second updates would
# line up with botocore's fixed 1 s delay and flatter it (a poll lands a few ms after each flip).
SPREAD = 0.15
LONG_WAIT = 5.0  # "waits over 5 s" in the call-count target


@dataclass
class Trial:
    """One update + wait by one engine."""

    engine: str
    nominal: float
    duration: float
    lag: float  # seconds from the flip to the waiter's return
    calls: int  # GetFunction requests sent (retries included)
    ok: bool


def _lambdawait_engine(sim: SimServer) -> Callable[[str], tuple[bool, int]]:
    """lambdawait's Waiter in-process, on a client built exactly as the CLI builds it."""
    from lambdawait.aws.waiter import WaitRequest
    from lambdawait.core.acceptors import Target

    waiter, counter = lambdawait_waiter(sim)

    def wait(name: str) -> tuple[bool, int]:
        before = counter.count
        result = waiter.wait(WaitRequest(name, None, Target.READY), timeout=60)
        return result.ok, counter.count - before

    return wait


def _botocore_engine(sim: SimServer) -> Callable[[str], tuple[bool, int]]:
    """botocore's own `function_updated_v2` waiter (Delay 1 s, 300 attempts), default client config."""
    client = sim.client()
    counter = CallCounter(client)
    waiter = client.get_waiter("function_updated_v2")

    def wait(name: str) -> tuple[bool, int]:
        before = counter.count
        waiter.wait(FunctionName=name)
        return True, counter.count - before

    return wait


def _cli_engine(sim: SimServer) -> Callable[[str], tuple[bool, int]]:
    """The installed `lambdawait wait` as a subprocess (start-up included, hidden behind the update)."""
    env = clean_env(sim.env())

    def wait(name: str) -> tuple[bool, int]:
        before = sim.calls().get("GetFunction", 0)
        proc = subprocess.run(
            [LAMBDAWAIT, "wait", name, "--output", "json", "--timeout", "60"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        ok = proc.returncode == 0 and json.loads(proc.stdout)["ok"]
        return ok, sim.calls().get("GetFunction", 0) - before

    return wait


def _run_trial(
    sim: SimServer,
    mutator: Any,
    engine: str,
    wait: Callable[[str], tuple[bool, int]],
    nominal: float,
    duration: float,
    serial: int,
) -> Trial:
    name = lag_function(engine, nominal)
    started = time.time()
    mutator.update_function_configuration(FunctionName=name, Description=f"bench {serial}")
    ok, calls = wait(name)
    exited = time.time()
    flip = flip_instant(sim.events(), name, started)
    lag = exited - flip if flip is not None else float("nan")
    return Trial(engine, nominal, duration, lag, calls, ok and flip is not None)


def _set_durations(sim: SimServer, durations: dict[str, float]) -> None:
    sim.set_scenario(
        {
            "defaults": {"create_seconds": CREATE_SECONDS, "update_seconds": 0.5},
            "functions": [{"match": name, "update_seconds": d} for name, d in durations.items()],
        }
    )


def measure(nominals: Sequence[float], reps: int, cli_reps: int, seed: int = 7) -> dict[str, Any]:
    """lambdawait (in-process) and botocore side by side per trial; then the CLI on its own."""
    rng = random.Random(seed)
    engines = ("lw", "bc", "cli") if cli_reps else ("lw", "bc")
    trials: list[Trial] = []
    with SimServer({"defaults": {"create_seconds": CREATE_SECONDS}}) as sim:
        setup = sim.client()
        create_functions(setup, [lag_function(e, d) for e in engines for d in nominals], sim.role_arn)
        rtt = _round_trip(setup, lag_function("lw", nominals[0]))
        waits = {"lw": _lambdawait_engine(sim), "bc": _botocore_engine(sim)}
        mutators = {"lw": sim.client(), "bc": sim.client(), "cli": sim.client()}
        plan = [(d, r) for d in nominals for r in range(reps)]
        rng.shuffle(plan)
        with ThreadPoolExecutor(max_workers=2) as pool:
            for serial, (nominal, _) in enumerate(plan):
                duration = round(nominal * rng.uniform(1 - SPREAD, 1 + SPREAD), 3)
                _set_durations(sim, {lag_function(e, nominal): duration for e in ("lw", "bc")})
                futures = [
                    pool.submit(_run_trial, sim, mutators[e], e, waits[e], nominal, duration, serial)
                    for e in ("lw", "bc")
                ]
                trials.extend(f.result() for f in futures)
        if cli_reps:
            cli = _cli_engine(sim)
            cli_plan = [d for d in nominals for _ in range(cli_reps)]
            rng.shuffle(cli_plan)
            for serial, nominal in enumerate(cli_plan):
                duration = round(nominal * rng.uniform(1 - SPREAD, 1 + SPREAD), 3)
                _set_durations(sim, {lag_function("cli", nominal): duration})
                trials.append(
                    _run_trial(sim, mutators["cli"], "cli", cli, nominal, duration, 10_000 + serial)
                )
    return {
        "nominal_seconds": list(nominals),
        "spread": SPREAD,
        "reps": reps,
        "cli_reps": cli_reps,
        "get_function_rtt_ms": rtt * 1000,
        "engines": {
            engine: summarize_engine([t for t in trials if t.engine == engine]) for engine in engines
        },
        "trials": [asdict(t) for t in trials],
    }


def _round_trip(client: Any, name: str, n: int = 30) -> float:
    """Median GetFunction round trip from this process: the floor under any detection lag."""
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        client.get_function(FunctionName=name)
        samples.append(time.perf_counter() - start)
    return sorted(samples)[n // 2]


def summarize_engine(trials: Sequence[Trial]) -> dict[str, Any]:
    good = [t for t in trials if t.ok]
    lags_ms = [t.lag * 1000 for t in good]
    long = [t for t in good if t.nominal > LONG_WAIT]
    by_duration: dict[str, Any] = {}
    for nominal in sorted({t.nominal for t in good}):
        group = [t for t in good if t.nominal == nominal]
        by_duration[f"{nominal:g}"] = {
            "n": len(group),
            "lag_p50_ms": percentile([t.lag * 1000 for t in group], 50),
            "lag_max_ms": max(t.lag * 1000 for t in group),
            "calls_mean": sum(t.calls for t in group) / len(group),
        }
    return {
        "waits": len(trials),
        "failed": len(trials) - len(good),
        "lag_ms": summarize(lags_ms),
        "lag_p50_ms": percentile(lags_ms, 50),
        "lag_p95_ms": percentile(lags_ms, 95),
        "calls_per_wait": summarize([float(t.calls) for t in good]),
        "calls_per_wait_over_5s": summarize([float(t.calls) for t in long]),
        "negative_lags": sum(1 for t in good if t.lag < 0),
        "by_duration": by_duration,
    }
