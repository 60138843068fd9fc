"""Message templates: which one a finding gets, in which language, and how it is filled.

Templates are `str.format` strings. Every template may use `{field}` (the canonical dotted
path) and `{value}` (the offending value, or a neutral word when redaction is on) besides the
finding's own params. The English templates live with their check kinds (checks/), a
template whose wording follows a count as a `model.Plural`; the fixed texts of the reports
are in TEXTS below. Together they are the message ids of the gettext catalogs of the other
languages (scripts/extract_messages.py writes them to pc_validate/locale/, languages.py
reads them); a message a catalog lacks is shown in English.

A rule's own `message` comes from a rule file, so :func:`template_problem` holds it, when the
rules load, to plain ``{name}`` fields of the names its check kind gives: ``str.format``
would otherwise fail on ``{0}`` only when the message is shown, allocate 2 GB for
``{field:>2000000000}`` and print object internals for ``{field.__class__}``. It is shown as
written: only a bundled rule's own message, word for word, has translations.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from pc_validate.excerpt import clipped
from pc_validate.model import Plural, Template

if TYPE_CHECKING:
    from pc_validate.checks import CheckKind
    from pc_validate.languages import Language

#: The fixed texts of reports, by message id: the engine's words, the text format's.
TEXTS: Final[Mapping[str, Template]] = {
    "engine.withheld": "(value withheld)",
    "engine.this_value": "(this value)",
    "engine.key_withheld": "(name withheld)",
    "engine.when": "when {name} is {value}",
    "engine.for_this": "for this {name}",
    "engine.not_json": "The request body is not valid JSON: {problem}.",
    "text.payload": "<payload>",
    "text.row": "{name} row {row}",
    "text.line": "{name} line {line}",
    "text.at_line_column": "line {line}, column {column}",
    "text.at_line": "line {line}",
    "text.valid": "valid",
    "text.invalid": "invalid",
    "text.unreadable": "unreadable",
    "text.not_validated": "not validated",
    "text.error": "error",
    "text.warning": "warning",
    "text.info": "info",
    "text.errors": Plural("{n} error", "{n} errors", "n"),
    "text.warnings": Plural("{n} warning", "{n} warnings", "n"),
    "text.infos": Plural("{n} info", "{n} info", "n"),
    "text.suggestion": "suggestion: {suggestion}",
    "text.pre_empts": "pre-empts Partner Center error {code}",
    "text.inputs": Plural("{n} input", "{n} inputs", "n"),
    "text.records": Plural("{n} record", "{n} records", "n"),
    "text.summary": (
        "{records}: {valid} valid, {invalid} invalid, {unreadable} unreadable{not_validated}; "
        "{errors}, {warnings}, {infos}"
    ),
    "text.summary_not_validated": ", {n} not validated",
    # the rule table of a run (render/statistics.py); {n}: a number as the language writes it
    "stats.none": Plural(
        "no rule fired in {n} record validated", "no rule fired in {n} records validated", "n"
    ),
    "stats.heading": Plural(
        "rules that fired in {n} record validated:",
        "rules that fired in {n} records validated:",
        "n",
    ),
    "stats.violations": "violations",
    "stats.records": "records",
    "stats.share": "share",
    "stats.rule": "rule",
    "stats.severity": "severity",
    "stats.countries": "countries most affected",
    "stats.no_country": "(none)",
    "stats.other_country": "(other)",
}


def english() -> dict[str, Template]:
    """Every check kind's English templates by template key (the source of translations)."""
    from pc_validate.checks import REGISTRY

    return {key: text for kind in REGISTRY.values() for key, text in kind.templates.items()}


def text(language: Language, key: str, **values: Any) -> str:
    """A fixed text of TEXTS in `language`, filled (a Plural's count is its `n`)."""
    return language.template(key, TEXTS[key], values).format_map(values)


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

REDACTED_VALUE: Final = "(value withheld)"  # TEXTS["engine.withheld"]


def message_words(kind: CheckKind) -> frozenset[str]:
    """The names a rule's own message may use: what the engine fills in for its check."""
    return ENGINE_WORDS | kind.words | (OBJECT_WORDS if kind.scope == "object" else frozenset())


def template_for(
    rule_id: str,
    templates: Mapping[str, Template],
    template: str,
    rule_message: str | None,
    language: Language,
    words: Mapping[str, Any],
    redact: bool = False,
) -> str:
    """Pick the template of a finding in `language`: the rule's own message (translated
    only where it is a bundled rule's, word for word), else the check's template (from
    `templates`, its kind's), its form for the count among `words`.

    Under redaction no suggestion may be shown, so a check's `..._suggest` template gives way
    to its plain form, and a template with a `:redacted` variant to that variant.
    """
    if rule_message is not None:
        return rule_message if language.english else language.template(rule_id, rule_message, {})
    if redact:
        template = template.removesuffix("_suggest")
        if f"{template}:redacted" in templates:
            template = f"{template}:redacted"
    source = templates[template]
    if language.english:  # the templates as they are: no look-up
        return source if type(source) is str else source.english(words)  # type: ignore[union-attr]
    return language.template(template, source, words)


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
