"""`lambdawait wait` without Typer: the command CI scripts run most skips ~60 ms of CLI imports.

Only a well-formed `wait` invocation takes this path; anything else (help, a usage error) falls
back to the Typer app, so messages and help stay Typer's. tests/unit/test_fastpath.py checks that
both parse every form to the same values.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NoReturn


class _Fallback(Exception):
    """Not something this parser should decide: let Typer parse (and report) it."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Fallback(message)


def _parser() -> _Parser:
    parser = _Parser(prog="lambdawait wait", add_help=False, allow_abbrev=False)
    parser.add_argument("functions", nargs="+")
    from lambdawait.core.acceptors import Target

    parser.add_argument("--for", dest="target", choices=[t.value for t in Target], default=Target.READY.value)
    parser.add_argument("--qualifier", "-q")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--region")
    parser.add_argument("--profile")
    parser.add_argument("--endpoint-url", dest="endpoint_url")
    parser.add_argument("--output", "-o", choices=("text", "json"), default="text")
    parser.add_argument("--no-color", dest="no_color", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--query")
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace | None:
    """The parsed `wait` arguments, or None when Typer should handle the command line."""
    if not argv or argv[0] != "wait" or any(a in ("--help", "-h") or a.startswith("--install") for a in argv):
        return None
    try:
        args = _parser().parse_intermixed_args(list(argv[1:]))
    except _Fallback:
        return None
    if args.timeout < 0 or any(name.startswith("-") for name in args.functions):
        return None
    return args


def run_wait_command(
    *,
    functions: Sequence[str],
    target: str,
    qualifier: str | None,
    timeout: float,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    output: str,
    no_color: bool,
    verbose: bool,
    query: str | None = None,
) -> NoReturn:
    """The `wait` command itself, shared by the fast path and the Typer app."""
    from lambdawait.app.commands import run_wait
    from lambdawait.aws.clients import Clients, ConnectionOptions
    from lambdawait.cli.boundary import command
    from lambdawait.output.render import Output

    out = Output(output, no_color=no_color, verbose=verbose, query=query)
    with command("wait", out) as start:
        out.compile_query()  # before any AWS call: a bad expression is exit 2
        clients = Clients(ConnectionOptions(region=region, profile=profile, endpoint_url=endpoint_url))
        document = run_wait(
            clients,
            out,
            functions=functions,
            target=target,
            qualifier=qualifier,
            timeout=timeout,
            start=start,
        )
        out.wait_result(document)
        raise SystemExit(document["exitCode"])
    raise AssertionError("unreachable: the command block always exits")  # pragma: no cover


def main(argv: Sequence[str]) -> None:
    """Run `wait` directly when the command line is a plain wait; return to fall back to Typer."""
    args = parse(argv)
    if args is None:
        return
    run_wait_command(
        functions=args.functions,
        target=args.target,
        qualifier=args.qualifier,
        timeout=args.timeout,
        region=args.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        output=args.output,
        no_color=args.no_color,
        verbose=args.verbose,
        query=args.query,
    )
