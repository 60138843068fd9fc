"""Write a repaired file back in place without losing, splitting or loosening it.

`fix --in-place` replaces a file by a new one in one rename, so a crash never leaves half a
file. A rename is only safe for some files, and only if the new file is the old one in all
but its text; so, before anything is read:

- a symbolic link is followed, and its target is what is read and replaced;
- anything that is not a regular file (a FIFO, a device, a ``/proc`` link) is refused, and
  so is a file with more than one hard link, whose other names a rename would leave behind;
- a read-only file (no write bit) is refused: it says it is not to be changed;

and before the rename, the new file gets the old one's owner, group, mode and extended
attributes (POSIX ACLs and SELinux labels are extended attributes), or nothing is written;
and the file must still hold what was read ("changed while being repaired"). Every failure
is a `WriteBackError` that names the file and says it was left as it was. Where the
platform has no owners or extended attributes (Windows), there is nothing to keep.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from pc_validate.interrupt import deferred

_UNTOUCHED = "the file was left as it was"


class WriteBackError(Exception):
    """The file cannot be repaired in place; the message says why (the file is untouched)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A file read for repair: the regular file its name resolves to, its status when it
    was read, and the bytes read."""

    path: str
    status: os.stat_result
    data: bytes


def read_target(name: str, limit: int) -> Target:
    """Read the file `name` resolves to (at most `limit` bytes) after the checks above.
    Raises WriteBackError for a file that cannot be written back, OSError for one that
    cannot be read."""
    named = os.stat(name)
    if not stat.S_ISREG(named.st_mode):
        raise WriteBackError(
            f"is {_kind(named.st_mode)}, not a regular file; --in-place writes regular files only"
        )
    path = os.path.realpath(name)
    resolved = os.lstat(path)
    if not stat.S_ISREG(resolved.st_mode) or _inode(resolved) != _inode(named):
        raise WriteBackError(
            "does not lead to a regular file by a path (a link of /proc?); "
            "--in-place writes regular files only"
        )
    if resolved.st_nlink > 1:
        raise WriteBackError(
            f"has {resolved.st_nlink} hard links: replacing it would leave the other names "
            "with the unrepaired text; repair a copy, or write to stdout without --in-place"
        )
    if not resolved.st_mode & 0o222:
        raise WriteBackError(
            f"is read-only (mode {stat.S_IMODE(resolved.st_mode):04o}); make it writable "
            "first if it is to be repaired"
        )
    if not os.access(path, os.W_OK):
        raise WriteBackError("may not be written by you (permission denied)")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    with open(os.open(path, flags | getattr(os, "O_BINARY", 0)), "rb") as handle:
        if _inode(os.fstat(handle.fileno())) != _inode(resolved):
            raise WriteBackError("changed while being read")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise WriteBackError(f"is larger than {limit:,} bytes, the most fix holds of one file")
    return Target(path, resolved, data)


def write_back(target: Target, data: bytes) -> None:
    """Replace the target's content by `data` in one rename, keeping everything else of it.
    The temporary file is removed on any failure, interrupts included."""
    directory, base = os.path.split(target.path)
    temp: str | None = None
    try:
        with deferred(), _written_as("cannot be replaced: its folder cannot take a new file"):
            handle, temp = tempfile.mkstemp(
                prefix=f".{base[:64]}.", suffix=".pc-validate", dir=directory
            )
        with _written_as("could not be written"):
            try:
                _write_all(handle, data)
            finally:
                os.close(handle)
        _keep_metadata(temp, target)
        _still_as_read(target)
        with _written_as("could not be written"):
            os.replace(temp, target.path)
    except BaseException:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # the rename is durable once the folder is synced
        folder = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]
    os.fsync(handle)


@contextlib.contextmanager
def _written_as(what: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise WriteBackError(f"{what}: {exc.strerror or exc}; {_UNTOUCHED}") from None


def _keep_metadata(temp: str, target: Target) -> None:
    """Give the new file the owner, group, mode and extended attributes of the old one."""
    wanted = target.status
    if hasattr(os, "chown"):
        have = os.stat(temp)
        if (have.st_uid, have.st_gid) != (wanted.st_uid, wanted.st_gid):
            with _written_as(
                f"its owner and group ({wanted.st_uid}:{wanted.st_gid}) cannot be kept"
            ):
                os.chown(temp, wanted.st_uid, wanted.st_gid)
    with _written_as("its mode cannot be kept"):
        os.chmod(temp, stat.S_IMODE(wanted.st_mode))
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(target.path)
    except OSError:  # a file system without extended attributes has none to keep
        return
    for name in names:
        with _written_as(f"its extended attribute {name} cannot be read"):
            value = os.getxattr(target.path, name)
        try:
            present: bytes | None = os.getxattr(temp, name)
        except OSError:
            present = None
        if present != value:
            with _written_as(f"its extended attribute {name} cannot be kept"):
                os.setxattr(temp, name, value)


def _still_as_read(target: Target) -> None:
    """Refuse when the file changed since it was read: someone saved an edit meanwhile."""
    changed = WriteBackError(
        f"changed while being repaired; {_UNTOUCHED} (run fix again on what it holds now)"
    )
    try:
        now = os.lstat(target.path)
        if _signature(now) != _signature(target.status):
            raise changed
        with open(target.path, "rb") as handle:
            if handle.read(len(target.data) + 1) != target.data:
                raise changed
    except OSError:
        raise changed from None


def _inode(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino


def _signature(status: os.stat_result) -> tuple[int, ...]:
    return (
        status.st_dev,
        status.st_ino,
        status.st_mode,
        status.st_uid,
        status.st_gid,
        status.st_nlink,
        status.st_size,
        status.st_mtime_ns,
    )


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    )
    return next((what for test, what in kinds if test(mode)), "a special file")
