"""Compile a rule set once into check functions; run them over payloads.

Keys are looked up case-insensitively (as the service does) through a per-object index
built once per payload; paths in violations are JSON Pointers spelled as the sender spelled
the keys. Under redaction a key that is not a known field is named by its position instead
(`*3`: see KeyNames), in paths, messages and params alike. Values are never modified.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring
from typing import Any, Final, Literal, NamedTuple

from pc_validate.checks import REGISTRY, CheckKind
from pc_validate.checks.keys import shown_name
from pc_validate.index import index_object, pointer_token
from pc_validate.languages import ENGLISH, Language, language_of
from pc_validate.memo import Bounded
from pc_validate.messages import REDACTED_VALUE, TEXTS, render, template_for, text
from pc_validate.model import (
    MISSING,
    SEVERITY_RANK,
    Catalog,
    Condition,
    FieldPath,
    Finding,
    ObjectNode,
    Rule,
    ascii_upper,
    fold,
)
from pc_validate.plan import MEMO_TEXT_AT_MOST, MEMOIZABLE, FieldPlan, Plan, compile_plan
from pc_validate.report import Report, Violation, clean, echo, new_violation, printable
from pc_validate.rules import RuleSet
from pc_validate.screen import CLEAN, Flagged, Screen, compile_screen

__all__ = ["KeyNames", "Validator", "index_object", "pointer_token", "redacted_pointer"]


class KeyNames:
    """What a redacted report calls the keys of one object (keys can hold personal data): a
    known field as sent, any other key `*N`, its position among the object's keys, counted
    from 1 in the order sent (a key sent twice counts once, where it first stood). No known
    field name starts with "*", so a position cannot be mistaken for one."""

    __slots__ = ("known", "obj", "positions")

    def __init__(self, obj: Mapping[str, Any], known: Mapping[str, str]) -> None:
        self.obj = obj
        #: the object's known fields: lower-case name -> canonical name (Catalog.children)
        self.known = known
        self.positions: dict[str, str] | None = None  # worked out on first use

    def __call__(self, key: str) -> str:
        if fold(key) in self.known:
            return key
        if self.positions is None:
            self.positions = {name: f"*{n}" for n, name in enumerate(self.obj, 1)}
        return self.positions.get(key, "*")


def redacted_pointer(
    catalog: Catalog, document: Any, pointer: str, names: dict[int, KeyNames] | None = None
) -> str:
    """A JSON Pointer into `document` with its keys named as a redacted report names them
    (KeyNames). `names` keeps the names of the objects already seen, by id, across calls on
    one document (fix lists many pointers)."""
    names = {} if names is None else names
    node: Any = document
    path: FieldPath | None = ()  # the catalog path of `node`; None outside the catalog
    tokens = []
    for token in pointer.split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        known = catalog.children.get(path, {}) if path is not None else {}
        name = known.get(fold(key))
        if isinstance(node, list):  # an index, not a key
            node = node[int(key)] if key.isdigit() and int(key) < len(node) else None
        elif isinstance(node, dict):
            namer = names.get(id(node))
            if namer is None:
                namer = names[id(node)] = KeyNames(node, known)
            token = pointer_token(namer(key))
            node = node.get(key)
        elif name is None:
            token, node = "*", None
        path = None if name is None or path is None else (*path, name)
        tokens.append(token)
    return "".join(f"/{token}" for token in tokens)


#: A validator compiles its screen (screen.py) on this call: a run of a few payloads is
#: over before the few milliseconds of compiling would pay off.
SCREEN_AFTER = 16
_CLEAN = Report(())
_CLEANED_KEPT = 1024
_VIOLATIONS_KEPT = 4096

ScreenWhen = Literal["auto", "at_once", "never"]


#: The key_pointer word of a finding about no key (an empty key, quoted).
_NO_KEY: Final = '""'

#: Not yet looked for (a node may be None: absent, or not an object).
_UNSEEN: Final[Any] = object()


class _Payload:
    """Per-payload lookups: object nodes and condition values, each resolved once."""

    __slots__ = ("conditions", "nodes")

    def __init__(self, root: dict[str, Any]) -> None:
        self.nodes: dict[FieldPath, ObjectNode | None] = {(): index_object(root, (), "")}
        self.conditions: dict[FieldPath, str | None] = {}

    def node(self, path: FieldPath) -> ObjectNode | None:
        seen = self.nodes.get(path, _UNSEEN)
        if seen is not _UNSEEN:
            return seen  # type: ignore[no-any-return]
        parent = self.node(path[:-1])
        found = None
        if parent is not None:
            key = parent.keys.get(fold(path[-1]))
            if key is not None and isinstance(parent.value[key], dict):
                pointer = f"{parent.pointer}/{pointer_token(key)}"
                found = index_object(parent.value[key], path, pointer)
        self.nodes[path] = found
        return found

    def value(self, path: FieldPath) -> Any:
        """A field's value; MISSING when it or its parent object is absent."""
        parent = self.node(path[:-1])
        if parent is None:
            return MISSING
        key = parent.keys.get(fold(path[-1]))
        return MISSING if key is None else parent.value[key]

    def text(self, path: FieldPath) -> str | None:
        """A field's text without surrounding whitespace; None when it is missing or not text."""
        value = self.value(path)
        return value.strip() if isinstance(value, str) else None

    def condition_value(self, path: FieldPath) -> str | None:
        """A condition field's text, trimmed and upper-cased; None when it is not text."""
        if path not in self.conditions:
            value = self.value(path)
            text = ascii_upper(value.strip()) if isinstance(value, str) else None
            self.conditions[path] = text
        return self.conditions[path]

    def holds(self, conditions: tuple[Condition, ...]) -> bool:
        """All `when` clauses hold; a field that cannot be judged (missing, not text) fails."""
        for condition in conditions:
            if not condition.admits(self.condition_value(condition.field)):
                return False
        return True


class Validator:
    """A compiled rule set. Thread-safe: validate() keeps no state between calls but caches
    of pure results.

    `screen`: when to compile the screen (screen.py): after SCREEN_AFTER calls ("auto"), at
    once, or never (every payload then goes through the interpreter alone). `remember`:
    False writes every outcome and violation afresh (the reference the screen is tested
    against).
    """

    def __init__(
        self, ruleset: RuleSet, *, screen: ScreenWhen = "auto", remember: bool = True
    ) -> None:
        self.ruleset = ruleset
        self.catalog: Catalog = ruleset.catalog
        self.plan: Plan = compile_plan(ruleset, remember=remember)
        #: rules whose violations leave spelling hints in place (CheckKind.leaves_hints)
        self._leaving_hints = frozenset(
            rule.id for rule in ruleset.enabled_rules if REGISTRY[rule.check].leaves_hints
        )
        self._screen_when = screen
        self._screen: Screen | None = compile_screen(self.plan) if screen == "at_once" else None
        self._calls = 0
        self._remember = remember
        self._cleaned: Bounded[int, tuple[Finding, dict[str, Any]]] = Bounded(_CLEANED_KEPT)
        self._violations: Bounded[tuple[Any, ...], tuple[Finding, Violation]] = Bounded(
            _VIOLATIONS_KEPT
        )
        #: condition texts in other languages than English, by rule (kept alive by the
        #: rule set), values, redaction and language
        self._conditions: Bounded[tuple[Any, ...], str] = Bounded(_CLEANED_KEPT)

    @property
    def screen(self) -> Screen | None:
        """The compiled screen, once there is one."""
        return self._screen

    def validate(
        self, payload: Any, *, redact: bool = False, language: str | Language | None = None
    ) -> Report:
        """Check one parsed payload (any JSON value); never raises for bad content.

        `language`: a locale ("de-DE", "fr", "pt_PT.UTF-8") for the messages, the closest
        shipped catalog (languages.language); None is English."""
        lang = ENGLISH if language is None else language_of(language)
        if not isinstance(payload, dict):
            root = self.plan.root_rule
            if root is None or root.kind.root is None:
                return _CLEAN
            finding = root.kind.root(payload)
            violation = self._violation(
                root.rule, root.kind, finding, (), "", payload, None, redact, lang
            )
            return Report((violation,), lang.tag)
        flagged: Flagged | None = None
        if self._screen is not None:
            flagged = self._screen(payload)
            if flagged is CLEAN:
                return _CLEAN if lang is ENGLISH else Report((), lang.tag)
        elif self._screen_when == "auto":
            self._calls += 1
            if self._calls >= SCREEN_AFTER:  # >=: under threads, a count may be lost
                self._screen = compile_screen(self.plan)
        return self._judge(payload, flagged, redact, lang)

    def _judge(
        self, payload: dict[str, Any], flagged: Flagged | None, redact: bool, language: Language
    ) -> Report:
        """The interpreter: judge the field plans and objects the screen flagged (all: None)."""
        out: list[Violation] = []
        plan_of = self.plan
        plans: Iterable[FieldPlan] = plan_of.fields
        objects: frozenset[FieldPath] | None = None
        object_rules = plan_of.object_rules
        if flagged is not None:
            plans = map(plan_of.fields.__getitem__, flagged.fields)
            objects = flagged.objects
            if not objects:
                object_rules = ()
        data = _Payload(payload)
        whens = plan_of.whens
        holding: list[bool | None] = [None] * len(whens)
        texts_of: dict[tuple[FieldPath, ...], tuple[str | None, ...]] = {}
        nodes = data.nodes
        for plan in plans:
            parent = nodes.get(plan.parent, _UNSEEN)
            if parent is _UNSEEN:
                parent = data.node(plan.parent)
            if parent is None:
                continue
            key = parent.keys.get(plan.folded)
            if key is None and plan.values_only:
                continue
            value = MISSING if key is None else parent.value[key]
            flags: tuple[bool, ...] = ()
            if plan.whens:
                for index in plan.whens:
                    if holding[index] is None:
                        holding[index] = data.holds(whens[index])
                flags = tuple([holding[index] for index in plan.whens])  # type: ignore[misc]
            texts: tuple[str | None, ...] = ()
            if plan.context:
                texts = texts_of.get(plan.context)  # type: ignore[assignment]
                if texts is None:
                    texts = texts_of[plan.context] = tuple(data.text(p) for p in plan.context)
            for entry, finding in plan.judge(value, flags, texts):
                token = plan.path[-1] if key is None else pointer_token(key)
                pointer = f"{parent.pointer}/{token}"
                out.append(
                    self._violation(
                        entry.rule,
                        entry.kind,
                        finding,
                        plan.path,
                        pointer,
                        value,
                        data,
                        redact,
                        language,
                    )
                )
        for object_rule in object_rules:
            paths = plan_of.objects if object_rule.target is None else (object_rule.target,)
            for path in paths:
                if objects is not None and path not in objects:
                    continue
                node = data.node(path)
                if node is None:
                    continue
                names: KeyNames | None = None
                for finding in object_rule.check(node):
                    key = finding.key
                    if key is None:  # a finding about the object as a whole
                        field, pointer = path, node.pointer
                    else:
                        known = self.catalog.children.get(path, {})
                        name = known.get(fold(key))
                        token = pointer_token(key)
                        if redact:
                            names = names or KeyNames(node.value, known)
                            token = pointer_token(names(key))
                        field = (*path, name or (token if redact else key))
                        pointer = f"{node.pointer}/{token}"
                    out.append(
                        self._violation(
                            object_rule.rule,
                            object_rule.kind,
                            finding,
                            field,
                            pointer,
                            finding.value,
                            data,
                            redact,
                            language,
                            names,
                        )
                    )
        if len(out) > 1:
            out.sort(key=lambda v: (v.path, -SEVERITY_RANK[v.severity], v.rule, v.code))
        return Report(_without_moot_hints(out, self._leaving_hints), language.tag)

    def _clean_params(self, finding: Finding) -> dict[str, Any]:
        """report.clean of a finding's params, remembered per finding: checks return the same
        finding object for the same value, and some params hold long lists (allowed states).
        The entry keeps its finding alive, so the id stays its own; violations share the
        params, and nothing changes them."""
        found = self._cleaned.entries.get(id(finding))
        if found is not None:
            return found[1]
        params: dict[str, Any] = clean(finding.params)
        if self._remember:
            self._cleaned.remember(id(finding), (finding, params))
        return params

    def _violation(
        self,
        rule: Rule,
        kind: CheckKind,
        finding: Finding,
        field: FieldPath,
        pointer: str,
        value: Any,
        data: _Payload | None,
        redact: bool,
        language: Language,
        names: KeyNames | None = None,
    ) -> Violation:
        """The violation of a finding, remembered: the same bad value (a country "UK", a
        missing email) in the same place gives the same violation, and writing one costs more
        than all the checks of a clean payload. Violations are immutable, so they are shared;
        an entry keeps its finding alive, so the ids in its key stay their own. (`names`, the
        redacted names of the keys, needs no place in the key: a check gives the same finding
        object only for an object of the same keys in the same order.)"""
        conditions: tuple[Any, ...] = ()
        if rule.when and data is not None:
            conditions = tuple([data.value(c.field) for c in rule.when])
        key = None
        if (
            self._remember
            and _rememberable(value)
            and (not conditions or all(map(_rememberable, conditions)))
        ):
            key = (
                id(rule),
                id(finding),
                pointer,
                type(value),
                value,
                conditions,
                redact,
                language.code,
            )
            found = self._violations.entries.get(key)
            if found is not None:
                return found[1]
        violation = self._write_violation(
            rule, kind, finding, field, pointer, value, conditions, redact, language, names
        )
        if key is not None:
            self._violations.remember(key, (finding, violation))
        return violation

    def _condition(
        self, rule: Rule, conditions: tuple[Any, ...], redact: bool, language: Language
    ) -> str:
        """_condition_text, remembered in another language than English (its words are
        looked up and joined as the language lists them: worth keeping per condition)."""
        if (
            language.english
            or not self._remember
            or not conditions
            or not all(map(_rememberable, conditions))
        ):
            return _condition_text(rule, conditions, self.catalog, redact, language)
        key = (id(rule), conditions, redact, language.code)
        found = self._conditions.entries.get(key)
        if found is None:
            found = _condition_text(rule, conditions, self.catalog, redact, language)
            self._conditions.remember(key, found)
        return found

    def _write_violation(
        self,
        rule: Rule,
        kind: CheckKind,
        finding: Finding,
        field: FieldPath,
        pointer: str,
        value: Any,
        conditions: tuple[Any, ...],
        redact: bool,
        language: Language,
        names: KeyNames | None,
    ) -> Violation:
        fixed = _ENGLISH_WORDS if language.english else _fixed_words(language)
        if redact:
            shown = MISSING
            suggestion = None
            params = clean(_redact_params(kind, finding.params, names))
            words = dict.fromkeys(kind.echoing | kind.key_params, fixed.withheld)
            words.update(params)
            key = names(finding.key) if names is not None and finding.key is not None else None
            words["key_pointer"] = fixed.key_withheld if key is None else shown_name(key)
        else:
            shown = echo(value)
            suggestion = _usable_suggestion(finding.suggestion)
            params = self._clean_params(finding)
            words = dict(params)
            words["key_pointer"] = (
                _NO_KEY if finding.key is None else _quote(echo(finding.key), False)
            )
        if not language.english:
            words.update(_local_words(rule, kind, finding, params, suggestion, redact, language))
        # The engine's words (messages.EngineWords), filled in straight: building the named
        # tuple and its dict cost more than the rest of a violation.
        words["field"] = self.catalog.dotted(field)
        words["value"] = _quote(shown, redact, fixed)
        words["suggestion"] = "" if suggestion is None else _quote(suggestion, redact, fixed)
        words["condition"] = (
            self._condition(rule, conditions, redact, language) if conditions else ""
        )
        template = template_for(
            rule.id, kind.templates, finding.template, rule.message, language, words, redact
        )
        return new_violation(
            rule=rule.id,
            code=finding.code,
            severity=rule.severity,
            path=pointer,
            message=printable(render(template, words)),
            source=rule.source,
            params=params,
            value=shown,
            suggestion=suggestion,
            partner_center_error=rule.partner_center_error,
        )


def _local_words(
    rule: Rule,
    kind: CheckKind,
    finding: Finding,
    params: Mapping[str, Any],
    suggestion: Any,
    redact: bool,
    language: Language,
) -> dict[str, Any]:
    """The words of a finding that read otherwise in `language` (not English) than its
    params: a bundled rule's own words (CheckKind.rule_texts, messages `<rule id>:<param>`;
    a user's rule's have no translation and stay as given), the kind's local words (CLDR
    names, its phrases, lists) and the finding's alternatives joined the language's way.
    Under redaction nothing withheld comes back: the kind's local words see only the
    redacted params (its key params there named by position), and no word of a withheld
    param is kept."""
    local: dict[str, Any] = {}
    for name in kind.rule_texts:
        value = params.get(name)
        if type(value) is str:
            local[name] = language.text(f"{rule.id}:{name}", value)
    if kind.local_words is not None:
        local.update(kind.local_words(params, suggestion, language))
    if finding.alternatives:
        hidden = kind.echoing | kind.key_params if redact else frozenset()
        for name, items in finding.alternatives.items():
            if name not in hidden:
                local[name] = language.join(items, "or")
    if redact:
        withheld = kind.echoing | (kind.key_params - params.keys())
        return {k: v for k, v in local.items() if k not in withheld}
    return local


def _rememberable(value: Any) -> bool:
    """A value fit to be part of a cache key: hashable, and not a long text kept alive."""
    if isinstance(value, str):
        return len(value) <= MEMO_TEXT_AT_MOST
    return isinstance(value, MEMOIZABLE)


def _without_moot_hints(
    violations: list[Violation], leaving: frozenset[str] = frozenset()
) -> tuple[Violation, ...]:
    """Drop spelling hints (non_canonical) on a path that already has an error or warning of
    another kind: the value is wrong anyway, and that violation's suggestion is the useful one.
    Violations of the rules in `leaving` (kinds that point at characters: leaves_hints) do not
    make a hint moot."""
    if len(violations) < 2:
        return tuple(violations)
    flagged = {
        v.path
        for v in violations
        if v.severity != "info" and v.code != "non_canonical" and v.rule not in leaving
    }
    if not flagged:
        return tuple(violations)
    return tuple(v for v in violations if v.code != "non_canonical" or v.path not in flagged)


def _usable_suggestion(suggestion: Any) -> Any:
    """A suggestion is a drop-in replacement: none when it would have to be cut or mangled."""
    if isinstance(suggestion, str) and echo(suggestion) != suggestion:
        return None
    return suggestion


def _redact_params(
    kind: CheckKind, params: Mapping[str, Any], names: KeyNames | None
) -> dict[str, Any]:
    """A finding's params without the values the sender wrote (CheckKind.echoing), and with
    its keys named as `names` names them (left out where there are no names)."""
    named = kind.rename_keys(params, names) if names is not None and kind.rename_keys else {}
    key_params = kind.key_params
    return {
        k: named[k] if k in key_params else v
        for k, v in params.items()
        if k not in kind.echoing and (k not in key_params or k in named)
    }


class _Fixed(NamedTuple):
    """The engine's own words in one language."""

    withheld: str
    this_value: str
    #: the key an object-scope finding is about, when it names none (a finding about the
    #: object as a whole, under redaction)
    key_withheld: str


_ENGLISH_WORDS: Final = _Fixed(REDACTED_VALUE, "(this value)", "(name withheld)")
_words_of: dict[str, _Fixed] = {"en": _ENGLISH_WORDS}


def _fixed_words(language: Language) -> _Fixed:
    found = _words_of.get(language.code)
    if found is None:
        found = _words_of[language.code] = _Fixed(
            *(language.text(f"engine.{name}", TEXTS[f"engine.{name}"]) for name in _Fixed._fields)  # type: ignore[arg-type]
        )
    return found


def _quote(value: Any, redact: bool, fixed: _Fixed = _ENGLISH_WORDS) -> str:
    if redact:
        return fixed.withheld
    if value is MISSING:
        return fixed.this_value
    if type(value) is str:
        return encode_basestring(value)  # what json.dumps does for text, without its set-up
    return json.dumps(value, ensure_ascii=False)


def _condition_text(
    rule: Rule,
    conditions: tuple[Any, ...],
    catalog: Catalog,
    redact: bool,
    language: Language = ENGLISH,
) -> str:
    """How a conditional rule's message names its condition (`conditions`: the values of
    its `when` fields, none when the payload was not read)."""
    if not conditions:
        return ""
    parts = []
    for condition, value in zip(rule.when, conditions, strict=True):
        name = catalog.dotted(condition.field)
        if redact or not isinstance(value, str):
            parts.append(text(language, "engine.for_this", name=name))
        else:
            shown = _quote(echo(value.strip()), False)
            parts.append(text(language, "engine.when", name=name, value=shown))
    if language.english:
        return " " + " and ".join(parts)
    return " " + language.join(parts)
