"""The options a CI job passes on every run, read from a configuration file.

Looked for from the current directory upwards: in each directory `.pc-validate.toml` (its
keys at the top level), then `pyproject.toml` (its `[tool.pc-validate]` table; one without
that table is passed over). The first found is used; `--config FILE` names one instead and
`--no-config` reads none. Keys are the long options' names (`fail-on`, not `fail_on`).

The command line wins, option by option: a list it gives (`--rules`, `--disable`) replaces
the file's list, it does not extend it. Paths in `rules` are relative to the file's own
directory, so the run reads the same rule files from any directory below it; so are the
paths of `output` (`["sarif=results.sarif"]`, as `--output` takes them).

This runs on every call: when no file is found it costs a few `stat` calls, and the TOML
reader is imported only when there is a file to read.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

FILE_NAME = ".pc-validate.toml"
PYPROJECT = "pyproject.toml"
TABLE = "[tool.pc-validate]"
#: What a pyproject.toml with a [tool.pc-validate] table holds (as a table, dotted keys, or
#: quoted), unless it has a bare [tool] table; one without either is passed over unparsed,
#: as one that only depends on pc-validate is.
_MENTIONS_TABLE = rb"""tool\s*\.\s*["']?pc-validate"""
#: The most a configuration file may hold: far more than any configuration needs.
MAX_BYTES = 1 << 20


class ConfigError(Exception):
    """A configuration file that cannot be used: what is wrong, and where (file, key)."""

    def __init__(self, path: str, problem: str, key: str | None = None) -> None:
        where = f"{path}: {key}" if key is not None else path
        super().__init__(f"{where}: {problem}")


#: Each key of the file: (the attribute of the parsed arguments it fills, what it holds:
#: "text", "texts", "paths", "outputs" (FORMAT=PATH) or "flag", the commands it applies to,
#: its built-in default; a format of None is chosen by the command).
#: Plain tuples: this module is imported on every call.
_EVERY = ("check", "fix", "rules", "serve")
_JUDGING = ("check", "fix")
OPTIONS: dict[str, tuple[str, str, tuple[str, ...], Any]] = {
    "rules": ("rules", "paths", _EVERY, ()),
    "disable": ("disable", "texts", _EVERY, ()),
    "cloud": ("cloud", "text", _EVERY, "global"),
    "fail-on": ("fail_on", "text", _JUDGING, "error"),
    "redact": ("redact", "flag", _JUDGING, False),
    "locale": ("locale", "text", _EVERY, None),
    "format": ("format", "text", ("check",), None),
    "output": ("output", "outputs", ("check",), ()),
}


def settle(args: Any, choices: Mapping[str, Sequence[str]], start: str | None = None) -> None:
    """Fill every option of OPTIONS that the command line left unset (None) from the
    configuration file, else with its default. `choices` holds the values an option may
    take (by its attribute), which the file's values are held to as the command line is.
    Raises ConfigError for a file that cannot be used."""
    command = args.command
    found: tuple[str, dict[str, Any]] | None = None
    if getattr(args, "config", None) is not None:
        found = (args.config, _read(args.config, explicit=True))
    elif not getattr(args, "no_config", False):
        found = _find(start)
    values = _checked(*found, choices) if found is not None else {}
    for key, (dest, holds, commands, default) in OPTIONS.items():
        if command not in commands or getattr(args, dest, None) is not None:
            continue
        value = values.get(key, default)
        setattr(args, dest, list(value) if holds in ("paths", "texts", "outputs") else value)


def _find(start: str | None) -> tuple[str, dict[str, Any]] | None:
    """The first configuration file from `start` (the current directory) upwards."""
    try:
        here = os.path.abspath(start or os.getcwd())
    except OSError:  # the current directory was removed
        return None
    while True:
        path = os.path.join(here, FILE_NAME)
        if os.path.isfile(path):
            return path, _read(path, explicit=True)
        path = os.path.join(here, PYPROJECT)
        if os.path.isfile(path):
            table = _read(path, explicit=False)
            if table is not None:
                return path, table
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _read(path: str, *, explicit: bool) -> Any:
    """The options of a file as a dict; for a pyproject.toml its [tool.pc-validate] table,
    or None when it has none and was not named (`explicit`)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(path, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ConfigError(path, f"is larger than {MAX_BYTES:,} bytes; is it a configuration?")
    pyproject = os.path.basename(path) == PYPROJECT
    if pyproject and not explicit and not _may_hold_table(data):
        return None  # most pyproject.toml files: no TOML to parse
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"is not UTF-8 text (byte {exc.start + 1})") from None
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"is not TOML: {exc}") from None
    if not pyproject:
        return document
    tool = document.get("tool")
    table = tool.get("pc-validate") if isinstance(tool, dict) else None
    if table is None and explicit:
        raise ConfigError(path, f"has no {TABLE} table")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(path, "must be a table", "tool.pc-validate")
    return table


def split_output(text: str) -> tuple[str, str] | None:
    """FORMAT=PATH (of --output, or of the file's `output`) as its two parts; None when it
    is not of that form."""
    fmt, equals, target = text.partition("=")
    return (fmt, target) if equals and target else None


def _output(path: str, key: str, item: str, formats: Sequence[str]) -> tuple[str, str]:
    """One FORMAT=PATH of `output`, its path relative to the file's directory."""
    parts = split_output(item)
    if parts is None:
        raise ConfigError(path, f"must be FORMAT=PATH, not {item[:60]!r}", key)
    fmt, target = parts
    if fmt not in formats:
        raise ConfigError(path, f"{fmt[:30]!r} is not one of {', '.join(formats)}", key)
    return fmt, os.path.join(os.path.dirname(os.path.abspath(path)), target)


def _may_hold_table(data: bytes) -> bool:
    if b"pc-validate" not in data:
        return False
    return b"[tool]" in data or re.search(_MENTIONS_TABLE, data) is not None


def _checked(
    path: str, values: dict[str, Any], choices: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """The file's values, each of the kind its option takes; rule paths made absolute."""
    table = "tool.pc-validate." if os.path.basename(path) == PYPROJECT else ""
    checked: dict[str, Any] = {}
    for key, value in values.items():
        option = OPTIONS.get(key)
        if option is None:
            known = ", ".join(OPTIONS)
            raise ConfigError(path, f"unknown key (known: {known})", f"{table}{key}")

        def wrong(expected: str, key: str = key, value: Any = value) -> ConfigError:
            shown = repr(value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            got = f"{type(value).__name__} {shown}"
            return ConfigError(path, f"must be {expected}, not {got}", f"{table}{key}")

        dest, holds = option[0], option[1]
        if holds == "flag":
            if not isinstance(value, bool):
                raise wrong("true or false")
        elif holds == "text":
            if not isinstance(value, str):
                raise wrong("a string")
            allowed = choices.get(dest)
            if allowed is not None and value not in allowed:
                raise wrong("one of " + ", ".join(f'"{choice}"' for choice in allowed))
        elif not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise wrong("a list of strings")
        elif holds == "paths":
            base = os.path.dirname(os.path.abspath(path))
            value = [os.path.join(base, item) for item in value]
        elif holds == "outputs":
            value = [_output(path, f"{table}{key}", item, choices["format"]) for item in value]
        checked[key] = value
    return checked
