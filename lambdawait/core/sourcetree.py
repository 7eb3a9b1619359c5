"""Which files of a --dir go into the zip: default exclusions, .lambdaignore, links and special files."""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from lambdawait.core.errors import UsageError

IGNORE_FILE = ".lambdaignore"
# The reason a file matched only the .lambdaignore patterns is reported under.
IGNORE_REASON = IGNORE_FILE

# Left out of every --dir zip unless a .lambdaignore negation (!pattern) brings them back. Secrets
# and repository history must never ship; bytecode and OS files would make the CodeSha256 depend
# on which interpreter or file browser last touched the tree ("same source, same CodeSha256").
# Patterns without a '/' match at any depth, as in .gitignore.
DEFAULT_EXCLUSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "default: version control",
        (".git", ".hg", ".svn", ".bzr", ".gitignore", ".gitattributes", ".gitmodules", ".hgignore"),
    ),
    # .envrc (direnv) typically exports credentials too; .env.example is caught by .env.* and can
    # be re-included with !.env.example.
    ("default: .env files", (".env", ".env.*", ".envrc")),
    ("default: bytecode", ("__pycache__/", "*.pyc", "*.pyo")),
    ("default: OS files", (".DS_Store", "Thumbs.db")),
    # The rules are not code: editing them must not change the CodeSha256 of the same files.
    (f"default: {IGNORE_FILE} file", (f"/{IGNORE_FILE}",)),
)
REASONS = (*(reason for reason, _ in DEFAULT_EXCLUSIONS), IGNORE_REASON)


@dataclass(frozen=True)
class SourceFile:
    """One zip member to be: its path in the zip, where to read it, and whether it is a directory."""

    rel: str
    path: Path
    is_dir: bool


@dataclass(frozen=True)
class Selection:
    """What goes into the zip (sorted by zip path) and how many files were left out, per reason."""

    members: tuple[SourceFile, ...]
    excluded: Mapping[str, int]

    @property
    def included_files(self) -> int:
        """Files (not directories) that go into the zip."""
        return sum(1 for m in self.members if not m.is_dir)


class Rules:
    """The default exclusions plus the root .lambdaignore, with the reason each path is excluded."""

    def __init__(self, ignore_lines: list[str] | None = None) -> None:
        self._defaults = [(reason, GitIgnoreSpec.from_lines(lines)) for reason, lines in DEFAULT_EXCLUSIONS]
        self._user = GitIgnoreSpec.from_lines(ignore_lines) if ignore_lines else None

    def reason(self, rel: str, *, is_dir: bool) -> str | None:
        """Why rel (a path in the zip) is excluded, or None when it goes in.

        The .lambdaignore's last matching pattern decides (a negation re-includes even a default
        exclusion); only when none of its patterns match do the defaults apply.
        """
        path = rel + "/" if is_dir else rel
        if self._user is not None:
            verdict = self._user.check_file(path).include
            if verdict is not None:
                return IGNORE_REASON if verdict else None
        return next((reason for reason, spec in self._defaults if spec.match_file(path)), None)

    def reason_within(self, rel: str, *, is_dir: bool) -> str | None:
        """Like reason(), but also excluded when a parent directory is (as git and our walk prune)."""
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            found = self.reason("/".join(parts[:depth]), is_dir=True)
            if found:
                return found
        return self.reason(rel, is_dir=is_dir)


def load_rules(root: Path) -> Rules:
    """The rules for a --dir: the defaults plus its root .lambdaignore (gitignore syntax), if any."""
    path = root / IGNORE_FILE
    if not os.path.lexists(path):
        return Rules()
    if not path.is_file():  # a FIFO would hang the read; a directory is a mistake
        raise UsageError(
            f"{IGNORE_FILE} in --dir {root} is not a regular file",
            hint="make it a text file of gitignore patterns",
        )
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{IGNORE_FILE} in --dir {root} cannot be read ({exc})",
            hint="make it a UTF-8 text file of gitignore patterns",
        ) from None
    try:
        return Rules(lines)
    except ValueError:  # pathspec's GitIgnorePatternError
        number, line = _first_invalid(lines)
        raise UsageError(
            f"{IGNORE_FILE} in --dir {root}, line {number}: {line!r} is not a valid gitignore pattern",
            hint="fix or remove that line (see `git help gitignore`)",
        ) from None


def _first_invalid(lines: list[str]) -> tuple[int, str]:
    for number, line in enumerate(lines, start=1):
        try:
            GitIgnoreSpec.from_lines([line])
        except ValueError:
            return number, line
    return 0, ""  # pragma: no cover - only called after the whole file failed


def select(root: Path) -> Selection:
    """Walk --dir: what goes in, what is excluded and why; links out of the tree are refused.

    Excluded directories are not entered (as in git, a negation cannot re-include a file below
    an excluded directory), but their files are counted. Links inside the tree are followed; a
    link whose target resolves outside the tree, a dangling link, a link loop and special files
    (FIFOs, sockets, devices) are UsageErrors naming the path. Anything reached through a link is
    also excluded when its resolved path inside the tree is.
    """
    walker = _Walker(root, load_rules(root))
    walker.run()
    counts = walker.excluded
    return Selection(
        members=tuple(sorted(walker.members, key=lambda m: m.rel)),
        excluded={reason: counts[reason] for reason in REASONS if counts[reason]},
    )


class _Walker:
    def __init__(self, root: Path, rules: Rules) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.rules = rules
        self.members: list[SourceFile] = []
        self.excluded: Counter[str] = Counter()

    def run(self) -> None:
        # (zip prefix, directory, real paths of the directories above, reached through a link)
        pending: list[tuple[str, Path, frozenset[str], bool]] = [
            ("", self.root, frozenset({self.real_root}), False)
        ]
        while pending:
            prefix, directory, ancestors, via_link = pending.pop()
            with os.scandir(directory) as listing:
                children = sorted(listing, key=lambda entry: entry.name)  # the same error every run
            for child in children:
                rel, path = prefix + child.name, Path(child.path)
                linked = via_link or child.is_symlink()
                if not self._keep(child, rel, linked):
                    continue
                if child.is_dir():  # follows links
                    real = os.path.realpath(path)
                    if real in ancestors:
                        raise self._error(
                            rel, "is a symlink loop", "remove the link that points at its own parent"
                        )
                    self.members.append(SourceFile(rel, path, True))
                    pending.append((rel + "/", path, ancestors | {real}, linked))
                elif child.is_file():
                    self.members.append(SourceFile(rel, path, False))
                else:
                    raise self._error(
                        rel,
                        "is not a regular file (socket, fifo or device)",
                        f"remove it from the directory or list it in {IGNORE_FILE}",
                    )

    def _keep(self, child: os.DirEntry[str], rel: str, linked: bool) -> bool:
        """False (counting the files) when excluded; raises for links that leave the tree."""
        is_dir = child.is_dir()
        reason = self.rules.reason(rel, is_dir=is_dir)
        if reason is None and linked:
            real_rel = self._inside(child, rel)
            if real_rel not in (rel, "."):  # a link's target, e.g. config -> .env, is excluded with it
                reason = self.rules.reason_within(real_rel, is_dir=is_dir)
        if reason is None:
            return True
        self.excluded[reason] += _count_files(child)
        return False

    def _inside(self, child: os.DirEntry[str], rel: str) -> str:
        """The resolved path relative to the root; a UsageError when it is outside or missing."""
        real = os.path.realpath(child.path)
        if os.path.commonpath([self.real_root, real]) != self.real_root:
            raise self._error(
                rel, f"is a symlink to {self._target(child, real)}, outside the directory",
                "copy what the function needs into the directory; links must stay inside it",
            )  # fmt: skip
        if not os.path.exists(real):
            raise self._error(rel, "is a dangling symlink", "remove it or point it at an existing file")
        return Path(os.path.relpath(real, self.real_root)).as_posix()

    def _target(self, child: os.DirEntry[str], real: str) -> str:
        """How to name where a link leads: what it says, plus the resolved path if that differs."""
        if not child.is_symlink():  # below a linked directory: name the resolved path
            return real
        literal = os.readlink(child.path)
        joined = os.path.abspath(os.path.join(os.path.dirname(child.path), literal))
        root = os.path.abspath(self.root)
        if os.path.commonpath([root, joined]) == root:  # it leaves through a further link
            return f"{literal} (which resolves to {real})"
        return literal

    def _error(self, rel: str, what: str, hint: str) -> UsageError:
        return UsageError(f"{rel} in --dir {self.root} {what}", hint=hint)


def _count_files(entry: os.DirEntry[str]) -> int:
    """Files at or below an excluded entry, links not followed (a link counts as one file)."""
    if not entry.is_dir(follow_symlinks=False):
        return 1
    try:
        with os.scandir(entry.path) as listing:
            return sum(_count_files(child) for child in listing)
    except OSError:  # an unreadable excluded directory: nothing of it is packaged anyway
        return 0


def file_kind(mode: int) -> str | None:
    """What a non-regular file is ("a directory", "a character device", ...), None if regular."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), None)
