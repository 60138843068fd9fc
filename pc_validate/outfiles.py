"""The files of `check --output FORMAT=PATH`: each written whole or not at all.

Each file is written to a temporary file beside it (same folder, so that the rename stays
on one file system) and renamed over it only when the run has written everything; a run
that fails or is interrupted removes its temporary files and leaves every target as it
was. Every file is opened before the first record is read, so a path that cannot be
written stops the run at once (exit 2) with none of the outputs written. A symbolic link
is followed (its target is replaced, the link kept); a file that is there keeps its mode;
a target that is not a regular file (a FIFO, /dev/stdout) is written directly, as no
rename can replace it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from typing import IO

from pc_validate.interrupt import deferred


class OutputFileError(Exception):
    """An output file cannot be written; the message names it and says why."""


#: Why a file cannot be written, for the errors a person can act on.
_REASONS = (
    (FileNotFoundError, "its folder does not exist"),
    (IsADirectoryError, "is a directory"),
    (PermissionError, "permission denied"),
)


def _reason(exc: OSError) -> str:
    return next((why for kind, why in _REASONS if isinstance(exc, kind)), exc.strerror or str(exc))


class OutputFile:
    """One output file, open for writing text (UTF-8, lines ending in LF)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.target = os.path.realpath(name)
        self.temp: str | None = None
        self.mode = 0o666 & ~_umask()
        try:
            status = os.stat(self.target)
        except FileNotFoundError:
            status = None
        except OSError as exc:
            raise self._error(exc) from None
        try:
            if status is not None and stat.S_ISDIR(status.st_mode):
                raise IsADirectoryError(name)
            if status is not None and not stat.S_ISREG(status.st_mode):
                self.handle: IO[str] = open(self.target, "w", encoding="utf-8", newline="")  # noqa: SIM115
                return
            if status is not None:
                self.mode = stat.S_IMODE(status.st_mode)
            import tempfile

            directory, base = os.path.split(self.target)
            with deferred():
                handle, self.temp = tempfile.mkstemp(
                    prefix=f".{base[:64]}.", suffix=".pc-validate", dir=directory
                )
            self.handle = open(handle, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise self._error(exc) from None

    def _error(self, exc: OSError) -> OutputFileError:
        return OutputFileError(f"{self.name}: cannot be written: {_reason(exc)}")

    def write(self, text: str) -> None:
        try:
            self.handle.write(text)
        except (OSError, ValueError) as exc:
            reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
            raise OutputFileError(f"{self.name}: cannot be written: {reason}") from None

    def commit(self) -> None:
        """Put the written file in place of the target."""
        try:
            self.handle.flush()
            if self.temp is not None:
                os.fsync(self.handle.fileno())
            self.handle.close()
            if self.temp is not None:
                os.chmod(self.temp, self.mode)
                with deferred():
                    os.replace(self.temp, self.target)
                    self.temp = None
        except OSError as exc:
            self.discard()
            raise self._error(exc) from None

    def discard(self) -> None:
        """Remove what was written (the target is left as it was)."""
        with contextlib.suppress(OSError, ValueError):
            self.handle.close()
        if self.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            self.temp = None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
