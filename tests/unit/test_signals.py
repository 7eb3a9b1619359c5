"""SIGINT/SIGTERM handling: one interrupt wakes sleepers and unwinds once; cleanup defers signals."""

from __future__ import annotations

import os
import signal

import pytest

from lambdawait.core.clock import SystemClock
from lambdawait.core.signals import Interrupted, deferred, interrupts


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_cancels_clock_and_raises_once(sig: signal.Signals) -> None:
    clock = SystemClock()
    with pytest.raises(Interrupted) as info, interrupts(clock):
        os.kill(os.getpid(), sig)
        clock.sleep(5)  # pragma: no cover - the handler raises first
    assert info.value.signum == sig and clock.cancelled
    clock.sleep(5)  # a cancelled clock never sleeps again: cleanup is not held up


def test_second_signal_does_not_interrupt_the_cleanup() -> None:
    clock = SystemClock()
    with interrupts(clock):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            raise AssertionError("not interrupted")  # pragma: no cover
        except Interrupted:
            os.kill(os.getpid(), signal.SIGTERM)  # lands before cleanup could defer it
            cleaned = True
    assert cleaned


def test_deferred_records_signals_and_restores_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with deferred() as received:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
    assert received == [signal.SIGTERM, signal.SIGINT]
    assert signal.getsignal(signal.SIGTERM) is before


def test_handlers_restored_after_interrupts_block() -> None:
    before = signal.getsignal(signal.SIGINT)
    with interrupts(SystemClock()):
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before


def test_in_a_command_a_signal_after_a_phase_is_held_for_the_next_one() -> None:
    from lambdawait.core.signals import command_scope

    before = signal.getsignal(signal.SIGTERM)
    with command_scope():
        with interrupts(SystemClock()):
            pass  # a phase that completed
        os.kill(os.getpid(), signal.SIGTERM)  # between phases: held, not raised here
        clock = SystemClock()
        with pytest.raises(Interrupted), interrupts(clock):
            raise AssertionError("the next phase must start interrupted")  # pragma: no cover
        assert clock.cancelled
    assert signal.getsignal(signal.SIGTERM) is before


def test_in_a_command_a_signal_after_the_last_phase_leaves_the_result_standing() -> None:
    from lambdawait.core.signals import command_scope

    with command_scope():
        with interrupts(SystemClock()):
            pass
        os.kill(os.getpid(), signal.SIGINT)
        result = "printed"  # rendering the result is not cut short
    assert result == "printed"


def test_in_a_command_sigterm_before_any_phase_is_a_keyboard_interrupt() -> None:
    from lambdawait.core.signals import command_scope

    with pytest.raises(KeyboardInterrupt), command_scope():
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM must unwind like Ctrl-C")  # pragma: no cover
