"""The Typer app: parse options, call the core, hand the result to the renderer. Nothing else."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from lambdawait.cli import codedeploy as cd
from lambdawait.cli.boundary import command
from lambdawait.cli.helptext import humanise
from lambdawait.core.acceptors import Target

app = typer.Typer(
    name="lambdawait",
    help="Safe-to-script AWS Lambda deployments.\n\n"
    "wait until functions are really ready; status and explain to see what state they are in and "
    "why; deploy, publish, shift and rollback to release a change safely; plan and apply to "
    "release many functions as one; demo and sim to try it all on the embedded simulator.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # an AWS tool must never dump credentials in locals
    rich_markup_mode=None,
)
sim_app = typer.Typer(help="The embedded Lambda simulator (needs `pip install 'lambdawait[sim]'`).")
app.add_typer(sim_app, name="sim")


class OutputMode(str, enum.Enum):
    text = "text"
    json = "json"


# Options shared by every command that talks to AWS.
RegionOpt = Annotated[
    str | None, typer.Option("--region", help="AWS region (default: AWS_REGION / profile).")
]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS profile (default: AWS_PROFILE).")]
EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint-url", help="Lambda endpoint, e.g. the simulator's (default: AWS_ENDPOINT_URL)."),
]
OutputOpt = Annotated[OutputMode, typer.Option("--output", "-o", help="text or json.")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Plain lines, no colour or live display.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log every poll to stderr.")]
QueryOpt = Annotated[
    str | None,
    typer.Option(
        "--query",
        metavar="JMESPATH",
        help="Print only this part of the JSON result, e.g. version or 'functions[0].state' "
        "(a bare string with -o text). The exit code is unchanged.",
    ),
]


def _version(value: bool) -> None:
    if value:
        from lambdawait.core.version import version_line

        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """lambdawait: create, wait, publish, shift and roll back AWS Lambda functions safely."""


def _file_defaults(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """`deploy NAME` takes its entry in lambdawait.toml as option defaults (see cli_many)."""
    from lambdawait.cli.many import file_defaults

    return file_defaults(ctx, param, value)


@contextmanager
def _command(name: str, out: Any) -> Iterator[float]:
    """runner.command, with --query compiled first: a bad expression is exit 2 before any AWS call."""
    with command(name, out) as start:
        out.compile_query()
        yield start


def _output(mode: OutputMode, no_color: bool, verbose: bool = False, query: str | None = None) -> Any:
    from lambdawait.output.render import Output

    return Output(mode.value, no_color=no_color, verbose=verbose, query=query)


def _clients(region: str | None, profile: str | None, endpoint_url: str | None) -> Any:
    from lambdawait.aws.clients import Clients, ConnectionOptions

    return Clients(ConnectionOptions(region=region, profile=profile, endpoint_url=endpoint_url))


@app.command()
def wait(
    ctx: typer.Context,
    functions: Annotated[
        list[str] | None, typer.Argument(help="FUNCTION, FUNCTION:QUALIFIER or an ARN.")
    ] = None,
    for_: Annotated[Target, typer.Option("--for", help="What to wait for.")] = Target.READY,
    qualifier: Annotated[
        str | None, typer.Option("--qualifier", "-q", help="Version for --for version.")
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Give up after SECONDS.", min=0)] = 300.0,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    query: QueryOpt = None,
    deployment: Annotated[
        str | None,
        typer.Option(
            "--deployment",
            metavar="ID",
            help="Follow this CodeDeploy deployment instead (any, e.g. SAM's): exit 0 succeeded, "
            "5 stopped or rolled back by an alarm, 1 failed, 3 --timeout (default: no limit).",
        ),
    ] = None,
) -> None:
    """Block until each function is ready (State Active + LastUpdateStatus Successful), or until a
    CodeDeploy deployment (--deployment) ends."""
    from lambdawait.cli.fastpath import run_wait_command

    if deployment is not None or not functions:
        from lambdawait.cli.codedeploy import wait_deployment

        wait_deployment(
            ctx,
            functions=functions,
            deployment=deployment,
            timeout=timeout,
            region=region,
            profile=profile,
            endpoint_url=endpoint_url,
            output=output.value,
            no_color=no_color,
            verbose=verbose,
            query=query,
        )
    run_wait_command(
        functions=functions,
        target=for_.value,
        qualifier=qualifier,
        timeout=timeout,
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        output=output.value,
        no_color=no_color,
        verbose=verbose,
        query=query,
    )


@app.command()
def status(
    functions: Annotated[list[str], typer.Argument(help="FUNCTION or FUNCTION:QUALIFIER.")],
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    query: QueryOpt = None,
) -> None:
    """Show state, last update, code, recent versions and aliases (env values masked)."""
    out = _output(output, no_color, query=query)
    with _command("status", out) as start:
        from lambdawait.app.commands import run_status

        out.status(run_status(_clients(region, profile, endpoint_url), functions=functions, start=start))


@app.command()
def explain(
    code: Annotated[
        str | None,
        typer.Argument(
            help="A StateReasonCode or LastUpdateStatusReasonCode.", autocompletion=_complete_reason
        ),
    ] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List every known code.")] = False,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    query: QueryOpt = None,
) -> None:
    """What a reason code means and how to fix it."""
    out = _output(output, no_color, query=query)
    with _command("explain", out):
        from lambdawait.core.errors import UsageError
        from lambdawait.core.reasons import all_reasons, lookup
        from lambdawait.output.documents import explain_document

        if list_all:
            out.explain(explain_document(all_reasons()))
        elif code is None:
            raise UsageError(
                "no reason code given",
                hint="pass a code, e.g. `lambdawait explain EniLimitExceeded`, or --list",
            )
        else:
            out.explain(explain_document([lookup(code)]))


def _session(region: str | None, profile: str | None, endpoint_url: str | None, out: Any) -> Any:
    from lambdawait.app.commands import Session

    return Session(_clients(region, profile, endpoint_url), out)


def _complete_strategy(incomplete: str) -> list[str]:
    """Shell completion: the predefined strategy names, then the custom forms' templates."""
    from lambdawait.core.strategy import strategy_names

    names = [*strategy_names(), "canary:10:5m", "linear:10:1m"]
    return [name for name in names if name.lower().startswith(incomplete.lower())]


def _complete_reason(incomplete: str) -> list[str]:
    """Shell completion: every reason code the catalogue knows."""
    from lambdawait.core.reasons import all_reasons

    codes = sorted({reason.code for reason in all_reasons()})
    return [code for code in codes if code.lower().startswith(incomplete.lower())]


StrategyOpt = Annotated[
    str,
    typer.Option(
        "--strategy",
        help="AllAtOnce, Canary10Percent5Minutes, Linear10PercentEvery1Minute ..., "
        "canary:PERCENT:BAKE or linear:PERCENT:INTERVAL (e.g. canary:10:5m, linear:25:30s).",
        autocompletion=_complete_strategy,
    ),
]
AlarmOpt = Annotated[
    list[str] | None, typer.Option("--alarm", help="CloudWatch alarm that rolls back when in ALARM.")
]
CheckOpt = Annotated[
    str | None,
    typer.Option(
        "--check-command",
        help="Shell command run after each step; non-zero rolls back. Never echoed (it may carry a token).",
    ),
]
CheckTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--check-timeout",
        help="Seconds a --check-command may run; then its process group is stopped and the gate fails.",
    ),
]
SmokeOpt = Annotated[
    str | None,
    typer.Option("--smoke-invoke", help="Invoke the new version with this JSON payload ('{}' for empty)."),
]
InterruptOpt = Annotated[
    str, typer.Option("--on-interrupt", help="On SIGINT/SIGTERM: rollback (default) or keep.")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Shift even if the alias is mid-shift already.")]


def _gates(
    alarm: list[str] | None,
    check_command: str | None,
    smoke_invoke: str | None,
    check_timeout: float | None = None,
) -> Any:
    from lambdawait.aws import gates

    timeout = gates.parse_check_timeout(
        gates.CHECK_COMMAND_TIMEOUT if check_timeout is None else check_timeout
    )
    command = gates.parse_check_command(check_command)
    return gates.GateSpec(tuple(alarm or ()), command, gates.parse_payload(smoke_invoke), timeout)


@app.command()
def deploy(
    # Eager, with --config: both are read before the other options, whose defaults the file sets.
    function: Annotated[
        str, typer.Argument(help="Function name or ARN.", is_eager=True, callback=_file_defaults)
    ],
    zip_file: Annotated[Path | None, typer.Option("--zip", help="Deployment package (.zip).")] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Directory to zip (deterministically) and deploy.")
    ] = None,
    s3: Annotated[str | None, typer.Option("--s3", help="s3://bucket/key[?versionId=V]")] = None,
    image_uri: Annotated[str | None, typer.Option("--image-uri", help="Container image URI (ECR).")] = None,
    runtime: Annotated[
        str | None, typer.Option("--runtime", help="e.g. python3.12, provided.al2023.")
    ] = None,
    handler: Annotated[str | None, typer.Option("--handler", help="e.g. app.handler.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Execution role ARN.")] = None,
    architecture: Annotated[str | None, typer.Option("--architecture", help="x86_64 or arm64.")] = None,
    # Text, parsed by build_spec: a bad number is then a UsageError (JSON error document, exit 2).
    memory: Annotated[str | None, typer.Option("--memory", help="MB, 128-10240.")] = None,
    fn_timeout: Annotated[
        str | None,
        typer.Option(
            "--timeout",
            help="The function's own timeout (Lambda's Timeout), 1-900 s. How long lambdawait "
            "waits is --wait-timeout.",
        ),
    ] = None,
    ephemeral_storage: Annotated[
        str | None, typer.Option("--ephemeral-storage", help="/tmp size, 512-10240 MB.")
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", help="KEY=VALUE (repeatable): the function's whole set; see --prune-env."),
    ] = None,
    env_file: Annotated[Path | None, typer.Option("--env-file", help="dotenv file.")] = None,
    prune_env: Annotated[
        bool,
        typer.Option(
            "--prune-env",
            help="Remove the function's variables not given by --env/--env-file (refused without it).",
        ),
    ] = False,
    snapstart: Annotated[
        bool | None,
        typer.Option(
            "--snapstart/--no-snapstart",
            help="SnapStart on published versions (Java 11+, Python 3.12+, .NET 8+); publishing then "
            "waits for the snapshot.",
        ),
    ] = None,
    layer: Annotated[
        list[str] | None, typer.Option("--layer", help="Layer version ARN (repeatable).")
    ] = None,
    description: Annotated[str | None, typer.Option("--description", help="Function description.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="KEY=VALUE (repeatable).")] = None,
    subnet: Annotated[list[str] | None, typer.Option("--subnet", help="VPC subnet id (repeatable).")] = None,
    security_group: Annotated[
        list[str] | None, typer.Option("--security-group", help="VPC security group id (repeatable).")
    ] = None,
    publish: Annotated[
        bool, typer.Option("--publish", help="Publish a version once everything landed.")
    ] = False,
    alias: Annotated[str | None, typer.Option("--alias", help="Shift this alias to the new version.")] = None,
    strategy: StrategyOpt = "AllAtOnce",
    alarm: AlarmOpt = None,
    check_command: CheckOpt = None,
    check_timeout: CheckTimeoutOpt = 300.0,
    smoke_invoke: SmokeOpt = None,
    on_interrupt: InterruptOpt = "rollback",
    force: ForceOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")] = False,
    wait_timeout: Annotated[
        float,
        typer.Option(
            "--wait-timeout",
            help="How long lambdawait waits for each change to land, in seconds (not the "
            "function's --timeout).",
            min=0,
        ),
    ] = 300.0,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Functions file whose entry for FUNCTION gives the defaults (./lambdawait.toml).",
            is_eager=True,
            callback=_file_defaults,
        ),
    ] = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    query: QueryOpt = None,
    *,
    ctx: typer.Context,
    engine: cd.EngineOpt = "client",
    detach: cd.DetachOpt = False,
    codedeploy_app: cd.AppOpt = None,
    deployment_group: cd.GroupOpt = None,
    codedeploy_role: cd.RoleOpt = None,
    before_allow_traffic: cd.BeforeOpt = None,
    after_allow_traffic: cd.AfterOpt = None,
) -> None:
    """Create or update a function safely: pre-flight checks, no-op detection, a wait after each change."""
    out = _output(output, no_color, verbose, query)
    with _command("deploy", out):
        from lambdawait.app.deploy import Release, run_deploy
        from lambdawait.core.spec import build_spec

        spec = build_spec(
            function,
            zip=zip_file,
            dir=directory,
            s3=s3,
            image_uri=image_uri,
            runtime=runtime,
            handler=handler,
            role=role,
            architecture=architecture,
            memory=memory,
            timeout=fn_timeout,
            ephemeral_storage=ephemeral_storage,
            env=env,
            env_file=env_file,
            layers=layer,
            description=description,
            tags=tag,
            subnets=subnet,
            security_groups=security_group,
            prune_env=prune_env,
            snapstart=snapstart,
        )
        release = Release(
            publish=publish,
            alias=alias,
            strategy=strategy,
            gates=_gates(alarm, check_command, smoke_invoke, check_timeout),
            on_interrupt=on_interrupt,
            force=force,
            handoff=cd.handoff(
                ctx,
                engine=engine,
                detach=detach,
                alarms=alarm,
                on_interrupt=on_interrupt,
                app=codedeploy_app,
                group=deployment_group,
                role=codedeploy_role,
                before=before_allow_traffic,
                after=after_allow_traffic,
            ),
        )
        session = _session(region, profile, endpoint_url, out)
        out.result(run_deploy(session, spec, release=release, dry_run=dry_run, timeout=wait_timeout))


@app.command("publish")
def publish_cmd(
    function: Annotated[str, typer.Argument(help="Function name or ARN.")],
    description: Annotated[str | None, typer.Option("--description", help="Version description.")] = None,
    code_sha256: Annotated[
        str | None, typer.Option("--code-sha256", help="Publish only if $LATEST has exactly this code.")
    ] = None,
    wait_timeout: Annotated[
        float, typer.Option("--wait-timeout", help="Seconds to wait (SnapStart can take minutes).", min=0)
    ] = 900.0,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    query: QueryOpt = None,
) -> None:
    """Publish $LATEST as a version (guarded by CodeSha256 and RevisionId) and wait until Active."""
    out = _output(output, no_color, verbose, query)
    with _command("publish", out):
        from lambdawait.app.commands import run_publish

        session = _session(region, profile, endpoint_url, out)
        document = run_publish(
            session, function, description=description, code_sha256=code_sha256, timeout=wait_timeout
        )
        out.result(document)


@app.command()
def shift(
    function: Annotated[str, typer.Argument(help="Function name.")],
    alias: Annotated[str, typer.Option("--alias", help="Alias to move.")],
    to_version: Annotated[str, typer.Option("--to-version", help="Published version number.")],
    strategy: StrategyOpt = "AllAtOnce",
    alarm: AlarmOpt = None,
    check_command: CheckOpt = None,
    check_timeout: CheckTimeoutOpt = 300.0,
    smoke_invoke: SmokeOpt = None,
    on_interrupt: InterruptOpt = "rollback",
    force: ForceOpt = False,
    plan: Annotated[bool, typer.Option("--plan", help="Print the schedule; change nothing.")] = False,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    query: QueryOpt = None,
    *,
    ctx: typer.Context,
    engine: cd.EngineOpt = "client",
    detach: cd.DetachOpt = False,
    codedeploy_app: cd.AppOpt = None,
    deployment_group: cd.GroupOpt = None,
    codedeploy_role: cd.RoleOpt = None,
    before_allow_traffic: cd.BeforeOpt = None,
    after_allow_traffic: cd.AfterOpt = None,
) -> None:
    """Move alias traffic to a version step by step, rolling back when a health gate fires."""
    out = _output(output, no_color, verbose, query)
    with _command("shift", out):
        from lambdawait.app.commands import run_shift, shift_request

        request = shift_request(
            function,
            alias=alias,
            version=to_version,
            strategy_text=strategy,
            on_interrupt=on_interrupt,
            force=force,
        )
        gates = _gates(alarm, check_command, smoke_invoke, check_timeout)
        handoff = cd.handoff(
            ctx,
            engine=engine,
            detach=detach,
            alarms=alarm,
            on_interrupt=on_interrupt,
            app=codedeploy_app,
            group=deployment_group,
            role=codedeploy_role,
            before=before_allow_traffic,
            after=after_allow_traffic,
        )
        session = _session(region, profile, endpoint_url, out)
        out.result(run_shift(session, request, gates_spec=gates, plan_only=plan, handoff=handoff))


@app.command("rollback")
def rollback_cmd(
    function: Annotated[str | None, typer.Argument(help="Function name.")] = None,
    alias: Annotated[str | None, typer.Option("--alias", help="Alias to restore.")] = None,
    to_version: Annotated[
        str | None, typer.Option("--to-version", help="Version (default: the one before the last shift).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Restore every alias of the file's functions (lambdawait.toml)."),
    ] = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointOpt = None,
    output: OutputOpt = OutputMode.text,
    no_color: NoColorOpt = False,
    verbose: VerboseOpt = False,
    query: QueryOpt = None,
) -> None:
    """Point the alias wholly at the previous (or given) version."""
    out = _output(output, no_color, verbose, query)
    with _command("rollback", out):
        from lambdawait.app.commands import run_rollback

        if config is not None or alias is None:  # the set of a functions file (cli_many)
            from lambdawait.cli.many import rollback_set

            rollback_set(config, [function] if function else [], out, _clients(region, profile, endpoint_url))
            return
        assert function is not None
        session = _session(region, profile, endpoint_url, out)
        out.result(run_rollback(session, function, alias=alias, to_version=to_version))


# Where `sim serve` listens unless told: not 5000 (AirPlay on macOS, moto's own server), 4566
# (LocalStack), 3000/3001 (SAM local) or 8000 (DynamoDB local), so it can run beside all of them.
SIM_PORT = 5599
# What the `[sim]` extra brings, imported before starting so that a missing one is named at once.
_SIM_MODULES = ("werkzeug.serving", "moto.moto_server.werkzeug_app", "moto.awslambda.models")


def _require_sim(what: str) -> None:
    """A UsageError (exit 2) when the `[sim]` extra is not installed (the imports inside the
    simulator happen only once it starts, well past any guard around `import lambdawait.sim`)."""
    import importlib
    import warnings

    from lambdawait.core.errors import UsageError

    for module in _SIM_MODULES:
        try:
            with warnings.catch_warnings():  # moto's own "install moto[server]" warning: ours says it
                warnings.simplefilter("ignore")
                importlib.import_module(module)
        except ImportError as exc:
            missing = getattr(exc, "name", None) or module
            raise UsageError(
                f"{what} needs the [sim] extra (no module named {missing!r}): pip install 'lambdawait[sim]'"
            ) from None


@app.command()
def demo() -> None:
    """Walk through create, update, publish, canary, rollback and a failure on the embedded simulator."""
    import sys

    with command("demo", _output(OutputMode.text, no_color=False)):
        _require_sim("the demo")
        from lambdawait.app.demo import run_demo

        def write(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()

        run_demo(write)


@sim_app.command("serve")
def sim_serve(
    port: Annotated[
        int,
        typer.Option(
            "--port", metavar="PORT", min=0, max=65535, help="Port to listen on (0: any free port)."
        ),
    ] = SIM_PORT,
    host: Annotated[
        str, typer.Option("--host", metavar="ADDRESS", help="Address to bind (loopback by default).")
    ] = "127.0.0.1",
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario", metavar="FILE", help="Scenario file (TOML or JSON).", exists=True, dir_okay=False
        ),
    ] = None,
) -> None:
    """Run the simulated Lambda control plane until Ctrl-C / SIGTERM."""
    import sys

    with command("sim serve", _output(OutputMode.text, no_color=False)):
        _require_sim("`lambdawait sim serve`")
        from lambdawait.core.errors import UsageError
        from lambdawait.sim.server import serve

        problem = _bind_problem(host, port)
        if problem is not None:
            raise UsageError(problem)
        # A scenario that does not load is serve's UsageError; SIGINT/SIGTERM end it with exit 0.
        serve(host, port, str(scenario) if scenario else None, sys.stdout)


def _bind_problem(host: str, port: int) -> str | None:
    """Why `sim serve` could not listen on host:port, in one line; None when it can.

    Tried here, before serving: the web server behind the simulator prints its own paragraph and
    exits 1 when its bind fails. (Another program may still take the port in between: rare.)
    """
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        socket.create_server((host, port), family=family).close()
    except OSError as exc:
        return _bind_error_line(exc, host, port)
    return None


def _bind_error_line(exc: OSError, host: str, port: int) -> str:
    import errno
    import os
    import socket

    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; pass another --port, or --port 0 for any free one"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port}; use a port above 1023, or --port 0"
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
        reason = exc.strerror if isinstance(exc, socket.gaierror) else os.strerror(exc.errno or 0)
        return f"cannot listen on --host {host}: {reason}; use an address of this machine"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


import lambdawait.cli.many  # noqa: E402,F401  (plan and apply register themselves on `app`)

# Last, once every command is registered: readable metavars and one-line summaries in --help.
humanise(app)
