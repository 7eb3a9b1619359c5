"""Pre-flight checks of a package's contents: sizes, modes, bootstrap, handler file, ELF machine."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # package.py imports this module: only the type checker needs the way back
    from lambdawait.core.package import LocalPackage

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
