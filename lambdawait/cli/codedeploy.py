"""The CodeDeploy parts of the command line: `wait --deployment`, the --engine codedeploy options."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, NoReturn

from lambdawait.cli.options import Connection, OptionGroup, OutputOptions, ParameterSources, given, option

if TYPE_CHECKING:
    from lambdawait.aws.cd_handoff import HandOff

# Without --timeout, follow a deployment as long as CodeDeploy runs it (its own limits end it).
NO_TIMEOUT = 7 * 24 * 3600.0


def wait_deployment(
    ctx: ParameterSources,
    *,
    functions: Sequence[str] | None,
    deployment: str | None,
    timeout: float,
    connection: Connection,
    display: OutputOptions,
) -> NoReturn:
    """`wait --deployment ID`: follow a CodeDeploy deployment until it ends."""
    from lambdawait.app.cd_commands import run_deployment_wait
    from lambdawait.cli.options import command_scope
    from lambdawait.core.errors import UsageError

    out = display.render()
    with command_scope("wait", out) as start:
        if functions and deployment is not None:
            raise UsageError(
                "pass FUNCTION... or --deployment ID, not both", hint="run `lambdawait wait --help`"
            )
        if deployment is None:
            raise UsageError("missing FUNCTION", hint="pass FUNCTION... to wait on, or --deployment ID")
        document = run_deployment_wait(
            connection.clients(),
            out,
            deployment_id=deployment,
            timeout=timeout if given(ctx, "timeout") else NO_TIMEOUT,
            start=start,
        )
        out.result(document)
        raise SystemExit(document["exitCode"])
    raise AssertionError("unreachable: the command block always exits")  # pragma: no cover


@dataclasses.dataclass(frozen=True, kw_only=True)
class CodeDeployOptions(OptionGroup):
    """The options of `shift`/`deploy` for the CodeDeploy engine."""

    panel = "CodeDeploy engine"

    engine: Annotated[
        str,
        option(
            "--engine",
            help="client (lambdawait moves the alias; short shifts) or codedeploy (AWS CodeDeploy holds "
            "the shift server-side; long shifts, runners that must not wait).",
        ),
    ] = "client"
    detach: Annotated[
        bool,
        option(
            "--detach", help="With --engine codedeploy: return the deployment id at once (outcome started)."
        ),
    ] = False
    codedeploy_app: Annotated[
        str | None, option("--codedeploy-app", metavar="APP", help="Existing CodeDeploy application.")
    ] = None
    deployment_group: Annotated[
        str | None,
        option("--deployment-group", metavar="GROUP", help="Existing deployment group in --codedeploy-app."),
    ] = None
    codedeploy_role: Annotated[
        str | None,
        option(
            "--codedeploy-role", metavar="ARN", help="Service role for a deployment group lambdawait creates."
        ),
    ] = None
    before_allow_traffic: Annotated[
        str | None,
        option(
            "--before-allow-traffic",
            metavar="FUNCTION",
            help="CodeDeploy hook function run before traffic moves.",
        ),
    ] = None
    after_allow_traffic: Annotated[
        str | None,
        option(
            "--after-allow-traffic",
            metavar="FUNCTION",
            help="CodeDeploy hook function run after all traffic moved.",
        ),
    ] = None

    def handoff(
        self, ctx: ParameterSources, *, alarms: Sequence[str] | None, on_interrupt: str
    ) -> HandOff | None:
        """The hand-off these options ask for (see `handoff`)."""
        return handoff(
            ctx,
            engine=self.engine,
            detach=self.detach,
            alarms=alarms,
            on_interrupt=on_interrupt,
            app=self.codedeploy_app,
            group=self.deployment_group,
            role=self.codedeploy_role,
            before=self.before_allow_traffic,
            after=self.after_allow_traffic,
        )


def handoff(
    ctx: ParameterSources,
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
        given_ = [name for name, value in (("--detach", detach), ("--codedeploy-app", app),
                  ("--deployment-group", group), ("--codedeploy-role", role),
                  ("--before-allow-traffic", before), ("--after-allow-traffic", after)) if value]  # fmt: skip
        if given_:
            raise UsageError(f"{', '.join(given_)} need --engine codedeploy")
        return None
    # The client-side default (rollback) would stop a durable rollout on every cancelled CI job:
    # with CodeDeploy an interrupt detaches unless --on-interrupt rollback is said explicitly.
    return HandOff(
        app=app,
        group=group,
        role=role,
        alarms=tuple(alarms or ()),
        before_allow_traffic=before,
        after_allow_traffic=after,
        detach=detach,
        rollback_on_interrupt=given(ctx, "on_interrupt") and on_interrupt == "rollback",
    )
