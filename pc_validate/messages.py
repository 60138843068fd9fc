"""Message templates, keyed by rule id or by a check's template key, one catalog per language.

Templates are `str.format` strings. Every template may use `{field}` (the canonical dotted
path) and `{value}` (the offending value, or a neutral word when redaction is on) besides the
finding's own params. The English templates live with their check kinds (checks/); a new
language is a new entry in CATALOGS, and a key it lacks falls back to English.

A rule's own `message` comes from a rule file, so :func:`template_problem` holds it, when the
rules load, to plain ``{name}`` fields of the names its check kind gives: ``str.format``
would otherwise fail on ``{0}`` only when the message is shown, allocate 2 GB for
``{field:>2000000000}`` and print object internals for ``{field.__class__}``.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from pc_validate.excerpt import clipped

if TYPE_CHECKING:
    from pc_validate.checks import CheckKind

#: Translations by language: template key (or rule id) -> template. English is not here:
#: each check kind carries its own English templates (checks.CheckKind.templates).
CATALOGS: Final[dict[str, Mapping[str, str]]] = {}


def english() -> dict[str, str]:
    """Every check kind's English templates by template key (the source of translations)."""
    from pc_validate.checks import REGISTRY

    return {key: text for kind in REGISTRY.values() for key, text in kind.templates.items()}


class EngineWords(NamedTuple):
    """What the engine fills into every template besides the finding's params, as it writes
    a violation. Its fields are the words a rule's own message may name (ENGINE_WORDS)."""

    field: str  # the canonical dotted path
    value: str  # the offending value, quoted, or a neutral word under redaction
    suggestion: str  # a quoted suggestion, or ""
    condition: str  # " when X is 'Y'" for a conditional rule, or ""
    key_pointer: str  # the key an object-scope finding is about (OBJECT_WORDS)


#: Words only object-scope checks give a meaning to: their findings are about a key.
OBJECT_WORDS: Final = frozenset({"key_pointer"})
#: Words every check kind's messages may name.
ENGINE_WORDS: Final = frozenset(EngineWords._fields) - OBJECT_WORDS

REDACTED_VALUE: Final = "(value withheld)"


def message_words(kind: CheckKind) -> frozenset[str]:
    """The names a rule's own message may use: what the engine fills in for its check."""
    return ENGINE_WORDS | kind.words | (OBJECT_WORDS if kind.scope == "object" else frozenset())


def template_for(
    rule_id: str,
    templates: Mapping[str, str],
    template: str,
    rule_message: str | None,
    language: str,
    redact: bool = False,
) -> str:
    """Pick the template of a finding: a translation of the rule, the rule's own message, a
    translation of the check's template, the check's English template (from `templates`,
    its kind's).

    Under redaction no suggestion may be shown, so a check's `..._suggest` template gives way
    to its plain form, and a template with a `:redacted` variant to that variant.
    """
    catalog = CATALOGS.get(language, {})
    if rule_id in catalog:
        return catalog[rule_id]
    if rule_message is not None:
        return rule_message
    if redact:
        template = template.removesuffix("_suggest")
        if f"{template}:redacted" in templates:
            template = f"{template}:redacted"
    return catalog.get(template) or templates[template]


def template_problem(template: str, words: Collection[str]) -> str | None:
    """Why `template` is not a message a rule may give (None when it is): only plain
    ``{name}`` fields with a name from `words`; ``{{`` and ``}}`` are literal braces."""
    try:
        fields = [
            (name, spec, conversion) for _, name, spec, conversion in _FORMATTER.parse(template)
        ]
    except ValueError as exc:
        return f"not a valid template ({exc}); write {{{{ and }}}} for a literal brace"
    for name, spec, conversion in fields:
        if name is None:
            continue
        shown = clipped(
            "{"
            + name
            + (f"!{conversion}" if conversion else "")
            + (f":{spec}" if spec else "")
            + "}"
        )
        head = name.partition(".")[0].partition("[")[0]
        if not head or head.isdigit():
            return f"{shown} is a field by position; name what it shows, e.g. {{field}}"
        if head != name:
            return (
                f"{shown} reaches into a value; a field is a plain name, e.g. {{{clipped(head)}}}"
            )
        if conversion:
            return f"{shown} has a conversion (!{conversion}); write {{{clipped(name)}}}"
        if spec:
            return f"{shown} has a format spec; write {{{clipped(name)}}}"
        if name not in words:
            return f"{shown} is not a name this check gives; it gives {', '.join(sorted(words))}"
    return None


_FORMATTER = string.Formatter()


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a template; an unknown placeholder stays visible instead of raising."""
    text = template.format_map(_Defaulting(values))
    # Field paths keep their camelCase; only a sentence opening with prose is capitalised.
    return "The" + text[3:] if text.startswith("the ") else text
