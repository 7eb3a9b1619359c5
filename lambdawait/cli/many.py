"""The `plan` and `apply` commands, and `deploy NAME` taking its options from `lambdawait.toml`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from lambdawait.cli.app import (
    EndpointOpt,
    NoColorOpt,
    OutputMode,
    OutputOpt,
    ProfileOpt,
    QueryOpt,
    RegionOpt,
    VerboseOpt,
    _clients,
    _command,
    _output,
    app,
)

if TYPE_CHECKING:
    from lambdawait.output.render import Output

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="The functions file (default: ./lambdawait.toml)."),
]
NamesArg = Annotated[
    list[str] | None, typer.Argument(help="Functions of the file to include (default: all).")
]
RateOpt = Annotated[
    float,
    typer.Option(
        "--rate",
        help="Mutating requests per second for the whole run (Lambda's quota is 15/s per account "
        "and region); halves on throttling, then climbs back.",
        min=0.1,
    ),
]


def _manifest(config: Path | None) -> Any:
    from lambdawait.core import manifest
    from lambdawait.core.errors import UsageError

    path = manifest.find(config)
    if path is None:
        raise UsageError(
            f"no {manifest.FILE_NAME} in the current directory",
            hint="create one (see the README's Many functions) or pass -c FILE",
        )
    return manifest.load(path)


@app.command()
def plan(
    names: NamesArg = None,
    config: ConfigOpt = None,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(
            "--detailed-exitcode", help="Exit 7 when there are changes, 0 when none (errors as usual)."
        ),
    ] = False,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    query: QueryOpt = None,
) -> None:
    """What apply would change, per function (reads only)."""
    out = _output(output, no_color, verbose, query)
    with _command("plan", out):
        from lambdawait.app.commands import Session
        from lambdawait.app.many import run_plan
        from lambdawait.core.budget import PLAN_READ_RATE, Budget
        from lambdawait.output.render_many import show

        loaded = _manifest(config)
        session = Session(_clients(region, profile, endpoint_url), out)
        budget = Budget.create(read_rate=PLAN_READ_RATE)
        document = run_plan(session, loaded, names=names or [], detailed=detailed_exitcode, budget=budget)
        show(out, document)
    if document["exitCode"]:
        raise SystemExit(document["exitCode"])


@app.command()
def apply(
    names: NamesArg = None,
    config: ConfigOpt = None,
    rate: RateOpt = 10.0,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    query: QueryOpt = None,
) -> None:
    """Deploy changed functions at once, then release them as one."""
    out = _output(output, no_color, verbose, query)
    with _command("apply", out):
        from lambdawait.app.commands import Session
        from lambdawait.app.many import run_apply
        from lambdawait.core.budget import Budget
        from lambdawait.output.render_many import QuietSteps, progress, show

        loaded = _manifest(config)
        with progress(out, list(loaded.functions)) as sink:
            quiet = cast("Output", QuietSteps(out, sink))  # an Output, its step lines redirected
            session = Session(_clients(region, profile, endpoint_url), quiet)
            budget = Budget.create(rate)
            document = run_apply(session, loaded, names=names or [], budget=budget, progress=sink)
        show(out, document)


def rollback_set(config: Path | None, names: list[str], out: Any, clients: Any) -> None:
    """`rollback --config` / `rollback NAME...` with a file: every alias of the last release."""
    from lambdawait.app.commands import Session
    from lambdawait.app.many import run_rollback_set
    from lambdawait.core import manifest
    from lambdawait.core.errors import UsageError
    from lambdawait.output.render_many import show

    if config is None and manifest.find(None) is None:
        raise UsageError(
            "rollback needs --alias ALIAS",
            hint=f"or, to restore every alias of a release, a {manifest.FILE_NAME} here (or -c FILE)",
        )
    loaded = _manifest(config)
    show(out, run_rollback_set(Session(clients, out), loaded, names=names))


# -- `deploy NAME` with the file's entry as its defaults ----------------------------------------

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


def file_defaults(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """Once `deploy` has seen FUNCTION and --config: the file's entry for FUNCTION becomes the
    default of every option it sets, so an option given on the command line still wins.

    Both parameters are eager, so this runs before any other option is read, and Click then looks
    each one's default up in `ctx.default_map`. A broken file is exit 2, like any bad input.
    """
    seen = ctx.meta.setdefault("lambdawait.aws.deploy-file", {})
    seen[param.name] = value
    if "function" not in seen or "config" not in seen or not seen["function"] or ctx.resilient_parsing:
        return value
    with _command("deploy", _output(OutputMode.text, False)):
        from lambdawait.core import manifest

        path = manifest.find(seen["config"])
        entry = manifest.load(path).functions.get(seen["function"]) if path is not None else None
        if entry is not None:
            ctx.default_map = {**(ctx.default_map or {}), **_defaults(ctx, entry)}
    return value


def _defaults(ctx: typer.Context, entry: Any) -> dict[str, Any]:
    from lambdawait.core import manifest

    params = {p.name for p in ctx.command.params}
    defaults = {}
    for key, value in entry.values.items():
        name = _DEPLOY_PARAMS.get(key)
        if name is None or name not in params:
            manifest.check_supported(entry)  # names a key this deploy cannot take
            continue
        defaults[name] = _as_option(key, value)
    if "alias" in entry.values and "publish" in params:
        defaults.setdefault("publish", True)  # as in apply: an alias means a version to move it to
    return defaults


def _as_option(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return [f"{k}={v}" for k, v in value.items()]
    if key in ("memory", "timeout", "ephemeral_storage") and not isinstance(value, str):
        return str(value)
    return value
