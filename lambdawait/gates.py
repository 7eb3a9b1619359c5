"""Health gates checked during a traffic shift: CloudWatch alarms, a check command, a smoke invoke."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lambdawait.errors import UsageError, translate_client_error

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_lambda import LambdaClient

CHECK_COMMAND_TIMEOUT = 300.0


@dataclass(frozen=True)
class GateSpec:
    """Which gates a shift uses."""

    alarms: tuple[str, ...] = ()
    check_command: str | None = None
    smoke_payload: bytes | None = None  # None: no smoke invoke

    @property
    def any(self) -> bool:
        return bool(self.alarms or self.check_command or self.smoke_payload is not None)


@dataclass(frozen=True)
class GateFailure:
    """A gate that fired: which, and what it saw."""

    gate: str  # "alarm" | "check-command" | "smoke-invoke"
    detail: str


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


class Gates:
    """Runs the gates of one shift against injected clients and a command runner."""

    def __init__(
        self,
        spec: GateSpec,
        *,
        lambda_client: LambdaClient,
        cloudwatch: Callable[[], CloudWatchClient],
        run_command: Callable[[str, dict[str, str]], int] | None = None,
    ) -> None:
        self.spec = spec
        self.lambda_client = lambda_client
        self._cloudwatch = cloudwatch
        self.run_command = run_command or _run_shell

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

    def _describe(self, names: Sequence[str]) -> list[dict[str, Any]]:
        import botocore.exceptions

        alarms: list[dict[str, Any]] = []
        try:
            for start in range(0, len(names), 100):
                # Without AlarmTypes, DescribeAlarms returns metric alarms only: a composite alarm
                # would be reported missing and could never fire.
                response = self._cloudwatch().describe_alarms(
                    AlarmNames=list(names[start : start + 100]),
                    AlarmTypes=["CompositeAlarm", "MetricAlarm"],
                )
                alarms.extend(dict(a) for a in response.get("MetricAlarms", []))
                alarms.extend(dict(a) for a in response.get("CompositeAlarms", []))
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
        if not self.spec.check_command:
            return None
        try:
            code = self.run_command(self.spec.check_command, env)
        except subprocess.TimeoutExpired:
            return GateFailure(
                "check-command", f"`{self.spec.check_command}` ran over {CHECK_COMMAND_TIMEOUT:g}s"
            )
        except OSError as exc:
            return GateFailure("check-command", f"`{self.spec.check_command}` could not run: {exc}")
        if code != 0:
            return GateFailure("check-command", f"`{self.spec.check_command}` exited {code}")
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


def _run_shell(command: str, env: dict[str, str]) -> int:
    # The check command's own output goes to our stderr: stdout is reserved for the result.
    completed = subprocess.run(
        command,
        shell=True,
        env={**os.environ, **env},
        stdout=2,
        timeout=CHECK_COMMAND_TIMEOUT,
        check=False,
    )
    return completed.returncode
