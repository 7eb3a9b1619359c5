"""SnapStart: a version published with ApplyOn=PublishedVersions stays Pending while Lambda runs
its init and snapshots it (`snapstart_seconds`), then is Active with OptimizationStatus On, or
Failed with `snapstart_reason_code` (an init error, e.g. FunctionError.InitTimeout)."""

from __future__ import annotations

import dataclasses

from lambdawait.sim.scenario import Behaviour


def snapstart_behaviour(b: Behaviour) -> Behaviour:
    """The publish timings and outcome of a SnapStart version, in the publish fields' terms."""
    return dataclasses.replace(
        b,
        publish_seconds=b.snapstart_seconds,
        publish_outcome=b.snapstart_outcome,
        publish_reason_code=b.snapstart_reason_code,
        publish_reason=b.snapstart_reason,
    )
