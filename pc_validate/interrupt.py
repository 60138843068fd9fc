"""Signals that stop a run: SIGINT, SIGTERM and SIGHUP all end it the way Ctrl-C does.

While the command runs, each of them raises `Interrupted`, a KeyboardInterrupt that carries
the signal's number, so every clean-up written for Ctrl-C (worker processes stopped,
temporary files removed) also runs for `kill`, `docker stop`, a cancelled CI job or a closed
terminal, and the command exits 128 + the number, as a shell reports a process that the
signal ended. Only the first signal raises: the clean-up it starts is bounded, and a second
one (a terminal sends SIGHUP more than once) must not cut it short with a traceback.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """The run was stopped by the signal `signum`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def signal_number(exc: KeyboardInterrupt) -> int:
    """The signal behind an interrupt; a plain KeyboardInterrupt is Ctrl-C's SIGINT."""
    return getattr(exc, "signum", signal.SIGINT)


def exit_status(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number: 130 for SIGINT, 129 for SIGHUP, 143 for SIGTERM."""
    return 128 + signal_number(exc)


def signal_name(exc: KeyboardInterrupt) -> str:
    try:
        return signal.Signals(signal_number(exc)).name
    except ValueError:
        return f"signal {signal_number(exc)}"


def _stopping_signals() -> dict[int, object]:
    """Each signal handled, with the disposition it has when nobody changed it."""
    signals: dict[int, object] = {
        signal.SIGINT: signal.default_int_handler,
        signal.SIGTERM: signal.SIG_DFL,
    }
    hangup = getattr(signal, "SIGHUP", None)  # Windows has none
    if hangup is not None:
        signals[hangup] = signal.SIG_DFL
    return signals


class _State:
    """What the handlers know: whether one has raised yet, and a signal held back."""

    armed = False
    deferring = 0
    pending: int | None = None


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if not _state.armed:
        return
    if _state.deferring:
        _state.pending = signum
        return
    _state.armed = False
    raise Interrupted(signum)


@contextlib.contextmanager
def raised_as_interrupts() -> Iterator[None]:
    """Within the block, the stopping signals raise `Interrupted` (the first one only).

    A signal is taken over only while it has its default disposition: one that is ignored
    (`nohup` ignores SIGHUP; a shell's background job, SIGINT) stays ignored, and a handler
    a library caller installed stays theirs. Outside the main thread Python cannot set
    handlers, and nothing changes. The previous handlers are back when the block ends.
    """
    previous: dict[int, object] = {}
    try:
        for signum, default in _stopping_signals().items():
            if signal.getsignal(signum) is default:
                previous[signum] = signal.signal(signum, _handler)
    except ValueError:  # not the main thread
        pass
    if not previous:
        yield
        return
    armed, _state.armed, _state.pending = _state.armed, True, None
    try:
        yield
    finally:
        _state.armed = armed
        for signum, disposition in previous.items():
            signal.signal(signum, disposition)  # type: ignore[arg-type]


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A step that must not be cut in two (starting a worker process, stopping them): a
    signal that comes within it is raised when it ends, in place of any exception."""
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
        if not _state.deferring and _state.pending is not None:
            signum, _state.pending = _state.pending, None
            _state.armed = False
            raise Interrupted(signum)  # the signal wins over an exception on its way out
