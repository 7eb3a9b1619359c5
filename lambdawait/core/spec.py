"""The desired function, parsed from `deploy` option strings; env values are never printed."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NoReturn

from lambdawait.core.errors import UsageError

CodeKind = Literal["zip", "dir", "s3", "image"]
MASK = "****"

_CODE_OPTIONS = ("--zip", "--dir", "--s3", "--image-uri")
# S3 bucket naming rules (general purpose buckets): 3-63 chars, lowercase, digits, dots, hyphens.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_DOTENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class MaskedEnv(Mapping[str, str]):
    """A read-only environment map whose repr/str never shows a value (they are often secrets)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._data: dict[str, str] = dict(data)

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"MaskedEnv({mask_env(self)!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._data) == dict(other)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking mapping semantics, like dict

    def __deepcopy__(self, memo: dict[int, object]) -> MaskedEnv:
        # dataclasses.asdict() deep-copies; keep the masking type so the copy is safe to print too.
        return MaskedEnv(self._data)

    def to_dict(self) -> dict[str, str]:
        """The real values, for the AWS request only; never render the result."""
        return dict(self._data)


def mask_env(env: Mapping[str, str] | None) -> dict[str, str]:
    """The same keys with every value replaced by "****": what every renderer must show."""
    return {key: MASK for key in (env or {})}


# Shorter values are left alone: replacing "1" or "on" everywhere would garble every message.
MIN_REDACTED_LENGTH = 4


def redact(text: str, env: Mapping[str, str] | None) -> str:
    """`text` with every environment value in it replaced by "****" (Lambda errors can echo them)."""
    values = sorted({v for v in (env or {}).values() if len(v) >= MIN_REDACTED_LENGTH}, key=len)
    for value in reversed(values):  # longest first, so a value containing another is fully hidden
        text = text.replace(value, MASK)
    return text


@dataclass(frozen=True)
class CodeSource:
    """Where the code comes from: a local zip, a local directory, an S3 object or an image."""

    kind: CodeKind
    path: Path | None = None
    s3_bucket: str | None = None
    s3_key: str | None = None
    s3_object_version: str | None = None
    image_uri: str | None = None

    def describe(self) -> str:
        """A short human label (no secrets in it)."""
        if self.kind in ("zip", "dir"):
            return str(self.path)
        if self.kind == "s3":
            version = f"?versionId={self.s3_object_version}" if self.s3_object_version else ""
            return f"s3://{self.s3_bucket}/{self.s3_key}{version}"
        return str(self.image_uri)


@dataclass(frozen=True)
class FunctionSpec:
    """The desired function. None always means "not given: keep the function's current value"."""

    name: str
    code: CodeSource | None = None
    runtime: str | None = None
    handler: str | None = None
    role: str | None = None
    architecture: str | None = None
    memory: int | None = None
    timeout: int | None = None
    ephemeral_storage: int | None = None
    env: Mapping[str, str] | None = None
    layers: tuple[str, ...] | None = None
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    subnets: tuple[str, ...] | None = None
    security_groups: tuple[str, ...] | None = None
    # With env given: remove the variables that exist now and are not in `env` (otherwise refused).
    prune_env: bool = False
    # SnapStart on published versions: True on, False off, None keep (lambdawait.core.snapstart).
    snapstart: bool | None = None

    def __post_init__(self) -> None:
        # Whatever mapping the caller passed, store one whose repr masks values.
        if self.env is not None and not isinstance(self.env, MaskedEnv):
            object.__setattr__(self, "env", MaskedEnv(self.env))

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):
            value: object = getattr(self, f.name)
            shown = mask_env(self.env) if f.name == "env" and self.env is not None else value
            parts.append(f"{f.name}={shown!r}")
        return f"FunctionSpec({', '.join(parts)})"

    __str__ = __repr__


def parse_code_source(
    zip: str | Path | None = None,
    dir: str | Path | None = None,
    s3: str | None = None,
    image_uri: str | None = None,
) -> CodeSource | None:
    """At most one code option -> CodeSource; none -> None (a configuration-only deploy)."""
    given = [opt for opt, v in _named(zip, dir, s3, image_uri) if v not in (None, "")]
    if len(given) > 1:
        raise UsageError(
            f"{' and '.join(given)} were both given: a function has one code source",
            hint="pass exactly one of --zip, --dir, --s3 or --image-uri",
        )
    if zip:
        return CodeSource(kind="zip", path=Path(zip))
    if dir:
        return CodeSource(kind="dir", path=Path(dir))
    if s3:
        bucket, key, version = parse_s3_uri(s3)
        return CodeSource(kind="s3", s3_bucket=bucket, s3_key=key, s3_object_version=version)
    if image_uri:
        return CodeSource(kind="image", image_uri=image_uri.strip())
    return None


def _named(*values: object) -> list[tuple[str, object]]:
    # A separate function because parse_code_source's `zip` parameter shadows the builtin.
    return list(zip(_CODE_OPTIONS, values, strict=True))


def parse_s3_uri(uri: str) -> tuple[str, str, str | None]:
    """s3://bucket/key[?versionId=V] -> (bucket, key, version or None)."""
    hint = "write it as s3://bucket/key or s3://bucket/key?versionId=VERSION"
    if not uri.startswith("s3://"):
        raise UsageError(f"--s3 {uri!r} is not an s3:// URI", hint=hint)
    rest = uri[len("s3://") :]
    # Keys may contain '?', so only a trailing "?versionId=" is taken as the version.
    location, sep, version = rest.rpartition("?versionId=")
    if not sep:
        location, version = rest, ""
    elif not version:
        raise UsageError(f"--s3 {uri!r} has an empty versionId", hint=hint)
    bucket, slash, key = location.partition("/")
    if not slash or not key:
        raise UsageError(f"--s3 {uri!r} names no object key", hint=hint)
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise UsageError(
            f"--s3 bucket {bucket!r} is not a valid S3 bucket name",
            hint="bucket names are 3-63 lowercase letters, digits, dots and hyphens",
        )
    return bucket, key, version or None


def parse_key_values(items: Iterable[str] | None, what: str = "--env") -> dict[str, str]:
    """Repeated KEY=VALUE options -> dict; the value may contain '='; a repeated key: last wins."""
    result: dict[str, str] = {}
    for position, item in enumerate(items or (), start=1):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            # Never echo the item: without '=' we cannot tell a key from a pasted secret.
            raise UsageError(
                f"{what} value #{position} is not KEY=VALUE",
                hint=f"write {what} KEY=VALUE (the value may be empty: {what} KEY=)",
            )
        result[key] = value
    return result


def parse_env_file(path: str | Path) -> dict[str, str]:
    """Read a dotenv file: comments, blank lines, `export `, quotes, multi-line quoted values."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(
            f"--env-file {path} does not exist", hint="check the path of the dotenv file"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        # The exception text is safe: neither carries file content.
        raise UsageError(
            f"--env-file {path} cannot be read ({type(exc).__name__})",
            hint="it must be a readable UTF-8 text file",
        ) from None
    return _parse_dotenv(text, str(path))


def _parse_dotenv(text: str, label: str) -> dict[str, str]:
    # python-dotenv's parser, not dotenv_values(): that one skips a line it cannot parse with a
    # logged warning, and a deploy must not ship an environment missing a variable. Values are
    # taken literally (no ${VAR} expansion), as Lambda stores them.
    from dotenv.parser import parse_stream

    result: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        # A binding's text starts with the blank lines before it: count lines that hold something.
        filled = [i for i, line in enumerate(binding.original.string.splitlines()) if line.strip()]
        first = binding.original.line + (filled[0] if filled else 0)
        if binding.error:
            _bad_line(label, first)
        if binding.key is None:  # blank lines and comments
            continue
        if binding.value is None or not _DOTENV_KEY.fullmatch(binding.key):
            _bad_line(label, first)
        result[binding.key] = binding.value
    return result


def _bad_line(label: str, number: int) -> NoReturn:
    # Name the line, never its content: it may be a value pasted without its key.
    raise UsageError(
        f"--env-file {label} line {number} is not KEY=VALUE",
        hint="fix or remove that line: comments start with #, a quoted value needs its closing "
        "quote and nothing after it but a # comment",
    )


def merge_env(env_file: str | Path | None, env_items: Iterable[str] | None) -> dict[str, str] | None:
    """--env-file first, then --env on top; None when neither was given (keep the current env)."""
    items = list(env_items or ())
    if env_file is None and not items:
        return None
    merged = parse_env_file(env_file) if env_file is not None else {}
    merged.update(parse_key_values(items, "--env"))
    return merged


def parse_int(value: int | str | None, option: str) -> int | None:
    """An integer option given as text (or already an int); None stays None."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value.strip())
    except ValueError:
        raise UsageError(
            f"{option} {value!r} is not a whole number", hint=f"pass {option} as an integer"
        ) from None


def _opt_tuple(items: Iterable[str] | None) -> tuple[str, ...] | None:
    # Typer hands an empty list for a repeatable option that was not given: treat as "keep".
    values = tuple(item.strip() for item in (items or ()) if item.strip())
    return values or None


def build_spec(
    name: str,
    *,
    zip: str | Path | None = None,
    dir: str | Path | None = None,
    s3: str | None = None,
    image_uri: str | None = None,
    runtime: str | None = None,
    handler: str | None = None,
    role: str | None = None,
    architecture: str | None = None,
    memory: int | str | None = None,
    timeout: int | str | None = None,
    ephemeral_storage: int | str | None = None,
    env: Iterable[str] | None = None,
    env_file: str | Path | None = None,
    layers: Iterable[str] | None = None,
    description: str | None = None,
    tags: Iterable[str] | None = None,
    subnets: Iterable[str] | None = None,
    security_groups: Iterable[str] | None = None,
    prune_env: bool = False,
    snapstart: bool | None = None,
) -> FunctionSpec:
    """Every `deploy` option string -> FunctionSpec (syntax only; limits are preflight's job)."""
    merged_env = merge_env(env_file, env)
    if prune_env and merged_env is None:
        # Alone it would either do nothing or (as some read it) wipe every variable: refuse both.
        raise UsageError(
            "--prune-env needs --env or --env-file: it removes the variables not given there",
            hint="list the variables to keep with --env NAME=VALUE or --env-file FILE",
        )
    return FunctionSpec(
        name=name.strip(),
        code=parse_code_source(zip, dir, s3, image_uri),
        runtime=runtime or None,
        handler=handler or None,
        role=role or None,
        architecture=architecture or None,
        memory=parse_int(memory, "--memory"),
        timeout=parse_int(timeout, "--timeout"),
        ephemeral_storage=parse_int(ephemeral_storage, "--ephemeral-storage"),
        env=merged_env,
        layers=_opt_tuple(layers),
        description=description,
        tags=parse_key_values(tags, "--tag"),
        subnets=_opt_tuple(subnets),
        security_groups=_opt_tuple(security_groups),
        prune_env=prune_env,
        snapstart=snapstart,
    )
