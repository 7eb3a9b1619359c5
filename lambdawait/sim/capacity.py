"""Lambda Managed Instances: functions the scenario puts on a capacity provider.

Their `$LATEST` settles in ActiveNonInvocable instead of Active (it is never invoked: published
versions are), a published version stays Pending for `instances_seconds` while Lambda starts
managed instances and execution environments, and every configuration shows CapacityProviderConfig.
"""

from __future__ import annotations

import dataclasses

from lambdawait.sim.jsondata import JSONObject
from lambdawait.sim.scenario import Behaviour

NON_INVOCABLE = "ActiveNonInvocable"


def settled_state(b: Behaviour) -> str:
    """What $LATEST becomes once created."""
    return "Active" if b.capacity_provider is None else NON_INVOCABLE


def instances_behaviour(b: Behaviour) -> Behaviour:
    """A published version's timings on a capacity provider, in the publish fields' terms."""
    return dataclasses.replace(b, publish_seconds=b.instances_seconds)


def patch(config: JSONObject, b: Behaviour) -> None:
    if b.capacity_provider is not None:
        config["CapacityProviderConfig"] = {
            "LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": b.capacity_provider}
        }
