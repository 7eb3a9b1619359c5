"""`lambdawait wait`: the Typer form of the command (the fast path parses the plain forms itself)."""

from __future__ import annotations

from typing import Annotated

import typer

from lambdawait.cli.options import Connection, OutputOptions, argument, option, shared
from lambdawait.core.acceptors import Target


@shared
def wait(
    *,
    ctx: typer.Context,
    functions: Annotated[list[str] | None, argument(help="FUNCTION, FUNCTION:QUALIFIER or an ARN.")] = None,
    for_: Annotated[Target, option("--for", help="What to wait for.")] = Target.READY,
    qualifier: Annotated[str | None, option("--qualifier", "-q", help="Version for --for version.")] = None,
    timeout: Annotated[float, option("--timeout", help="Give up after SECONDS.", min=0)] = 300.0,
    connection: Connection,
    display: OutputOptions,
    deployment: Annotated[
        str | None,
        option(
            "--deployment",
            metavar="ID",
            help="Follow this CodeDeploy deployment instead (any, e.g. SAM's): exit 0 succeeded, "
            "5 stopped or rolled back by an alarm, 1 failed, 3 --timeout (default: no limit).",
        ),
    ] = None,
) -> None:
    """Block until each function is ready (State Active + LastUpdateStatus Successful), or until a
    CodeDeploy deployment (--deployment) ends."""
    if deployment is not None or not functions:
        from lambdawait.cli.codedeploy import wait_deployment

        wait_deployment(
            ctx,
            functions=functions,
            deployment=deployment,
            timeout=timeout,
            connection=connection,
            display=display,
        )
    # Looked up at call time: the fast path and this command run the one function (test_fastpath).
    from lambdawait.cli.fastpath import run_wait_command

    # The fast path's own names (it parses without Typer, hence without these option groups).
    run_wait_command(
        functions=functions,
        target=for_.value,
        qualifier=qualifier,
        timeout=timeout,
        region=connection.region,
        profile=connection.profile,
        endpoint_url=connection.endpoint_url,
        output=display.output.value,
        no_color=display.no_color,
        verbose=display.verbose,
        query=display.query,
    )
