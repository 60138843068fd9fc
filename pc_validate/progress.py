"""The one-line progress report on stderr of a run longer than a second (terminals only):
records checked and their rate; with the inputs' size known (files, not stdin), the share
done and the time left.

The share is estimated from the reading side: bytes read of the inputs' total size gives the
share of records read, and records checked of records read scales it, since records are
read ahead of their results (a window of batches for the workers). A compressed input counts
its compressed bytes, of its compressed size.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from stat import S_ISREG
from typing import IO, TextIO, TypeVar

_T = TypeVar("_T")


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Counts records read (`reading`) and bytes read (`opened`), and shows the line (`tick`)."""

    def __init__(self, err: TextIO, total_bytes: int | None = None) -> None:
        self.err = err
        self.clock = time.monotonic
        self.start = self.clock()
        self.next = self.start + 1.0
        self.shown = False
        self.total = total_bytes if total_bytes else None
        self.read = 0
        self.due = 0  # the clock is read again after this many records
        self.before = 0  # bytes of the inputs finished
        self.handle: IO[bytes] | None = None
        self.size = 0  # of the input being read

    def reading(self, records: Iterable[_T]) -> Iterator[_T]:
        """The records, counted as they are read."""
        for record in records:
            self.read += getattr(record, "records", 1)  # a LineChunk holds many
            yield record

    def opened(self, handle: IO[bytes]) -> None:
        """An input file is being read now (the one before it is finished)."""
        self.before += self.size
        self.handle = handle
        try:
            self.size = os.fstat(handle.fileno()).st_size
        except (OSError, ValueError, AttributeError):
            self.size = 0

    def share(self) -> float | None:
        """The share of the records read so far of all, or None when the size is unknown."""
        if self.total is None:
            return None
        position = self.before
        if self.handle is not None:
            try:
                position += min(self.handle.tell(), self.size)
            except (OSError, ValueError):  # closed: read to its end
                position += self.size
        return min(position / self.total, 1.0)

    def tick(self, records: int) -> None:
        """After each result (or each Block of them): `records` checked so far."""
        if records < self.due:
            return
        self.due = records + 64
        now = self.clock()
        if now < self.next:
            return
        self.next = now + 0.25
        elapsed = max(now - self.start, 1e-9)
        line = f"\rpc-validate: {records:,} records checked ({records / elapsed:,.0f}/s)"
        share = self.share()
        if share is not None and self.read:
            done = share * min(records / self.read, 1.0)
            line += f", {100 * done:.0f}%"
            if done > 0.001:
                line += f", about {_duration(elapsed * (1 - done) / done)} left"
        self.err.write(line + "\033[K")
        self.err.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.err.write("\r\033[K")
            self.err.flush()


def total_size(paths: Iterable[str | None]) -> int | None:
    """The inputs' total size in bytes; None when one has none known (stdin, a pipe)."""
    total = 0
    for path in paths:
        if path is None:
            return None
        try:
            status = os.stat(path)
        except OSError:
            continue  # reported as unreadable; it adds nothing to read
        if not S_ISREG(status.st_mode):
            return None
        total += status.st_size
    return total
