"""Health gates checked during a traffic shift: CloudWatch alarms, a check command, a smoke invoke."""

from __future__ import annotations

import functools
import json
import math
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lambdawait.core.errors import UsageError, translate_client_error

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import CompositeAlarmTypeDef, MetricAlarmTypeDef

    from lambdawait.aws.api import LambdaApi

CHECK_COMMAND_TIMEOUT = 300.0  # default --check-timeout, seconds
# How long a stopped check command's processes get to exit on SIGTERM before SIGKILL: short, since
# an interrupted shift still has to restore its alias before CI's own SIGKILL arrives.
KILL_GRACE_SECONDS = 1.0
# The check command is named by this label in every output, never by its text: command lines carry
# tokens (`curl -H "Authorization: Bearer ..."`) and logs, JSON and step summaries are read widely.
CHECK_LABEL = "the check command"


@dataclass(frozen=True)
class GateSpec:
    """Which gates a shift uses."""

    alarms: tuple[str, ...] = ()
    check_command: str | None = None
    smoke_payload: bytes | None = None  # None: no smoke invoke
    check_timeout: float = CHECK_COMMAND_TIMEOUT

    @property
    def any(self) -> bool:
        return bool(self.alarms or self.check_command or self.smoke_payload is not None)


@dataclass(frozen=True)
class GateFailure:
    """A gate that fired: which, and what it saw."""

    gate: str  # "alarm" | "check-command" | "smoke-invoke"
    detail: str


class GateFired(Exception):
    """A gate failed during a bake: raised so it is unwound like every other way out of a shift."""

    def __init__(self, failure: GateFailure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


def stop_reason(cause: BaseException) -> str:
    """Why a shift or a release stopped, in words, for the report of what it left."""
    from lambdawait.core.errors import LambdawaitError

    if isinstance(cause, GateFired):
        return cause.failure.detail
    if isinstance(cause, KeyboardInterrupt):
        return "interrupted"
    if isinstance(cause, LambdawaitError):
        return cause.message
    return f"{type(cause).__name__}: {cause}"


def parse_payload(text: str | None) -> bytes | None:
    """The smoke-invoke payload: JSON text (default `{}`); invalid JSON is a usage error."""
    if text is None:
        return None
    body = text.strip() or "{}"
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"--smoke-invoke payload is not valid JSON ({exc.msg})", hint="pass a JSON document, e.g. '{}'"
        ) from exc
    return body.encode()


def parse_check_command(text: str | None) -> str | None:
    """--check-command: None when absent or empty; refused before any change if no shell can run it."""
    if not text:
        return None
    if "\x00" in text:  # the OS cannot pass it to a shell: it would fail mid-shift, not here
        raise UsageError("--check-command contains a NUL byte", hint="pass the command as plain text")
    return text


def parse_check_timeout(value: float) -> float:
    """--check-timeout: seconds above 0 and finite; anything else is a usage error."""
    if not (math.isfinite(value) and value > 0):
        raise UsageError(
            f"--check-timeout {value:g} is not valid",
            hint=f"pass the seconds a check command may run, above 0 (default {CHECK_COMMAND_TIMEOUT:g})",
        )
    return value


class Gates:
    """Runs the gates of one shift against injected clients and a command runner."""

    def __init__(
        self,
        spec: GateSpec,
        *,
        lambda_client: LambdaApi,
        cloudwatch: Callable[[], CloudWatchClient],
        run_command: Callable[[str, dict[str, str]], int] | None = None,
    ) -> None:
        self.spec = spec
        self.lambda_client = lambda_client
        self._cloudwatch = cloudwatch
        self.run_command = run_command or functools.partial(run_shell, timeout=spec.check_timeout)

    def check_alarms_exist(self) -> None:
        """Before any change: every named alarm exists (a typo would make the gate blind)."""
        if not self.spec.alarms:
            return
        found = {a["AlarmName"] for a in self._describe(self.spec.alarms)}
        missing = [name for name in self.spec.alarms if name not in found]
        if missing:
            raise UsageError(
                f"CloudWatch alarm(s) not found: {', '.join(missing)}",
                hint="check the --alarm names and the region",
            )

    def _describe(self, names: Sequence[str]) -> list[MetricAlarmTypeDef | CompositeAlarmTypeDef]:
        import botocore.exceptions

        alarms: list[MetricAlarmTypeDef | CompositeAlarmTypeDef] = []
        try:
            for start in range(0, len(names), 100):
                # Without AlarmTypes, DescribeAlarms returns metric alarms only: a composite alarm
                # would be reported missing and could never fire.
                response = self._cloudwatch().describe_alarms(
                    AlarmNames=list(names[start : start + 100]),
                    AlarmTypes=["CompositeAlarm", "MetricAlarm"],
                )
                alarms.extend(response.get("MetricAlarms", []))
                alarms.extend(response.get("CompositeAlarms", []))
        except botocore.exceptions.ClientError as exc:
            raise translate_client_error(exc, action="reading CloudWatch alarms") from exc
        return alarms

    def alarms(self) -> GateFailure | None:
        """An alarm in state ALARM, if any."""
        if not self.spec.alarms:
            return None
        firing = [a for a in self._describe(self.spec.alarms) if a.get("StateValue") == "ALARM"]
        if firing:
            first = firing[0]
            return GateFailure("alarm", f"{first['AlarmName']} is in ALARM: {first.get('StateReason', '')}")
        return None

    def check_command(self, env: dict[str, str]) -> GateFailure | None:
        """Run the check command; non-zero, a timeout or a failure to start fails the gate.

        The details name it by a label, never by its text (see CHECK_LABEL).
        """
        if not self.spec.check_command:
            return None
        try:
            code = self.run_command(self.spec.check_command, env)
        except subprocess.TimeoutExpired:
            return GateFailure(
                "check-command",
                f"{CHECK_LABEL} ran over {self.spec.check_timeout:g}s (--check-timeout) and was stopped",
            )
        except OSError as exc:
            return GateFailure("check-command", f"{CHECK_LABEL} could not start: {exc.strerror or 'OSError'}")
        if code < 0:
            return GateFailure("check-command", f"{CHECK_LABEL} was killed by {_signal_name(-code)}")
        if code != 0:
            return GateFailure("check-command", f"{CHECK_LABEL} exited {code}")
        return None

    def smoke_invoke(self, function: str, version: str) -> GateFailure | None:
        """Invoke the new version directly; a FunctionError (HTTP 200 all the same) fails the gate."""
        if self.spec.smoke_payload is None:
            return None
        import botocore.exceptions

        try:
            response = self.lambda_client.invoke(
                FunctionName=function, Qualifier=version, Payload=self.spec.smoke_payload
            )
        except botocore.exceptions.ClientError as exc:
            error = translate_client_error(exc, action=f"smoke invoke of {function}:{version}")
            return GateFailure("smoke-invoke", error.message)
        if response.get("FunctionError"):
            body = response["Payload"].read()[:300].decode("utf-8", "replace")
            return GateFailure(
                "smoke-invoke", f"{function}:{version} returned {response['FunctionError']}: {body}"
            )
        return None

    def step_end(self, function: str, version: str, env: dict[str, str]) -> GateFailure | None:
        """Every gate, cheapest first."""
        return self.alarms() or self.check_command(env) or self.smoke_invoke(function, version)


def run_shell(command: str, env: dict[str, str], *, timeout: float = CHECK_COMMAND_TIMEOUT) -> int:
    """Run a check command through the shell in its own process group; its exit status.

    Whatever ends the wait (the timeout, Ctrl-C/SIGTERM raised by our signal handler, any error)
    stops the whole group, so nothing it started (`curl ... &`, a test runner's workers) outlives
    it, then re-raises. So does a normal exit: a check is over when its command is.
    """
    # Its output goes to our stderr: stdout is reserved for the result. Its own session: a signal
    # for the group reaches every process it started, and none of ours.
    from lambdawait.core.signals import deferred

    # A signal while the child starts (Popen returns only after the shell is running, and the shell
    # may already have started children) would leave a group we hold no handle to: hold it until
    # `proc` exists, then deliver it, so the group is stopped like on any other way out.
    with deferred() as received:
        proc = subprocess.Popen(
            command, shell=True, env={**os.environ, **env}, stdout=2, start_new_session=True
        )
    try:
        if received:
            signal.raise_signal(received[0])
        code = proc.wait(timeout=timeout)
    except BaseException:
        _stop_group(proc)
        raise
    _stop_group(proc)
    return code


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the check command's process group, SIGKILL after a grace period; reap the shell."""
    pgid = proc.pid  # start_new_session: the shell leads its own group
    if not _signal_group(pgid, signal.SIGTERM):
        proc.wait()
        return
    deadline = time.monotonic() + KILL_GRACE_SECONDS
    while time.monotonic() < deadline:
        # The shell is reaped as soon as it exits; its group lives on while any child does.
        if proc.poll() is not None and not _group_running(pgid):
            return
        time.sleep(0.01)
    _signal_group(pgid, signal.SIGKILL)
    proc.wait()
    # SIGKILL is delivered asynchronously: on a loaded machine a grandchild can take a moment to
    # go. Say "stopped" only once none runs (bounded: an unkillable D-state process must not hang us).
    deadline = time.monotonic() + KILL_GRACE_SECONDS
    while _group_running(pgid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _group_running(pgid: int) -> bool:
    """Whether a process of the group still runs. An orphan that exited stays a zombie until init
    reaps it, and some container inits never do: on Linux, /proc tells zombies apart."""
    if not _signal_group(pgid, 0):
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        try:
            state, _ppid, pgrp = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):  # not a process, or gone meanwhile
            continue
        if pgrp == str(pgid) and state != "Z":
            return True
    return False


def _signal_group(pgid: int, signum: int) -> bool:
    """Send a signal to a process group; False when no process of it is left."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member changed user (setuid): not ours to stop
        return False
    return True


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
