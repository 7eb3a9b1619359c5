"""`status` and `explain`: what state functions are in, and what a reason code means."""

from __future__ import annotations

from typing import Annotated

from lambdawait.cli.options import Connection, Omit, OutputOptions, argument, command_scope, option, shared


@shared
def status(
    *,
    functions: Annotated[list[str], argument(help="FUNCTION or FUNCTION:QUALIFIER.")],
    connection: Connection,
    display: Annotated[OutputOptions, Omit("verbose")],
) -> None:
    """Show state, last update, code, recent versions and aliases (env values masked)."""
    out = display.render()
    with command_scope("status", out) as start:
        from lambdawait.app.commands import run_status

        out.status(run_status(connection.clients(), functions=functions, start=start))


def complete_reason(incomplete: str) -> list[str]:
    """Shell completion: every reason code the catalogue knows."""
    from lambdawait.core.reasons import all_reasons

    codes = sorted({reason.code for reason in all_reasons()})
    return [code for code in codes if code.lower().startswith(incomplete.lower())]


@shared
def explain(
    *,
    code: Annotated[
        str | None,
        argument(help="A StateReasonCode or LastUpdateStatusReasonCode.", autocompletion=complete_reason),
    ] = None,
    list_all: Annotated[bool, option("--list", help="List every known code.")] = False,
    display: Annotated[OutputOptions, Omit("verbose")],
) -> None:
    """What a reason code means and how to fix it."""
    out = display.render()
    with command_scope("explain", out):
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
