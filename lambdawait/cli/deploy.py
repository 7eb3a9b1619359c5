"""`lambdawait deploy`: the function's code and configuration (FunctionOptions), then the release
that follows; `deploy NAME` takes its entry in lambdawait.toml as the options' defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from lambdawait.cli.codedeploy import CodeDeployOptions
from lambdawait.cli.options import (
    Connection,
    OptionGroup,
    OutputOptions,
    argument,
    command_scope,
    option,
    shared,
)
from lambdawait.cli.release import GateOptions

if TYPE_CHECKING:
    from lambdawait.core.manifest import FunctionEntry
    from lambdawait.core.spec import FunctionSpec

_Value = TypeVar("_Value")


@dataclasses.dataclass(frozen=True, kw_only=True)
class FunctionOptions(OptionGroup):
    """What the function is: its code and configuration, as text (build_spec parses it, so that
    a bad number is a UsageError: one line or a JSON error document, exit 2)."""

    panel = "Function code and configuration"

    zip_file: Annotated[Path | None, option("--zip", help="Deployment package (.zip).")] = None
    directory: Annotated[
        Path | None, option("--dir", help="Directory to zip (deterministically) and deploy.")
    ] = None
    s3: Annotated[str | None, option("--s3", help="s3://bucket/key[?versionId=V]")] = None
    image_uri: Annotated[str | None, option("--image-uri", help="Container image URI (ECR).")] = None
    runtime: Annotated[str | None, option("--runtime", help="e.g. python3.12, provided.al2023.")] = None
    handler: Annotated[str | None, option("--handler", help="e.g. app.handler.")] = None
    role: Annotated[str | None, option("--role", help="Execution role ARN.")] = None
    architecture: Annotated[str | None, option("--architecture", help="x86_64 or arm64.")] = None
    memory: Annotated[str | None, option("--memory", help="MB, 128-10240.")] = None
    fn_timeout: Annotated[
        str | None,
        option(
            "--timeout",
            help="The function's own timeout (Lambda's Timeout), 1-900 s. How long lambdawait "
            "waits is --wait-timeout.",
        ),
    ] = None
    ephemeral_storage: Annotated[
        str | None, option("--ephemeral-storage", help="/tmp size, 512-10240 MB.")
    ] = None
    env: Annotated[
        list[str] | None,
        option("--env", help="KEY=VALUE (repeatable): the function's whole set; see --prune-env."),
    ] = None
    env_file: Annotated[Path | None, option("--env-file", help="dotenv file.")] = None
    prune_env: Annotated[
        bool,
        option(
            "--prune-env",
            help="Remove the function's variables not given by --env/--env-file (refused without it).",
        ),
    ] = False
    snapstart: Annotated[
        bool | None,
        option(
            "--snapstart/--no-snapstart",
            help="SnapStart on published versions (Java 11+, Python 3.12+, .NET 8+); publishing then "
            "waits for the snapshot.",
        ),
    ] = None
    layer: Annotated[list[str] | None, option("--layer", help="Layer version ARN (repeatable).")] = None
    description: Annotated[str | None, option("--description", help="Function description.")] = None
    tag: Annotated[list[str] | None, option("--tag", help="KEY=VALUE (repeatable).")] = None
    subnet: Annotated[list[str] | None, option("--subnet", help="VPC subnet id (repeatable).")] = None
    security_group: Annotated[
        list[str] | None, option("--security-group", help="VPC security group id (repeatable).")
    ] = None

    def spec(self, function: str) -> FunctionSpec:
        from lambdawait.core.spec import build_spec

        return build_spec(
            function,
            zip=self.zip_file,
            dir=self.directory,
            s3=self.s3,
            image_uri=self.image_uri,
            runtime=self.runtime,
            handler=self.handler,
            role=self.role,
            architecture=self.architecture,
            memory=self.memory,
            timeout=self.fn_timeout,
            ephemeral_storage=self.ephemeral_storage,
            env=self.env,
            env_file=self.env_file,
            layers=self.layer,
            description=self.description,
            tags=self.tag,
            subnets=self.subnet,
            security_groups=self.security_group,
            prune_env=self.prune_env,
            snapstart=self.snapstart,
        )


def file_defaults(ctx: typer.Context, param: typer.CallbackParam, value: _Value) -> _Value:
    """Once `deploy` has seen FUNCTION and --config: the file's entry for FUNCTION becomes the
    default of every option it sets, so an option given on the command line still wins.

    Both parameters are eager, so this runs before any other option is read, and Click then looks
    each one's default up in `ctx.default_map`. A broken file is exit 2, like any bad input; it is
    raised by `deploy` itself, inside its own boundary, because -o (json or text) is not read yet.
    """
    seen: dict[str | None, object] = ctx.meta.setdefault(_FILE_SEEN, {})
    seen[param.name] = value
    function, config = seen.get("function"), seen.get("config")
    if "config" not in seen or not isinstance(function, str) or not function or ctx.resilient_parsing:
        return value
    from lambdawait.core import manifest

    try:
        path = manifest.find(config if isinstance(config, Path) else None)
        entry = manifest.load(path).functions.get(function) if path is not None else None
        if entry is not None:
            ctx.default_map = {**(ctx.default_map or {}), **_defaults(ctx, entry)}
    except Exception as exc:
        ctx.meta[_FILE_ERROR] = exc
    return value


_FILE_SEEN = "lambdawait.deploy.file-seen"
_FILE_ERROR = "lambdawait.deploy.file-error"


# deploy's parameter (Python) name for each file key that `deploy` has an option for.
_DEPLOY_PARAMS = {
    "zip": "zip_file", "dir": "directory", "s3": "s3", "image_uri": "image_uri", "runtime": "runtime",
    "handler": "handler", "role": "role", "architecture": "architecture", "memory": "memory",
    "timeout": "fn_timeout", "ephemeral_storage": "ephemeral_storage", "env": "env",
    "env_file": "env_file", "prune_env": "prune_env", "layers": "layer", "description": "description",
    "tags": "tag", "subnets": "subnet", "security_groups": "security_group", "publish": "publish",
    "alias": "alias", "strategy": "strategy", "alarms": "alarm", "check_command": "check_command",
    "check_timeout": "check_timeout", "smoke_invoke": "smoke_invoke", "on_interrupt": "on_interrupt",
    "wait_timeout": "wait_timeout", "snapstart": "snapstart",
}  # fmt: skip


def _defaults(ctx: typer.Context, entry: FunctionEntry) -> dict[str, object]:
    from lambdawait.core import manifest

    params = {p.name for p in ctx.command.params}
    defaults: dict[str, object] = {}
    for key, value in entry.values.items():
        name = _DEPLOY_PARAMS.get(key)
        if name is None or name not in params:
            manifest.check_supported(entry)  # names a key this deploy cannot take
            continue
        defaults[name] = _as_option(key, value)
    if "alias" in entry.values and "publish" in params:
        defaults.setdefault("publish", True)  # as in apply: an alias means a version to move it to
    return defaults


def _as_option(key: str, value: object) -> object:
    if isinstance(value, Mapping):
        return [f"{k}={v}" for k, v in value.items()]
    if key in ("memory", "timeout", "ephemeral_storage") and not isinstance(value, str):
        return str(value)
    return value


@shared
def deploy(
    *,
    ctx: typer.Context,
    # Eager, with --config: both are read before the other options, whose defaults the file sets.
    function: Annotated[str, argument(help="Function name or ARN.", is_eager=True, callback=file_defaults)],
    settings: FunctionOptions,
    publish: Annotated[bool, option("--publish", help="Publish a version once everything landed.")] = False,
    alias: Annotated[str | None, option("--alias", help="Shift this alias to the new version.")] = None,
    gates: GateOptions,
    dry_run: Annotated[bool, option("--dry-run", help="Print the plan; change nothing.")] = False,
    wait_timeout: Annotated[
        float,
        option(
            "--wait-timeout",
            help="How long lambdawait waits for each change to land, in seconds (not the "
            "function's --timeout).",
            min=0,
        ),
    ] = 300.0,
    # Used by file_defaults only: the file's entry arrives as the other options' defaults.
    config: Annotated[
        Path | None,
        option(
            "--config",
            "-c",
            help="Functions file whose entry for FUNCTION gives the defaults (./lambdawait.toml).",
            is_eager=True,
            callback=file_defaults,
        ),
    ] = None,
    connection: Connection,
    display: OutputOptions,
    codedeploy: CodeDeployOptions,
) -> None:
    """Create or update a function safely: pre-flight checks, no-op detection, a wait after each change."""
    out = display.render()
    with command_scope("deploy", out):
        from lambdawait.app.commands import Session
        from lambdawait.app.deploy import Release, run_deploy

        broken = ctx.meta.get(_FILE_ERROR)
        if isinstance(broken, Exception):
            raise broken  # the functions file, read before -o was: reported as -o asks
        spec = settings.spec(function)
        release = Release(
            publish=publish,
            alias=alias,
            strategy=gates.strategy,
            gates=gates.spec(),
            on_interrupt=gates.on_interrupt,
            force=gates.force,
            handoff=codedeploy.handoff(ctx, alarms=gates.alarm, on_interrupt=gates.on_interrupt),
        )
        session = Session(connection.clients(), out)
        out.result(run_deploy(session, spec, release=release, dry_run=dry_run, timeout=wait_timeout))
