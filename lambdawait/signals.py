"""SIGINT and SIGTERM as one interrupt: wake every sleeper, then unwind to cleanup and exit 130."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from lambdawait.clock import SystemClock


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread on SIGINT or SIGTERM (a cancelled CI job sends SIGTERM)."""

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

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def deferred() -> Iterator[list[int]]:
    """Within the block (cleanup), SIGINT/SIGTERM are recorded, not raised: cleanup must finish."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
