"""SIGINT, SIGTERM and SIGHUP as one interrupt: wake every sleeper, then unwind to cleanup, exit 130.

SIGHUP is what a closed terminal or a dropped ssh session sends: it must restore like Ctrl-C.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from lambdawait.core.clock import SystemClock

_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Signals held while a command runs (see `command_scope`); None outside one, e.g. in library use.
_held: list[int] | None = None


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread on SIGINT, SIGTERM or SIGHUP (a cancelled CI job sends SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def interrupts(clock: SystemClock) -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM cancel `clock` (waking sleepers) and raise Interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        # Only the first signal unwinds: a second one (CI sends SIGTERM twice, people press
        # Ctrl-C twice) would otherwise land in the except block before cleanup defers signals,
        # and leave the alias split.
        if clock.cancelled:
            return
        clock.cancel()
        raise Interrupted(signum)

    if _held:  # it came between two phases of the command: this one starts interrupted
        clock.cancel()
        raise Interrupted(_held[0])
    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    completed = False
    try:
        yield
        completed = True
    finally:
        # Within a command, a signal after a phase completed is held, not raised wherever the code
        # happens to be: the next phase starts interrupted, or, with the work done, the result stands.
        late = completed and _held is not None
        for sig, old in previous.items():
            signal.signal(sig, _hold if late else old)


def _hold(signum: int, frame: FrameType | None) -> None:
    if _held is not None:
        _held.append(signum)


def hold() -> None:
    """From now on, within a command, signals are held: the work is done and its result stands.

    A shift calls this once its last step has landed, so a signal arriving while it finishes (a
    read, a progress line) neither rolls back a completed release nor loses its result document.
    """
    if _held is None or threading.current_thread() is not threading.main_thread():
        return
    for sig in _SIGNALS:
        signal.signal(sig, _hold)


@contextmanager
def command_scope() -> Iterator[None]:
    """Around one CLI command: SIGTERM acts as Ctrl-C, and signals after a phase are held (above)."""
    global _held
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in _SIGNALS}
    _held = []
    try:
        yield
    finally:
        _held = None
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def deferred() -> Iterator[list[int]]:
    """Within the block (cleanup), SIGINT/SIGTERM/SIGHUP are recorded, not raised: cleanup must finish."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
