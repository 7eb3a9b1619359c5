"""Unit tests for lambdawait.core.package: deterministic zips, CodeSha256, reading --zip, inspection."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from lambdawait.core.errors import UsageError
from lambdawait.core.package import build_zip, code_sha256, inspect_zip, load_package
from lambdawait.core.package_checks import elf_machine, handler_candidates, read_entry_head
from lambdawait.core.spec import CodeSource


def fake_elf(machine: int, *, bits: int = 64, little: bool = True, e_type: int = 2) -> bytes:
    """A minimal ELF header: identification, e_type and e_machine, padded to 64 bytes."""
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1 if little else 2, 1]) + bytes(9)
    return (ident + struct.pack("<HH" if little else ">HH", e_type, machine)).ljust(64, b"\0")


def make_zip(entries: Mapping[str, tuple[bytes, int | None]]) -> bytes:
    """A zip whose entries have the given Unix modes (None: a Windows-made entry, no mode)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, (data, mode) in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            if mode is None:
                info.create_system = 0
                info.external_attr = 0x10 if name.endswith("/") else 0
            else:
                info.create_system = 3
                kind = stat.S_IFDIR if name.endswith("/") else stat.S_IFREG
                info.external_attr = (kind | mode) << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def _tree(root: Path, order: list[str], mtime: int, umask_value: int) -> None:
    files = {
        "app.py": b"def handler(e, c):\n    return 1\n",
        "pkg/__init__.py": b"",
        "pkg/mod.py": b"X = 1\n" * 100,
        "bin/tool": b"#!/bin/sh\necho hi\n",
        "empty/": b"",
    }
    old = os.umask(umask_value)
    try:
        for name in order:
            path = root / name
            if name.endswith("/"):
                path.mkdir(parents=True, exist_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(files[name])
            os.utime(path, (mtime, mtime))
    finally:
        os.umask(old)
    (root / "bin/tool").chmod(0o700 if umask_value else 0o755)


def test_build_zip_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _tree(a, ["app.py", "pkg/__init__.py", "pkg/mod.py", "bin/tool", "empty/"], 1_600_000_000, 0o022)
    _tree(b, ["empty/", "bin/tool", "pkg/mod.py", "app.py", "pkg/__init__.py"], 1_700_000_000, 0o077)
    first, second = build_zip(a), build_zip(b)
    assert first == second
    assert code_sha256(first) == code_sha256(second)
    assert build_zip(a) == first  # and stable across calls


def test_build_zip_layout_modes_and_timestamps(tmp_path: Path) -> None:
    _tree(tmp_path, ["app.py", "pkg/__init__.py", "pkg/mod.py", "bin/tool", "empty/"], 0, 0o077)
    data = build_zip(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert names == ["app.py", "bin/", "bin/tool", "empty/", "pkg/", "pkg/__init__.py", "pkg/mod.py"]
    modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in infos}
    assert modes["app.py"] == 0o644 and modes["bin/tool"] == 0o755 and modes["pkg/"] == 0o755
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    assert all(i.create_system == 3 for i in infos)
    assert {i.compress_type for i in infos if not i.is_dir()} == {zipfile.ZIP_DEFLATED}


def test_build_zip_follows_symlinks(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_bytes(b"target contents")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib/x.py").write_bytes(b"x")
    (tmp_path / "link.txt").symlink_to("real.txt")
    (tmp_path / "linkdir").symlink_to("lib")
    with zipfile.ZipFile(io.BytesIO(build_zip(tmp_path))) as zf:
        assert zf.read("link.txt") == b"target contents"
        assert zf.read("linkdir/x.py") == b"x"


def test_build_zip_rejects_dangling_links_and_loops(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/loop").symlink_to("..")
    with pytest.raises(UsageError, match="symlink loop"):
        build_zip(tmp_path)
    (tmp_path / "a/loop").unlink()
    (tmp_path / "gone").symlink_to("nowhere")
    with pytest.raises(UsageError, match="dangling symlink"):
        build_zip(tmp_path)


def test_build_zip_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a directory"):
        build_zip(tmp_path / "missing")


def test_code_sha256_is_base64_of_raw_digest() -> None:
    data = b"any bytes at all"
    expected = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert code_sha256(data) == expected
    assert len(expected) == 44 and expected.endswith("=")


def test_inspect_zip() -> None:
    data = make_zip({"dir/": (b"", 0o755), "dir/a.py": (b"abc", 0o640), "win.txt": (b"hello", None)})
    info = inspect_zip(data)
    assert info.zipped_size == len(data) and info.unzipped_size == 8
    assert info.sha256 == code_sha256(data)
    by_name = {e.name: e for e in info.entries}
    assert by_name["dir/"].is_dir and by_name["dir/"].mode == 0o755
    assert by_name["dir/a.py"].mode == 0o640 and by_name["dir/a.py"].size == 3
    assert by_name["win.txt"].mode is None
    assert info.entry("missing") is None and "dir/a.py" in info.names()


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04garbage"])
def test_inspect_zip_rejects_garbage(data: bytes) -> None:
    with pytest.raises(UsageError) as exc:
        inspect_zip(data, "app.zip")
    line = exc.value.one_line()
    assert "app.zip is not a valid zip file (" in line and "--dir" in line and "\n" not in line


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (fake_elf(62), "x86_64"),
        (fake_elf(183), "arm64"),
        (fake_elf(183, e_type=3), "arm64"),  # shared object
        (fake_elf(62, little=False), "x86_64"),
        (fake_elf(183, little=False), "arm64"),
        (fake_elf(3, bits=32), "other:3"),  # i386
        (fake_elf(40, bits=32, little=False), "other:40"),  # 32-bit big-endian ARM
        (b"#!/bin/sh\n", None),
        (b"\x7fELF", None),  # truncated
        (b"\x7fELF\x03\x01" + bytes(58), None),  # bad class
    ],
)
def test_elf_machine(header: bytes, expected: str | None) -> None:
    assert elf_machine(header) == expected


def test_read_entry_head() -> None:
    data = make_zip({"bootstrap": (fake_elf(183) + b"x" * 10_000, 0o755)})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        head = read_entry_head(zf, "bootstrap")
        assert len(head) == 64 and elf_machine(head) == "arm64"
        assert read_entry_head(zf, "bootstrap", n=4) == b"\x7fELF"


def test_load_package(tmp_path: Path) -> None:
    path = tmp_path / "app.zip"
    path.write_bytes(make_zip({"app.py": (b"x", 0o644)}))
    package = load_package(CodeSource(kind="zip", path=path))
    assert package is not None and package.data == path.read_bytes()
    assert package.info.entries[0].name == "app.py" and package.head("app.py") == b"x"
    (tmp_path / "src").mkdir()
    (tmp_path / "src/app.py").write_bytes(b"x")
    built = load_package(CodeSource(kind="dir", path=tmp_path / "src"))
    assert built is not None and built.data == build_zip(tmp_path / "src")
    assert load_package(CodeSource(kind="s3", s3_bucket="bkt", s3_key="k")) is None
    assert load_package(CodeSource(kind="image", image_uri="x")) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("nope.zip", "nope.zip does not exist"),
        ("", "is a directory, not a .zip file (use --dir"),
        ("fifo.zip", "fifo.zip is a FIFO (named pipe), not a .zip file"),  # reading it would hang
        ("/dev/null", "--zip /dev/null is a character device, not a .zip file"),
    ],
)
def test_load_package_bad_zip_path(tmp_path: Path, name: str, problem: str) -> None:
    os.mkfifo(tmp_path / "fifo.zip")
    with pytest.raises(UsageError) as exc:
        load_package(CodeSource(kind="zip", path=tmp_path / name if name else tmp_path))
    assert problem in exc.value.one_line()


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("/etc/cron.d/job", "an absolute path"),
        ("C:/Windows/evil.dll", "an absolute path"),
        ("../outside.py", "a '..' component"),
        ("pkg/../../outside.py", "a '..' component"),
        ("pkg\\app.py", "a backslash (Windows separator)"),
    ],
)
def test_load_package_refuses_entries_outside_the_task_root(tmp_path: Path, entry: str, problem: str) -> None:
    path = tmp_path / "app.zip"
    path.write_bytes(make_zip({"app.py": (b"x", 0o644), entry: (b"y", 0o644)}))
    with pytest.raises(UsageError) as exc:
        load_package(CodeSource(kind="zip", path=path))
    assert f"{path} has an entry with {problem}: {entry!r}" in exc.value.one_line()
    assert "--dir" in exc.value.one_line()


def test_load_package_accepts_dotted_names_that_stay_inside(tmp_path: Path) -> None:
    path = tmp_path / "app.zip"
    path.write_bytes(make_zip({"app.py": (b"x", 0o644), "..hidden": (b"", 0o644), "a/b..c.py": (b"", 0o644)}))
    package = load_package(CodeSource(kind="zip", path=path))
    assert package is not None and package.included_files is None and package.excluded == {}


@pytest.mark.parametrize(
    ("family", "handler", "first"),
    [
        ("python", "app.handler", "app.py"),
        ("python", "pkg.sub.mod.handler", "pkg/sub/mod.py"),
        ("python", "src/app.handler", "src/app.py"),
        ("nodejs", "index.handler", "index.js"),
        ("nodejs", "dist/index.obj.handler", "dist/index.js"),
        ("ruby", "function.Handler.process", "function.rb"),
        ("python", "nodot", None),
        ("nodejs", "index.", None),
    ],
)
def test_handler_candidates(family: str, handler: str, first: str | None) -> None:
    candidates = handler_candidates(family, handler)
    assert (candidates[0] if candidates else None) == first
