"""Health gates: CloudWatch alarms (fake client), the check command, the smoke invoke."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest

from lambdawait.errors import UsageError
from lambdawait.gates import Gates, GateSpec, _run_shell, parse_payload
from tests.fakes import client_error


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


class FakeLambda:
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
        lambda_client=lam or FakeLambda({}),  # type: ignore[arg-type]
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
        _run_shell(
            'echo "w=$LAMBDAWAIT_WEIGHT"; test "$LAMBDAWAIT_WEIGHT" = 0.5', {"LAMBDAWAIT_WEIGHT": "0.5"}
        )
        == 0
    )
    assert _run_shell("exit 7", {}) == 7
    out, err = capfd.readouterr()
    assert out == "" and "w=0.5" in err  # stdout is reserved for the result document


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
    cw = FakeCloudWatch({"a": "ALARM"})
    g = gates(
        GateSpec(alarms=("a",), check_command="x", smoke_payload=b"{}"),
        cw,
        run=lambda c, e: order.append(c) or 0,
    )
    failure = g.step_end("fn", "2", {})
    assert failure is not None and failure.gate == "alarm" and order == []
