"""How `--help` reads: metavars a person would write, the choices shown, summaries that fit one line.

Typer derives a metavar from each parameter's Python type (`<str>`, `<list[str]>`, `<float range>`,
`{function}`); that tells a reader nothing. One table here names every option's value instead, so a
new option gets a readable name (its own, upper-cased) without anyone remembering to add one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperOption

if TYPE_CHECKING:  # the types TyperCommand's methods take (Typer vendors Click since 0.2x)
    from typer._click.core import Context
    from typer._click.formatting import HelpFormatter

# What each option's value is, as a person would write it in the README.
METAVARS = {
    "--region": "REGION",
    "--profile": "PROFILE",
    "--endpoint-url": "URL",
    "--qualifier": "VERSION",
    "--timeout": "SECONDS",
    "--wait-timeout": "SECONDS",
    "--check-timeout": "SECONDS",
    "--zip": "FILE",
    "--dir": "DIR",
    "--s3": "s3://BUCKET/KEY",
    "--image-uri": "IMAGE_URI",
    "--runtime": "RUNTIME",
    "--handler": "HANDLER",
    "--role": "ROLE_ARN",
    "--architecture": "[x86_64|arm64]",
    "--memory": "MB",
    "--ephemeral-storage": "MB",
    "--env": "KEY=VALUE",
    "--env-file": "FILE",
    "--layer": "LAYER_ARN",
    "--description": "TEXT",
    "--tag": "KEY=VALUE",
    "--subnet": "SUBNET_ID",
    "--security-group": "GROUP_ID",
    "--alias": "ALIAS",
    "--to-version": "VERSION",
    "--code-sha256": "SHA256",
    "--strategy": "STRATEGY",
    "--alarm": "ALARM",
    "--check-command": "COMMAND",
    "--smoke-invoke": "JSON",
    "--on-interrupt": "[rollback|keep]",
}
ARGUMENTS = {"functions": "FUNCTION...", "function": "FUNCTION", "code": "CODE"}

# One line each in `lambdawait --help`: Click cuts a docstring's first sentence at ~60 characters.
SUMMARIES = {
    "wait": "Wait until functions are ready (Active, update Successful).",
    "status": "Show state, code, configuration, versions and aliases.",
    "explain": "Say what a reason code means and how to fix it.",
    "deploy": "Create or update a function safely, waiting for each change.",
    "publish": "Publish $LATEST as a version and wait until it is Active.",
    "shift": "Move alias traffic to a version; roll back when a gate fires.",
    "rollback": "Point an alias wholly back at the previous version.",
    "demo": "Run the whole workflow on the embedded simulator.",
    "sim": "The embedded Lambda simulator (needs lambdawait[sim]).",
    "serve": "Serve the simulated Lambda API until Ctrl-C / SIGTERM.",
}


def _choices(param: TyperArgument | TyperOption) -> list[str] | None:
    if hasattr(param, "type_descriptor"):  # Typer >= 0.2x keeps its own types: an Enum's members
        found = param.type_descriptor.choices
    else:  # older Typer: Click's own Choice, of the Enum's values
        found = getattr(getattr(param, "type", None), "choices", None)
    if not found:
        return None
    return [str(getattr(choice, "value", choice)) for choice in found]


def _metavar(param: TyperArgument | TyperOption) -> str | None:
    name = str(param.name)
    if isinstance(param, TyperArgument):
        return ARGUMENTS.get(name, name.upper() + ("..." if param.nargs != 1 else ""))
    if param.is_flag or param.count:
        return None
    choices = _choices(param)
    if choices:
        return "[" + "|".join(choices) + "]"
    opts = param.opts
    long = next((opt for opt in opts if opt.startswith("--")), opts[0] if opts else name)
    return METAVARS.get(long, long.lstrip("-").replace("-", "_").upper())


class _Argument(TyperArgument):
    """A TyperArgument showing its metavar alone: `FUNCTION...`, not `{function}` and `<list[str]>`."""

    def display_type_rich(self, ctx: object) -> None:
        return None

    def _usage_display_name(self) -> str:
        return str(self.metavar if self.required else f"[{self.metavar}]")


class HumanCommand(TyperCommand):
    """A Typer command whose parameters show the metavars above instead of their Python types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # Typer's own, passed through
        super().__init__(*args, **kwargs)
        for param in self.params:
            if not isinstance(param, TyperArgument | TyperOption):  # pragma: no cover - Typer builds these
                continue
            if param.metavar is None:
                param.metavar = _metavar(param)
            if isinstance(param, TyperArgument):
                param.__class__ = _Argument  # only how it is shown changes

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        """Arguments, the command's own options, then one section per option group (its panel:
        "AWS connection", "Output", ...), in the order the command declares them."""
        arguments: list[tuple[str, str]] = []
        sections: dict[str, list[tuple[str, str]]] = {"Options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append(record)
                continue
            panel = param.rich_help_panel if isinstance(param, TyperOption) else None
            sections.setdefault(panel or "Options", []).append(record)
        for title, records in (("Arguments", arguments), *sections.items()):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


def humanise(app: typer.Typer) -> None:
    """Give every command of `app` (and of its sub-apps) the readable help above."""
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):  # a command with its own class keeps it
            info.cls = HumanCommand
        name = info.name or (info.callback.__name__ if info.callback else "")
        info.short_help = info.short_help or SUMMARIES.get(name.removesuffix("_cmd").replace("_", "-"))
    for group in app.registered_groups:
        if group.typer_instance is not None:
            humanise(group.typer_instance)
        group.short_help = group.short_help or SUMMARIES.get(group.name or "")
