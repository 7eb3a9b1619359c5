"""Health gates: CloudWatch alarms (fake client), the check command, the smoke invoke."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdawait.aws.gates import Gates, GateSpec, parse_check_timeout, parse_payload, run_shell
from lambdawait.core.errors import UsageError
from tests.fakes import LambdaDouble, client_error


class FakeCloudWatch:
    def __init__(self, alarms: dict[str, str], composite: frozenset[str] = frozenset()) -> None:
        self.alarms = alarms  # name -> StateValue
        self.composite = composite
        self.calls: list[dict[str, Any]] = []

    def describe_alarms(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        types = kwargs.get("AlarmTypes", ["MetricAlarm"])  # CloudWatch's default: metric alarms only
        found = [n for n in kwargs["AlarmNames"] if n in self.alarms]

        def entry(name: str) -> dict[str, Any]:
            return {"AlarmName": name, "StateValue": self.alarms[name], "StateReason": f"{name} reason"}

        return {
            "MetricAlarms": [entry(n) for n in found if n not in self.composite and "MetricAlarm" in types],
            "CompositeAlarms": [entry(n) for n in found if n in self.composite and "CompositeAlarm" in types],
        }


class FakeLambda(LambdaDouble):
    def __init__(self, response: dict[str, Any] | Exception) -> None:
        self.response = response
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if isinstance(self.response, Exception):
            raise self.response
        return self.response


def gates(
    spec: GateSpec,
    cw: FakeCloudWatch | None = None,
    lam: FakeLambda | None = None,
    run: Any = None,
) -> Gates:
    cloudwatch = cw or FakeCloudWatch({})
    return Gates(
        spec,
        lambda_client=lam or FakeLambda({}),
        cloudwatch=lambda: cloudwatch,  # type: ignore[arg-type,return-value]
        run_command=run,
    )


# -- alarms ------------------------------------------------------------------------------------------


def test_no_gates_make_no_calls() -> None:
    cw, lam = FakeCloudWatch({}), FakeLambda({})
    g = gates(GateSpec(), cw, lam)
    g.check_alarms_exist()
    assert g.step_end("fn", "2", {}) is None
    assert cw.calls == [] and lam.calls == [] and not GateSpec().any


def test_missing_alarm_is_a_usage_error_naming_it() -> None:
    g = gates(GateSpec(alarms=("a", "typo")), FakeCloudWatch({"a": "OK"}))
    with pytest.raises(UsageError, match="typo"):
        g.check_alarms_exist()


def test_composite_alarms_are_found_and_fire() -> None:
    cw = FakeCloudWatch({"composite": "OK", "metric": "OK"}, composite=frozenset({"composite"}))
    g = gates(GateSpec(alarms=("composite", "metric")), cw)
    g.check_alarms_exist()
    assert g.alarms() is None
    cw.alarms["composite"] = "ALARM"
    failure = g.alarms()
    assert failure is not None and failure.gate == "alarm" and "composite is in ALARM" in failure.detail


@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_only_alarm_state_fires(state: str) -> None:
    assert gates(GateSpec(alarms=("a",)), FakeCloudWatch({"a": state})).alarms() is None


def test_many_alarms_are_described_in_batches_of_100() -> None:
    names = tuple(f"a{i}" for i in range(150))
    cw = FakeCloudWatch(dict.fromkeys(names, "OK"))
    gates(GateSpec(alarms=names), cw).check_alarms_exist()
    assert [len(c["AlarmNames"]) for c in cw.calls] == [100, 50]


def test_cloudwatch_error_is_translated() -> None:
    class Denied(FakeCloudWatch):
        def describe_alarms(self, **kwargs: Any) -> dict[str, Any]:
            raise client_error("AccessDenied", 403, "no cloudwatch:DescribeAlarms")

    with pytest.raises(Exception, match="reading CloudWatch alarms") as info:
        gates(GateSpec(alarms=("a",)), Denied({})).alarms()
    assert getattr(info.value, "exit_code", None) == 4


# -- check command -------------------------------------------------------------------------------------


def test_check_command_gets_env_and_fails_on_nonzero() -> None:
    seen: list[tuple[str, dict[str, str]]] = []

    def run(command: str, env: dict[str, str]) -> int:
        seen.append((command, env))
        return 3

    failure = gates(GateSpec(check_command="./check.sh"), run=run).check_command({"LAMBDAWAIT_WEIGHT": "0.1"})
    assert failure is not None and failure.gate == "check-command" and "exited 3" in failure.detail
    assert seen == [("./check.sh", {"LAMBDAWAIT_WEIGHT": "0.1"})]


def test_check_command_timeout_is_a_gate_failure_not_a_crash() -> None:
    def run(command: str, env: dict[str, str]) -> int:
        raise subprocess.TimeoutExpired(command, 300)

    failure = gates(GateSpec(check_command="sleep 999"), run=run).check_command({})
    assert failure is not None and "300s" in failure.detail


def test_real_shell_sees_env_and_keeps_stdout_clean(capfd: pytest.CaptureFixture[str]) -> None:
    assert (
        run_shell(
            'echo "w=$LAMBDAWAIT_WEIGHT"; test "$LAMBDAWAIT_WEIGHT" = 0.5', {"LAMBDAWAIT_WEIGHT": "0.5"}
        )
        == 0
    )
    assert run_shell("exit 7", {}) == 7
    out, err = capfd.readouterr()
    assert out == "" and "w=0.5" in err  # stdout is reserved for the result document


SECRET_COMMAND = 'curl -fsS -H "Authorization: Bearer SECRET123" https://example.invalid/health'


@pytest.mark.parametrize(
    "outcome",
    [3, -9, subprocess.TimeoutExpired(SECRET_COMMAND, 5), FileNotFoundError(2, "No such file", "/bin/sh")],
    ids=["exit", "killed", "timeout", "no-shell"],
)
def test_check_command_text_is_never_in_the_failure(outcome: int | BaseException) -> None:
    def run(command: str, env: dict[str, str]) -> int:
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    failure = gates(GateSpec(check_command=SECRET_COMMAND, check_timeout=5), run=run).check_command({})
    assert failure is not None and failure.gate == "check-command"
    assert "SECRET123" not in failure.detail and "curl" not in failure.detail
    assert "the check command" in failure.detail


def test_check_command_failure_says_what_happened() -> None:
    def detail(code: int) -> str:
        failure = gates(GateSpec(check_command="x"), run=lambda c, e: code).check_command({})
        assert failure is not None
        return failure.detail

    assert detail(3) == "the check command exited 3"
    assert detail(-15) == "the check command was killed by SIGTERM"


@pytest.mark.parametrize("value", [0.0, -1.0, float("inf"), float("nan")])
def test_check_timeout_must_be_positive_and_finite(value: float) -> None:
    with pytest.raises(UsageError, match="--check-timeout"):
        parse_check_timeout(value)
    assert parse_check_timeout(0.5) == 0.5


def _live_members(pgid: int) -> list[int]:
    """Processes of a group that are still running (zombies waiting for init's reaping don't count)."""
    live = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            live.append(int(entry.name))
    return live


# The shell writes its pid (= the group's id) once its background child runs: then there is a
# grandchild that a kill of the shell alone would leave behind.
GRANDCHILD = "sleep 30 & echo $$ > {marker}; sleep 30"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_timeout_stops_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "pgid"
    spec = GateSpec(check_command=GRANDCHILD.format(marker=marker), check_timeout=1.0)
    started = time.monotonic()
    failure = gates(spec, run=None).check_command({})
    assert failure is not None and "ran over 1s" in failure.detail
    assert time.monotonic() - started < 10
    pgid = int(marker.read_text())
    assert _live_members(pgid) == []


@pytest.fixture
def interrupt_when_marked(tmp_path: Path) -> Iterator[Path]:
    """SIGINT once the marker exists, raising KeyboardInterrupt in the main thread as lambdawait's
    handler does. The marker can appear before Popen has returned (the shell runs first): that
    moment is part of what is tested."""
    marker = tmp_path / "pgid"

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    def watch() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (marker.exists() and marker.read_text().strip()):
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, handler)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield marker
    finally:
        thread.join()
        signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_an_interrupt_stops_the_whole_process_group_and_propagates(interrupt_when_marked: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_shell(GRANDCHILD.format(marker=interrupt_when_marked), {}, timeout=60)
    assert _live_members(int(interrupt_when_marked.read_text())) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_processes_left_behind_by_a_finished_check_are_stopped(tmp_path: Path) -> None:
    marker = tmp_path / "pgid"
    assert run_shell(f"sleep 30 & echo $$ > {marker}; exit 0", {}) == 0
    assert _live_members(int(marker.read_text())) == []


# -- smoke invoke ----------------------------------------------------------------------------------


def test_smoke_invoke_function_error_fails_with_body() -> None:
    lam = FakeLambda(
        {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(b'{"errorMessage":"boom"}')}
    )
    failure = gates(GateSpec(smoke_payload=b"{}"), lam=lam).smoke_invoke("fn", "2")
    assert failure is not None and failure.gate == "smoke-invoke" and "boom" in failure.detail
    assert lam.calls == [{"FunctionName": "fn", "Qualifier": "2", "Payload": b"{}"}]


def test_smoke_invoke_ok_and_client_error() -> None:
    ok = FakeLambda({"StatusCode": 200, "Payload": io.BytesIO(b"{}")})
    assert gates(GateSpec(smoke_payload=b"{}"), lam=ok).smoke_invoke("fn", "2") is None
    broken = FakeLambda(client_error("ResourceConflictException", 409, "state Pending"))
    failure = gates(GateSpec(smoke_payload=b"{}"), lam=broken).smoke_invoke("fn", "2")
    assert failure is not None and "ResourceConflictException" in failure.detail


def test_smoke_invoke_off_without_payload() -> None:
    lam = FakeLambda({})
    assert gates(GateSpec(), lam=lam).smoke_invoke("fn", "2") is None
    assert lam.calls == []


@pytest.mark.parametrize(
    ("text", "expected"), [(None, None), ("", b"{}"), ("  ", b"{}"), ('{"a": 1}', b'{"a": 1}')]
)
def test_parse_payload(text: str | None, expected: bytes | None) -> None:
    assert parse_payload(text) == expected


def test_parse_payload_rejects_invalid_json() -> None:
    with pytest.raises(UsageError, match="not valid JSON"):
        parse_payload("{nope")


def test_step_end_runs_cheapest_first() -> None:
    order: list[str] = []

    def run(command: str, env: dict[str, str]) -> int:
        order.append(command)
        return 0

    cw = FakeCloudWatch({"a": "ALARM"})
    g = gates(GateSpec(alarms=("a",), check_command="x", smoke_payload=b"{}"), cw, run=run)
    failure = g.step_end("fn", "2", {})
    assert failure is not None and failure.gate == "alarm" and order == []


def test_check_command_parsing() -> None:
    from lambdawait.aws.gates import parse_check_command

    assert parse_check_command(None) is None and parse_check_command("") is None
    assert parse_check_command("./check.sh --token x") == "./check.sh --token x"
    with pytest.raises(UsageError, match="NUL byte") as info:
        parse_check_command("curl -H 'Bearer SECRET123'\x00")
    assert "SECRET123" not in info.value.one_line()
