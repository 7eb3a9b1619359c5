"""The only module that touches moto's internals: backends, function objects, aliases, reset."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID

ACCOUNT_ID: str = DEFAULT_ACCOUNT_ID
ROLE_NAME = "lambdawait-sim"
# Hosts as moto infers them from each service's SigV4 signing name (CloudWatch signs as
# "monitoring"); used only to build those Flask apps ahead of the first request.
_WARM_HOSTS = (
    "lambda.us-east-1.amazonaws.com",
    "iam.us-east-1.amazonaws.com",
    "sts.us-east-1.amazonaws.com",
    "monitoring.us-east-1.amazonaws.com",
)

# Function-level attributes survive a failed update; everything else is version-specific
# configuration or code, which AWS puts back as it was.
_FUNCTION_LEVEL = {
    "tags",
    "policy",
    "url_config",
    "reserved_concurrency",
    "event_invoke_config",
    "logs_backend",
}
# Fields that differ between otherwise identical configurations; excluded when deciding
# whether anything changed since the last publish.
_VOLATILE = {"FunctionArn", "Version", "LastModified", "RevisionId", "State", "LastUpdateStatus"}


def backend(region: str) -> Any:
    from moto.awslambda.models import lambda_backends

    return lambda_backends[ACCOUNT_ID][region]


def latest(region: str, name: str) -> Any | None:
    entry = backend(region)._lambdas._functions.get(name)
    return None if entry is None else entry["latest"]


def version(region: str, name: str, number: str) -> Any | None:
    entry = backend(region)._lambdas._functions.get(name)
    if entry is None:
        return None
    for fn in entry["versions"]:
        if str(fn.version) == number:
            return fn
    return None


def function(region: str, name: str, qualifier: str) -> Any | None:
    """$LATEST or a published version."""
    return latest(region, name) if qualifier == "$LATEST" else version(region, name, qualifier)


def alias(region: str, name: str, alias_name: str) -> Any | None:
    fn = latest(region, name)
    if fn is None:
        return None
    return backend(region)._lambdas._aliases.get(fn.function_arn, {}).get(alias_name)


def code_bytes(fn: Any) -> bytes:
    value = getattr(fn, "code_bytes", b"")
    return value if isinstance(value, bytes) else b""


def code_sha256(fn: Any) -> str:
    return str(fn.code_sha_256)


def package_type(fn: Any) -> str:
    return str(fn.package_type)


def role(fn: Any) -> str:
    return str(fn.role)


def has_vpc(fn: Any) -> bool:
    vpc = fn.vpc_config
    return bool(vpc and vpc.get("SubnetIds"))


def extras(fn: Any) -> dict[str, Any]:
    """What the simulator keeps about a function beyond moto's model (LoggingConfig, SnapStart…)."""
    value = getattr(fn, "lambdawait_extras", None)
    return value if isinstance(value, dict) else {}


def set_extras(fn: Any, **values: Any) -> None:
    # Always a new dict: moto publishes a version as a shallow copy of $LATEST, so mutating
    # the shared one would change what every published version reports.
    fn.lambdawait_extras = {**extras(fn), **values}


def touch(fn: Any, stamp: str) -> None:
    """Every update sets LastModified, which moto only sets at creation."""
    fn.last_modified = stamp


def subnet_exists(region: str, subnet_id: str) -> bool:
    from moto.ec2.models import ec2_backends

    try:
        ec2_backends[ACCOUNT_ID][region].get_subnet(subnet_id)
    except Exception:  # moto's InvalidSubnetIdError; any miss means "no such subnet"
        return False
    return True


def force_publish(fn: Any) -> None:
    """We decide whether a publish creates a version; moto's own change flag must not veto it."""
    fn.code_or_config_updated = True


def configuration(fn: Any) -> dict[str, Any]:
    config: dict[str, Any] = fn.get_configuration()
    return config


def fingerprint(fn: Any) -> str:
    config = {k: v for k, v in fn.get_configuration().items() if k not in _VOLATILE}
    config["lambdawait_extras"] = extras(fn)
    raw = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def snapshot(fn: Any) -> Callable[[], None]:
    """Remember the version-specific state of $LATEST; the returned callable restores it."""
    saved = {
        key: (copy.copy(value) if isinstance(value, (dict, list)) else value)
        for key, value in vars(fn).items()
        if key not in _FUNCTION_LEVEL and not key.startswith("_DockerModel")
    }

    def restore() -> None:
        for key, value in saved.items():
            setattr(fn, key, value)

    return restore


def reset() -> None:
    """Forget every resource in every moto backend: moto keeps them process-global."""
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    BackendDict.reset()
    reset_model_data()


def ensure_role() -> str:
    """Create the convenience execution role the simulator advertises, return its ARN."""
    from moto.iam.models import iam_backends

    iam = iam_backends[ACCOUNT_ID]["global"]
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    try:
        return str(iam.get_role(ROLE_NAME).arn)
    except Exception:  # moto raises its own NoSuchEntity type; any miss means "create it"
        pass
    created = iam.create_role(
        role_name=ROLE_NAME,
        assume_role_policy_document=policy,
        path="/",
        permissions_boundary=None,
        description="Execution role created by the lambdawait simulator",
        tags=[],
        max_session_duration="3600",
    )
    return str(created.arn)


def dispatcher() -> Callable[..., Any]:
    """moto's multi-service WSGI app, with our services' Flask apps built ahead of time."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)
    for host in _WARM_HOSTS:
        key = app.get_backend_for_host(host)
        if key and key not in app.app_instances:
            # Building the app imports the backend now, so the first timed request is not slow.
            app.app_instances[key] = create_backend_app(key)
    return app


def request_handler() -> type[Any]:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        """moto's handler without a log line per request on stderr."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            return None

    return QuietHandler
