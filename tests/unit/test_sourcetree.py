"""Unit tests for lambdawait.core.sourcetree: what of a --dir is zipped, what is excluded and why, links."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from lambdawait.core.errors import UsageError
from lambdawait.core.package import build_zip, load_package
from lambdawait.core.sourcetree import Rules, select
from lambdawait.core.spec import CodeSource

SECRET = "AWS_SECRET_ACCESS_KEY=planted-unit-secret"
CODE = {"app.py": "def handler(e, c):\n    return 1\n", "pkg/__init__.py": "", "pkg/mod.py": "X = 1\n"}
LITTER = {
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/config": "[core]\n",
    ".git/objects/ab/cdef": "blob",
    "vendor/lib/.git": "gitdir: ../../.git/modules/lib\n",  # a submodule's .git is a file
    ".hg/store/data": "x",
    ".svn/entries": "x",
    ".gitignore": "*.log\n",
    ".env": SECRET,
    ".env.production": SECRET,
    ".envrc": f"export {SECRET}\n",
    "pkg/.env": SECRET,
    "__pycache__/app.cpython-312.pyc": "bytecode",
    "pkg/__pycache__/mod.cpython-312.pyc": "bytecode",
    "pkg/mod.pyc": "bytecode",
    "pkg/old.pyo": "bytecode",
    ".DS_Store": "finder",
    "pkg/Thumbs.db": "explorer",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.namelist()


def test_defaults_leave_out_vcs_secrets_bytecode_and_os_files(tmp_path: Path) -> None:
    root = write(tmp_path / "src", {**CODE, **LITTER, "vendor/lib/util.py": "U = 1\n"})
    selection = select(root)
    zipped = names(build_zip(root))
    assert zipped == ["app.py", "pkg/", "pkg/__init__.py", "pkg/mod.py", "vendor/", "vendor/lib/",
                      "vendor/lib/util.py"]  # fmt: skip
    assert selection.excluded == {
        "default: version control": 7,
        "default: .env files": 4,
        "default: bytecode": 4,
        "default: OS files": 2,
    }
    assert selection.included_files == 4


def test_same_code_with_or_without_litter_gives_the_same_bytes(tmp_path: Path) -> None:
    clean = write(tmp_path / "clean", CODE)
    # (vendor/lib/.git would leave vendor/lib/ behind: a directory, even empty, is part of the tree.)
    dirty = write(tmp_path / "dirty", {**CODE, **{k: v for k, v in LITTER.items() if "vendor" not in k}})
    assert build_zip(clean) == build_zip(dirty)
    (dirty / "pkg/__pycache__/other.cpython-311.pyc").write_text("another interpreter")
    assert build_zip(clean) == build_zip(dirty)


def test_lambdaignore_adds_patterns_and_its_negations_win(tmp_path: Path) -> None:
    ignore = "\n".join([
        "# comments and blank lines are fine", "", "*.log", "tests/", "/top.txt", "!.env.example",
        "!keep.pyc", "build/", "!build/inside.txt", "node_modules",
    ])  # fmt: skip
    root = write(tmp_path / "src", {
        **CODE, ".lambdaignore": ignore, "debug.log": "x", "pkg/trace.log": "x", "tests/test_app.py": "x",
        "tests/data/case.json": "x", "top.txt": "x", "pkg/top.txt": "kept: anchored pattern",
        ".env.example": "KEY=", ".env": SECRET, "keep.pyc": "wanted", "other.pyc": "x",
        "build/inside.txt": "x", "node_modules/a/index.js": "x",
    })  # fmt: skip
    selection = select(root)
    assert [m.rel for m in selection.members if not m.is_dir] == [
        ".env.example",
        "app.py",
        "keep.pyc",
        "pkg/__init__.py",
        "pkg/mod.py",
        "pkg/top.txt",
    ]
    # build/inside.txt stays out: as in git, nothing below an excluded directory comes back.
    assert selection.excluded == {
        "default: .env files": 1,
        "default: bytecode": 1,
        "default: .lambdaignore file": 1,
        ".lambdaignore": 7,
    }


def test_lambdaignore_can_bring_back_a_default_directory(tmp_path: Path) -> None:
    root = write(tmp_path / "src", {**CODE, ".lambdaignore": "!__pycache__/\n", "__pycache__/a.pyc": "x"})
    assert "__pycache__/a.pyc" in names(build_zip(root))


def test_rules_report_the_deciding_reason() -> None:
    rules = Rules(["*.txt", "!notes.txt", ".git/"])
    assert rules.reason("a/b.txt", is_dir=False) == ".lambdaignore"
    assert rules.reason("notes.txt", is_dir=False) is None
    assert rules.reason(".git", is_dir=True) == ".lambdaignore"  # its own pattern decides first
    assert rules.reason("__pycache__", is_dir=True) == "default: bytecode"
    assert rules.reason("__pycache__", is_dir=False) is None  # a file of that name is not bytecode
    assert rules.reason_within(".git/objects/x", is_dir=False) == ".lambdaignore"


def test_invalid_or_unreadable_lambdaignore(tmp_path: Path) -> None:
    root = write(tmp_path / "src", {**CODE, ".lambdaignore": "*.log\n!\n"})
    with pytest.raises(UsageError) as exc:
        select(root)
    assert "line 2: '!' is not a valid gitignore pattern" in exc.value.one_line()
    (root / ".lambdaignore").unlink()
    (root / ".lambdaignore").mkdir()
    with pytest.raises(UsageError, match="is not a regular file"):
        select(root)
    (root / ".lambdaignore").rmdir()
    (root / ".lambdaignore").write_bytes(b"\xff\xfe bad")
    with pytest.raises(UsageError, match="cannot be read"):
        select(root)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A secret next to (not inside) the source directory."""
    path = tmp_path / "credentials"
    path.write_text(SECRET)
    return path


def refusal(root: Path) -> str:
    with pytest.raises(UsageError) as exc:
        build_zip(root)
    line = exc.value.one_line()
    assert SECRET not in line and "\n" not in line
    return line


def test_link_out_of_the_tree_is_refused_naming_link_and_target(tmp_path: Path, outside: Path) -> None:
    root = write(tmp_path / "src", CODE)
    (root / "pkg/creds").symlink_to(outside)
    assert f"pkg/creds in --dir {root} is a symlink to {outside}, outside the directory" in refusal(root)
    (root / "pkg/creds").unlink()
    (root / "up").symlink_to("../credentials")  # relative
    assert "up in --dir" in refusal(root) and "symlink to ../credentials, outside" in refusal(root)


def test_link_to_a_directory_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    root = write(tmp_path / "src", CODE)
    (root / "shared").symlink_to(outside.parent)
    assert "shared in --dir" in refusal(root) and "outside the directory" in refusal(root)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_link_to_proc_environ_is_refused(tmp_path: Path) -> None:
    root = write(tmp_path / "src", CODE)
    (root / "env.txt").symlink_to("/proc/self/environ")
    assert "env.txt in --dir" in refusal(root) and "symlink to /proc/self/environ, outside" in refusal(root)


def test_escape_through_a_chain_of_links_names_the_resolved_target(tmp_path: Path, outside: Path) -> None:
    root = write(tmp_path / "src", {**CODE, ".lambdaignore": ".hop\n"})
    (root / ".hop").symlink_to(outside)  # excluded itself, but pkg/config leads through it
    (root / "pkg/config").symlink_to("../.hop")
    line = refusal(root)
    assert f"pkg/config in --dir {root} is a symlink to ../.hop (which resolves to {outside})" in line


def test_dangling_link_is_refused(tmp_path: Path) -> None:
    root = write(tmp_path / "src", CODE)
    (root / "pkg/config").symlink_to("../gone")
    assert f"pkg/config in --dir {root} is a dangling symlink" in refusal(root)


def test_links_inside_are_followed_and_excluded_targets_stay_excluded(tmp_path: Path) -> None:
    root = write(tmp_path / "src", {**CODE, ".env": SECRET, "vendor/util.py": "U = 1\n"})
    (root / "settings.txt").symlink_to(".env")  # a new name must not smuggle the secret in
    (root / "lib").symlink_to("vendor")
    selection = select(root)
    assert [m.rel for m in selection.members if not m.is_dir] == [
        "app.py",
        "lib/util.py",
        "pkg/__init__.py",
        "pkg/mod.py",
        "vendor/util.py",
    ]
    assert selection.excluded == {"default: .env files": 2}


def test_excluded_paths_are_not_inspected(tmp_path: Path, outside: Path) -> None:
    root = write(tmp_path / "src", {**CODE, ".lambdaignore": "node_modules/\npipe\n"})
    (root / "node_modules").mkdir()
    (root / "node_modules/creds").symlink_to(outside)
    (root / ".env").symlink_to("/proc/self/environ")
    os.mkfifo(root / "pipe")  # reading it would hang: being excluded, it is never opened
    selection = select(root)
    assert selection.excluded == {
        "default: .env files": 1,
        "default: .lambdaignore file": 1,
        ".lambdaignore": 2,
    }


def test_special_files_are_refused(tmp_path: Path) -> None:
    root = write(tmp_path / "src", CODE)
    os.mkfifo(root / "pkg/pipe")
    assert "pkg/pipe in --dir" in refusal(root) and "not a regular file" in refusal(root)
    (root / "pkg/pipe").unlink()
    (root / "pkg/link-to-pipe").symlink_to("../fifo")
    os.mkfifo(root / "fifo")
    assert "not a regular file" in refusal(root)


def test_a_directory_given_through_a_link_still_works(tmp_path: Path) -> None:
    real = write(tmp_path / "real", CODE)
    (real / "alias.py").symlink_to("app.py")
    (tmp_path / "via").symlink_to(real)
    assert build_zip(tmp_path / "via") == build_zip(real)
    assert "alias.py" in names(build_zip(real))


def test_load_package_reports_what_was_excluded(tmp_path: Path) -> None:
    root = write(tmp_path / "src", {**CODE, **LITTER})
    package = load_package(CodeSource(kind="dir", path=root))
    assert package is not None and package.included_files == 3
    assert package.excluded_files == 17
    assert package.exclusion_summary() == (
        "17 files excluded (default: version control 7, default: .env files 4, default: bytecode 4, "
        "default: OS files 2)"
    )
    clean = load_package(CodeSource(kind="dir", path=write(tmp_path / "clean", CODE)))
    assert clean is not None and clean.exclusion_summary() is None and clean.excluded == {}
