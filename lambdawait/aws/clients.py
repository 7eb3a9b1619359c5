"""The only place AWS sessions and clients are built (profile, region, endpoint, retries).

Clients come from botocore directly: boto3's session adds nothing lambdawait uses and costs
tens of milliseconds of imports (s3transfer) on every command.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from lambdawait.core.errors import ConfigurationError, UsageError

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.session import Session
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_codedeploy import CodeDeployClient
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_lambda import LambdaClient

# Polls of many functions share one client; the pool must not be the bottleneck.
MAX_POOL_CONNECTIONS = 64
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0


@dataclass(frozen=True)
class ConnectionOptions:
    """What the user said about where to connect; None means "the standard AWS lookup"."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None


def resolve_region(options: ConnectionOptions, session_region: str | None) -> str | None:
    """The flag wins, then AWS_REGION (which botocore alone ignores), then the session's lookup."""
    return options.region or os.environ.get("AWS_REGION") or session_region


def _session(options: ConnectionOptions) -> Session:
    import botocore.exceptions
    import botocore.session

    from lambdawait.core import model

    try:
        session = botocore.session.Session(profile=options.profile)
        session.get_scoped_config()  # an unknown profile fails here, not at the first call
    except botocore.exceptions.ProfileNotFound as exc:
        raise _profile_not_found(options, exc.kwargs.get("profile")) from exc
    # The process's one loader: the Lambda model core.model already parsed is not parsed again for
    # the client, and another session (a library caller's, or a second command) re-reads no JSON.
    session.register_component("data_loader", model.loader(session.get_config_variable("data_path")))
    return session


def _profile_not_found(options: ConnectionOptions, named: object) -> ConfigurationError:
    """Name the profile and where it came from: with no --profile, botocore read AWS_PROFILE."""
    import botocore.session

    profile = options.profile or named or os.environ.get("AWS_PROFILE")
    source = "--profile" if options.profile else "AWS_PROFILE"
    try:  # the configured profiles are a courtesy: listing them must not fail the command
        known = sorted(botocore.session.Session().available_profiles)
    except Exception:
        known = []
    return ConfigurationError(
        f"AWS profile {profile!r} (from {source}) not found",
        hint=f"configured profiles: {', '.join(known[:10])}"
        if known
        else "no profiles are configured in ~/.aws/config or ~/.aws/credentials",
    )


def _client_config(session: Session) -> Config:
    from botocore.config import Config

    return Config(
        retries=_retries(session),
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_pool_connections=MAX_POOL_CONNECTIONS,
        user_agent_extra="lambdawait",
    )


_RETRY_MODES = ("standard", "adaptive", "legacy")


def _retries(session: Session) -> Any:
    """Only what the user left unset: botocore itself reads AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and
    the profile's retry_mode / max_attempts (max attempts count the first one too).

    With no mode configured, standard (older botocore defaults to legacy). Values are checked
    here: botocore would fail on them at the first client, as an unexplained traceback.
    """
    try:
        attempts = session.get_config_variable("max_attempts")
    except ValueError:
        raise _bad_retry_setting(session, "max_attempts", "a whole number of attempts, e.g. 5") from None
    if attempts is not None and attempts < 1:
        raise _bad_retry_setting(session, "max_attempts", "at least 1 (the first attempt counts)")
    mode = session.get_config_variable("retry_mode")
    if mode is not None and mode not in _RETRY_MODES:
        raise _bad_retry_setting(session, "retry_mode", " or ".join(_RETRY_MODES))
    # Whether the user chose a mode, not what botocore resolved: an older botocore (the 1.41.6
    # floor among them) resolves an unset retry_mode to legacy, which would pass for a choice.
    return None if _user_setting(session, "retry_mode") else {"mode": "standard"}


def _user_setting(session: Session, name: str) -> tuple[str, str] | None:
    """Where the user set `name` and to what: its AWS_ variable, else the profile; None if unset."""
    variable = f"AWS_{name.upper()}"
    value = os.environ.get(variable)
    if value is not None:
        return variable, value
    configured = session.get_scoped_config().get(name)
    if configured is None:
        return None
    profile = session.profile or os.environ.get("AWS_PROFILE") or "default"
    return f"{name} in AWS profile {profile!r}", str(configured)


def _bad_retry_setting(session: Session, name: str, expected: str) -> UsageError:
    where, value = _user_setting(session, name) or (f"AWS_{name.upper()}", "")
    return UsageError(f"{where} is {value[:40]!r}: it must be {expected}", hint=f"fix or unset {where}")


class Clients:
    """Builds each AWS client once per process and hands the same one to every caller."""

    def __init__(self, options: ConnectionOptions) -> None:
        self.options = options
        self._session: Session | None = None
        self._lambda: LambdaClient | None = None
        self._lambda_retrying: LambdaClient | None = None
        self._cloudwatch: CloudWatchClient | None = None
        self._codedeploy: CodeDeployClient | None = None
        self._ecr: ECRClient | None = None
        self.region: str | None = None
        # Where a call retried for a while says so (a progress line); set by the command's session.
        self.on_notice: Callable[[str], None] | None = None

    def _notice(self, message: str) -> None:
        if self.on_notice is not None:
            self.on_notice(message)

    def _checked_session(self) -> Session:
        if self._session is None:
            session = _session(self.options)
            region = resolve_region(self.options, session.get_config_variable("region"))
            if not region:
                raise ConfigurationError(
                    "no AWS region configured",
                    hint="set AWS_REGION (or AWS_DEFAULT_REGION), or pass --region",
                )
            if session.get_credentials() is None:
                raise ConfigurationError(
                    "no AWS credentials found",
                    hint="set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                )
            self._session, self.region = session, region
        return self._session

    def lambda_(self) -> LambdaClient:
        """The Lambda client for every call but polling: throttling is retried for a while."""
        if self._lambda_retrying is None:
            from lambdawait.aws.retrying import RetryingClient

            retrying = RetryingClient(self.polling_lambda(), on_notice=self._notice)
            self._lambda_retrying = cast("LambdaClient", retrying)
        return self._lambda_retrying

    def _create(self, service: str) -> Any:
        session = self._checked_session()
        return session.create_client(
            service,
            region_name=self.region,
            endpoint_url=self.options.endpoint_url,
            config=_client_config(session),
        )

    def polling_lambda(self) -> LambdaClient:
        """The bare Lambda client (retry mode standard, bounded timeouts), for the waiter's own loop."""
        if self._lambda is None:
            self._lambda = cast("LambdaClient", self._create("lambda"))
        return self._lambda

    def cloudwatch(self) -> CloudWatchClient:
        """The CloudWatch client, for alarm health gates (throttling retried like Lambda's)."""
        if self._cloudwatch is None:
            from lambdawait.aws.retrying import RetryingClient

            retrying = RetryingClient(self._create("cloudwatch"), on_notice=self._notice)
            self._cloudwatch = cast("CloudWatchClient", retrying)
        return self._cloudwatch

    def codedeploy(self) -> CodeDeployClient:
        """The CodeDeploy client, for the CodeDeploy engine (throttling retried like Lambda's)."""
        if self._codedeploy is None:
            from lambdawait.aws.retrying import RetryingClient

            retrying = RetryingClient(self._create("codedeploy"), on_notice=self._notice)
            self._codedeploy = cast("CodeDeployClient", retrying)
        return self._codedeploy

    def ecr(self) -> ECRClient:
        """The ECR client, to resolve an image tag to its digest before deploying."""
        if self._ecr is None:
            self._ecr = cast("ECRClient", self._create("ecr"))
        return self._ecr
