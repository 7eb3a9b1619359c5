"""Read-only: a deploy's --layer versions exist, checked before any change (Lambda checks only later)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdawait.core.errors import UsageError, client_error_code
from lambdawait.core.plan import DeployPlan
from lambdawait.core.spec import FunctionSpec

if TYPE_CHECKING:
    from lambdawait.aws.api import LambdaApi


def check_layers_exist(client: LambdaApi, spec: FunctionSpec, plan: DeployPlan) -> None:
    """Refuse a --layer version that does not exist, before Lambda refuses it after the code landed.

    Only "not found" refuses: any other answer (no permission to read the layer, another region)
    is left for Lambda to judge when the configuration is sent. GetLayerVersion takes the layer's
    ARN; GetLayerVersionByArn would do as well but moto (so the simulator) lacks it.
    """
    import botocore.exceptions

    if not spec.layers or not (plan.create or "layers" in plan.config_fields):
        return
    for arn in spec.layers:
        layer, _, version = arn.rpartition(":")
        try:
            client.get_layer_version(LayerName=layer, VersionNumber=int(version))
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) == "ResourceNotFoundException":
                raise UsageError(
                    f"layer version {arn} does not exist",
                    hint="publish it first, or fix the ARN (aws lambda list-layer-versions --layer-name "
                    f"{layer})",
                ) from None
