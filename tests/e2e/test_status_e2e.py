"""`lambdawait status` as a person reads it, and an unknown profile, through the installed executable."""

from __future__ import annotations

import re
from collections.abc import Callable

from lambdawait.sim import Simulator
from tests.e2e.conftest import Run
from tests.e2e.shift_setup import two_versions


def test_status_shows_configuration_and_how_long_ago(sim: Simulator, cli: Callable[..., Run]) -> None:
    two_versions(sim)
    run = cli("status", "app")
    assert run.code == 0, run.stderr
    rows = dict(re.findall(r"^  (\S+(?: \S+)?) {2,}(.*)$", run.stdout, re.M))
    assert rows["handler"] == "app.handler" and rows["memory"] == "128 MB" and rows["timeout"] == "3 s"
    assert re.fullmatch(r"\S+ \((just now|\d+ seconds? ago)\)", rows["last modified"]), rows
    assert rows["version 1"].endswith(("just now", "ago"))


def test_an_unknown_profile_is_named(sim: Simulator, cli: Callable[..., Run]) -> None:
    run = cli(
        "status", "app", env={"AWS_PROFILE": "nosuch", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    )
    assert run.code == 4  # AWS cannot be reached as configured: the AWS-error exit code
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: AWS profile 'nosuch' (from AWS_PROFILE) not found")
