"""`lambdawait.toml`: many functions in one file, in `deploy`'s own vocabulary (parsing only).

Keys are `deploy`'s long option names with `_` for `-`, so one vocabulary serves the command line
and the file. `[defaults]` is inherited by every `[functions.NAME]`; paths are relative to the file;
`${VAR}` reads the environment; `after = [...]` orders releases. Every mistake is one UsageError
(exit 2) naming the key, before anything talks to AWS.
"""

from __future__ import annotations

import difflib
import inspect
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, TypeGuard, overload

from lambdawait.core.errors import UsageError

FILE_NAME = "lambdawait.toml"

# What `deploy` takes that describes the function (build_spec's keyword arguments), as the file
# spells it. Keys build_spec does not (yet) take are refused by `check_supported`.
SPEC_KEYS: dict[str, str] = {
    "zip": "zip",
    "dir": "dir",
    "s3": "s3",
    "image_uri": "image_uri",
    "runtime": "runtime",
    "handler": "handler",
    "role": "role",
    "architecture": "architecture",
    "memory": "memory",
    "timeout": "timeout",
    "ephemeral_storage": "ephemeral_storage",
    "env": "env",
    "env_file": "env_file",
    "prune_env": "prune_env",
    "layers": "layers",
    "description": "description",
    "tags": "tags",
    "subnets": "subnets",
    "security_groups": "security_groups",
    "snapstart": "snapstart",
}
# What `deploy` takes about the release that follows (publish, alias, gates).
RELEASE_KEYS = (
    "publish",
    "version_description",
    "alias",
    "strategy",
    "alarms",
    "check_command",
    "check_timeout",
    "smoke_invoke",
    "on_interrupt",
    "wait_timeout",
)
KNOWN_KEYS = (*SPEC_KEYS, *RELEASE_KEYS, "after")
_PATH_KEYS = ("zip", "dir", "env_file")
_TABLE_KEYS = ("env", "tags")
_LIST_KEYS = ("layers", "subnets", "security_groups", "alarms", "after")
_BOOL_KEYS = ("publish", "prune_env", "snapstart")
_NUMBER_KEYS = ("memory", "timeout", "ephemeral_storage", "check_timeout", "wait_timeout")
_VAR = re.compile(r"\$\{([^}]*)\}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# A value of the file, once checked against its key's type (see _typed).
Value = str | int | float | bool | list[str] | dict[str, str]


class SpecKwargs(TypedDict):
    """build_spec's keyword arguments, as the file gives them (None: not in the file)."""

    zip: str | None
    dir: str | None
    s3: str | None
    image_uri: str | None
    runtime: str | None
    handler: str | None
    role: str | None
    architecture: str | None
    memory: int | str | None
    timeout: int | str | None
    ephemeral_storage: int | str | None
    env: list[str] | None
    env_file: str | None
    prune_env: bool
    layers: list[str] | None
    description: str | None
    tags: list[str] | None
    subnets: list[str] | None
    security_groups: list[str] | None
    snapstart: bool | None


@dataclass(frozen=True)
class FunctionEntry:
    """One `[functions.NAME]` with `[defaults]` folded in, `${VAR}` resolved, paths made absolute.

    Values were checked against their key's type when the file was loaded; the accessors below
    read them back typed (a key of another type than asked for reads as absent).
    """

    name: str
    values: Mapping[str, Value]
    after: tuple[str, ...] = ()

    @overload
    def text(self, key: str) -> str | None: ...
    @overload
    def text(self, key: str, default: str) -> str: ...
    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else default

    def number(self, key: str, default: float) -> float:
        """A number key (TOML may give it as text: float() reads it as the option would)."""
        value = self.values.get(key)
        return float(value) if isinstance(value, int | float | str) else default

    def flag(self, key: str, default: bool) -> bool:
        value = self.values.get(key)
        return value if isinstance(value, bool) else default

    def strings(self, key: str) -> list[str] | None:
        value = self.values.get(key)
        return value if isinstance(value, list) else None

    def _pairs(self, key: str) -> list[str] | None:
        """A table as the KEY=VALUE list the option takes."""
        value = self.values.get(key)
        return [f"{k}={v}" for k, v in value.items()] if isinstance(value, dict) else None

    def _whole(self, key: str) -> int | str | None:
        """memory/timeout/ephemeral_storage: an int or text as given (build_spec checks it)."""
        value = self.values.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return None
        return value if isinstance(value, int | str) else str(value)

    def spec_kwargs(self) -> SpecKwargs:
        """build_spec's keyword arguments: tables become the KEY=VALUE lists the options take."""
        text, snapstart = self.text, self.values.get("snapstart")
        return SpecKwargs(
            zip=text("zip"),
            dir=text("dir"),
            s3=text("s3"),
            image_uri=text("image_uri"),
            runtime=text("runtime"),
            handler=text("handler"),
            role=text("role"),
            architecture=text("architecture"),
            memory=self._whole("memory"),
            timeout=self._whole("timeout"),
            ephemeral_storage=self._whole("ephemeral_storage"),
            env=self._pairs("env"),
            env_file=text("env_file"),
            prune_env=self.flag("prune_env", False),
            layers=self.strings("layers"),
            description=text("description"),
            tags=self._pairs("tags"),
            subnets=self.strings("subnets"),
            security_groups=self.strings("security_groups"),
            snapstart=snapstart if isinstance(snapstart, bool) else None,
        )


@dataclass(frozen=True)
class Manifest:
    path: Path
    functions: Mapping[str, FunctionEntry] = field(default_factory=dict)

    def select(self, names: Sequence[str]) -> list[FunctionEntry]:
        """The named functions (all when none is named), in the file's release order."""
        unknown = [n for n in names if n not in self.functions]
        if unknown:
            raise UsageError(
                f"{unknown[0]} is not in {self.path}",
                hint=_closest_hint(unknown[0], list(self.functions), "functions in the file"),
            )
        wanted = set(names) or set(self.functions)
        return [entry for entry in release_order(self.functions.values()) if entry.name in wanted]


def find(explicit: str | Path | None, cwd: Path | None = None) -> Path | None:
    """`-c FILE` (which must exist), else `lambdawait.toml` in the current directory, else None."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError(f"config file {path} does not exist", hint="check the path given to -c")
        return path
    candidate = (cwd or Path.cwd()) / FILE_NAME
    return candidate if candidate.is_file() else None


def load(path: Path, environ: Mapping[str, str] | None = None) -> Manifest:
    """Read and check the whole file; the first problem is a UsageError naming where it is."""
    raw = _parse_toml(path)
    env = os.environ if environ is None else environ
    _reject_unknown(raw, ("defaults", "functions"), f"{path.name}: top-level key")
    defaults = _table(raw.get("defaults", {}), "[defaults]")
    functions = _table(raw.get("functions", {}), "[functions]")
    if not functions:
        raise UsageError(f"{path} defines no functions", hint="add a [functions.NAME] table per function")
    base = path.resolve().parent
    checked_defaults = _entry_values(defaults, "[defaults]", env, base)
    entries: dict[str, FunctionEntry] = {}
    for name, table in functions.items():
        where = f"[functions.{name}]"
        own = _entry_values(_table(table, where), where, env, base)
        values = {**checked_defaults, **own}
        after = values.pop("after", [])
        entries[name] = FunctionEntry(name, values, tuple(after) if isinstance(after, list) else ())
    _check_after(entries)
    return Manifest(path, entries)


def _parse_toml(path: Path) -> dict[str, object]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            data: dict[str, object] = tomllib.load(handle)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: {exc}", hint="fix the TOML syntax at that line") from None
    except OSError as exc:
        raise UsageError(f"{path} cannot be read ({type(exc).__name__})", hint="check the path") from None


def _is_table(value: object) -> TypeGuard[dict[str, object]]:
    """A TOML table: a dict whose keys are strings (TOML has no other keys)."""
    return isinstance(value, dict)


def _is_array(value: object) -> TypeGuard[list[object]]:
    return isinstance(value, list)


def _table(value: object, where: str) -> dict[str, object]:
    if not _is_table(value):
        raise UsageError(f"{where} must be a table", hint="see the example in the README's Many functions")
    return value


def _entry_values(
    table: Mapping[str, object], where: str, env: Mapping[str, str], base: Path
) -> dict[str, Value]:
    _reject_unknown(table, KNOWN_KEYS, f"{where}: unknown key")
    values: dict[str, Value] = {}
    for key, raw in table.items():
        value = _typed(key, _substitute(raw, f"{where} {key}", env), where)
        if key in _PATH_KEYS and isinstance(value, str) and value:
            value = str((base / Path(value)).resolve())
        values[key] = value
    return values


def _substitute(value: object, where: str, env: Mapping[str, str]) -> object:
    """`${VAR}` anywhere in a string (also inside lists and tables); a missing VAR is exit 2."""
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if not _ENV_NAME.fullmatch(name):
                raise UsageError(f"{where}: ${{{name}}} is not a variable name", hint="write ${NAME}")
            if name not in env:
                raise UsageError(
                    f"{where} uses ${{{name}}}, which is not set in the environment",
                    hint=f"export {name}=... before running lambdawait",
                )
            return env[name]

        return _VAR.sub(one, value)
    if _is_array(value):
        return [_substitute(item, where, env) for item in value]
    if _is_table(value):
        return {k: _substitute(v, f"{where}.{k}", env) for k, v in value.items()}
    return value


def _strings(value: object) -> list[str] | None:
    """An array of strings, or None when it is not one."""
    if not _is_array(value):
        return None
    found = [item for item in value if isinstance(item, str)]
    return found if len(found) == len(value) else None


def _string_table(value: object) -> dict[str, str] | None:
    """A table of strings, or None when it is not one."""
    if not _is_table(value):
        return None
    found = {k: v for k, v in value.items() if isinstance(v, str)}
    return found if len(found) == len(value) else None


def _typed(key: str, value: object, where: str) -> Value:
    """Each key's TOML type, checked: a wrong one names the key and what it should be."""
    if key in _TABLE_KEYS:
        table = _string_table(value)
        if table is None:
            raise _wrong(where, key, 'a table of strings, e.g. {LOG_LEVEL = "info"}')
        return table
    if key in _LIST_KEYS:
        items = _strings(value)
        if items is None:
            raise _wrong(where, key, 'a list of strings, e.g. ["a", "b"]')
        return items
    if key in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise _wrong(where, key, "true or false")
        return value
    if key in _NUMBER_KEYS:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _wrong(where, key, "a number")
        return value
    if not isinstance(value, str):
        raise _wrong(where, key, "a string")
    return value


def _wrong(where: str, key: str, expected: str) -> UsageError:
    hint = "see the example in the README's Many functions"
    return UsageError(f"{where}: {key} must be {expected}", hint=hint)


def _reject_unknown(table: Mapping[str, object], known: Sequence[str], what: str) -> None:
    for key in table:
        if key not in known:
            raise UsageError(f"{what} {key!r}", hint=_closest_hint(key, list(known), "known keys"))


def _closest_hint(word: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.5)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"{what}: {', '.join(sorted(known))}"


def _check_after(entries: Mapping[str, FunctionEntry]) -> None:
    for entry in entries.values():
        for other in entry.after:
            if other not in entries:
                raise UsageError(
                    f"[functions.{entry.name}] after: {other!r} is not a function in the file",
                    hint=_closest_hint(other, list(entries), "functions in the file"),
                )
    release_order(entries.values())  # raises on a cycle


def release_order(entries: Iterable[FunctionEntry]) -> list[FunctionEntry]:
    """The file's order, moved only as far as `after` demands (a stable topological sort)."""
    pending = list(entries)
    names = {e.name for e in pending}
    done: list[FunctionEntry] = []
    placed: set[str] = set()
    while pending:
        ready = next((e for e in pending if all(a in placed or a not in names for a in e.after)), None)
        if ready is None:
            cycle = " -> ".join(e.name for e in pending)
            hint = "remove one of the `after` entries"
            raise UsageError(f"`after` forms a cycle among: {cycle}", hint=hint)
        pending.remove(ready)
        done.append(ready)
        placed.add(ready.name)
    return done


def check_supported(entry: FunctionEntry) -> None:
    """A key of the vocabulary that this build's `deploy` does not take yet: exit 2, not ignored."""
    from lambdawait.core.spec import build_spec

    accepted = set(inspect.signature(build_spec).parameters)
    for key in entry.values:
        if key in SPEC_KEYS and SPEC_KEYS[key] not in accepted:
            raise UsageError(
                f"[functions.{entry.name}] {key} is not supported by this version's deploy",
                hint=f"remove {key} from the file",
            )
