"""AWS's reply shapes for what moto answers: function configurations and aliases as Lambda writes them."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any

from lambdawait.sim import moto_bridge as moto

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


def configuration(config: dict[str, Any], fn: Any, region: str) -> dict[str, Any]:
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


def alias(data: dict[str, Any]) -> dict[str, Any]:
    """An alias as AWS answers it: no RoutingConfig unless some weight is set."""
    _drop_unset(data)
    weights = (data.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
    if not weights:
        data.pop("RoutingConfig", None)
    return data


def _drop_unset(data: dict[str, Any]) -> None:
    """AWS omits what is unset where moto writes null or an empty list."""
    for key in [k for k, v in data.items() if v is None]:
        del data[key]
    for value in data.values():
        if isinstance(value, dict):
            _drop_unset(value)
    for key in ("Layers",):
        if data.get(key) == []:
            del data[key]
    image = data.get("ImageConfigResponse")
    if isinstance(image, dict) and not any((image.get("ImageConfig") or {}).values()):
        del data["ImageConfigResponse"]  # moto writes empty lists for an ImageConfig never given
