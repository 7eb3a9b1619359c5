"""lambdawait under faults: throttling and 5xx, signals at random moments, bad inputs, planted secrets.

Two concurrent `shift`s on one alias (one wins with exit 0, the other exits 4, the alias stays
consistent) are covered by tests/e2e/test_shift_e2e.py::test_two_concurrent_shifts_one_wins.
"""

from __future__ import annotations

import base64
import json
import random
import signal
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema

from lambdawait.sim import Scenario, Simulator
from tests.e2e.conftest import RESULT_SCHEMA, Run
from tests.e2e.faults_setup import (
    FAULTY,
    NO_BOTOCORE_RETRIES,
    alias_of,
    checker,
    elf,
    faulted_calls,
    one_json,
    spawn,
    wait_ready,
    write_zip,
)
from tests.e2e.shift_setup import QUICK, alias_state, make_zip, publish_new, read_until, two_versions

Cli = Callable[..., Run]


def _seed_function(sim: Simulator, name: str) -> None:
    """`name` with version 1 and alias `live` on it, set up before any fault is injected."""
    lam = sim.client("lambda")
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=sim.role_arn(), Handler="app.handler",
        Code={"ZipFile": make_zip("v0")},
    )  # fmt: skip
    wait_ready(lam, name)
    publish_new(sim, name, make_zip("v1"))
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")


# -- 1. deploy -> publish -> canary under throttling and 5xx ------------------------------------------


# 12 releases are enough to meet every fault here; the seeded soak (test_soak_e2e, bench/soak.py) adds
# lost replies and signals on top.
RUNS = 12
FUNCTIONS = 4


def test_deploy_publish_canary_survives_throttling_and_5xx(sim: Simulator, cli: Cli, tmp_path: Path) -> None:
    """12 consecutive releases (spread over 4 functions, one process each at a time) all land."""
    names = [f"faulty-{i}" for i in range(FUNCTIONS)]
    sim.set_scenario(Scenario.from_dict(QUICK))
    for name in names:
        _seed_function(sim, name)
    sim.set_scenario(Scenario.from_dict(FAULTY))
    look = checker(sim)
    role = sim.role_arn()

    def release(name: str, runs: int) -> list[str]:
        problems = []
        src = tmp_path / name
        src.mkdir()
        for run_no in range(runs):
            (src / "app.py").write_text(f"def handler(e, c):\n    return {run_no!r}\n")
            run = cli(
                "deploy", name, "--dir", str(src), "--runtime", "python3.12", "--handler", "app.handler",
                "--role", role, "--publish", "--alias", "live", "--strategy", "canary:50:0.2s", "-o", "json",
                env=NO_BOTOCORE_RETRIES,
            )  # fmt: skip
            expected = str(run_no + 2)  # version 1 was published before the faults
            if run.code != 0:
                problems.append(f"{name} run {run_no}: exit {run.code}: {run.stderr[-600:]}")
                break
            doc = one_json(run)
            RESULT_SCHEMA.validate(doc)
            held = alias_of(look, name)
            shifted = doc["shift"]
            if (
                doc["version"] != expected
                or shifted["weightsApplied"] != [0.5, 1.0]
                or held != (expected, {})
                or (shifted["alias"]["functionVersion"], shifted["alias"]["additionalVersionWeights"]) != held
            ):
                problems.append(f"{name} run {run_no}: version {doc['version']}, alias {held}, {shifted}")
                break
        return problems

    shares = [RUNS // FUNCTIONS + (i < RUNS % FUNCTIONS) for i in range(FUNCTIONS)]
    assert sum(shares) == RUNS
    with ThreadPoolExecutor(max_workers=FUNCTIONS) as pool:
        problems = [p for found in pool.map(release, names, shares) for p in found]
    assert problems == [], "\n".join(problems)
    faulted = faulted_calls(sim)
    # The faults really happened, on polls and writes alike. Which writes meet one is chance: the
    # fault sequence is seeded, but four concurrent processes interleave their calls differently on
    # every run, and ~16 PublishVersion calls all got through often enough to make a flaky test.
    assert sum(faulted.values()) >= 2 * RUNS, faulted
    assert "GetFunction" in faulted, faulted
    assert len({"UpdateFunctionCode", "PublishVersion", "UpdateAlias"} & set(faulted)) >= 2, faulted


# -- 2. SIGINT / SIGTERM at random moments of a shift ---------------------------------------------------


SIGNAL_RUNS = 20
SIGNAL_LANES = 4
LINEAR = "linear:25:0.3s"  # 25 % -> 50 % -> 75 % -> 100 %, 0.3 s apart: 0.9 s of schedule
SHIFT_SECONDS = 1.2  # the schedule plus the reads and writes around it: some signals land after the end


def test_signal_at_a_random_moment_never_leaves_the_alias_split(sim: Simulator, tmp_path: Path) -> None:
    rng = random.Random(1789)
    plan = [
        (rng.uniform(0.0, SHIFT_SECONDS), signal.SIGINT if rng.random() < 0.5 else signal.SIGTERM)
        for _ in range(SIGNAL_RUNS)
    ]
    names = [f"sig-{lane}" for lane in range(SIGNAL_LANES)]
    for name in names:
        two_versions(sim, name)

    outcomes: list[tuple[str, str]] = []
    anchored = set(range(SIGNAL_RUNS - SIGNAL_LANES, SIGNAL_RUNS))  # each lane's last run

    def lane(index: int) -> list[str]:
        name, problems = names[index], []
        summary = tmp_path / f"summary-{name}.md"
        # On GitHub Actions the shift opens a `::group::` just before its signal handlers go in:
        # the delay is counted from there, so it lands inside the shift, not in Python's start-up.
        gha = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
        for run_no in range(index, SIGNAL_RUNS, SIGNAL_LANES):
            delay, sig = plan[run_no]
            args = ("shift", name, "--alias", "live", "--to-version", "2", "--strategy", LINEAR, "-o", "json")
            proc = spawn(sim, tmp_path / f"home-{name}", *args, env=gha)
            assert proc.stderr is not None
            read_until(proc.stderr, "::group::Shifting live")
            if run_no in anchored:
                # The moment that once lost the result: the release has landed and the group is
                # closing. Timing-free, so "finished" is covered however loaded the machine is.
                read_until(proc.stderr, "::endgroup::")
            else:
                time.sleep(delay)
            proc.send_signal(sig)
            out, rest = proc.communicate(timeout=30)
            held = alias_state(sim, name)
            what = f"{name} run {run_no} ({sig.name} after {delay:.2f}s): exit {proc.returncode}"
            try:
                doc = json.loads(out)
            except json.JSONDecodeError:
                problems.append(f"{what}: stdout is not one JSON document: {out[-500:]!r} {rest[-500:]!r}")
                continue
            alias = doc.get("alias") or {}
            reported = (alias.get("functionVersion"), alias.get("additionalVersionWeights"))
            finished = held == ("2", {}) and proc.returncode == 0 and doc["outcome"] == "shifted"
            restored = held == ("1", {}) and proc.returncode == 130 and doc["exitCode"] == 130
            if not (finished or restored) or reported != held:
                problems.append(f"{what}: alias {held}, reported {reported}: {rest[-800:]}")
            outcomes.append((sig.name, "finished" if finished else "restored"))
            sim.client("lambda").update_alias(
                FunctionName=name,
                Name="live",
                FunctionVersion="1",
                RoutingConfig={"AdditionalVersionWeights": {}},
            )
        return problems

    with ThreadPoolExecutor(max_workers=SIGNAL_LANES) as pool:
        problems = [p for found in pool.map(lane, range(SIGNAL_LANES)) for p in found]
    assert problems == [], "\n".join(problems)
    # The seeded moments cover both endings and both signals.
    assert len(outcomes) == SIGNAL_RUNS
    assert {o for _, o in outcomes} == {"finished", "restored"}, outcomes
    assert {s for s, _ in outcomes} == {"SIGINT", "SIGTERM"}, outcomes


# -- 4. bad inputs: exit 2, one line on stderr, nothing changed ------------------------------------------

DEPLOY = ("deploy", "app", "--dir", "{app}")
SHIFT = ("shift", "app", "--alias", "live", "--to-version", "2")
PROVIDED = ("--runtime", "provided.al2023", "--handler", "bootstrap", "--role", "{role}")
LAYERS = tuple(
    a for i in range(6) for a in ("--layer", f"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:1")
)
NO_JSON = {
    "sim serve: missing scenario",
    "sim serve: bad scenario",
    "sim serve: bad port",
    "status: --output xml",
}

BAD_INPUTS: dict[str, tuple[str, ...]] = {
    # files
    "deploy: missing zip": ("deploy", "app", "--zip", "{tmp}/nope.zip"),
    "deploy: not a zip": ("deploy", "app", "--zip", "{notzip}"),
    "deploy: empty zip": ("deploy", "app", "--zip", "{emptyzip}"),
    "deploy: directory as --zip": ("deploy", "app", "--zip", "{app}"),
    "deploy: missing --env-file": (*DEPLOY, "--env-file", "{tmp}/none.env"),
    # zips and architectures
    "deploy: bootstrap not executable": ("deploy", "native", "--zip", "{bootstrap644}", *PROVIDED),
    "deploy: handler file missing": ("deploy", "app", "--zip", "{nohandler}"),
    "deploy: x86_64 ELF on arm64": (
        "deploy",
        "native",
        "--zip",
        "{x86}",
        *PROVIDED,
        "--architecture",
        "arm64",
    ),
    # documented limits
    "deploy: memory 20000": (*DEPLOY, "--memory", "20000"),
    "deploy: timeout 0": (*DEPLOY, "--timeout", "0"),
    "deploy: ephemeral storage 100": (*DEPLOY, "--ephemeral-storage", "100"),
    "deploy: env over 4 KB": (*DEPLOY, "--env", "BIG=" + "x" * 4200),
    "deploy: reserved env key": (*DEPLOY, "--env", "AWS_LAMBDA_FUNCTION_NAME=x"),
    "deploy: env item without =": (*DEPLOY, "--env", "NOVALUE"),
    "deploy: six layers": (*DEPLOY, *LAYERS),
    "deploy: description of 300": (*DEPLOY, "--description", "d" * 300),
    "deploy: bad function name": ("deploy", "bad/name!", "--dir", "{app}"),
    "deploy: reserved tag prefix": (*DEPLOY, "--tag", "aws:team=a"),
    # strategies
    "shift: unknown strategy": (*SHIFT, "--strategy", "Canary99Percent1Second"),
    "shift: canary:0:5m": (*SHIFT, "--strategy", "canary:0:5m"),
    "shift: linear:10:0s": (*SHIFT, "--strategy", "linear:10:0s"),
    "deploy: bad strategy": (*DEPLOY, "--publish", "--alias", "live", "--strategy", "canary:10"),
    # alias names and versions
    "shift: numeric alias": ("shift", "app", "--alias", "123", "--to-version", "2"),
    "shift: alias of 129": ("shift", "app", "--alias", "a" * 129, "--to-version", "2"),
    "shift: alias with bad chars": ("shift", "app", "--alias", "li ve!", "--to-version", "2"),
    "shift: $LATEST": ("shift", "app", "--alias", "live", "--to-version", "$LATEST"),
    "shift: version abc": ("shift", "app", "--alias", "live", "--to-version", "abc"),
    "rollback: version abc": ("rollback", "app", "--alias", "live", "--to-version", "abc"),
    "rollback: numeric alias": ("rollback", "app", "--alias", "007"),
    "wait: --for version without one": ("wait", "app", "--for", "version"),
    # flags
    "status: --output xml": ("status", "app", "--output", "xml"),
    "status: unknown option": ("status", "app", "--bogus"),
    "wait: --for nonsense": ("wait", "app", "--for", "nonsense"),
    "wait: --timeout -1": ("wait", "app", "--timeout", "-1"),
    "publish: --wait-timeout -5": ("publish", "app", "--wait-timeout", "-5"),
    "deploy: two code sources": (*DEPLOY, "--zip", "{notzip}"),
    "deploy: --alias without --publish": (*DEPLOY, "--alias", "live"),
    "deploy: smoke invoke not JSON": (*DEPLOY, "--publish", "--alias", "live", "--smoke-invoke", "{bad"),
    "shift: smoke invoke not JSON": (*SHIFT, "--smoke-invoke", "{bad"),
    "shift: --on-interrupt maybe": (*SHIFT, "--on-interrupt", "maybe"),
    "shift: missing --to-version": ("shift", "app", "--alias", "live"),
    "explain: unknown code": ("explain", "NoSuchReasonCode"),
    "explain: no code": ("explain",),
    "sim serve: missing scenario": ("sim", "serve", "--port", "0", "--scenario", "{tmp}/nope.toml"),
    "sim serve: bad scenario": ("sim", "serve", "--port", "0", "--scenario", "{badscenario}"),
    "sim serve: bad port": ("sim", "serve", "--port", "http"),
}


def _bad_input_files(tmp_path: Path, app_dir: Path, sim: Simulator) -> dict[str, str]:
    (tmp_path / "notzip.zip").write_text("hello")
    (tmp_path / "bad.toml").write_text("[defaults]\ncreate_secs = 1\n")
    with zipfile.ZipFile(tmp_path / "empty.zip", "w"):
        pass
    return {
        "{tmp}": str(tmp_path),
        "{app}": str(app_dir),
        "{role}": sim.role_arn(),
        "{notzip}": str(tmp_path / "notzip.zip"),
        "{emptyzip}": str(tmp_path / "empty.zip"),
        "{badscenario}": str(tmp_path / "bad.toml"),
        "{bootstrap644}": str(write_zip(tmp_path / "b644.zip", {"bootstrap": (b"#!/bin/sh\n", 0o644)})),
        "{nohandler}": str(write_zip(tmp_path / "nohandler.zip", {"other.py": (b"x = 1\n", 0o644)})),
        "{x86}": str(write_zip(tmp_path / "x86.zip", {"bootstrap": (elf(62), 0o755)})),
    }


# One case per command (and every `sim serve` case, which would start a server in this process) runs
# the installed executable; every case but `sim serve` also runs in-process (the same main()).
INSTALLED_CASES = (
    "wait: --for nonsense",
    "status: --output xml",
    "explain: unknown code",
    "deploy: x86_64 ELF on arm64",
    "publish: --wait-timeout -5",
    "shift: canary:0:5m",
    "rollback: numeric alias",
    "sim serve: missing scenario",
    "sim serve: bad scenario",
    "sim serve: bad port",
)


def _bad_input_problem(case: str, run: Run) -> str | None:
    """None when `run` exited 2 with one `error:` line (and the error document with -o json)."""
    lines = run.stderr.splitlines()
    ok = run.code == 2 and len(lines) == 1 and lines[0].startswith("error: ")
    ok = ok and "Traceback" not in run.stderr
    if ok and case not in NO_JSON:
        try:
            doc = one_json(run)
            RESULT_SCHEMA.validate(doc)
            ok = doc["exitCode"] == 2 and doc["ok"] is False and bool(doc["error"]["message"])
        except (ValueError, jsonschema.ValidationError) as exc:
            return f"{case}: not one valid JSON document ({exc}): {run.stdout[:300]!r}"
    elif ok:
        ok = run.stdout == ""
    return (
        None if ok else f"{case}: exit {run.code}: stderr {run.stderr[-600:]!r} stdout {run.stdout[:200]!r}"
    )


def _bad_input_argv(case: str, values: dict[str, str]) -> list[str]:
    argv = [_fill(arg, values) for arg in BAD_INPUTS[case]]
    return argv if case in NO_JSON else [*argv, "-o", "json"]


def test_bad_inputs_exit_2_with_one_line_and_change_nothing(
    sim: Simulator, cli_in_process: Cli, app_dir: Path, tmp_path: Path
) -> None:
    two_versions(sim)  # function `app`, versions 1 and 2, alias live on 1
    values = _bad_input_files(tmp_path, app_dir, sim)
    assert len(BAD_INPUTS) >= 30
    commands = {argv[0] for argv in BAD_INPUTS.values()}
    assert commands == {"wait", "status", "explain", "deploy", "publish", "shift", "rollback", "sim"}

    sim.reset_calls()
    cases = sorted(case for case in BAD_INPUTS if not case.startswith("sim serve"))
    problems = [
        p for case in cases if (p := _bad_input_problem(case, cli_in_process(*_bad_input_argv(case, values))))
    ]
    assert problems == [], "\n".join(problems)
    assert sim.mutating_calls() == 0, sim.calls()
    assert alias_state(sim) == ("1", {})


def test_bad_inputs_through_the_installed_executable(
    sim: Simulator, cli: Cli, app_dir: Path, tmp_path: Path
) -> None:
    two_versions(sim)
    values = _bad_input_files(tmp_path, app_dir, sim)
    assert {BAD_INPUTS[case][0] for case in INSTALLED_CASES} == {argv[0] for argv in BAD_INPUTS.values()}

    def check(case: str) -> str | None:
        return _bad_input_problem(case, cli(*_bad_input_argv(case, values), timeout=20))

    sim.reset_calls()
    with ThreadPoolExecutor(max_workers=3) as pool:
        problems = [p for p in pool.map(check, INSTALLED_CASES) if p]
    assert problems == [], "\n".join(problems)
    assert sim.mutating_calls() == 0, sim.calls()
    assert alias_state(sim) == ("1", {})


def _fill(arg: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        arg = arg.replace(key, value)
    return arg


# -- 5. planted secrets never appear in any output ---------------------------------------------------------

SECRET = "pl4nted-S3CRET-value-9081"
SECRET_FILE = "pl4nted-FILE-secret-7734"
SESSION_TOKEN = "pl4nted-SESSION-token-5521"  # in lambdawait's own environment: must not leak either
SECRETS = (SECRET, SECRET_FILE, SESSION_TOKEN)
LEAK_FORMS = tuple(
    form for s in SECRETS for form in (s, base64.b64encode(s.encode()).decode(), s.encode().hex())
)


# Steps (flow, index) that run the installed executable; the others run the same main() in-process.
# Text and JSON, success, a failed update and a refusal: what a real process adds (Python's own
# warnings and exit-time output) is seen on each kind of output.
INSTALLED_STEPS = {("sec-a", 0), ("sec-a", 4), ("failupd-b", 3), ("failupd-b", 5)}


def test_planted_secrets_never_appear_in_any_output(
    sim: Simulator, cli: Cli, cli_in_process: Cli, tmp_path: Path
) -> None:
    sim.set_scenario(
        Scenario.from_dict(
            {
                "defaults": {"create_seconds": 0.05, "update_seconds": 0.08},
                "functions": [
                    {"match": "broken-*", "create_outcome": "failed", "create_reason_code": "InvalidSubnet"},
                    {"match": "failupd-*", "update_fail_on": [1], "update_reason_code": "EniLimitExceeded"},
                ],
            }
        )
    )
    summary = tmp_path / "summary.md"
    env_file = tmp_path / "prod.env"
    env_file.write_text(f'DB_URL="postgres://app:{SECRET_FILE}@db/x"\n')
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "AWS_SESSION_TOKEN": SESSION_TOKEN}
    role = ("--runtime", "python3.12", "--handler", "app.handler", "--role", sim.role_arn())
    secrets = ("--env", f"TOKEN={SECRET}", "--env-file", str(env_file))

    def flow(name: str, expectations: list[tuple[tuple[str, ...], int]]) -> list[Run]:
        src = tmp_path / f"src-{name}"
        src.mkdir()
        runs = []
        for step, (argv, code) in enumerate(expectations):
            (src / "app.py").write_text(
                f"def handler(e, c):\n    return {step // 4}\n"
            )  # new code now and then
            runner = cli if (name, step) in INSTALLED_STEPS else cli_in_process
            run = runner(*(a.replace("{src}", str(src)) for a in argv), env=env)
            assert run.code == code, (argv, run.stdout[-800:], run.stderr[-800:])
            runs.append(run)
        return runs

    def deploy(name: str, *extra: str) -> tuple[str, ...]:
        return ("deploy", name, "--dir", "{src}", *role, *secrets, *extra)

    j, v = ("-o", "json"), ("--verbose",)
    happy = [
        (deploy("sec-a", *v), 0),  # create
        (deploy("sec-a", *j, *v), 0),  # unchanged
        (deploy("sec-a", "--memory", "256", "--dry-run", *j), 0),
        (deploy("sec-a", "--dry-run"), 0),
        (deploy("sec-a", "--publish", "--alias", "live", "--strategy", "canary:50:0.2s", *v), 0),  # update
        (("status", "sec-a"), 0),
        (("status", "sec-a", *j), 0),
        (("wait", "sec-a", *v), 0),
        (("wait", "sec-a", "--for", "version", "--qualifier", "1", *j, *v), 0),
        (("publish", "sec-a", *j, *v), 0),
        (deploy("sec-a", "--publish", "--alias", "live", "--strategy", "linear:50:0.2s", *j, *v), 0),
        (("shift", "sec-a", "--alias", "live", "--to-version", "1", "--strategy", "canary:50:0.2s", *v), 0),
        (("rollback", "sec-a", "--alias", "live", *j, *v), 0),
        (("rollback", "sec-a", "--alias", "live", "--to-version", "1"), 0),
        (("status", "sec-a", "sec-missing", *j), 4),
    ]
    failing = [
        (deploy("broken-b", *j, *v), 1),  # failed create
        (deploy("broken-b", *v), 1),  # a Failed function is refused
        (deploy("failupd-b", *j), 0),
        (deploy("failupd-b", "--env", f"EXTRA={SECRET}x", *j, *v), 1),  # failed update (code and env)
        (deploy("failupd-b", "--env", f"BAD-KEY={SECRET}", *j), 2),  # an invalid key next to a secret
        (deploy("failupd-b", "--env", f"BAD-KEY={SECRET}", *v), 2),
        (deploy("failupd-b", "--env", "BIG=" + SECRET * 200, *j), 2),  # env over 4 KB
        (deploy("failupd-b", "--env", "BIG=" + SECRET * 200), 2),
        (deploy("failupd-b", "--env", "AWS_REGION=" + SECRET, "--memory", "1", *j), 2),
        (("wait", "broken-b", *j, *v), 1),
        (("status", "broken-b", "failupd-b"), 0),
    ]
    runs = flow("sec-a", happy) + flow("failupd-b", failing)  # in-process runs need the main thread
    assert len(runs) == len(happy) + len(failing)
    text = summary.read_text()
    assert "lambdawait deploy: created" in text and "::error" in "".join(r.stderr for r in runs)
    leaks = [
        f"{run.args[:2]}: {form}" for run in runs for form in LEAK_FORMS if form in run.stdout + run.stderr
    ]
    leaks += [f"step summary: {form}" for form in LEAK_FORMS if form in text]
    assert leaks == []
    # The secrets really were deployed: their absence from the output is masking, not omission.
    lam = sim.client("lambda")
    assert lam.get_function_configuration(FunctionName="sec-a")["Environment"]["Variables"]["TOKEN"] == SECRET
