"""`publish`, `shift` and `rollback`, and the shift options `deploy` shares (GateOptions)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from lambdawait.aws.gates import GateSpec


def complete_strategy(incomplete: str) -> list[str]:
    """Shell completion: the predefined strategy names, then the custom forms' templates."""
    from lambdawait.core.strategy import strategy_names

    names = [*strategy_names(), "canary:10:5m", "linear:10:1m"]
    return [name for name in names if name.lower().startswith(incomplete.lower())]


@dataclasses.dataclass(frozen=True, kw_only=True)
class GateOptions(OptionGroup):
    """How a shift moves traffic and what stops it: strategy, health gates, interrupts, --force."""

    panel = "Traffic shifting"

    strategy: Annotated[
        str,
        option(
            "--strategy",
            help="AllAtOnce, Canary10Percent5Minutes, Linear10PercentEvery1Minute ..., "
            "canary:PERCENT:BAKE or linear:PERCENT:INTERVAL (e.g. canary:10:5m, linear:25:30s).",
            autocompletion=complete_strategy,
        ),
    ] = "AllAtOnce"
    alarm: Annotated[
        list[str] | None, option("--alarm", help="CloudWatch alarm that rolls back when in ALARM.")
    ] = None
    check_command: Annotated[
        str | None,
        option(
            "--check-command",
            help="Shell command run after each step; non-zero rolls back. "
            "Never echoed (it may carry a token).",
        ),
    ] = None
    check_timeout: Annotated[
        float,
        option(
            "--check-timeout",
            help="Seconds a --check-command may run; then its process group is stopped and the gate fails.",
        ),
    ] = 300.0
    smoke_invoke: Annotated[
        str | None,
        option("--smoke-invoke", help="Invoke the new version with this JSON payload ('{}' for empty)."),
    ] = None
    on_interrupt: Annotated[
        str, option("--on-interrupt", help="On SIGINT/SIGTERM: rollback (default) or keep.")
    ] = "rollback"
    force: Annotated[bool, option("--force", help="Shift even if the alias is mid-shift already.")] = False

    def spec(self) -> GateSpec:
        """The gates, parsed: a bad timeout, check command or payload is a UsageError (exit 2)."""
        from lambdawait.aws import gates

        timeout = gates.parse_check_timeout(self.check_timeout)
        command = gates.parse_check_command(self.check_command)
        return gates.GateSpec(
            alarms=tuple(self.alarm or ()),
            check_command=command,
            smoke_payload=gates.parse_payload(self.smoke_invoke),
            check_timeout=timeout,
        )


@shared
def publish(
    *,
    function: Annotated[str, argument(help="Function name or ARN.")],
    description: Annotated[str | None, option("--description", help="Version description.")] = None,
    code_sha256: Annotated[
        str | None, option("--code-sha256", help="Publish only if $LATEST has exactly this code.")
    ] = None,
    wait_timeout: Annotated[
        float, option("--wait-timeout", help="Seconds to wait (SnapStart can take minutes).", min=0)
    ] = 900.0,
    connection: Connection,
    display: OutputOptions,
) -> None:
    """Publish $LATEST as a version (guarded by CodeSha256 and RevisionId) and wait until Active."""
    out = display.render()
    with command_scope("publish", out):
        from lambdawait.app.commands import Session, run_publish

        session = Session(connection.clients(), out)
        document = run_publish(
            session, function, description=description, code_sha256=code_sha256, timeout=wait_timeout
        )
        out.result(document)


@shared
def shift(
    *,
    ctx: typer.Context,
    function: Annotated[str, argument(help="Function name.")],
    alias: Annotated[str, option("--alias", help="Alias to move.")],
    to_version: Annotated[str, option("--to-version", help="Published version number.")],
    gates: GateOptions,
    plan: Annotated[bool, option("--plan", help="Print the schedule; change nothing.")] = False,
    connection: Connection,
    display: OutputOptions,
    codedeploy: CodeDeployOptions,
) -> None:
    """Move alias traffic to a version step by step, rolling back when a health gate fires."""
    out = display.render()
    with command_scope("shift", out):
        from lambdawait.app.commands import Session, run_shift, shift_request

        request = shift_request(
            function,
            alias=alias,
            version=to_version,
            strategy_text=gates.strategy,
            on_interrupt=gates.on_interrupt,
            force=gates.force,
        )
        gates_spec = gates.spec()
        handoff = codedeploy.handoff(ctx, alarms=gates.alarm, on_interrupt=gates.on_interrupt)
        session = Session(connection.clients(), out)
        out.result(run_shift(session, request, gates_spec=gates_spec, plan_only=plan, handoff=handoff))


@shared
def rollback(
    *,
    function: Annotated[str | None, argument(help="Function name.")] = None,
    alias: Annotated[str | None, option("--alias", help="Alias to restore.")] = None,
    to_version: Annotated[
        str | None, option("--to-version", help="Version (default: the one before the last shift).")
    ] = None,
    config: Annotated[
        Path | None,
        option("--config", "-c", help="Restore every alias of the file's functions (lambdawait.toml)."),
    ] = None,
    connection: Connection,
    display: OutputOptions,
) -> None:
    """Point the alias wholly at the previous (or given) version."""
    out = display.render()
    with command_scope("rollback", out):
        from lambdawait.app.commands import Session, run_rollback

        if config is not None or alias is None:  # the set of a functions file (cli.many)
            from lambdawait.cli.many import rollback_set

            names = [function] if function else []
            rollback_set(config=config, names=names, out=out, clients=connection.clients())
            return
        assert function is not None
        session = Session(connection.clients(), out)
        out.result(run_rollback(session, function, alias=alias, to_version=to_version))
