"""The registry of check kinds: the only code a rule file can name.

A check kind turns a rule's parameters into a check function once, when the rule set is
compiled; the engine then calls that function per payload. Three scopes:

- ``presence``: called with the field's value, ``MISSING`` or ``None`` included;
- ``value``: called only with a present value of an accepted type (non-blank for strings),
  so that presence and type stay the business of their own rules;
- ``object``: called with an :class:`~pc_validate.model.ObjectNode` for every known object.

A presence- or value-scope kind may name ``context`` parameters: parameters of kind ``field`` whose
values (the named field's text, trimmed, or None when it is missing or not text) the engine
passes after the value, e.g. ``check(postal_code, country)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pc_validate.model import Catalog, FieldPath, Finding, ObjectNode

Scope = Literal["presence", "value", "object"]
ParamKind = Literal["int", "str", "bool", "regex", "values", "choice", "field", "table"]

ValueCheck = Callable[[Any], "Finding | None"]
ObjectCheck = Callable[[ObjectNode], "list[Finding]"]


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter a check kind takes from a rule file."""

    kind: ParamKind
    doc: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What a check kind may use when it builds its check function."""

    catalog: Catalog
    target: FieldPath | None
    datasets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Market data by upper-case country code, as read from rules/markets.yaml
    markets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


Builder = Callable[[Mapping[str, Any], BuildContext], Callable[..., Any]]


@dataclass(frozen=True, slots=True)
class CheckKind:
    name: str
    scope: Scope
    summary: str
    params: Mapping[str, Param]
    build: Builder
    #: value scope: the JSON types the check judges (others are the type rule's business)
    accepts: tuple[type, ...] = (str,)
    #: `field` parameters whose trimmed text is passed to the check after the value
    context: tuple[str, ...] = ()
    #: the params its findings carry: what a rule's own `message` may name besides the
    #: engine's words (messages.ENGINE_WORDS)
    words: frozenset[str] = frozenset()


REGISTRY: dict[str, CheckKind] = {}


def check_kind(
    name: str,
    *,
    scope: Scope,
    summary: str,
    params: Mapping[str, Param] | None = None,
    accepts: tuple[type, ...] = (str,),
    context: tuple[str, ...] = (),
    words: tuple[str, ...] = (),
) -> Callable[[Builder], Builder]:
    """Register a builder function as the check kind `name`; `words`: the params its
    findings carry (a rule's `message` may name only these and the engine's words)."""

    def register(build: Builder) -> Builder:
        if name in REGISTRY:
            raise RuntimeError(f"check kind {name!r} registered twice")
        for key in context:
            if scope == "object" or (params or {}).get(key, Param("str", "")).kind != "field":
                raise RuntimeError(f"check kind {name!r}: context {key!r} is not a field param")
        REGISTRY[name] = CheckKind(
            name, scope, summary, params or {}, build, accepts, context, frozenset(words)
        )
        return build

    return register


# Importing the modules registers their check kinds.
from pc_validate.checks import (  # noqa: E402
    choice,
    country,
    culture,
    email,
    internet,
    keys,
    market,
    numbers,
    policy,
    presence,
    text,
)

__all__ = [
    "REGISTRY",
    "BuildContext",
    "CheckKind",
    "Param",
    "check_kind",
    "choice",
    "country",
    "culture",
    "email",
    "internet",
    "keys",
    "market",
    "numbers",
    "policy",
    "presence",
    "text",
]
