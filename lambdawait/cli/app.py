"""The Typer app: every command registered in one place, in the order `--help` lists them.

A command lives in the module of its group (cli/wait.py, status.py, deploy.py, release.py,
many.py, sim.py) and takes the shared options as one object per group (cli/options.py); to add a
command, write it there with `@shared` and register it here.
"""

from __future__ import annotations

from typing import Annotated

import typer

from lambdawait.cli import deploy, many, release, sim, status, wait
from lambdawait.cli.helptext import humanise
from lambdawait.cli.options import option
from lambdawait.cli.sim import SIM_PORT

__all__ = ["SIM_PORT", "app"]

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


def _version(value: bool) -> None:
    if value:
        from lambdawait.core.version import version_line

        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """lambdawait: create, wait, publish, shift and roll back AWS Lambda functions safely."""


app.command("wait")(wait.wait)
app.command("status")(status.status)
app.command("explain")(status.explain)
app.command("deploy")(deploy.deploy)
app.command("publish")(release.publish)
app.command("shift")(release.shift)
app.command("rollback")(release.rollback)
app.command("demo")(sim.demo)
app.command("plan")(many.plan)
app.command("apply")(many.apply)
sim_app.command("serve")(sim.sim_serve)

# Last, once every command is registered: readable metavars and one-line summaries in --help.
humanise(app)
