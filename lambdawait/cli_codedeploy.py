"""The CodeDeploy parts of the command line: `wait --deployment` (options live in cli.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

# Without --timeout, follow a deployment as long as CodeDeploy runs it (its own limits end it).
NO_TIMEOUT = 7 * 24 * 3600.0


def wait_deployment(
    ctx: Any,
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
    from lambdawait.aws import Clients, ConnectionOptions
    from lambdawait.cd_commands import run_deployment_wait
    from lambdawait.errors import UsageError
    from lambdawait.render import Output
    from lambdawait.runner import command

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
        document = run_deployment_wait(clients, out, deployment, timeout if given else NO_TIMEOUT, start)
        out.result(document)
        raise SystemExit(document["exitCode"])
    raise AssertionError("unreachable: the command block always exits")  # pragma: no cover
