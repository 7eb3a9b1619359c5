"""Code packages: deterministic zips of a directory, CodeSha256, and zip/ELF inspection."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lambdawait.errors import UsageError
from lambdawait.spec import CodeSource

# The earliest timestamp a zip (MS-DOS date) can hold: the mtime of every entry.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Fixed so the same zlib gives the same bytes; zlib's default level, a good speed/size balance.
COMPRESS_LEVEL = 6
_UNIX = 3  # ZipInfo.create_system value meaning "Unix": Lambda then honours external_attr modes
_MSDOS_DIR = 0x10

ELF_MACHINES = {62: "x86_64", 183: "arm64"}
ARCHITECTURES = ("x86_64", "arm64")
# Documented quotas (lambda-facts.md "Limits"): direct upload, and unzipped including layers.
MAX_ZIP_UPLOAD = 52_428_800
MAX_UNZIPPED = 262_144_000


@dataclass
class Findings:
    """Problems (message, hint) and warnings gathered by the pre-flight checks."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, message: str, hint: str) -> None:
        """Record a problem that stops the deploy."""
        self.problems.append((message, hint))


@dataclass(frozen=True)
class EntryInfo:
    """One zip member: mode is the Unix permission bits, or None when the zip recorded none."""

    name: str
    size: int
    mode: int | None
    is_dir: bool
    is_symlink: bool = False


@dataclass(frozen=True)
class PackageInfo:
    """What pre-flight checks need to know about a zip."""

    zipped_size: int
    unzipped_size: int
    entries: tuple[EntryInfo, ...]
    sha256: str

    def entry(self, name: str) -> EntryInfo | None:
        """The entry with exactly this name, if any."""
        return next((e for e in self.entries if e.name == name), None)

    def names(self) -> frozenset[str]:
        """Every entry name (directories end with '/')."""
        return frozenset(e.name for e in self.entries)


@dataclass(frozen=True)
class LocalPackage:
    """A zip in memory, ready to upload: its bytes, a label for messages, and its inspection."""

    data: bytes
    label: str
    info: PackageInfo

    def head(self, name: str, n: int = 64) -> bytes:
        """The first n bytes of one member (e.g. to read an ELF header)."""
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
            return read_entry_head(zf, name, n)


def code_sha256(data: bytes) -> str:
    """Standard base64 of the raw SHA-256 digest: the form Lambda reports as CodeSha256."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def build_zip(directory: Path) -> bytes:
    """Zip a directory deterministically: same tree and contents -> same bytes -> same CodeSha256.

    Entries are sorted by path and stamped 1980-01-01 00:00:00. Directory entries are stored (so
    empty directories survive and have an explicit 0o755). Permissions are normalised: 0o755 for
    directories and for files with any execute bit, 0o644 otherwise, so umask and checkout
    differences do not change the hash. Symlinks are followed: the entry holds the target's
    contents (a link to a directory becomes a directory), because Lambda's extraction and users'
    expectations agree on that; a dangling link or a link cycle is an error. Compression is deflate
    at a fixed level, so bytes are identical for the same zlib build.
    """
    root = Path(directory)
    if not root.is_dir():
        raise UsageError(f"--dir {root} is not a directory", hint="pass the directory holding the code")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
        for rel, path, is_dir in _walk(root):
            if is_dir:
                _write(zf, rel + "/", b"", 0o755 | stat.S_IFDIR, is_dir=True)
                continue
            mode = os.stat(path).st_mode
            perms = 0o755 if mode & 0o111 else 0o644
            _write(zf, rel, path.read_bytes(), perms | stat.S_IFREG, is_dir=False)
    return buffer.getvalue()


def _write(zf: zipfile.ZipFile, name: str, data: bytes, mode: int, *, is_dir: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.create_system = _UNIX
    info.external_attr = (mode << 16) | (_MSDOS_DIR if is_dir else 0)
    info.compress_type = zipfile.ZIP_STORED if is_dir else zipfile.ZIP_DEFLATED
    zf.writestr(info, data, compresslevel=None if is_dir else COMPRESS_LEVEL)


def _walk(root: Path) -> list[tuple[str, Path, bool]]:
    """(relative posix path, real path, is_dir) for the whole tree, sorted by relative path."""
    found: list[tuple[str, Path, bool]] = []
    pending: list[tuple[str, Path, frozenset[str]]] = [("", root, frozenset({_real(root)}))]
    while pending:
        prefix, directory, ancestors = pending.pop()
        with os.scandir(directory) as listing:
            children = list(listing)
        for child in children:
            rel = f"{prefix}{child.name}"
            path = Path(child.path)
            if child.is_symlink() and not path.exists():
                raise UsageError(
                    f"{rel} in --dir {root} is a dangling symlink",
                    hint="remove it or point it at an existing file",
                )
            if child.is_dir():  # follows symlinks
                real = _real(path)
                if real in ancestors:
                    raise UsageError(
                        f"{rel} in --dir {root} is a symlink loop",
                        hint="remove the link that points at its own parent",
                    )
                found.append((rel, path, True))
                pending.append((rel + "/", path, ancestors | {real}))
            elif child.is_file():
                found.append((rel, path, False))
            else:
                raise UsageError(
                    f"{rel} in --dir {root} is not a regular file (socket, fifo or device)",
                    hint="remove it from the directory before deploying",
                )
    found.sort(key=lambda item: item[0])
    return found


def _real(path: Path) -> str:
    return os.path.realpath(path)


def inspect_zip(data: bytes, label: str = "the package") -> PackageInfo:
    """List a zip's entries, sizes and modes; a broken zip is a UsageError."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UsageError(
            f"{label} is not a valid zip file ({exc})",
            hint="rebuild the archive (e.g. zip -r app.zip .) or deploy the directory with --dir",
        ) from None
    entries = tuple(_entry(info) for info in infos)
    return PackageInfo(
        zipped_size=len(data),
        unzipped_size=sum(info.file_size for info in infos),
        entries=entries,
        sha256=code_sha256(data),
    )


def _entry(info: zipfile.ZipInfo) -> EntryInfo:
    unix = info.external_attr >> 16
    # Zips made on Windows record no Unix mode; 0 also means "none recorded".
    mode = stat.S_IMODE(unix) if info.create_system == _UNIX and unix else None
    return EntryInfo(
        name=info.filename,
        size=info.file_size,
        mode=mode,
        is_dir=info.is_dir(),
        is_symlink=bool(unix) and stat.S_ISLNK(unix),
    )


def read_entry_head(zf: zipfile.ZipFile, name: str, n: int = 64) -> bytes:
    """The first n bytes of member `name` (decompresses only what is needed)."""
    with zf.open(name) as member:
        return member.read(n)


def elf_machine(data: bytes) -> str | None:
    """The CPU an ELF image targets ("x86_64", "arm64", "other:NN"), or None if not ELF."""
    if len(data) < 20 or data[:4] != b"\x7fELF":
        return None
    ei_class, ei_data = data[4], data[5]
    if ei_class not in (1, 2) or ei_data not in (1, 2):
        return None
    # e_machine sits at offset 18 in both ELF32 and ELF64; EI_DATA gives its byte order.
    (machine,) = struct.unpack_from("<H" if ei_data == 1 else ">H", data, 18)
    return ELF_MACHINES.get(machine, f"other:{machine}")


def load_package(source: CodeSource) -> LocalPackage | None:
    """The zip to upload for --zip/--dir (read or built now); None for S3 and images."""
    if source.kind == "dir":
        assert source.path is not None
        data = build_zip(source.path)
        return LocalPackage(data=data, label=f"{source.path}/", info=inspect_zip(data, "--dir"))
    if source.kind != "zip":
        return None
    assert source.path is not None
    path = source.path
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        hint = "use --dir for a directory" if path.is_dir() else "check the path of the zip file"
        raise UsageError(f"--zip {path} {what}", hint=hint)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"--zip {path} cannot be read ({exc.strerror})", hint="check its permissions"
        ) from None
    return LocalPackage(data=data, label=str(path), info=inspect_zip(data, str(path)))


def runtime_family(runtime: str | None) -> str | None:
    """ "provided", "python", "nodejs" or "ruby" (the families whose layout we know), else None."""
    families = ("provided", "python", "nodejs", "ruby")
    return next((f for f in families if runtime and runtime.startswith(f)), None)


# How each interpreted runtime's handler string is written (for messages).
HANDLER_FORMS = {
    "python": "module.function",
    "nodejs": "file.function",
    "ruby": "file.method",
}


def handler_candidates(family: str, handler: str) -> tuple[str, ...] | None:
    """Files that can hold the handler's code, by the runtime's own resolution rule (or None)."""
    if family == "python":
        # The Python runtime does rsplit('.', 1) and imports the module, '/' read as '.'.
        module, dot, _ = handler.rpartition(".")
        if not dot or not module:
            return None
        rel = module.replace("/", ".").replace(".", "/")
        return (f"{rel}.py", f"{rel}/__init__.py", f"{rel}.pyc", f"{rel}.*.so", f"{rel}.so")
    # Node.js and Ruby split the part after the last '/' at its first '.'.
    folder, slash, base = handler.rpartition("/")
    module, dot, function = base.partition(".")
    if not dot or not module or not function:
        return None
    rel = f"{folder}{slash}{module}"
    if family == "nodejs":
        return (f"{rel}.js", f"{rel}.mjs", f"{rel}.cjs", f"{rel}/index.js")
    return (f"{rel}.rb",)


def find_entry(names: Iterable[str], candidate: str) -> str | None:
    """The entry matching candidate (which may hold one '*' wildcard), or None."""
    if "*" in candidate:
        head, tail = candidate.split("*", 1)
        return next((n for n in names if n.startswith(head) and n.endswith(tail)), None)
    return candidate if candidate in names else None


def elf_machines(data: bytes, names: Iterable[str]) -> dict[str, str]:
    """For each named member that is an ELF image, its machine (non-ELF members are left out)."""
    result: dict[str, str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in names:
            machine = elf_machine(read_entry_head(zf, name))
            if machine is not None:
                result[name] = machine
    return result


# --- pre-flight checks of a package's contents (called by preflight.check) ---


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def check_contents(
    found: Findings,
    package: LocalPackage,
    *,
    runtime: str | None,
    handler: str | None,
    arch: str,
    layers: bool,
) -> None:
    """Sizes, modes, bootstrap, handler file and ELF machine; layers=True: a layer may add files."""
    layers_possible = layers
    info, label = package.info, package.label
    if info.zipped_size > MAX_ZIP_UPLOAD:
        found.fail(
            f"{label} is {_mb(info.zipped_size)}; direct uploads are limited to 50 MB "
            f"({MAX_ZIP_UPLOAD:,} bytes)",
            "upload it to S3 and use --s3 s3://bucket/key",
        )
    if info.unzipped_size > MAX_UNZIPPED:
        found.fail(
            f"{label} unzips to {_mb(info.unzipped_size)}; Lambda allows 250 MB "
            f"({MAX_UNZIPPED:,} bytes) including layers",
            "drop unneeded files and dependencies, move them to layers, or use --image-uri",
        )
    if not any(not e.is_dir for e in info.entries):
        found.fail(f"{label} holds no files", "package the code: the zip's root is the task root")
        return
    _check_modes(found, package)
    family = runtime_family(runtime)
    if family == "provided":
        _check_bootstrap(found, package, layers_possible)
    elif family in HANDLER_FORMS and handler:
        _check_handler_file(found, package, family, handler, layers_possible)
    _check_elf(found, package, arch, handler if family == "provided" else None)


def _check_modes(found: Findings, package: LocalPackage) -> None:
    # Lambda runs code as a user that owns nothing: files need o+r, directories o+rx.
    unreadable = [
        e.name
        for e in package.info.entries
        if e.mode is not None
        and not e.is_symlink
        and (e.mode & (0o005 if e.is_dir else 0o004)) != (0o005 if e.is_dir else 0o004)
    ]
    if unreadable:
        found.fail(
            f"{len(unreadable)} entries in {package.label} are not world-readable (e.g. {unreadable[0]!r})",
            "chmod -R o+rX the files and rebuild the zip, or deploy with --dir",
        )


def _check_bootstrap(found: Findings, package: LocalPackage, layers_possible: bool) -> None:
    entry = package.info.entry("bootstrap")
    if entry is None or entry.is_dir:
        if layers_possible:
            found.warnings.append(f"{package.label} has no bootstrap at its root: a layer must provide it")
        else:
            found.fail(
                f"{package.label} has no bootstrap file at its root (needed by provided runtimes)",
                "name the executable bootstrap and put it at the root of the zip",
            )
        return
    if entry.is_symlink:
        return
    if entry.mode is None:
        found.fail(
            f"bootstrap in {package.label} has no Unix permissions (zip made on Windows?)",
            "deploy with --dir, or build the zip with a tool that keeps modes (build-lambda-zip)",
        )
    elif (entry.mode & 0o101) != 0o101:
        found.fail(
            f"bootstrap in {package.label} is not executable (mode {entry.mode:04o})",
            "chmod 755 bootstrap and rebuild the zip, or deploy with --dir",
        )


def _check_handler_file(
    found: Findings, package: LocalPackage, family: str, handler: str, layers_possible: bool
) -> None:
    candidates = handler_candidates(family, handler)
    if candidates is None:
        found.fail(
            f"handler {handler!r} is not of the form {HANDLER_FORMS[family]}",
            f"pass --handler {HANDLER_FORMS[family]}, e.g. app.handler",
        )
        return
    names = package.info.names()
    if any(find_entry(names, c) for c in candidates):
        return
    expected = candidates[0]
    # The classic mistake: zipping the folder instead of its contents.
    nested = sorted(n for n in names if n.endswith("/" + expected))
    if nested:
        hint = f"found {nested[0]}: zip the directory's contents, not the directory itself"
    else:
        hint = f"add {expected} at the root of the package, or fix --handler"
    message = f"handler {handler} needs {expected} in {package.label}, but it is not there"
    if layers_possible and not nested:
        found.warnings.append(f"{message}: a layer must provide it")
    else:
        found.fail(message, hint)


def _arch_hint(arch: str, machine: str) -> str:
    goarch = {"arm64": "arm64", "x86_64": "amd64"}[arch]
    if machine in ARCHITECTURES:
        return f"rebuild with GOARCH={goarch}, or deploy with --architecture {machine}"
    return f"rebuild it for Linux {arch} (GOARCH={goarch})"


def _check_elf(found: Findings, package: LocalPackage, arch: str, handler: str | None) -> None:
    """Executables Lambda runs must match the architecture; mismatched libraries get a warning."""
    executables = {"bootstrap"} | ({handler} if handler else set())
    files = [e.name for e in package.info.entries if not e.is_dir and not e.is_symlink]
    libraries = [n for n in files if n.endswith(".so") or ".so." in n]
    machines = elf_machines(package.data, [n for n in files if n in executables] + libraries)
    for name in sorted(executables & machines.keys()):
        machine = machines[name]
        if machine != arch:
            what = (
                f"an {machine} ELF binary"
                if machine in ARCHITECTURES
                else f"an ELF binary for machine {machine.removeprefix('other:')}"
            )
            found.fail(
                f"{name} is {what} but the function's architecture is {arch}",
                _arch_hint(arch, machine),
            )
    wrong = [n for n in libraries if machines.get(n, arch) != arch]
    if wrong:
        found.warnings.append(
            f"{len(wrong)} native libraries in {package.label} are not built for {arch} "
            f"(e.g. {wrong[0]}): reinstall dependencies for {arch} Linux"
        )
