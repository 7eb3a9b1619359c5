"""The `plan` and `apply` commands, and `rollback` of a functions file's whole release."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

from lambdawait.cli.options import Connection, OutputOptions, argument, command_scope, option, shared

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lambdawait.aws.clients import Clients
    from lambdawait.core.manifest import Manifest
    from lambdawait.output.render import Output

ConfigOpt = Annotated[
    Path | None, option("--config", "-c", help="The functions file (default: ./lambdawait.toml).")
]
NamesArg = Annotated[list[str] | None, argument(help="Functions of the file to include (default: all).")]


def _manifest(config: Path | None) -> Manifest:
    from lambdawait.core import manifest
    from lambdawait.core.errors import UsageError

    path = manifest.find(config)
    if path is None:
        raise UsageError(
            f"no {manifest.FILE_NAME} in the current directory",
            hint="create one (see the README's Many functions) or pass -c FILE",
        )
    return manifest.load(path)


@shared
def plan(
    *,
    names: NamesArg = None,
    config: ConfigOpt = None,
    detailed_exitcode: Annotated[
        bool,
        option("--detailed-exitcode", help="Exit 7 when there are changes, 0 when none (errors as usual)."),
    ] = False,
    connection: Connection,
    display: OutputOptions,
) -> None:
    """What apply would change, per function (reads only)."""
    out = display.render()
    with command_scope("plan", out):
        from lambdawait.app.commands import Session
        from lambdawait.app.many import run_plan
        from lambdawait.core.budget import PLAN_READ_RATE, Budget
        from lambdawait.output.render_many import show

        loaded = _manifest(config)
        session = Session(connection.clients(), out)
        budget = Budget.create(read_rate=PLAN_READ_RATE)
        document = run_plan(session, loaded, names=names or [], detailed=detailed_exitcode, budget=budget)
        show(out, document)
    if document["exitCode"]:
        raise SystemExit(document["exitCode"])


@shared
def apply(
    *,
    names: NamesArg = None,
    config: ConfigOpt = None,
    rate: Annotated[
        float,
        option(
            "--rate",
            help="Mutating requests per second for the whole run (Lambda's quota is 15/s per account "
            "and region); halves on throttling, then climbs back.",
            min=0.1,
        ),
    ] = 10.0,
    connection: Connection,
    display: OutputOptions,
) -> None:
    """Deploy changed functions at once, then release them as one."""
    out = display.render()
    with command_scope("apply", out):
        from lambdawait.app.commands import Session
        from lambdawait.app.many import run_apply
        from lambdawait.core.budget import Budget
        from lambdawait.output.render_many import QuietSteps, progress, show

        loaded = _manifest(config)
        with progress(out, list(loaded.functions)) as sink:
            quiet = cast("Output", QuietSteps(out, sink))  # an Output, its step lines redirected
            session = Session(connection.clients(), quiet)
            budget = Budget.create(rate)
            document = run_apply(session, loaded, names=names or [], budget=budget, progress=sink)
        show(out, document)


def rollback_set(*, config: Path | None, names: Sequence[str], out: Output, clients: Clients) -> None:
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
