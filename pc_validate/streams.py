"""The command's standard streams, whose failures must neither crash a run nor change its answer.

Standard output carries the report (or the repaired body, or the rule list). A write there
that fails - the reader of a pipe gone (`| head -1`), a full disk (`>/dev/full`), a closed
descriptor (`>&-`) - means the answer was not delivered in full, so it stops the run with
`OutputError`, and the command exits 2, never 0. Standard error carries diagnostics: a write
there that fails is dropped, so a closed stderr never changes an exit status.

After a failure on the interpreter's own stream, its descriptor is pointed at the null
device, as Python's documentation advises for SIGPIPE, so that the flush at interpreter exit
can neither fail again ("Exception ignored ... BrokenPipeError", exit status 120) nor block.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Any


class OutputError(Exception):
    """Standard output could not be written: what was to be printed is incomplete."""

    def __init__(self, cause: BaseException | None) -> None:
        self.reason = _reason(cause)
        super().__init__(f"standard output could not be written ({self.reason})")


def _reason(cause: BaseException | None) -> str:
    if cause is None or isinstance(cause, AttributeError):  # sys.stdout is None: fd 1 closed
        return "it is closed"
    if isinstance(cause, BrokenPipeError):
        return "the program reading it stopped reading (Broken pipe)"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    if isinstance(cause, ValueError) and "closed file" in str(cause):
        return "it is closed"
    return str(cause)


#: what a failing write raises: OSError (EPIPE, ENOSPC, EBADF, EIO), ValueError (a closed
#: stream, or characters its encoding cannot hold), AttributeError (the stream is None)
_FAILURES = (OSError, ValueError, AttributeError)


class _Guarded(io.TextIOBase):
    """A text stream in front of another (which may be None: the descriptor was closed)."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.stream = stream
        #: the first failure, kept: a caller may swallow the exception (argparse does)
        self.failure: BaseException | None = None

    def close(self) -> None:
        """Nothing to close: the stream is not ours (and a flush here could raise)."""

    def isatty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except _FAILURES:
            return False

    def _failed(self, exc: BaseException) -> None:
        self.failure = exc
        if self.stream is not None and self.stream in (sys.__stdout__, sys.__stderr__):
            _point_at_null_device(self.stream)


class Output(_Guarded):
    """Standard output: the first failing write or flush raises OutputError, and so does
    every later one."""

    def write(self, text: str) -> int:
        if self.failure is not None:
            raise OutputError(self.failure)
        try:
            return int(self.stream.write(text))
        except _FAILURES as exc:
            self._failed(exc)
            raise OutputError(exc) from exc

    def flush(self) -> None:
        if self.failure is not None:
            raise OutputError(self.failure)
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except _FAILURES as exc:
            self._failed(exc)
            raise OutputError(exc) from exc

    def settle(self) -> None:
        """Flush what is pending, on the way out of an interrupted run: never raises."""
        with contextlib.suppress(OutputError):
            self.flush()


class Diagnostics(_Guarded):
    """Standard error: a write that fails is dropped."""

    def write(self, text: str) -> int:
        if self.failure is None:
            try:
                self.stream.write(text)
            except _FAILURES as exc:
                self._failed(exc)
        return len(text)

    def flush(self) -> None:
        if self.failure is None and self.stream is not None:
            try:
                self.stream.flush()
            except _FAILURES as exc:
                self._failed(exc)


def _point_at_null_device(stream: Any) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
