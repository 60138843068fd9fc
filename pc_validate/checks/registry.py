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

A kind carries everything the rest of pc-validate needs to know about it: its parameters,
the English templates of its findings, which finding params repeat what the sender wrote
(withheld under ``--redact``), how the screen may test it inline, and, for a kind that
depends on the address country, which markets it can judge and on whose data. Adding a
check kind is one module here plus its rule cases (docs/architecture.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pc_validate.model import Catalog, FieldPath, Finding, ObjectNode, Plural, Template

if TYPE_CHECKING:
    from pc_validate.languages import Language
    from pc_validate.markets import Market

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

#: Screen code for a field rule: (rule params, the expression of the value) -> a Python
#: expression that is true when the check would report the value, or None when the kind cannot
#: be written out for these params. The expression may use `judgeable` (the value is present,
#: not null, not blank), `MISSING` and `T_<json type>` (the Python types of a JSON type).
InlineTest = Callable[[Mapping[str, Any], str], "str | None"]
#: Screen code for an object rule that judges each known key's value alone: (the expression of
#: the value, its declared JSON type, or None when the type is in the variable `kind` as Python
#: types) -> an expression that is true when the check would report the value.
KeyTest = Callable[[str, "str | None"], "str | None"]
KeyRenamer = Callable[[Mapping[str, Any], Callable[[str], str]], dict[str, Any]]
#: Which markets a rule of a country-dependent kind can judge: (rule params) -> predicate.
Coverage = Callable[[Mapping[str, Any]], Callable[["Market"], bool]]
#: The words of a finding in another language than English: (its params, its suggestion, the
#: language) -> the words that differ from the params (a country's name in that language).
#: The params themselves never change with the language.
LocalWords = Callable[[Mapping[str, Any], Any, "Language"], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class CheckKind:
    """A check kind, and everything pc-validate derives from it (see the module docstring)."""

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
    #: the English templates of its findings by template key; `KEY:redacted` is the form
    #: used under redaction where the plain one would need a value (messages.template_for);
    #: a `Plural` where the wording follows a count ("1 character", "2 characters"). They are
    #: the message ids of the translations (scripts/extract_messages.py).
    templates: Mapping[str, Template] = field(default_factory=dict)
    #: params of its findings that repeat what the sender wrote: withheld under redaction
    echoing: frozenset[str] = frozenset()
    #: params that name keys of the payload: under redaction they are left out, or named by
    #: position (engine.KeyNames) where `rename_keys` gives them anew
    key_params: frozenset[str] = frozenset()
    #: (a finding's params, the redacted name of a key) -> its key params named so
    rename_keys: KeyRenamer | None = None
    #: how the screen writes a rule of this kind out (field scope)
    inline: InlineTest | None = None
    #: object scope: the verdict depends on an object's keys only (the screen judges it once
    #: per shape)
    keys_only: bool = False
    #: object scope: judges each known key's value alone (the screen inlines it per field)
    key_test: KeyTest | None = None
    #: object scope: the finding for a request body that is not an object at all
    root: Callable[[Any], Finding] | None = None
    #: a kind that depends on the address country: which markets a rule of it can judge
    coverage: Coverage | None = None
    #: whose data the kind judges by, as the coverage table names it
    authority: str = "Partner Center docs"
    #: optional params of which a rule must give exactly one (the loader enforces it)
    one_of_params: tuple[str, ...] = ()
    #: its findings point at characters, not at a value to replace, so a spelling hint on
    #: the same value (a trimmed suggestion) stays useful and is kept (engine: moot hints)
    leaves_hints: bool = False
    #: the words of its findings in another language (names of countries, cultures,
    #: languages; lists joined the language's way); None: the params as they are
    local_words: LocalWords | None = None
    #: fixed English words its params hold ("an object", "province"), by message id: its
    #: `local_words` look them up in the language (Language.text)
    phrases: Mapping[str, str] = field(default_factory=dict)

    #: the words its findings repeat from a rule's own params (a `str` param among `words`:
    #: what a set is, what a value looks like). A bundled rule's are messages of their own,
    #: `<rule id>:<param>`, shown in the language; a user's rule's stay as given. (Derived.)
    rule_texts: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        texts = tuple(
            name
            for name in sorted(self.words)
            if (param := self.params.get(name)) is not None and param.kind == "str"
        )
        object.__setattr__(self, "rule_texts", texts)


def phrase_words(phrases: Mapping[str, str], *names: str) -> LocalWords:
    """Local words that put the params `names`, where they hold one of `phrases` (message id
    -> fixed English words), in the language (a CheckKind's `local_words`). A phrase with
    `{name}` fields ("a label is {length} characters long") is matched with any text in
    their place, which the language's words are filled with."""
    fixed = {words: key for key, words in phrases.items() if "{" not in words}
    shaped = [
        (re.compile("".join(_shape(part, i) for i, part in enumerate(_FIELD.split(words)))), key)
        for key, words in phrases.items()
        if "{" in words
    ]

    def local(params: Mapping[str, Any], suggestion: Any, language: Language) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in names:
            words = params.get(name)
            if not isinstance(words, str):
                continue
            key = fixed.get(words)
            if key is not None:
                out[name] = language.text(key, words)
                continue
            for regex, key in shaped:
                match = regex.fullmatch(words)
                if match is not None:
                    out[name] = language.text(key, phrases[key]).format_map(match.groupdict())
                    break
        return out

    return local


_FIELD = re.compile(r"\{(\w+)\}")


def _shape(part: str, index: int) -> str:
    """A piece of a phrase split at its fields (every odd piece a field's name) as a regex."""
    return f"(?P<{part}>.+?)" if index % 2 else re.escape(part)


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
    templates: Mapping[str, Template] | None = None,
    echoing: tuple[str, ...] = (),
    key_params: tuple[str, ...] = (),
    rename_keys: KeyRenamer | None = None,
    inline: InlineTest | None = None,
    keys_only: bool = False,
    key_test: KeyTest | None = None,
    root: Callable[[Any], Finding] | None = None,
    coverage: Coverage | None = None,
    authority: str = "Partner Center docs",
    one_of_params: tuple[str, ...] = (),
    leaves_hints: bool = False,
    local_words: LocalWords | None = None,
    phrases: Mapping[str, str] | None = None,
) -> Callable[[Builder], Builder]:
    """Register a builder function as the check kind `name` (see CheckKind for the rest)."""

    def register(build: Builder) -> Builder:
        register_kind(
            CheckKind(
                name,
                scope,
                summary,
                params or {},
                build,
                accepts,
                context,
                frozenset(words),
                templates or {},
                frozenset(echoing),
                frozenset(key_params),
                rename_keys,
                inline,
                keys_only,
                key_test,
                root,
                coverage,
                authority,
                one_of_params,
                leaves_hints,
                local_words,
                phrases or {},
            )
        )
        return build

    return register


def register_kind(kind: CheckKind) -> CheckKind:
    """Add `kind` to the registry, after checking it is whole; returns it."""
    if kind.name in REGISTRY:
        raise RuntimeError(f"check kind {kind.name!r} registered twice")
    for key in kind.context:
        if kind.scope == "object" or kind.params.get(key, Param("str", "")).kind != "field":
            raise RuntimeError(f"check kind {kind.name!r}: context {key!r} is not a field param")
    object_only = kind.keys_only or kind.key_test or kind.root or kind.rename_keys
    if (kind.scope == "object" and kind.inline) or (kind.scope != "object" and object_only):
        raise RuntimeError(f"check kind {kind.name!r}: screen hints of another scope")
    for key in kind.one_of_params:
        if key not in kind.params or kind.params[key].required:
            raise RuntimeError(f"check kind {kind.name!r}: {key!r} is not an optional param")
    if not kind.templates:
        raise RuntimeError(f"check kind {kind.name!r} has no message templates")
    for key, template in kind.templates.items():
        if isinstance(template, Plural) and f"{{{template.n}}}" not in template.other:
            raise RuntimeError(
                f"check kind {kind.name!r}: template {key!r} does not show {{{template.n}}}"
            )
        for other in REGISTRY.values():
            if other.templates.get(key, template) != template:
                raise RuntimeError(
                    f"check kind {kind.name!r}: template {key!r} differs from {other.name!r}'s"
                )
    REGISTRY[kind.name] = kind
    return kind


def unregister_kind(name: str) -> None:
    """Remove a kind (tests that define one of their own clean up with this)."""
    del REGISTRY[name]
