"""Expanding the file patterns of the command line ('exports/*.jsonl', 'dir/**/*.json').

As glob.glob(pattern, recursive=True) does (names that start with "." only where the
pattern says so; `**` matches any number of folders), with two differences: `**` never
descends through a symbolic link to a folder, so a link loop (or a link back up the tree)
is not walked for ever, nor a file counted once per way of reaching it; and each file is
listed once however many matches reach it (by a name that is not a link where there is
one, else the first in sorted order), so that a link to a file inside the same tree does
not count it twice. A link named by a
pattern part of its own (`dir/*/x.json`) is followed, as there is no loop to walk.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator


def expand(pattern: str) -> list[str]:
    """The existing paths that match `pattern` (folders left out), sorted, each file once."""
    anchor, parts = _split(pattern)
    bases = [anchor]
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        matched: dict[str, None] = {}
        for base in bases:
            for path in _matches(base, part, last):
                matched[path] = None
        bases = list(matched)
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    for path in sorted(bases, key=lambda path: (os.path.islink(path), path)):
        if os.path.isdir(path):
            continue
        try:
            status = os.stat(path)
        except OSError:  # a broken link: kept, to be reported by the reader
            found.append(path)
            continue
        identity = (status.st_dev, status.st_ino)
        if identity not in seen:
            seen.add(identity)
            found.append(path)
    return sorted(found)


def _split(pattern: str) -> tuple[str, list[str]]:
    """The anchor ("" for a relative pattern, else the root or drive) and the parts."""
    drive, rest = os.path.splitdrive(pattern)
    separators = os.sep + (os.altsep or "")
    anchor = drive + (rest[0] if rest[:1] and rest[0] in separators else "")
    parts = rest[len(anchor) - len(drive) :]
    for separator in separators[1:]:
        parts = parts.replace(separator, os.sep)
    return anchor, [part for part in parts.split(os.sep) if part]


def _matches(base: str, part: str, last: bool) -> Iterator[str]:
    """The paths under `base` that `part` matches: folders only unless `last`."""
    if part == "**":
        yield from _below(base, last)
        return
    if not glob.has_magic(part):
        path = os.path.join(base, part)
        if os.path.lexists(path) if last else os.path.isdir(path):
            yield path
        return
    try:
        entries = list(os.scandir(base or os.curdir))
    except OSError:
        return
    names = [entry.name for entry in entries if last or _is_dir(entry)]
    if not part.startswith("."):
        names = [name for name in names if not name.startswith(".")]
    for name in fnmatch.filter(names, part):
        yield os.path.join(base, name)


def _below(base: str, files: bool) -> Iterator[str]:
    """`base` and every folder below it (and, with `files`, every file), neither through
    links to folders nor into hidden folders, as `**` matches."""
    if base and not os.path.isdir(base):
        return
    if not files:
        yield base
    for top, folders, names in os.walk(base or os.curdir):  # os.walk follows no link
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        prefix = top if base else os.path.relpath(top)
        prefix = "" if prefix == os.curdir else prefix
        for name in folders:
            path = os.path.join(prefix, name)
            if not os.path.islink(path):
                yield path
        if files:
            yield from (os.path.join(prefix, name) for name in names if not name.startswith("."))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
