"""The columns of a table (a CSV file, a worksheet): a header row that names fields by dotted
path, and the request body each row below it makes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pc_validate.excerpt import quoted
from pc_validate.model import fold


class HeaderError(Exception):
    """A header row that does not name the fields of a table; the message says why."""


@dataclass(frozen=True, slots=True)
class Columns:
    """Each column's dotted field path (split), and whether the field is a boolean."""

    paths: tuple[tuple[str, ...], ...]
    booleans: tuple[bool, ...]

    @classmethod
    def of(cls, header: Sequence[str], types: Mapping[str, str]) -> Columns:
        """The columns a header row names (`types`: JSON type by dotted path, model.fold-ed:
        matched as the service matches keys); raises HeaderError for a header that names no
        known field, or a column that is not a field path or clashes with another."""
        names_a_known_field(header, types)
        paths = header_paths(header)
        booleans = tuple(types.get(fold(".".join(parts))) == "boolean" for parts in paths)
        return cls(tuple(paths), booleans)

    @property
    def width(self) -> int:
        return len(self.paths)

    def too_many(self, cells: int) -> str | None:
        """Why a row of `cells` cells cannot be read, when it has more than the header."""
        if cells <= self.width:
            return None
        return f"row has {cells} cells but the header names {self.width} columns"

    def body(self, cells: Sequence[Any]) -> dict[str, Any]:
        """A body from one row: empty cells are left out; the text true/false of a boolean
        field becomes a boolean (any case); every other value is kept as it is."""
        body: dict[str, Any] = {}
        for parts, boolean, cell in zip(self.paths, self.booleans, cells, strict=False):
            if cell is None or cell == "":
                continue
            node = body
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            value: Any = cell
            if (
                boolean
                and isinstance(cell, str)
                and (word := fold(cell.strip()))
                in (
                    "true",
                    "false",
                )
            ):
                value = word == "true"
            node[parts[-1]] = value
        return body


def names_a_known_field(header: Sequence[str], types: Mapping[str, str]) -> None:
    """A header row that names no field of the rules is taken for a missing one: the file's
    first row would otherwise become column names, and its values (personal data) keys
    that every report repeats, under --redact too. Checked only when the fields are known."""
    if any(types) and not known_names(header, types):
        raise HeaderError(
            "the header row names none of the fields pc-validate knows (columns are named "
            "by dotted field paths, such as billingProfile.email); is the header row missing?"
        )


def known_names(header: Sequence[str], types: Mapping[str, str]) -> int:
    """How many cells of a header row name a field the rules know."""
    return sum(1 for cell in header if (name := fold(cell.strip())) and name in types)


def header_paths(header: Sequence[str]) -> list[tuple[str, ...]]:
    """Each column's dotted path, split; a duplicate or clashing column is an error."""
    paths: list[tuple[str, ...]] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, name in enumerate(header, 1):
        dotted = name.strip()
        parts = tuple(dotted.split("."))
        if not dotted or any(not part for part in parts):
            raise HeaderError(f"column {number} of the header, {quoted(name)}, is not a field path")
        if parts in seen:
            raise HeaderError(
                f"columns {seen[parts]} and {number} of the header both name {quoted(dotted)}"
            )
        seen[parts] = number
        paths.append(parts)
    for parts, number in seen.items():
        for cut in range(1, len(parts)):
            if parts[:cut] in seen:
                raise HeaderError(
                    f"column {number} ({quoted('.'.join(parts))}) lies inside column "
                    f"{seen[parts[:cut]]} ({quoted('.'.join(parts[:cut]))}), which holds a value"
                )
    return paths
