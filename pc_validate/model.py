"""The data the engine passes around: severities, findings, rules and the field catalog."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple, get_args

Severity = Literal["error", "warning", "info"]
SEVERITIES: Final = ("error", "warning", "info")
SEVERITY_RANK: Final[Mapping[str, int]] = {"info": 0, "warning": 1, "error": 2}
_RANKS: Final = tuple(SEVERITY_RANK[severity] for severity in SEVERITIES)


#: A result's status: judged with (invalid) or without errors (valid); an input or record
#: that could not be read (unreadable), or read but not judged (not_validated: a worker died).
Status = Literal["valid", "invalid", "unreadable", "not_validated"]
STATUSES: Final[tuple[Status, ...]] = get_args(Status)


def worst_rank(counts: tuple[int, ...]) -> int:
    """The rank of the worst severity counted in `counts` (in SEVERITIES order); -1: none."""
    for rank, count in zip(_RANKS, counts, strict=True):
        if count:
            return rank
    return -1


#: The closed list of violation codes (docs/architecture.md, "Contracts kept"); a check may
#: emit only these.
CODES: Final = frozenset(
    {
        "required",
        "empty",
        "type",
        "too_short",
        "too_long",
        "unsupported_value",
        "invalid_format",
        "invalid_checksum",
        "not_allowed",
        "unknown_field",
        "ambiguous_field",
        "non_canonical",
    }
)

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def fold(text: str) -> str:
    """Lower-case ASCII letters only, as .NET's ordinal ignore-case comparison does.

    Unicode case mapping would make "ß" equal "SS" and the Kelvin sign equal "K"; the
    service does not, so neither may pc-validate.
    """
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def ascii_upper(text: str) -> str:
    """Upper-case ASCII letters only (see fold)."""
    return text.upper() if text.isascii() else text.translate(_ASCII_UPPER)


FieldPath = tuple[str, ...]
"""A field's canonical camelCase names from the root, e.g. ("billingProfile", "email")."""


class _Missing:
    """The value of a field the payload does not contain (distinct from JSON null)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


class Plural(NamedTuple):
    """An English template whose wording follows a count: `one` when the finding's param `n`
    is 1, else `other` (translations have as many forms as their language's Plural-Forms)."""

    one: str
    other: str
    n: str

    def english(self, words: Mapping[str, Any]) -> str:
        """The English form for the count among `words`."""
        return self.one if words.get(self.n) == 1 else self.other


#: A check kind's template of one finding: a text, or a text that follows a count.
Template = str | Plural


@dataclass(frozen=True, slots=True)
class Finding:
    """What a check reports; the engine adds the rule's metadata and the pointer."""

    code: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    suggestion: Any = None
    #: Key under the checked object that the finding is about (object-scope checks only).
    key: str | None = None
    #: The offending value when it is not the checked field's own value (object-scope checks).
    value: Any = MISSING
    #: Words of its messages that name alternatives ("ON (Ontario) or QC (Quebec)"), as their
    #: items: another language than English joins them its own way (CLDR's "or" lists);
    #: English shows the params' text. The params never change with the language.
    alternatives: Mapping[str, tuple[str, ...]] | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """`when` clause: the rule applies only if a field's value is (or is not) in a set."""

    field: FieldPath
    values: frozenset[str]
    negate: bool = False
    #: Lengths of the values: a value of another length cannot be judged against the set
    #: ("USA" is neither in nor out of a set of two-letter codes).
    lengths: frozenset[int] = frozenset()

    def admits(self, text: str | None) -> bool:
        """Whether the condition holds for its field's text (trimmed, upper-cased; None when
        the field is missing or not text, which never holds)."""
        return (
            text is not None and len(text) in self.lengths and (text in self.values) != self.negate
        )


@dataclass(frozen=True, slots=True)
class Rule:
    """One declarative rule, as read from a rule file (after overrides are applied)."""

    id: str
    severity: Severity
    description: str
    source: str
    check: str
    params: Mapping[str, Any]
    field: FieldPath | None
    when: tuple[Condition, ...] = ()
    partner_center_error: int | None = None
    message: str | None = None
    note: str | None = None
    #: whose data or word the rule rests on, as the coverage table names it (None: its
    #: check kind's `authority`)
    authority: str | None = None
    origin: str = ""
    #: The rule's suggestions are certain repairs: `pc-validate fix` / normalize() apply them.
    autofix: bool = False


@dataclass(frozen=True, slots=True)
class Catalog:
    """The known fields of the request body: canonical names and JSON types per path."""

    types: Mapping[FieldPath, str]
    #: For each object path: lower-case key -> canonical camelCase name.
    children: Mapping[FieldPath, Mapping[str, str]]

    def is_object(self, path: FieldPath) -> bool:
        return self.types.get(path) == "object"

    def dotted(self, path: FieldPath) -> str:
        return ".".join(path) if path else "the request body"


@dataclass(slots=True)
class ObjectNode:
    """A JSON object of the payload at a known path, with its case-insensitive key index."""

    value: dict[str, Any]
    path: FieldPath
    pointer: str
    #: lower-case key -> the key as sent (the last one where several differ only in case)
    keys: dict[str, str]
    #: groups of keys as sent that differ only in case, in document order
    collisions: list[tuple[str, ...]]
    #: the keys as sent, in order: objects of the same shape share their look-ups
    shape: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BuiltInRule:
    """A rule of pc-validate itself rather than of a rule file: listed in the catalogue like
    any other, but it cannot be switched off or changed."""

    id: str
    severity: Severity
    description: str
    source: str
    note: str


#: Text that is not JSON (api.validate, the command's unreadable inputs): nothing else can be
#: judged of it, so it is always an error, and on the command line exit status 2.
PAYLOAD_JSON: Final = BuiltInRule(
    id="payload.json",
    severity="error",
    description=(
        "The request body is JSON text (RFC 8259); the violation names the line and column "
        "where it stops being JSON."
    ),
    source=(
        "Partner Center docs, create-a-customer.md (ms.date 07/28/2023): the request body "
        "is JSON (Content-Type: application/json); JSON syntax per RFC 8259"
    ),
    note="Built in: it cannot be switched off; text that is not JSON is always exit 2.",
)
