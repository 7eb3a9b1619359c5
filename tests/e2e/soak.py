"""A seeded soak: deploy → publish → canary under random faults and signals, each run then judged.

Each run releases version 2 of its own function (version 1 and alias `live` on 1 are set up before
any fault) with the installed `lambdawait deploy … --publish --alias live --strategy canary:P:B`,
under throttling, 5xx and lost replies (at random rates, and a few pinned so that every round
loses some), and in most runs a signal (SIGINT, SIGTERM, SIGHUP, or SIGINT then SIGTERM 100 ms
later, as a cancelled GitHub job gets) at a random moment of the shift. With the faults off, the
run is judged (soak_judge) and `lambdawait rollback` runs three times.

The simulator's faults are global, so runs go in rounds of `lanes` concurrent runs (one function
each) sharing one draw of faults; with one lane every run has faults of its own. The plan (faults,
strategy, signal and moment) follows from the seed; the order in which concurrent calls meet the
fault draws does not, so a failing run is reproduced with `lanes=1` and its faults and moment.
Used by tests/e2e/test_soak_e2e.py (a small soak) and bench/soak.py (the README figures).
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import EXE, base_env
from tests.e2e.faults_setup import wait_ready, write_zip
from tests.e2e.shift_setup import make_zip
from tests.e2e.soak_judge import Attempt, Verdict, judge

TIMINGS: dict[str, Any] = {"create_seconds": 0.05, "update_seconds": 0.08, "publish_seconds": 0.0}
THROTTLE = (0.0, 0.30)  # share of Lambda calls answered 429
ERRORS = (0.0, 0.05)  # share answered 5xx
LOST = (0.0, 0.10)  # share of the calls below carried out whose reply is then lost
# Every write a deploy → publish → shift can make (CreateAlias and UpdateFunctionConfiguration
# are not made by this flow, but a regression that started making them would meet lost replies).
LOST_OPERATIONS = (
    "UpdateAlias", "UpdateFunctionCode", "PublishVersion", "CreateAlias", "UpdateFunctionConfiguration",
)  # fmt: skip
# Replies lost for certain in each round besides the rate: with a handful of writes per run, a rate
# alone often loses none. The Nth UpdateFunctionCode or PublishVersion of the round (every deploy
# makes one, before any signal: the soak cannot pass without a lost reply), and the 1st or 2nd
# UpdateAlias (a canary step, the last step or a restore, whichever comes first).
PINNED = ("UpdateFunctionCode", "PublishVersion")
SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGINT+SIGTERM")
KINDS = ("none", *SIGNALS)
# A cancelled GitHub job gets SIGINT, then SIGTERM: 100 ms apart here, so the second lands mid-restore.
SECOND_SIGNAL_AFTER = 0.1
# Where a signal's delay counts from: the shift's group (printed once its signal handlers are in
# place, before its checks and version wait), or its first progress line (the canary step is live).
ANCHORS = {"group": "::group::Shifting", "step": "(step 1/"}
DEPLOY_TIMEOUT = 90.0  # the retry and restore budgets are 30 s and 20 s: past this it hangs


@dataclass(frozen=True)
class RunPlan:
    number: int
    round: int
    function: str
    percent: int
    bake: float  # seconds
    signal: str  # one of KINDS
    anchor: str  # a key of ANCHORS
    delay: float  # seconds after the anchor line
    botocore_retries: bool  # False: AWS_MAX_ATTEMPTS=1, so only lambdawait's own retries act

    def env(self) -> dict[str, str]:
        return {} if self.botocore_retries else {"AWS_MAX_ATTEMPTS": "1"}

    @property
    def strategy(self) -> str:
        return f"canary:{self.percent}:{self.bake:g}s"

    @property
    def surely_running(self) -> bool:
        """The signal goes out inside the canary's bake, whatever the machine's speed: from either
        anchor, the shift still has at least the whole bake ahead of it."""
        return self.delay < self.bake - 0.05

    def argv(self, zip_path: Path) -> tuple[str, ...]:
        return (
            "deploy", self.function, "--zip", str(zip_path), "--publish", "--alias", "live",
            "--strategy", self.strategy, "-o", "json",
        )  # fmt: skip


@dataclass(frozen=True)
class Round:
    index: int
    seed: int
    faults: dict[str, Any]  # a scenario's [faults] table
    runs: tuple[RunPlan, ...]


def _deck(rng: random.Random, kinds: Sequence[str], count: int) -> list[str]:
    """`count` draws that hold every kind once when there is room for it (then seeded draws), shuffled."""
    picks = list(kinds[:count]) + [rng.choice(kinds) for _ in range(count - len(kinds))]
    rng.shuffle(picks)
    return picks


def plan(seed: int, runs: int, lanes: int, botocore_retries: float = 0.5) -> list[Round]:
    """The whole soak, from the seed alone; `botocore_retries`: the share of runs that keep them.

    botocore's standard retries back off up to 1-2 s per throttle; without them (as in
    test_faults_e2e) each throttle and lost reply reaches lambdawait's own retries at once.
    """
    rng = random.Random(seed)
    kinds = _deck(rng, KINDS, runs)
    rounds = []
    for index, first in enumerate(range(0, runs, lanes)):
        numbers = range(first, min(first + lanes, runs))
        faults = {
            "throttle_rate": round(rng.uniform(*THROTTLE), 3),
            "error_rate": round(rng.uniform(*ERRORS), 3),
            "error_status": rng.choice((500, 502, 503)),
            "retry_after_seconds": 0,  # whole seconds only; lambdawait's own backoff still applies
            "lost_reply_rate": round(rng.uniform(*LOST), 3),
            "lost_reply_status": (0, 502)[index % 2],  # both kinds in any two rounds
            "lost_reply_operations": list(LOST_OPERATIONS),
            "lost_reply_calls": {
                rng.choice(PINNED): [rng.randint(1, len(numbers))],
                "UpdateAlias": [rng.randint(1, 2)],
            },
        }
        plans = []
        for number in numbers:
            bake = rng.choice((0.2, 0.25, 0.3, 0.35, 0.4))
            percent = rng.choice((10, 25, 50))
            # From the anchor to a little past the schedule: some signals land in the checks, some
            # in the bake, some on the last step, some after the release landed.
            anchor = rng.choice(sorted(ANCHORS))
            delay = round(rng.uniform(0.0, bake + 0.4), 3)
            retries = rng.random() < botocore_retries
            name = f"soak-{seed}-{number:03d}"
            plans.append(RunPlan(number, index, name, percent, bake, kinds[number], anchor, delay, retries))
        rounds.append(Round(index, rng.randrange(1 << 30), faults, tuple(plans)))
    return rounds


class FaultTally:
    """Injected faults by kind (429 or 5xx): the simulator's own `faulted` tally lumps them together."""

    def __init__(self, sim: Simulator) -> None:
        injector = sim._running_app().faults  # the only seam that sees each injected answer
        self._apply = injector.apply
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        injector.apply = self._counted  # type: ignore[method-assign]

    def _counted(self, faults: Any, operation: str) -> Any:
        fault = self._apply(faults, operation)
        if fault is not None:
            with self._lock:
                self.counts["throttle 429" if fault.status == 429 else "5xx"] += 1
        return fault


@dataclass
class Result:
    """One run: its plan and faults, what the deploy did, and the verdict."""

    plan: RunPlan
    faults: dict[str, Any]
    attempt: Attempt
    verdict: Verdict

    def reproduction(self, seed: int) -> str:
        a, p = self.attempt, self.plan
        return (
            f"seed {seed} run {p.number} (round {p.round}, {p.function}): lambdawait {' '.join(a.argv)}\n"
            f"  env {p.env()}; faults {self.faults}\n"
            f"  signal {p.signal} {p.delay:.3f}s after {ANCHORS[p.anchor]!r} (sent: {a.signal_sent})\n"
            f"  exit {a.code}\n"
            f"  problems: {'; '.join(self.verdict.problems)}\n"
            f"  stderr tail: {a.stderr[-1200:]!r}\n  stdout head: {a.stdout[:600]!r}"
        )


@dataclass
class Soak:
    """Runs a plan against a running simulator; `workdir` holds zips, homes and step summaries."""

    sim: Simulator
    workdir: Path
    seed: int
    cli_rollbacks: int = 3  # how many of the three rollbacks run `lambdawait rollback` (else in-process)
    # Timings, and the account's request quotas as AWS sets them (their 429s count as throttling).
    scenario: dict[str, Any] = field(default_factory=lambda: {"defaults": TIMINGS})
    on_result: Callable[[Result], None] = lambda result: None
    results: list[Result] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    calm: Scenario = field(init=False)
    zip_path: Path = field(init=False)

    def run(self, rounds: Sequence[Round]) -> list[Result]:
        # Setting up and judging run on a calm Lambda: no faults, and no account quota either (its
        # 429s are throttling too, and a test-side client would give up on them).
        self.calm = Scenario.from_dict({**self.scenario, "quotas": {"enabled": False}})
        self.sim.set_scenario(self.calm)
        tally = FaultTally(self.sim)
        self.zip_path = write_zip(
            self.workdir / "release.zip", {"app.py": (b"def handler(e, c):\n    return 2\n", 0o644)}
        )
        lanes = max(len(r.runs) for r in rounds)
        with ThreadPoolExecutor(max_workers=lanes) as pool:
            list(pool.map(self._seed_function, [p for r in rounds for p in r.runs]))
            for rnd in rounds:
                self._round(pool, rnd)
        self.faults.update(tally.counts)
        self.faults["quota 429"] = sum(self.sim.throttled_calls().values())
        return self.results

    def _round(self, pool: ThreadPoolExecutor, rnd: Round) -> None:
        lost_before = sum(self.sim.lost_replies().values())
        faulty = {**self.scenario, "faults": rnd.faults, "seed": rnd.seed}
        self.sim.set_scenario(Scenario.from_dict(faulty))
        attempts = list(pool.map(self._deploy, rnd.runs))
        self.sim.set_scenario(self.calm)
        lost = sum(self.sim.lost_replies().values()) - lost_before
        # One lost-reply status per round, so the simulator's count by operation says which kind.
        kind = "lost reply (closed)" if rnd.faults["lost_reply_status"] == 0 else "lost reply (502)"
        self.faults[kind] += lost
        verdicts = pool.map(lambda a: judge(self.sim, a, self.cli_rollbacks), attempts)
        for p, attempt, verdict in zip(rnd.runs, attempts, verdicts, strict=True):
            result = Result(p, rnd.faults, attempt, verdict)
            self.results.append(result)
            self.on_result(result)

    def _seed_function(self, p: RunPlan) -> None:
        """Version 1 and alias `live` on it, made while no fault is on."""
        lam = self.sim.client("lambda")
        lam.create_function(
            FunctionName=p.function, Runtime="python3.12", Role=self.sim.role_arn(), Handler="app.handler",
            Code={"ZipFile": make_zip("v1")},
        )  # fmt: skip
        wait_ready(lam, p.function)
        assert lam.publish_version(FunctionName=p.function)["Version"] == "1"
        lam.create_alias(FunctionName=p.function, Name="live", FunctionVersion="1")

    def _deploy(self, p: RunPlan) -> Attempt:
        home = self.workdir / f"home-{p.number}"
        home.mkdir(parents=True, exist_ok=True)
        gha = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(self.workdir / f"summary-{p.number}.md")}
        argv = p.argv(self.zip_path)
        start = time.monotonic()
        proc = subprocess.Popen(
            [str(EXE), *argv], env={**base_env(self.sim, home), **gha, **p.env()}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stderr is not None
        hung = threading.Event()  # a watchdog: reading stderr up to the anchor has no timeout of its own
        watchdog = threading.Timer(DEPLOY_TIMEOUT, lambda: (hung.set(), proc.kill()))
        watchdog.start()
        try:
            head, reached = _read_until(proc.stderr, ANCHORS[p.anchor])
            sent = _signal(proc, p) if reached and p.signal != "none" else False
            out, rest = proc.communicate()
        finally:
            watchdog.cancel()
        code = None if hung.is_set() else proc.returncode  # None: hung, judged broken
        return Attempt(
            p.function, argv, code, out, head + rest, reached, sent, time.monotonic() - start, home, gha
        )


def _read_until(stream: IO[str], marker: str) -> tuple[str, bool]:
    """stderr up to the marker line (True), or all of it when the process ended first (False)."""
    seen = []
    for line in iter(stream.readline, ""):
        seen.append(line)
        if marker in line:
            return "".join(seen), True
    return "".join(seen), False


def _signal(proc: subprocess.Popen[str], p: RunPlan) -> bool:
    """Send the planned signal(s) after the planned delay; False when the process had already ended."""
    time.sleep(p.delay)
    if proc.poll() is not None:
        return False
    first, _, second = p.signal.partition("+")
    proc.send_signal(signal.Signals[first])
    if second:
        time.sleep(SECOND_SIGNAL_AFTER)
        proc.send_signal(signal.Signals[second])  # a no-op if the first already ended it
    return True


def figures(soak: Soak) -> dict[str, Any]:
    """The soak's figures, as the README's reliability table shows them."""
    results = soak.results
    verdicts = Counter(r.verdict.outcome for r in results)
    sent = Counter(r.plan.signal for r in results if r.attempt.signal_sent)
    by_signal: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for r in results:
        kind = r.plan.signal if r.attempt.signal_sent or r.plan.signal == "none" else "none (not sent)"
        by_signal.setdefault(kind, Counter())[str(r.attempt.code)] += 1
    return {
        "seed": soak.seed,
        "runs": len(results),
        "whole": verdicts["whole"],
        "wholeOnNew": sum(1 for r in results if r.verdict.outcome == "whole" and r.verdict.on_new),
        "wholeOnKnownGood": sum(1 for r in results if r.verdict.outcome == "whole" and not r.verdict.on_new),
        "reported": verdicts["reported"],
        "broken": verdicts["broken"],
        "exitCodes": dict(sorted(Counter(str(r.attempt.code) for r in results).items())),
        "signalsPlanned": {k: sum(1 for r in results if r.plan.signal == k) for k in KINDS},
        "signalsSent": {k: sent[k] for k in SIGNALS},
        "exitCodesBySignal": {k: dict(sorted(v.items())) for k, v in by_signal.items() if v},
        "faults": dict(soak.faults),
        "rollbackThreeTimes": dict(Counter(r.verdict.rollback for r in results)),
        "brokenRuns": [r.reproduction(soak.seed) for r in results if r.verdict.outcome == "broken"],
    }
