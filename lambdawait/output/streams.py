"""stdout/stderr that a closed pipe, a closed file or an unencodable character can never break.

A reader that goes away (`lambdawait shift ... | head -1`, a closed terminal, a cancelled log
collector) must not turn into an exception inside a command: the alias would be left mid-shift and
the exit code would say "error" instead of what happened. So a failed write marks the stream dead
and every later write is a no-op; the command carries on and exits with the code it decided.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import IO


class SafeStream:
    """A text stream wrapper whose writes and flushes never raise.

    - Text the stream cannot encode (`PYTHONIOENCODING=ascii`, a C locale) is written with
      backslash escapes instead, as Python itself does on stderr.
    - A closed pipe, a closed file or any other OSError marks the stream dead: later writes are
      dropped. The file descriptor is pointed at /dev/null, so the interpreter's own flush at exit
      cannot fail either (which prints "Exception ignored ... BrokenPipeError" and exits 120).
    """

    def __init__(self, stream: IO[str] | None) -> None:
        self.stream = stream
        self.dead = stream is None  # Python sets sys.stdout to None when fd 1 was closed at start
        # Re-entrant: a signal handler that logs while the main thread is mid-write must not deadlock.
        self._lock = threading.RLock()

    @property
    def encoding(self) -> str:
        return str(getattr(self.stream, "encoding", None) or "utf-8")

    def isatty(self) -> bool:
        if self.dead or self.stream is None:
            return False
        try:
            return bool(self.stream.isatty())
        except (OSError, ValueError):
            return False

    def write(self, text: str) -> int:
        with self._lock:
            if self.stream is not None and not self.dead:
                self._write(self.stream, text)
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self.stream is not None and not self.dead:
                try:
                    self.stream.flush()
                except (OSError, ValueError):
                    self._die(self.stream)

    def _write(self, stream: IO[str], text: str) -> None:
        try:
            stream.write(text)
        except UnicodeEncodeError:  # before ValueError: it is one
            try:
                stream.write(_encodable(text, self.encoding))
            except (OSError, ValueError):
                self._die(stream)
        except (OSError, ValueError):
            self._die(stream)

    def _die(self, stream: IO[str]) -> None:
        self.dead = True
        silence(stream)


def _encodable(text: str, encoding: str) -> str:
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    except LookupError:  # an encoding name Python does not know: plain ASCII is always safe
        return text.encode("ascii", "backslashreplace").decode("ascii")


def silence(stream: IO[str] | None) -> None:
    """Point a broken stream's file descriptor at /dev/null, so nothing written later can fail."""
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError):
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)


def flush_quietly(stream: IO[str] | None) -> None:
    """Flush at exit; a reader that went away must not change the exit code (or print about it)."""
    if stream is None:
        return
    try:
        stream.flush()
    except (OSError, ValueError):
        silence(stream)
