"""Lambda Managed Instances in the simulator: a function the scenario puts on a capacity provider."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sim.helpers import create, poll

pytestmark = pytest.mark.timeout(30)

PROVIDER = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:fleet"


def test_latest_is_non_invocable_and_a_version_starts_instances(lambda_sim_factory: Any) -> None:
    sim = lambda_sim_factory(
        {
            "defaults": {"create_seconds": 0.05, "update_seconds": 0.05},
            "functions": [{"match": "mi-*", "capacity_provider": PROVIDER, "instances_seconds": 0.3}],
        }
    )
    lam = sim.client("lambda")
    create(sim, "mi-app")
    latest = poll(
        lambda: lam.get_function_configuration(FunctionName="mi-app"), lambda c: c["State"] != "Pending"
    )
    assert (latest["State"], latest["LastUpdateStatus"]) == ("ActiveNonInvocable", "Successful")
    assert latest["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"] == {
        "CapacityProviderArn": PROVIDER
    }
    with pytest.raises(ClientError, match="ActiveNonInvocable"):
        lam.invoke(FunctionName="mi-app")
    lam.update_function_configuration(FunctionName="mi-app", Description="two")  # accepted, as AWS does

    poll(
        lambda: lam.get_function_configuration(FunctionName="mi-app"),
        lambda c: c["LastUpdateStatus"] == "Successful",
    )
    published = lam.publish_version(FunctionName="mi-app")
    assert published["State"] == "Pending"
    active = poll(
        lambda: lam.get_function_configuration(FunctionName="mi-app", Qualifier=published["Version"]),
        lambda c: c["State"] != "Pending",
    )
    assert active["State"] == "Active"
