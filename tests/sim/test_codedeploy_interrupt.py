"""`shift --engine codedeploy --on-interrupt rollback`: a signal while following stops the rollout."""

from __future__ import annotations

import io
import os
import signal
from typing import Any

import pytest

from lambdawait.app.cd_shift import run_codedeploy_shift
from lambdawait.app.commands import Session, shift_request
from lambdawait.aws.cd_handoff import HandOff
from lambdawait.aws.clients import Clients, ConnectionOptions
from lambdawait.aws.gates import GateSpec
from lambdawait.core.errors import InterruptedError_
from lambdawait.output.render import Output
from lambdawait.sim import Simulator
from lambdawait.sim.scenario import Scenario
from tests.sim.cd_helpers import deployment_info, function


class _SignalOnProgress(Output):
    """Sends this process SIGTERM at the first progress line: the canary is live, being followed."""

    def log(self, text: str) -> None:
        super().log(text)
        if text.startswith("⇄") and not getattr(self, "sent", False):
            self.sent = True
            os.kill(os.getpid(), signal.SIGTERM)


@pytest.mark.parametrize("rollback", [True, False])
def test_a_signal_while_following_detaches_or_stops_with_rollback(
    monkeypatch: pytest.MonkeyPatch, rollback: bool
) -> None:
    scenario = Scenario.from_dict(
        {"defaults": {"create_seconds": 0, "update_seconds": 0}, "codedeploy": {"time_scale": 60}}
    )
    with Simulator(scenario) as sim:
        for key, value in sim.env().items():
            monkeypatch.setenv(key, value)
        function(sim)
        err = io.StringIO()
        session = Session(Clients(ConnectionOptions()), _SignalOnProgress(stderr=err))
        request = shift_request(
            "fn",
            alias="live",
            version="2",
            strategy_text="Canary10Percent30Minutes",
            on_interrupt="rollback",
            force=False,
        )
        handoff = HandOff(role=sim.role_arn(), rollback_on_interrupt=rollback)
        with pytest.raises(InterruptedError_) as caught:
            run_codedeploy_shift(session, request, gates_spec=GateSpec(), handoff=handoff)
        cd: Any = sim.client("codedeploy")
        dep = cd.list_deployments()["deployments"][-1]  # newest first: the rollback comes after it
        alias = sim.client("lambda").get_alias(FunctionName="fn", Name="live")
        if rollback:
            assert "stopped with rollback" in caught.value.message
            assert deployment_info(cd, dep)["status"] == "Stopped"
            assert alias["FunctionVersion"] == "1" and not alias.get("RoutingConfig")
        else:
            assert "goes on in CodeDeploy" in caught.value.message
            assert deployment_info(cd, dep)["status"] == "InProgress"
            assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}
