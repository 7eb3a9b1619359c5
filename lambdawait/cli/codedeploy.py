"""The CodeDeploy parts of the command line: `wait --deployment`, the --engine codedeploy options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from lambdawait.aws.cd_handoff import HandOff

# Without --timeout, follow a deployment as long as CodeDeploy runs it (its own limits end it).
NO_TIMEOUT = 7 * 24 * 3600.0


def wait_deployment(
    ctx: Any,
    *,
    functions: Sequence[str] | None,
    deployment: str | None,
    timeout: float,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    output: str,
    no_color: bool,
    verbose: bool,
    query: str | None,
) -> NoReturn:
    from lambdawait.app.cd_commands import run_deployment_wait
    from lambdawait.aws.clients import Clients, ConnectionOptions
    from lambdawait.cli.boundary import command
    from lambdawait.core.errors import UsageError
    from lambdawait.output.render import Output

    out = Output(output, no_color=no_color, verbose=verbose, query=query)
    with command("wait", out) as start:
        out.compile_query()
        if functions and deployment is not None:
            raise UsageError(
                "pass FUNCTION... or --deployment ID, not both", hint="run `lambdawait wait --help`"
            )
        if deployment is None:
            raise UsageError("missing FUNCTION", hint="pass FUNCTION... to wait on, or --deployment ID")
        given = getattr(ctx.get_parameter_source("timeout"), "name", "DEFAULT") != "DEFAULT"
        clients = Clients(ConnectionOptions(region=region, profile=profile, endpoint_url=endpoint_url))
        document = run_deployment_wait(
            clients, out, deployment_id=deployment, timeout=timeout if given else NO_TIMEOUT, start=start
        )
        out.result(document)
        raise SystemExit(document["exitCode"])
    raise AssertionError("unreachable: the command block always exits")  # pragma: no cover


# Options of `shift`/`deploy` for the CodeDeploy engine (declared here, listed in cli.py).
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="client (lambdawait moves the alias; short shifts) or codedeploy (AWS CodeDeploy holds "
        "the shift server-side; long shifts, runners that must not wait).",
    ),
]
DetachOpt = Annotated[
    bool,
    typer.Option(
        "--detach", help="With --engine codedeploy: return the deployment id at once (outcome started)."
    ),
]
AppOpt = Annotated[
    str | None, typer.Option("--codedeploy-app", metavar="APP", help="Existing CodeDeploy application.")
]
GroupOpt = Annotated[
    str | None,
    typer.Option(
        "--deployment-group", metavar="GROUP", help="Existing deployment group in --codedeploy-app."
    ),
]
RoleOpt = Annotated[
    str | None,
    typer.Option(
        "--codedeploy-role", metavar="ARN", help="Service role for a deployment group lambdawait creates."
    ),
]
BeforeOpt = Annotated[
    str | None,
    typer.Option(
        "--before-allow-traffic",
        metavar="FUNCTION",
        help="CodeDeploy hook function run before traffic moves.",
    ),
]
AfterOpt = Annotated[
    str | None,
    typer.Option(
        "--after-allow-traffic",
        metavar="FUNCTION",
        help="CodeDeploy hook function run after all traffic moved.",
    ),
]


def handoff(
    ctx: Any,
    *,
    engine: str,
    detach: bool,
    alarms: Sequence[str] | None,
    on_interrupt: str,
    app: str | None,
    group: str | None,
    role: str | None,
    before: str | None,
    after: str | None,
) -> HandOff | None:
    """The CodeDeploy hand-off asked for, None for the client-side engine; UsageError on a mix-up."""
    from lambdawait.aws.cd_handoff import HandOff
    from lambdawait.core.errors import UsageError

    if engine not in ("client", "codedeploy"):
        raise UsageError(f"--engine {engine!r} is not valid", hint="use client or codedeploy")
    if engine == "client":
        given = [name for name, value in (("--detach", detach), ("--codedeploy-app", app),
                 ("--deployment-group", group), ("--codedeploy-role", role),
                 ("--before-allow-traffic", before), ("--after-allow-traffic", after)) if value]  # fmt: skip
        if given:
            raise UsageError(f"{', '.join(given)} need --engine codedeploy")
        return None
    # The client-side default (rollback) would stop a durable rollout on every cancelled CI job:
    # with CodeDeploy an interrupt detaches unless --on-interrupt rollback is said explicitly.
    explicit = getattr(ctx.get_parameter_source("on_interrupt"), "name", "DEFAULT") != "DEFAULT"
    return HandOff(
        app=app,
        group=group,
        role=role,
        alarms=tuple(alarms or ()),
        before_allow_traffic=before,
        after_allow_traffic=after,
        detach=detach,
        rollback_on_interrupt=explicit and on_interrupt == "rollback",
    )
