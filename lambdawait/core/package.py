"""Code packages: deterministic zips of a directory, reading --zip safely, CodeSha256, inspection."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lambdawait.core.errors import UsageError

# Re-exported: pre-flight (preflight.py) imports the content checks from here.
from lambdawait.core.package_checks import ARCHITECTURES as ARCHITECTURES
from lambdawait.core.package_checks import Findings as Findings
from lambdawait.core.package_checks import check_contents as check_contents
from lambdawait.core.package_checks import read_entry_head
from lambdawait.core.sourcetree import Selection, file_kind, select
from lambdawait.core.spec import CodeSource

# The earliest timestamp a zip (MS-DOS date) can hold: the mtime of every entry.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Fixed so the same zlib gives the same bytes; zlib's default level, a good speed/size balance.
COMPRESS_LEVEL = 6
_UNIX = 3  # ZipInfo.create_system value meaning "Unix": Lambda then honours external_attr modes
_MSDOS_DIR = 0x10


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
    """A zip in memory, ready to upload: its bytes, a label for messages, and its inspection.

    For --dir, included_files counts the files zipped and excluded the files left out per reason
    ("default: version control", ..., ".lambdaignore"), for the dry-run; None and {} for --zip.
    """

    data: bytes
    label: str
    info: PackageInfo
    included_files: int | None = None
    excluded: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def excluded_files(self) -> int:
        """How many files of --dir were left out, all reasons together."""
        return sum(self.excluded.values())

    def exclusion_summary(self) -> str | None:
        """E.g. "14 files excluded (default: version control 12, .lambdaignore 2)"; None if none."""
        if not self.excluded:
            return None
        total = self.excluded_files
        reasons = ", ".join(f"{reason} {count}" for reason, count in self.excluded.items())
        return f"{total} file{'' if total == 1 else 's'} excluded ({reasons})"

    def head(self, name: str, n: int = 64) -> bytes:
        """The first n bytes of one member (e.g. to read an ELF header)."""
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
            return read_entry_head(zf, name, n)


def code_sha256(data: bytes) -> str:
    """Standard base64 of the raw SHA-256 digest: the form Lambda reports as CodeSha256."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def build_zip(directory: Path) -> bytes:
    """Zip a directory deterministically: same tree and contents -> same bytes -> same CodeSha256."""
    return zip_selection(select_source(directory))


def select_source(directory: Path) -> Selection:
    """What of --dir goes into the zip (see sourcetree.select); a missing directory is a UsageError."""
    root = Path(directory)
    if not root.is_dir():
        raise UsageError(f"--dir {root} is not a directory", hint="pass the directory holding the code")
    return select(root)


def zip_selection(selection: Selection) -> bytes:
    """The deterministic zip of the selected files.

    Entries are sorted by path and stamped 1980-01-01 00:00:00. Directory entries are stored (so
    empty directories survive and have an explicit 0o755). Permissions are normalised: 0o755 for
    directories and for files with any execute bit, 0o644 otherwise, so umask and checkout
    differences do not change the hash. Links (all inside the tree: the selection refused the
    others) are followed: the entry holds the target's contents (a link to a directory becomes a
    directory), because Lambda's extraction and users' expectations agree on that. Excluded files
    (.git, .env, bytecode, .lambdaignore matches) are simply absent, so their presence never changes
    the bytes. Compression is deflate at a fixed level, so bytes are identical for the same zlib.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf:
        for member in selection.members:
            if member.is_dir:
                _write(zf, member.rel + "/", b"", 0o755 | stat.S_IFDIR, is_dir=True)
                continue
            mode = os.stat(member.path).st_mode
            perms = 0o755 if mode & 0o111 else 0o644
            _write(zf, member.rel, member.path.read_bytes(), perms | stat.S_IFREG, is_dir=False)
    return buffer.getvalue()


def _write(zf: zipfile.ZipFile, name: str, data: bytes, mode: int, *, is_dir: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.create_system = _UNIX
    info.external_attr = (mode << 16) | (_MSDOS_DIR if is_dir else 0)
    info.compress_type = zipfile.ZIP_STORED if is_dir else zipfile.ZIP_DEFLATED
    zf.writestr(info, data, compresslevel=None if is_dir else COMPRESS_LEVEL)


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


def load_package(source: CodeSource) -> LocalPackage | None:
    """The zip to upload for --zip/--dir (read or built now); None for S3 and images."""
    if source.kind == "dir":
        assert source.path is not None
        selection = select_source(source.path)
        data = zip_selection(selection)
        return LocalPackage(
            data=data,
            label=f"{source.path}/",
            info=inspect_zip(data, "--dir"),
            included_files=selection.included_files,
            excluded=selection.excluded,
        )
    if source.kind != "zip":
        return None
    assert source.path is not None
    data = _read_zip_file(source.path)
    info = inspect_zip(data, str(source.path))
    check_entry_names(info, str(source.path))
    return LocalPackage(data=data, label=str(source.path), info=info)


def _read_zip_file(path: Path) -> bytes:
    """The bytes of --zip; anything but a readable regular file is one clear UsageError."""
    try:
        kind = file_kind(os.stat(path).st_mode)  # before opening: reading a FIFO would hang
    except FileNotFoundError:
        raise UsageError(f"--zip {path} does not exist", hint="check the path of the zip file") from None
    except OSError as exc:
        raise UsageError(f"--zip {path} cannot be read ({exc.strerror})", hint="check the path") from None
    if kind is not None:
        hint = "use --dir for a directory" if kind == "a directory" else "pass the path of a .zip file"
        raise UsageError(f"--zip {path} is {kind}, not a .zip file", hint=hint)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"--zip {path} cannot be read ({exc.strerror})", hint="check its permissions"
        ) from None


# A drive letter ("C:") makes an entry absolute on Windows-made zips.
_DRIVE = re.compile(r"^[A-Za-z]:")


def check_entry_names(info: PackageInfo, label: str) -> None:
    """Refuse entries that would land outside the task root or under a mangled name.

    Absolute paths, drive letters and '..' components point outside the directory the zip is
    extracted into; backslashes (old Windows tools used them as separators) become part of the
    file name on Linux, so app\\handler.py would never be found.
    """
    for entry in info.entries:
        name = entry.name
        if name.startswith("/") or _DRIVE.match(name):
            problem = "an absolute path"
        elif ".." in name.split("/"):
            problem = "a '..' component"
        elif "\\" in name:
            problem = "a backslash (Windows separator)"
        else:
            continue
        raise UsageError(
            f"{label} has an entry with {problem}: {name!r}",
            hint="build the zip from inside the code directory (cd src && zip -r ../app.zip .) "
            "or deploy the directory with --dir",
        )
