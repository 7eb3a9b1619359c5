"""AWS's reply shapes for what moto answers: function configurations and aliases as Lambda writes them."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from lambdawait.sim import moto_bridge as moto
from lambdawait.sim.jsondata import JSONObject, as_object, object_at

if TYPE_CHECKING:
    from moto.awslambda.models import LambdaFunction

LATEST = "$LATEST"
_MOTO_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?")


def now() -> str:
    """The current instant in Lambda's LastModified format: 2024-01-31T12:00:00.000+0000."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def aws_timestamp(value: str) -> str:
    """moto's nanosecond ISO stamps (always UTC) in Lambda's millisecond format."""
    found = _MOTO_TIME.fullmatch(value)
    if found is None:
        return value
    fraction = (found.group(2) or "").ljust(3, "0")[:3]
    return f"{found.group(1)}.{fraction}+0000"


def runtime_version_arn(region: str, runtime: str) -> str:
    """Lambda names the runtime build it runs; one stable id per runtime stands in for it."""
    build = hashlib.sha256(runtime.encode()).hexdigest()
    return f"arn:aws:lambda:{region}::runtime:{build}"


def configuration(config: JSONObject, fn: LambdaFunction | None, region: str) -> JSONObject:
    """Shape a FunctionConfiguration in place as AWS does, and return it."""
    _drop_unset(config)
    if "LastModified" in config:
        config["LastModified"] = aws_timestamp(str(config["LastModified"]))
    if fn is None:
        return config
    extras = moto.extras(fn)
    config["LoggingConfig"] = {
        "LogFormat": "Text",
        "LogGroup": f"/aws/lambda/{config.get('FunctionName', '')}",
        **extras.get("LoggingConfig", {}),
    }
    runtime = config.get("Runtime")
    if runtime and config.get("PackageType", "Zip") == "Zip":
        config["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtime_version_arn(region, str(runtime))}
    if "Environment" not in config and extras.get("EnvironmentGiven"):
        config["Environment"] = {"Variables": {}}  # an empty map given stays visible, as on AWS
    apply_on = str(extras.get("SnapStart", {}).get("ApplyOn", "None"))
    published = config.get("Version", LATEST) != LATEST
    on = apply_on == "PublishedVersions" and published
    config["SnapStart"] = {"ApplyOn": apply_on, "OptimizationStatus": "On" if on else "Off"}
    return config


def alias(data: JSONObject) -> JSONObject:
    """An alias as AWS answers it: no RoutingConfig unless some weight is set."""
    _drop_unset(data)
    weights = object_at(data, "RoutingConfig").get("AdditionalVersionWeights")
    if not weights:
        data.pop("RoutingConfig", None)
    return data


def _drop_unset(data: JSONObject) -> None:
    """AWS omits what is unset where moto writes null or an empty list."""
    for key in [k for k, v in data.items() if v is None]:
        del data[key]
    for value in data.values():
        inner = as_object(value)
        if inner is not None:
            _drop_unset(inner)
    for key in ("Layers",):
        if data.get(key) == []:
            del data[key]
    image = as_object(data.get("ImageConfigResponse"))
    if image is not None and not any(object_at(image, "ImageConfig").values()):
        del data["ImageConfigResponse"]  # moto writes empty lists for an ImageConfig never given
