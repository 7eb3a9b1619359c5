"""Lambda's request checks, with AWS's codes and texts, before anything reaches moto."""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zipfile

from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.jsondata import JSONObject, as_list, as_object, is_number, list_at, object_at
from lambdawait.sim.wire import (
    SimError,
    constraint,
    invalid_parameter,
    not_found,
    validation_errors,
)

LATEST = "$LATEST"
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
ALIAS_PATTERN = r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)"
SUBNET_PATTERN = "subnet-[0-9a-z]*"
# The runtimes AWS accepted when the recordings were made, in the order its message lists them.
RUNTIMES = (
    *("nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13", "nodejs24.x"),
    *("nodejs22.x", "java25", "python3.10", "python3.11", "java21", "ruby3.3", "ruby3.4", "ruby3.2"),
    *("python3.8", "python3.9", "java17", "nodejs16.x", "dotnet10", "dotnet8", "java11", "dotnet6"),
    *("nodejs18.x", "provided.al2", "java8.al2"),
)
ARCHITECTURES = ("x86_64", "arm64")
ENVIRONMENT_LIMIT = 4096


def function_request(body: JSONObject) -> None:
    """CreateFunction / UpdateFunctionConfiguration / UpdateFunctionCode parameters, as AWS checks them."""
    errors = _model_errors(body)
    if errors:
        raise validation_errors(errors)
    runtime = body.get("Runtime")
    if runtime is not None and runtime not in RUNTIMES and not str(runtime).startswith("arn:"):
        raise invalid_parameter(
            f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum "
            f"value set: [{', '.join(RUNTIMES)}] or be a valid ARN"
        )
    zipped = object_at(body, "Code").get("ZipFile", body.get("ZipFile"))
    if zipped is not None and not _is_zip(zipped):
        raise invalid_parameter(_NOT_A_ZIP)
    variables = object_at(body, "Environment").get("Variables")
    if variables:
        measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
        if len(measured.encode()) > ENVIRONMENT_LIMIT:
            raise invalid_parameter(
                "Lambda was unable to configure your environment variables because the environment "
                f"variables you have provided exceeded the 4KB limit. String measured: {measured}"
            )


_NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."
_PATTERN = "Member must satisfy regular expression pattern: "
_ONE_ARCHITECTURE = "Member must have length less than or equal to 1"
_KNOWN_ARCHITECTURE = (
    "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
    "Member must not be null]"
)
_SUBNET_IDS = (
    "Member must satisfy constraint: [Member must have length less than or equal to 1024, "
    f"Member must have length greater than or equal to 0, {_PATTERN}{SUBNET_PATTERN}]"
)


def subnets(body: JSONObject, region: str) -> None:
    """Well-formed subnet ids that EC2 does not know are refused with EC2's own words."""
    for subnet in list_at(object_at(body, "VpcConfig"), "SubnetIds"):
        if not moto.subnet_exists(region, str(subnet)):
            raise invalid_parameter(
                "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. "
                f"EC2 Error Message: The subnet ID '{subnet}' does not exist"
            )


def _model_errors(body: JSONObject) -> list[str]:
    """The request model's constraints, each failure one clause of a ValidationException."""
    errors = []
    role = body.get("Role")
    if role is not None and not re.fullmatch(ROLE_PATTERN, str(role)):
        errors.append(constraint(str(role), "role", _PATTERN + ROLE_PATTERN))
    architectures = as_list(body.get("Architectures"))
    if architectures is not None:
        shown = f"[{', '.join(map(str, architectures))}]"
        if len(architectures) > 1:
            errors.append(constraint(shown, "architectures", _ONE_ARCHITECTURE))
        elif any(arch not in ARCHITECTURES for arch in architectures):
            errors.append(constraint(shown, "architectures", _KNOWN_ARCHITECTURE))
    ids = list_at(object_at(body, "VpcConfig"), "SubnetIds")
    if ids and any(not re.fullmatch(SUBNET_PATTERN, str(i)) for i in ids):
        errors.append(constraint(f"[{', '.join(map(str, ids))}]", "vpcConfig.subnetIds", _SUBNET_IDS))
    return errors


def _is_zip(encoded: object) -> bool:
    try:
        raw = base64.b64decode(str(encoded), validate=True)
    except (binascii.Error, ValueError):
        return False
    return zipfile.is_zipfile(io.BytesIO(raw))


# --- aliases -----------------------------------------------------------------------------


def alias_name(name: str) -> None:
    if not re.fullmatch(ALIAS_PATTERN, name) or len(name) > 128:
        raise validation_errors([constraint(name, "name", _PATTERN + ALIAS_PATTERN)])


def routing(region: str, arn: str, target: object, routing_config: object) -> None:
    """The checks AWS makes on an alias's target and AdditionalVersionWeights, in its order.

    `arn` is the function's unqualified ARN (the function may not exist: that is checked here).
    """
    weights = object_at(as_object(routing_config) or {}, "AdditionalVersionWeights")
    _weights_shape(weights)
    if len(weights) > 1:
        raise invalid_parameter("Number of items in AdditionalVersionWeights cannot be greater than 1")
    name = arn.rsplit(":", 1)[1]
    primary = str(target) if target is not None else None
    if moto.latest(region, name) is None:
        raise not_found(f"{arn}:{primary}" if primary else arn)
    if primary not in (None, LATEST) and moto.version(region, name, primary) is None:
        raise not_found(f"{arn}:{primary}")
    if not weights:
        return
    ((extra, _),) = weights.items()
    if primary == LATEST:
        raise SimError(400, "InvalidParameterValueException", _LATEST_WEIGHTED, kind=None)
    if extra == primary:
        raise invalid_parameter(
            f"Invalid function version {extra}. Function version {extra} is already included in "
            "routing configuration."
        )
    other = moto.version(region, name, str(extra))
    if other is None:
        raise not_found(f"{arn}:{extra}")
    first = moto.version(region, name, primary) if primary else None
    if first is not None and moto.role(first) != moto.role(other):
        raise invalid_parameter("Specified versions must be associated with the same execution role")


# AWS sends this one without a "Type" (recorded).
_LATEST_WEIGHTED = "$LATEST is not supported for an alias pointing to more than 1 version"


def _weights_shape(weights: JSONObject) -> None:
    """The request model's own checks on the map: version-number keys, weights within [0, 1]."""
    shown = "{" + ", ".join(f"{k}={_java_number(v)}" for k, v in weights.items()) + "}"
    member = "routingConfig.additionalVersionWeights"
    errors = []
    if any(not re.fullmatch(r"[0-9]+", str(k)) or len(str(k)) > 1024 for k in weights):
        rule = (
            "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
            "Member must have length greater than or equal to 1, Member must satisfy regular "
            "expression pattern: [0-9]+]"
        )
        errors.append(constraint(shown, member, rule))
    if any(not _is_weight(v) for v in weights.values()):
        rule = (
            "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
            "Member must have value greater than or equal to 0.0, Member must not be null]"
        )
        errors.append(constraint(shown, member, rule))
    if errors:
        raise validation_errors(errors)


def _is_weight(value: object) -> bool:
    return is_number(value) and 0 <= value <= 1


def _java_number(value: object) -> str:
    """AWS echoes weights as Java doubles: 2 -> 2.0."""
    if is_number(value):
        return repr(float(value))
    return str(value)
