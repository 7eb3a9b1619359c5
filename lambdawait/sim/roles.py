"""IAM propagation: Lambda cannot assume a role created moments ago (scenario `role_propagation_seconds`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from lambdawait.sim.jsondata import parse_object
from lambdawait.sim.wire import invalid_parameter

ROLE_NOT_ASSUMABLE = "The role defined for the function cannot be assumed by Lambda."
# The calls that hand Lambda a role to assume.
CHECKED = frozenset({"CreateFunction", "UpdateFunctionConfiguration"})
# The execution role the simulator creates and advertises stands for one made long ago.
_SIMULATOR_ROLE = "lambdawait-sim"


def _utcnow() -> datetime.datetime:
    # moto stamps a role's CreateDate as a naive UTC datetime; compare like with like.
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def check_assumable(
    operation: str,
    body: bytes,
    propagation_seconds: float,
    *,
    created: Callable[[str], datetime.datetime | None] | None = None,
    now: Callable[[], datetime.datetime] = _utcnow,
) -> None:
    """Refuse, as AWS does, a role given to Lambda less than `propagation_seconds` after its creation."""
    if propagation_seconds <= 0 or operation not in CHECKED:
        return
    try:
        role = parse_object(body).get("Role")
    except ValueError:
        return  # a malformed body gets moto's own answer
    if not isinstance(role, str):
        return
    created_at = (created or role_created)(role)
    if created_at is not None and (now() - created_at).total_seconds() < propagation_seconds:
        raise invalid_parameter(ROLE_NOT_ASSUMABLE)


def role_created(role_arn: str) -> datetime.datetime | None:
    """When the simulated IAM created this role; None for the simulator's own role or an unknown one."""
    from lambdawait.sim import moto_bridge

    name = role_arn.rsplit("/", 1)[-1]
    if ":role/" not in role_arn or name == _SIMULATOR_ROLE:
        return None
    return moto_bridge.role_created(name)  # None for an unknown role: moto's to answer
