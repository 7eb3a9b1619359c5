"""Options shared by commands, declared once: each group is a frozen dataclass whose fields ARE the
options (`Connection`, `OutputOptions`, ...), and `@shared` spreads a command's group parameters
into the signature Typer reads, then folds the parsed values back into one object per group.

Typer has no option inheritance (fastapi/typer#153): without this, --region or -o would be
listed on every command and passed one by one down to the use cases. With it, a command says
`connection: Connection` and adding a connection option means adding one field here.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from typer.models import ArgumentInfo, OptionInfo

if TYPE_CHECKING:
    from lambdawait.aws.clients import Clients
    from lambdawait.output.render import Output


def option(
    *decls: str,
    help: str,
    metavar: str | None = None,
    min: float | None = None,
    max: float | None = None,
    is_eager: bool = False,
    callback: Callable[..., object] | None = None,
    autocompletion: Callable[[str], list[str]] | None = None,
    exists: bool = False,
    dir_okay: bool = True,
) -> OptionInfo:
    """typer.Option, typed: it is declared untyped (for the `x: int = Option(3)` style), but
    inside `Annotated[...]` it is the OptionInfo Typer reads."""
    info = typer.Option(
        *decls,
        help=help,
        metavar=metavar,
        min=min,
        max=max,
        is_eager=is_eager,
        callback=callback,
        autocompletion=autocompletion,
        exists=exists,
        dir_okay=dir_okay,
    )
    if not isinstance(info, OptionInfo):  # pragma: no cover - a Typer that changed its models
        raise TypeError(f"typer.Option returned {type(info).__name__}")
    return info


def argument(
    *,
    help: str,
    is_eager: bool = False,
    callback: Callable[..., object] | None = None,
    autocompletion: Callable[[str], list[str]] | None = None,
) -> ArgumentInfo:
    """typer.Argument, typed (see `option`)."""
    info = typer.Argument(help=help, is_eager=is_eager, callback=callback, autocompletion=autocompletion)
    if not isinstance(info, ArgumentInfo):  # pragma: no cover - a Typer that changed its models
        raise TypeError(f"typer.Argument returned {type(info).__name__}")
    return info


@dataclasses.dataclass(frozen=True, kw_only=True)
class OptionGroup:
    """Base of the option groups: a frozen, keyword-only dataclass whose fields are `Annotated`
    with their `option(...)`. A command parameter typed with a subclass becomes those options,
    shown in `--help` under the group's `panel`."""

    panel: typing.ClassVar[str] = ""


class Omit:
    """`Annotated[OutputOptions, Omit("verbose")]`: the group without options this command lacks."""

    def __init__(self, *names: str) -> None:
        self.names = names


@dataclasses.dataclass(frozen=True, kw_only=True)
class Connection(OptionGroup):
    """Where and as whom to call AWS; None means "the standard AWS lookup"."""

    panel = "AWS connection"

    region: Annotated[str | None, option("--region", help="AWS region (default: AWS_REGION / profile).")] = (
        None
    )
    profile: Annotated[str | None, option("--profile", help="AWS profile (default: AWS_PROFILE).")] = None
    endpoint_url: Annotated[
        str | None,
        option("--endpoint-url", help="Lambda endpoint, e.g. the simulator's (default: AWS_ENDPOINT_URL)."),
    ] = None

    def clients(self) -> Clients:
        from lambdawait.aws.clients import Clients, ConnectionOptions

        return Clients(
            ConnectionOptions(region=self.region, profile=self.profile, endpoint_url=self.endpoint_url)
        )


class OutputMode(str, enum.Enum):
    text = "text"
    json = "json"


@dataclasses.dataclass(frozen=True, kw_only=True)
class OutputOptions(OptionGroup):
    """How the result is shown: text or JSON, colour, progress lines, a JMESPath selection."""

    panel = "Output"

    output: Annotated[OutputMode, option("--output", "-o", help="text or json.")] = OutputMode.text
    no_color: Annotated[bool, option("--no-color", help="Plain lines, no colour or live display.")] = False
    verbose: Annotated[bool, option("--verbose", "-v", help="Log every poll to stderr.")] = False
    query: Annotated[
        str | None,
        option(
            "--query",
            metavar="JMESPATH",
            help="Print only this part of the JSON result, e.g. version or 'functions[0].state' "
            "(a bare string with -o text). The exit code is unchanged.",
        ),
    ] = None

    def render(self) -> Output:
        """The one Output of the command: streams, Rich or plain lines, JSON."""
        from lambdawait.output.render import Output

        return Output(self.output.value, no_color=self.no_color, verbose=self.verbose, query=self.query)


# The output of commands that take no output options (demo, sim serve): plain text, colour allowed.
TEXT = OutputOptions()


class ParameterSources(typing.Protocol):
    """What `given` needs of a Click context (a test can pass a stand-in)."""

    def get_parameter_source(self, name: str) -> object: ...


def given(ctx: ParameterSources, name: str) -> bool:
    """Whether the user set option `name` (command line, environment, file), not left its default."""
    return str(getattr(ctx.get_parameter_source(name), "name", "DEFAULT")) != "DEFAULT"


@contextmanager
def command_scope(name: str, out: Output) -> Iterator[float]:
    """boundary.command, with --query compiled first: a bad expression is exit 2 before any AWS call."""
    from lambdawait.cli.boundary import command

    with command(name, out) as start:
        out.compile_query()
        yield start


# -- @shared: a command's group parameters, spread into options and folded back ------------------


@dataclasses.dataclass(frozen=True)
class _Spread:
    """One group parameter of a command: how to build its object, and the options it became."""

    group: Callable[..., OptionGroup]
    names: tuple[str, ...]


class _Command:
    """The command as Typer sees it: the spread signature, called with every option by name."""

    def __init__(
        self, command: Callable[..., None], spreads: dict[str, _Spread], signature: inspect.Signature
    ):
        functools.update_wrapper(self, command)
        self._command = command
        self._spreads = spreads
        self.__signature__ = signature
        self.__annotations__ = {param.name: param.annotation for param in signature.parameters.values()}

    def __call__(self, **values: object) -> None:
        for name, spread in self._spreads.items():
            values[name] = spread.group(**{option: values.pop(option) for option in spread.names})
        self._command(**values)


def _group_of(hint: object) -> tuple[type[OptionGroup], tuple[str, ...]] | None:
    """The group class (and the options it leaves out) of a parameter's annotation, or None."""
    omitted: tuple[str, ...] = ()
    if typing.get_origin(hint) is Annotated:
        hint, *extras = typing.get_args(hint)
        omitted = tuple(name for extra in extras if isinstance(extra, Omit) for name in extra.names)
    if isinstance(hint, type) and issubclass(hint, OptionGroup):
        return hint, omitted
    return None


# Each group is read once, however many commands take it (Typer copies each option it reads).
_READ: dict[tuple[type[OptionGroup], tuple[str, ...]], tuple[inspect.Parameter, ...]] = {}


def _options(group: type[OptionGroup], omitted: tuple[str, ...]) -> tuple[inspect.Parameter, ...]:
    if (group, omitted) not in _READ:
        _READ[group, omitted] = _read(group, omitted)
    return _READ[group, omitted]


def _read(group: type[OptionGroup], omitted: tuple[str, ...]) -> tuple[inspect.Parameter, ...]:
    """The group's fields as keyword-only parameters, each with its `Annotated[..., option(...)]`."""
    hints = typing.get_type_hints(group, include_extras=True)
    for hint in hints.values():
        for info in typing.get_args(hint)[1:]:
            if isinstance(info, OptionInfo) and info.rich_help_panel is None:
                info.rich_help_panel = group.panel or None
    unknown = set(omitted) - {field.name for field in dataclasses.fields(group)}
    if unknown:
        raise TypeError(f"{group.__name__} has no option {sorted(unknown)}")
    return tuple(
        inspect.Parameter(
            field.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default,
            annotation=hints[field.name],
        )
        for field in dataclasses.fields(group)
        if field.name not in omitted
    )


def shared(command: Callable[..., None]) -> Callable[..., None]:
    """Spread each `OptionGroup` parameter of `command` into its options, in place (so `--help`
    lists them where the command declares the group), and call `command` with one object per group.

    Typer reads the returned function's `__signature__`; every parameter becomes keyword-only, so
    the command is called by name, as Typer always does.
    """
    signature = inspect.signature(command)
    hints = typing.get_type_hints(command, include_extras=True)
    spreads: dict[str, _Spread] = {}
    params: list[inspect.Parameter] = []
    for name, param in signature.parameters.items():
        hint = hints.get(name, param.annotation)
        found = _group_of(hint)
        if found is None:
            params.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hint))
            continue
        group, omitted = found
        options = _options(group, omitted)
        spreads[name] = _Spread(group, tuple(option.name for option in options))
        params += options
    taken = [param.name for param in params]
    if len(set(taken)) != len(taken):
        raise TypeError(f"{command.__name__}: an option name is declared twice: {taken}")

    return _Command(command, spreads, signature.replace(parameters=params, return_annotation=None))
