"""`lambdawait demo`: the main job, end to end, against the embedded simulator; no AWS account needed.

Every step runs the real `lambdawait` command a user would type, as a subprocess, against a
simulator started in this process, so what the demo shows is exactly what the tool does. The
commands are shown as they can be copied: the endpoint comes from AWS_ENDPOINT_URL (printed once),
the source is `app/` in a scratch directory, and the secret lives in a dotenv file, never on a
command line.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdawait.sim import Simulator

# Real seconds, short enough for a demo, long enough to see each state.
DEMO_SCENARIO: dict[str, object] = {
    "defaults": {"create_seconds": 1.0, "update_seconds": 1.0, "publish_seconds": 0.3},
    "functions": [
        {
            "match": "demo-broken*",
            "create_seconds": 1.0,
            "create_outcome": "failed",
            "create_reason_code": "SubnetOutOfIPAddresses",
            "create_reason": "All subnets specified for the function are out of IP addresses.",
        }
    ],
}
ALARM = "demo-fn-errors"


@dataclass(frozen=True)
class DemoStep:
    title: str
    args: tuple[str, ...]
    expect: int = 0
    # While the command runs: when a line of its output contains `when`, the demo does `act` and
    # shows `shown` (the command a person would type in another terminal).
    when: str | None = None
    shown: str = ""


def _write_app(root: Path, greeting: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(
        f"def handler(event, context):\n    return {{'greeting': {greeting!r}}}\n", encoding="utf-8"
    )


def steps(role: str) -> list[tuple[DemoStep, str | None]]:
    """The walkthrough; the greeting before a step is the source change a developer would make."""
    create = ("--dir", "app", "--runtime", "python3.12", "--handler", "app.handler", "--role", role)
    deploy = ("deploy", "demo-fn", *create, "--env-file", "app.env")
    alias = ("--alias", "live")
    fire = (
        f"aws cloudwatch set-alarm-state --alarm-name {ALARM} --state-value ALARM "
        "--state-reason 'errors after the deploy'"
    )
    canary = ("--publish", *alias, "--strategy", "canary:10:30s", "--alarm", ALARM)
    return [
        (
            DemoStep("Create a function (secrets from a dotenv file) and wait until it is Active", deploy),
            None,
        ),
        (DemoStep("Deploy the same source again: nothing changed, zero mutating calls", deploy), None),
        (
            DemoStep(
                "Preview a change: each field old -> new, nothing changed",
                (*deploy, "--memory", "256", "--dry-run"),
            ),
            "hello v2",
        ),
        (DemoStep("Apply it: update, wait Successful after each step", (*deploy, "--memory", "256")), None),
        (
            DemoStep(
                "Publish version 1, as JSON for scripts (-o json)", ("publish", "demo-fn", "-o", "json")
            ),
            None,
        ),
        (
            DemoStep(
                "Create the alias `live` on version 1", ("shift", "demo-fn", *alias, "--to-version", "1")
            ),
            None,
        ),
        (
            DemoStep(
                "Deploy new code, publish version 2, shift `live` linearly (50% per second)",
                (*deploy, "--memory", "256", "--publish", *alias, "--strategy", "linear:50:1s"),
            ),
            "hello v3",
        ),
        (
            DemoStep(
                "Wait until a function and an alias are ready (what CI runs)",
                ("wait", "demo-fn", "demo-fn:live"),
            ),
            None,
        ),
        (
            DemoStep("Inspect: state, versions, alias weights (env values masked)", ("status", "demo-fn")),
            None,
        ),
        (
            DemoStep(
                "Roll back from a fresh process, using the record kept in AWS",
                ("rollback", "demo-fn", *alias),
            ),
            None,
        ),
        (
            DemoStep(
                "Preview a canary shift back to version 2 (no change made)",
                (
                    "shift",
                    "demo-fn",
                    *alias,
                    "--to-version",
                    "2",
                    "--strategy",
                    "Canary10Percent5Minutes",
                    "--plan",
                ),
            ),
            None,
        ),
        (
            DemoStep(
                "A canary that an alarm stops: 10% on the new version, the alarm fires, traffic goes back",
                (*deploy, "--memory", "256", *canary),
                expect=5,
                when="10% on version",
                shown=fire,
            ),
            "hello v4 (broken)",
        ),
        (
            DemoStep(
                "A creation that fails: lambdawait stops at once, says why and what to do",
                ("deploy", "demo-broken", *create),
                expect=1,
            ),
            None,
        ),
        (DemoStep("Look the reason code up", ("explain", "SubnetOutOfIPAddresses")), None),
    ]


def run_demo(write: Callable[[str], None], *, python: str = sys.executable) -> None:
    """Run every step; a step that exits otherwise than it should is a TargetFailedError (exit 1)."""
    from lambdawait.core.errors import TargetFailedError
    from lambdawait.sim import Scenario, Simulator

    started = time.monotonic()
    with Simulator(Scenario.from_dict(DEMO_SCENARIO)) as sim, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _write_app(work / "app", "hello")
        # The dotenv file keeps the secret off the command lines the demo prints.
        (work / "app.env").write_text("API_TOKEN=s3cr3t\nLOG_LEVEL=info\n", encoding="utf-8")
        _make_alarm(sim)
        env = {**os.environ, **sim.env(), "NO_COLOR": "1"}
        env.pop("AWS_PROFILE", None)
        exports = " ".join(
            f"{k}={env[k]}"
            for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION")
        )
        write(
            f"lambdawait demo: a simulated Lambda on {sim.endpoint} (no AWS account involved)\n"
            f"every command below runs in a scratch folder (app/app.py, app.env) with\n"
            f"  export {exports}\n"
            f"to try them yourself: `lambdawait sim serve` prints the same exports for its port\n"
        )
        for number, (step, greeting) in enumerate(steps(sim.role_arn()), start=1):
            if greeting:
                _write_app(work / "app", greeting)
            write(f"\n[{number}] {step.title}\n$ lambdawait {shlex.join(step.args)}\n")
            code = _run_step(step, [python, "-m", "lambdawait", *step.args], env, work, write, sim)
            if code != step.expect:
                raise TargetFailedError(f"demo: step {number} exited {code}, expected {step.expect}")
            write(f"(exit {code}{', as expected' if step.expect else ''})\n")
    write(f"\ndemo finished in {time.monotonic() - started:.1f}s\n")


def _run_step(
    step: DemoStep,
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    write: Callable[[str], None],
    sim: Simulator,
) -> int:
    """Run one command, copying its output line by line; act once when `step.when` shows up."""
    proc = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    assert proc.stdout is not None
    acted = step.when is None
    for line in proc.stdout:
        write(line)
        if not acted and step.when and step.when in line:
            acted = True
            write(f"$ {step.shown}   # in another terminal (the demo does it)\n")
            _fire_alarm(sim)
    return proc.wait()


def _make_alarm(sim: Simulator) -> None:
    cloudwatch = sim.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=ALARM,
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Dimensions=[{"Name": "FunctionName", "Value": "demo-fn"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="quiet")


def _fire_alarm(sim: Simulator) -> None:
    sim.client("cloudwatch").set_alarm_state(
        AlarmName=ALARM, StateValue="ALARM", StateReason="errors after the deploy"
    )
