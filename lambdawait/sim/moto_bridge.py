"""The only module that touches moto's internals: backends, function objects, aliases, reset."""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from moto.core.models import DEFAULT_ACCOUNT_ID

from lambdawait.sim.jsondata import JSONObject, as_list, as_object, object_at

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from moto.awslambda.models import LambdaAlias, LambdaFunction, LambdaStorage
    from werkzeug.serving import WSGIRequestHandler

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


def _storage(region: str) -> LambdaStorage:
    from moto.awslambda.models import lambda_backends

    return lambda_backends[ACCOUNT_ID][region]._lambdas


def latest(region: str, name: str) -> LambdaFunction | None:
    storage = _storage(region)
    return storage._get_latest(name) if name in storage._functions else None


def version(region: str, name: str, number: str) -> LambdaFunction | None:
    storage = _storage(region)
    return storage._get_version(name, number) if name in storage._functions else None


def function(region: str, name: str, qualifier: str) -> LambdaFunction | None:
    """$LATEST or a published version."""
    return latest(region, name) if qualifier == "$LATEST" else version(region, name, qualifier)


def code_bytes(fn: LambdaFunction | None) -> bytes:
    value: object = getattr(fn, "code_bytes", b"")
    return value if isinstance(value, bytes) else b""


def code_sha256(fn: LambdaFunction) -> str:
    return str(fn.code_sha_256)


def package_type(fn: LambdaFunction) -> str:
    # moto copies these from the request dict it was given (loosely typed there): strings.
    value: object = fn.package_type
    return str(value)


def role(fn: LambdaFunction) -> str:
    value: object = fn.role
    return str(value)


def has_vpc(fn: LambdaFunction) -> bool:
    vpc = fn.vpc_config
    return bool(vpc and vpc.get("SubnetIds"))


class Extras(TypedDict, total=False):
    """What the simulator keeps about a function beyond moto's model."""

    EnvironmentGiven: bool  # an Environment was given, even an empty one
    LoggingConfig: JSONObject
    SnapStart: JSONObject


_EXTRAS = "lambdawait_extras"


def extras(fn: LambdaFunction) -> Extras:
    """What the simulator keeps about a function beyond moto's model (LoggingConfig, SnapStart…)."""
    value: object = getattr(fn, _EXTRAS, None)
    # set_extras is the only writer of this attribute, and it writes an Extras.
    return cast(Extras, value) if isinstance(value, dict) else {}


def set_extras(fn: LambdaFunction, given: Extras) -> None:
    # Always a new dict: moto publishes a version as a shallow copy of $LATEST, so mutating
    # the shared one would change what every published version reports.
    merged: Extras = {**extras(fn), **given}
    vars(fn)[_EXTRAS] = merged


def touch(fn: LambdaFunction, stamp: str) -> None:
    """Every update sets LastModified, which moto only sets at creation."""
    fn.last_modified = stamp


def set_image_code(fn: LambdaFunction, digest: str, size: int) -> None:
    """An image function's code is the image: its digest and its config's size."""
    fn.code_sha_256 = digest
    fn.code_size = size


# --- aliases -------------------------------------------------------------------------------


def alias(region: str, name: str, alias_name: str) -> LambdaAlias | None:
    fn = latest(region, name)
    if fn is None:
        return None
    return _storage(region)._aliases.get(fn.function_arn, {}).get(alias_name)


def alias_version(found: LambdaAlias) -> str:
    return str(found.function_version)


def alias_routing(found: LambdaAlias) -> JSONObject | None:
    """The alias's RoutingConfig as the request gave it (moto annotates it `str`; it is the dict)."""
    return as_object(found.routing_config)


def alias_weights(found: LambdaAlias) -> JSONObject:
    """AdditionalVersionWeights: version -> weight (empty when the alias points at one version)."""
    return object_at(alias_routing(found) or {}, "AdditionalVersionWeights")


def alias_revision(found: LambdaAlias) -> str:
    return found.revision_id


def set_alias_revision(found: LambdaAlias, revision_id: str) -> None:
    found.revision_id = revision_id


def route_alias(found: LambdaAlias, primary: str, routing: JSONObject | None) -> None:
    """Point the alias at `primary` with this RoutingConfig (None: all traffic on `primary`)."""
    found.function_version = primary
    # moto's annotation says str, but it stores (and answers) the request's RoutingConfig dict.
    vars(found)["routing_config"] = routing


# --- other services ------------------------------------------------------------------------


@dataclass(frozen=True)
class EcrImage:
    """An image in the simulated ECR: its digest (sha256:...) and its manifest's JSON text."""

    digest: str
    manifest: str


def ecr_images(region: str, repository: str, image_id: dict[str, str]) -> list[EcrImage] | None:
    """The images matching a tag or digest; None when the repository does not exist."""
    from moto.ecr.exceptions import RepositoryNotFoundException
    from moto.ecr.models import Image, ecr_backends

    try:
        found = ecr_backends[ACCOUNT_ID][region].batch_get_image(repository, image_ids=[image_id])
    except RepositoryNotFoundException:
        return None
    listed: object = found.get("images")
    images = [image for image in as_list(listed) or [] if isinstance(image, Image)]
    return [EcrImage(image.image_id["imageDigest"], str(image.image_manifest)) for image in images]


def ecr_upload(region: str, repository: str, upload_id: str) -> bytes | None:
    """The bytes of a layer upload moto holds; None when there is no such upload."""
    from moto.ecr.models import ecr_backends

    try:
        upload = ecr_backends[ACCOUNT_ID][region]._get_repository(repository).uploads.get(upload_id)
    except Exception:  # moto's RepositoryNotFoundException: moto answers the error itself
        return None
    return None if upload is None else bytes(upload.layer_parts)


def alarm_firing(region: str, name: str) -> bool:
    """Whether the simulated CloudWatch has this alarm, in state ALARM."""
    from moto.cloudwatch.models import cloudwatch_backends

    alarm = cloudwatch_backends[ACCOUNT_ID][region].alarms.get(name)
    return alarm is not None and alarm.state_value == "ALARM"


def role_created(role_name: str) -> datetime.datetime | None:
    """When the simulated IAM created this role (naive UTC); None when it does not know it."""
    from moto.iam.models import iam_backends

    try:
        found = iam_backends[ACCOUNT_ID]["global"].get_role(role_name)
    except Exception:  # moto raises its own NoSuchEntity type: any miss means "unknown role"
        return None
    return found.create_date


def subnet_exists(region: str, subnet_id: str) -> bool:
    from moto.ec2.models import ec2_backends

    try:
        ec2_backends[ACCOUNT_ID][region].get_subnet(subnet_id)
    except Exception:  # moto's InvalidSubnetIdError; any miss means "no such subnet"
        return False
    return True


def force_publish(fn: LambdaFunction) -> None:
    """We decide whether a publish creates a version; moto's own change flag must not veto it."""
    fn.code_or_config_updated = True


def configuration(fn: LambdaFunction | None) -> JSONObject:
    """The FunctionConfiguration moto answers for this function or version (a fresh dict)."""
    if fn is None:
        raise ValueError("no such function or version")
    config: JSONObject = fn.get_configuration()
    return config


def fingerprint(fn: LambdaFunction) -> str:
    config: JSONObject = {k: v for k, v in configuration(fn).items() if k not in _VOLATILE}
    config[_EXTRAS] = extras(fn)
    raw = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def snapshot(fn: LambdaFunction) -> Callable[[], None]:
    """Remember the version-specific state of $LATEST; the returned callable restores it."""
    attributes: Mapping[str, object] = vars(fn)
    saved = {
        key: (copy.copy(value) if isinstance(value, (dict, list)) else value)
        for key, value in attributes.items()
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


def dispatcher() -> WSGIApplication:
    """moto's multi-service WSGI app, with our services' Flask apps built ahead of time."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)
    for host in _WARM_HOSTS:
        key = app.get_backend_for_host(host)
        if key and key not in app.app_instances:
            # Building the app imports the backend now, so the first timed request is not slow.
            app.app_instances[key] = create_backend_app(key)
    return app


def request_handler() -> type[WSGIRequestHandler]:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        """moto's handler without a log line per request on stderr."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            return None

    return QuietHandler
