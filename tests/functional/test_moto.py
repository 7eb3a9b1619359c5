"""Functional tier: the core and the CLI in-process against plain moto (no simulator, no HTTP)."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from lambdawait.aws.deploy import Deployer, plan_deploy
from lambdawait.aws.describe import describe
from lambdawait.aws.waiter import Waiter, WaitRequest
from lambdawait.cli.app import app
from lambdawait.core.acceptors import Target
from lambdawait.core.clock import SystemClock
from lambdawait.core.models import WaitOutcome
from lambdawait.core.package import code_sha256
from lambdawait.core.spec import CodeSource, FunctionSpec

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def _zip(body: str = "def handler(e, c):\n    return 1\n") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(zipfile.ZipInfo("app.py", (2020, 1, 1, 0, 0, 0)), body)
    return buf.getvalue()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        iam = boto3.client("iam")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        yield {"lambda": boto3.client("lambda"), "role": role}


def _create(aws: dict[str, Any], name: str = "fn", **extra: Any) -> None:
    aws["lambda"].create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=aws["role"],
        Handler="app.handler",
        Code={"ZipFile": _zip()},
        **extra,
    )


def test_waiter_on_moto_function_is_ready_in_one_call(aws: dict[str, Any]) -> None:
    _create(aws)
    result = Waiter(aws["lambda"], clock=SystemClock()).wait(WaitRequest("fn", None, Target.READY), 5)
    assert result.outcome is WaitOutcome.READY and result.polls == 1


def test_waiter_on_missing_function_is_not_found(aws: dict[str, Any]) -> None:
    result = Waiter(aws["lambda"], clock=SystemClock()).wait(WaitRequest("nope", None, Target.READY), 5)
    assert result.outcome is WaitOutcome.NOT_FOUND


def test_describe_reports_versions_aliases_and_keeps_no_environment_value(aws: dict[str, Any]) -> None:
    _create(aws, Environment={"Variables": {"TOKEN": "moto-secret"}})
    aws["lambda"].publish_version(FunctionName="fn")
    aws["lambda"].create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    report = describe(aws["lambda"], "fn")
    assert report.status.env_names == ("TOKEN",)
    # Every field, not repr(): a field declared repr=False would hide the value from repr.
    assert "moto-secret" not in json.dumps(dataclasses.asdict(report), default=str)
    for output in ("json", "text"):
        shown = CliRunner().invoke(app, ["status", "fn", "-o", output])
        assert shown.exit_code == 0, shown.output
        assert "TOKEN" in shown.stdout and "moto-secret" not in shown.stdout
    assert [v.version for v in report.versions] == ["1"]
    assert [(a.name, a.function_version) for a in report.aliases] == [("live", "1")]


def test_deployer_create_then_unchanged_then_config_update(aws: dict[str, Any], tmp_path: Any) -> None:
    archive = tmp_path / "app.zip"
    archive.write_bytes(_zip())
    spec = FunctionSpec(
        "fn",
        code=CodeSource("zip", path=archive),
        runtime="python3.12",
        handler="app.handler",
        role=aws["role"],
    )
    from lambdawait.core.package import load_package

    package = load_package(spec.code)  # type: ignore[arg-type]
    assert package is not None
    deployer = Deployer(aws["lambda"], Waiter(aws["lambda"], clock=SystemClock()), timeout=10)
    assert deployer.apply(spec, package, plan_deploy(spec, package, deployer.read("fn"))).outcome == "created"
    assert aws["lambda"].get_function(FunctionName="fn")["Configuration"]["CodeSha256"] == code_sha256(_zip())
    again = plan_deploy(spec, package, deployer.read("fn"))
    assert not again.changes
    bigger = FunctionSpec("fn", memory=512)
    plan = plan_deploy(bigger, None, deployer.read("fn"))
    assert plan.config_fields == ("memory",)
    assert deployer.apply(bigger, None, plan).outcome == "updated"
    assert aws["lambda"].get_function(FunctionName="fn")["Configuration"]["MemorySize"] == 512


def test_cli_in_process_wait_and_status_json(aws: dict[str, Any]) -> None:
    _create(aws)
    runner = CliRunner()
    waited = runner.invoke(app, ["wait", "fn", "-o", "json"])
    assert waited.exit_code == 0, waited.output
    assert json.loads(waited.stdout)["functions"][0]["state"] == "Active"
    status = runner.invoke(app, ["status", "fn", "-o", "json"])
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["functions"][0]["runtime"] == "python3.12"
