"""`lambdawait demo`: the main job, end to end, against the embedded simulator; no AWS account needed.

Every step runs the real `lambdawait` command a user would type, as a subprocess, against a
simulator started in this process, so what the demo shows is exactly what the tool does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Real seconds, short enough for a demo, long enough to see each state.
DEMO_SCENARIO: dict[str, Any] = {
    "defaults": {"create_seconds": 2.0, "update_seconds": 1.5, "publish_seconds": 0.5},
    "functions": [
        {
            "match": "demo-broken*",
            "create_seconds": 1.5,
            "create_outcome": "failed",
            "create_reason_code": "SubnetOutOfIPAddresses",
            "create_reason": "All subnets specified for the function are out of IP addresses.",
        }
    ],
}


@dataclass(frozen=True)
class DemoStep:
    title: str
    args: tuple[str, ...]
    expect: int = 0


def _write_app(root: Path, greeting: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(
        f"def handler(event, context):\n    return {{'greeting': {greeting!r}}}\n", encoding="utf-8"
    )


def steps(app: Path, role: str) -> list[tuple[DemoStep, Callable[[], None] | None]]:
    """The walkthrough; the callable before a step changes the source, as a developer would."""
    create = ("--dir", str(app), "--runtime", "python3.12", "--handler", "app.handler", "--role", role)
    deploy = ("deploy", "demo-fn", *create)
    alias = ("--alias", "live")
    return [
        (
            DemoStep("Create a function and wait until it is Active", (*deploy, "--env", "API_TOKEN=s3cr3t")),
            None,
        ),
        (DemoStep("Deploy the same source again: nothing changed, zero mutating calls", deploy), None),
        (
            DemoStep(
                "Change code and memory: update, wait Successful after each", (*deploy, "--memory", "256")
            ),
            lambda: _write_app(app, "hello v2"),
        ),
        (DemoStep("Publish version 1 (waits until the version is Active)", ("publish", "demo-fn")), None),
        (
            DemoStep(
                "Create the alias `live` on version 1", ("shift", "demo-fn", *alias, "--to-version", "1")
            ),
            None,
        ),
        (
            DemoStep(
                "Preview a canary shift (no change made)",
                (
                    "shift",
                    "demo-fn",
                    *alias,
                    "--to-version",
                    "1",
                    "--strategy",
                    "Canary10Percent5Minutes",
                    "--plan",
                ),
            ),
            None,
        ),
        (
            DemoStep(
                "Deploy new code, publish version 2, shift `live` linearly (50% per second)",
                (*deploy, "--memory", "256", "--publish", *alias, "--strategy", "linear:50:1s"),
            ),
            lambda: _write_app(app, "hello v3"),
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
                "A creation that fails: lambdawait stops at once, says why and what to do",
                ("deploy", "demo-broken", *create),
                expect=1,
            ),
            None,
        ),
        (DemoStep("Look the reason code up", ("explain", "SubnetOutOfIPAddresses")), None),
    ]


def run_demo(write: Callable[[str], None], *, python: str = sys.executable) -> int:
    """Run every step; returns the exit code (0 when every step did what it should)."""
    from lambdawait.sim import Scenario, Simulator

    started = time.monotonic()
    with Simulator(Scenario.from_dict(DEMO_SCENARIO)) as sim, tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "app"
        _write_app(app, "hello")
        env = {**os.environ, **sim.env(), "NO_COLOR": "1"}
        env.pop("AWS_ENDPOINT_URL", None)  # shown explicitly on each command line instead
        env.pop("AWS_PROFILE", None)
        write(f"lambdawait demo: simulator on {sim.endpoint} (no AWS account involved)\n")
        write(
            "its credentials: AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1\n"
        )
        for number, (step, before) in enumerate(steps(app, sim.role_arn()), start=1):
            if before:
                before()
            args = [*step.args]
            if step.args[0] != "explain":
                args += ["--endpoint-url", sim.endpoint]
            write(f"\n[{number}] {step.title}\n$ lambdawait {_display(args)}\n")
            proc = subprocess.run(
                [python, "-m", "lambdawait", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
            )
            write(proc.stdout)
            if proc.returncode != step.expect:
                write(f"demo: step {number} exited {proc.returncode}, expected {step.expect}\n")
                return 1
            write(f"(exit {proc.returncode}{', as expected' if step.expect else ''})\n")
    write(f"\ndemo finished in {time.monotonic() - started:.1f}s\n")
    return 0


def _display(args: list[str]) -> str:
    """The command line as typed, with environment values masked: the demo never prints secrets."""
    import shlex

    shown = []
    for index, arg in enumerate(args):
        if index and args[index - 1] == "--env" and "=" in arg:
            arg = arg.split("=", 1)[0] + "=****"
        shown.append(shlex.quote(arg))
    return " ".join(shown)
