"""Compile a rule set once into check functions; run them over payloads.

Keys are looked up case-insensitively (as the service does) through a per-object index
built once per payload; paths in violations are JSON Pointers spelled as the sender spelled
the keys. Under redaction a key that is not a known field is named by its position instead
(`*3`: see KeyNames), in paths, messages and params alike. Values are never modified.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring
from typing import Any

from pc_validate.checks import REGISTRY, BuildContext
from pc_validate.checks.keys import json_type, key_group_params
from pc_validate.messages import REDACTED_VALUE, render, template_for
from pc_validate.model import (
    MEMO_KEPT,
    MEMO_TRIAL,
    MISSING,
    SEVERITY_RANK,
    SHAPE_KEYS_AT_MOST,
    SHAPES_KEPT,
    Catalog,
    Condition,
    FieldPath,
    Finding,
    ObjectNode,
    Rule,
    ascii_upper,
    fold,
)
from pc_validate.payload import DuplicateKeys
from pc_validate.report import Report, Violation, clean, echo, printable
from pc_validate.rules import RuleFileError, RuleSet
from pc_validate.screen import Screen, compile_screen


def pointer_token(key: str) -> str:
    """Escape one key for a JSON Pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


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


#: Key indexes by object shape (its keys in order). Records of one export share a handful of
#: shapes, so the case-folding is done once per shape, not once per payload.
_SHAPES: dict[tuple[str, ...], tuple[dict[str, str], list[tuple[str, ...]]]] = {}


def index_object(value: dict[Any, Any], path: FieldPath, pointer: str) -> ObjectNode:
    if type(value) is DuplicateKeys:
        return _index_repeating(value, path, pointer)
    shape = tuple(value)
    cached = _SHAPES.get(shape) if len(shape) <= SHAPE_KEYS_AT_MOST else None
    if cached is not None:
        return ObjectNode(value, path, pointer, cached[0], cached[1], shape)
    if not all(type(key) is str for key in value):
        # Only a Python caller can send these (JSON keys are text): judge them as text.
        value = {key if isinstance(key, str) else str(key): item for key, item in value.items()}
        shape = tuple(value)
    keys: dict[str, str] = {}
    for key in value:
        keys[fold(key)] = key
    collisions: list[tuple[str, ...]] = []
    if len(keys) < len(value):
        groups: dict[str, list[str]] = {}
        for key in value:
            groups.setdefault(fold(key), []).append(key)
        collisions = [tuple(group) for group in groups.values() if len(group) > 1]
    if len(shape) <= SHAPE_KEYS_AT_MOST:
        if len(_SHAPES) >= SHAPES_KEPT:
            _SHAPES.clear()
        _SHAPES[shape] = (keys, collisions)
    return ObjectNode(value, path, pointer, keys, collisions, shape)


def _index_repeating(value: DuplicateKeys, path: FieldPath, pointer: str) -> ObjectNode:
    """An object in which a key was sent twice: each repeated key is a collision group of
    its own (reported by distinct_keys), and no per-shape cache holds it (its keys look like
    those of an object without repetition)."""
    plain = index_object(dict(value), path, pointer)
    repeats: list[tuple[str, ...]] = [(k, k) for k in value.repeated if isinstance(k, str)]
    return ObjectNode(value, path, pointer, plain.keys, plain.collisions + repeats, ())


@dataclass(frozen=True, slots=True)
class _FieldRule:
    rule: Rule
    #: value-scope checks see only present, non-null, non-blank values of accepted types
    judges_values: bool
    accepts: tuple[type, ...]
    check: Callable[..., Finding | None]
    #: fields whose trimmed text the check takes after the value (see checks.CheckKind)
    context: tuple[FieldPath, ...] = ()
    #: position of the rule's `when` among its plan's conditions (-1: none)
    when_at: int = -1
    #: positions of its context fields among its plan's context fields
    context_at: tuple[int, ...] = ()


#: Outcomes are remembered per field (model.MEMO_KEPT; every check is a pure function of the
#: value and its context), for text of at most this many characters.
_MEMO_TEXT_AT_MOST = 128
_MEMOIZABLE = (str, bool, int, float, type(None), type(MISSING))


@dataclass(slots=True)
class _FieldPlan:
    """The rules of one field, with the lookups that find it precomputed."""

    path: FieldPath
    parent: FieldPath
    folded: str
    entries: tuple[_FieldRule, ...]
    #: the distinct `when` clauses of the entries, as indexes into Validator._whens
    whens: tuple[int, ...] = ()
    #: the distinct context fields of the entries
    context: tuple[FieldPath, ...] = ()
    #: every entry judges present values only, so a missing field needs no look at all
    values_only: bool = False
    memo: dict[Any, tuple[tuple[_FieldRule, Finding], ...]] | None = field(default_factory=dict)
    lookups: int = 0
    hits: int = 0

    def judge(
        self, value: Any, flags: tuple[bool, ...], texts: tuple[str | None, ...]
    ) -> tuple[tuple[_FieldRule, Finding], ...]:
        """Every entry's finding for this value, conditions and context (remembered)."""
        memo = self.memo
        key: Any = None
        if (
            memo is not None
            and isinstance(value, _MEMOIZABLE)
            and (not isinstance(value, str) or len(value) <= _MEMO_TEXT_AT_MOST)
        ):
            key = (type(value), value, flags, texts)
            self.lookups += 1
            found = memo.get(key)
            if found is not None:
                self.hits += 1
                return found
        judgeable = value is not MISSING and value is not None
        if judgeable and isinstance(value, str) and not value.strip():
            judgeable = False
        results = []
        for entry in self.entries:
            if entry.when_at >= 0 and not flags[entry.when_at]:
                continue
            if entry.judges_values and not (judgeable and isinstance(value, entry.accepts)):
                continue
            if entry.context_at:
                finding = entry.check(value, *[texts[i] for i in entry.context_at])
            else:
                finding = entry.check(value)
            if finding is not None:
                results.append((entry, finding))
        outcome = tuple(results)
        if key is not None and memo is not None:
            if len(memo) >= MEMO_KEPT:
                memo.clear()
            memo[key] = outcome
            if self.lookups >= MEMO_TRIAL and self.hits * 4 < self.lookups:
                self.memo = None  # values do not repeat here: remembering only costs
        return outcome


@dataclass(frozen=True, slots=True)
class _ObjectRule:
    rule: Rule
    target: FieldPath | None
    check: Callable[[ObjectNode], list[Finding]]


#: A validator compiles its screen (screen.py) on this call: a run of a few payloads is
#: over before the few milliseconds of compiling would pay off.
_SCREEN_AFTER = 16
_CLEAN = Report(())
_CLEANED_KEPT = 1024
_VIOLATIONS_KEPT = 4096


class _Payload:
    """Per-payload lookups: object nodes and condition values, each resolved once."""

    __slots__ = ("conditions", "nodes")

    def __init__(self, root: dict[str, Any]) -> None:
        self.nodes: dict[FieldPath, ObjectNode | None] = {(): index_object(root, (), "")}
        self.conditions: dict[FieldPath, str | None] = {}

    def node(self, path: FieldPath) -> ObjectNode | None:
        if path in self.nodes:
            return self.nodes[path]
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
            text = self.condition_value(condition.field)
            if (
                text is None
                or len(text) not in condition.lengths
                or (text in condition.values) == condition.negate
            ):
                return False
        return True


class Validator:
    """A compiled rule set. Thread-safe: validate() keeps no state between calls."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.catalog: Catalog = ruleset.catalog
        self._object_rules: list[_ObjectRule] = []
        self._root_type_rule: Rule | None = None
        by_field: dict[FieldPath, list[_FieldRule]] = {}
        for rule in ruleset.enabled_rules:
            kind = REGISTRY[rule.check]
            context = BuildContext(self.catalog, rule.field, ruleset.datasets, ruleset.markets)
            try:
                check = kind.build(rule.params, context)
            except ValueError as exc:
                file, _, line = rule.origin.rpartition(":")
                raise RuleFileError(
                    file or rule.origin, str(exc), int(line) if line.isdigit() else None, rule.id
                ) from None
            if kind.scope == "object":
                self._object_rules.append(_ObjectRule(rule, rule.field, check))
                if rule.check == "declared_types" and self._root_type_rule is None:
                    self._root_type_rule = rule
            else:
                assert rule.field is not None
                fields = tuple(rule.params[key] for key in kind.context)
                entry = _FieldRule(rule, kind.scope == "value", kind.accepts, check, fields)
                by_field.setdefault(rule.field, []).append(entry)
        #: the distinct `when` clauses of all rules, evaluated at most once per payload
        self._whens: list[tuple[Condition, ...]] = []
        self._field_plans = [self._plan(path, entries) for path, entries in by_field.items()]
        self._object_paths = sorted(
            (path for path, kind in self.catalog.types.items() if kind == "object"),
            key=lambda p: (len(p), p),
        )
        self._screen: Screen | None = None
        self._calls = 0
        self._cleaned: dict[int, tuple[Finding, dict[str, Any]]] = {}
        self._violations: dict[tuple[Any, ...], tuple[Finding, Violation]] = {}

    def _plan(self, path: FieldPath, entries: list[_FieldRule]) -> _FieldPlan:
        whens: list[int] = []
        context: list[FieldPath] = []
        placed = []
        for entry in entries:
            when_at = -1
            if entry.rule.when:
                if entry.rule.when not in self._whens:
                    self._whens.append(entry.rule.when)
                index = self._whens.index(entry.rule.when)
                if index not in whens:
                    whens.append(index)
                when_at = whens.index(index)
            for field_path in entry.context:
                if field_path not in context:
                    context.append(field_path)
            context_at = tuple(context.index(field_path) for field_path in entry.context)
            placed.append(replace(entry, when_at=when_at, context_at=context_at))
        return _FieldPlan(
            path,
            path[:-1],
            fold(path[-1]),
            tuple(placed),
            tuple(whens),
            tuple(context),
            all(entry.judges_values for entry in placed),
        )

    def validate(self, payload: Any, *, redact: bool = False, language: str = "en") -> Report:
        """Check one parsed payload (any JSON value); never raises for bad content."""
        out: list[Violation] = []
        if not isinstance(payload, dict):
            if self._root_type_rule is not None:
                root_finding = Finding(
                    "type", "type.mismatch", {"expected": "an object", "actual": json_type(payload)}
                )
                out.append(
                    self._violation(
                        self._root_type_rule, root_finding, (), "", payload, None, redact, language
                    )
                )
            return Report(tuple(out))
        units: list[int] | None = None
        if self._screen is not None:
            units = self._screen(payload)
            if units == []:
                return _CLEAN
        else:
            self._calls += 1
            if self._calls >= _SCREEN_AFTER:  # >=: under threads, a count may be lost
                self._screen = compile_screen(self)
        return self._judge(payload, units, redact, language)

    def _judge(
        self, payload: dict[str, Any], units: list[int] | None, redact: bool, language: str
    ) -> Report:
        """The interpreter: judge the field plans and objects the screen flagged (all: None)."""
        out: list[Violation] = []
        plans = self._field_plans
        objects: set[FieldPath] | None = None
        object_rules = self._object_rules
        if units is not None:
            base = len(plans)
            flagged = sorted(set(units))
            plans = [plans[i] for i in flagged if i < base]
            objects = {self._object_paths[i - base] for i in flagged if i >= base}
            if not objects:
                object_rules = []
        data = _Payload(payload)
        whens = self._whens
        holding: list[bool | None] = [None] * len(whens)
        texts_of: dict[tuple[FieldPath, ...], tuple[str | None, ...]] = {}
        nodes = data.nodes
        for plan in plans:
            parent = nodes[plan.parent] if plan.parent in nodes else data.node(plan.parent)
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
                        entry.rule, finding, plan.path, pointer, value, data, redact, language
                    )
                )
        for object_rule in object_rules:
            paths = self._object_paths if object_rule.target is None else [object_rule.target]
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
        return Report(_without_moot_hints(out))

    def _clean_params(self, finding: Finding) -> dict[str, Any]:
        """report.clean of a finding's params, remembered per finding: checks return the same
        finding object for the same value, and some params hold long lists (allowed states).
        The entry keeps its finding alive, so the id stays its own; violations share the
        params, and nothing changes them."""
        found = self._cleaned.get(id(finding))
        if found is not None:
            return found[1]
        params: dict[str, Any] = clean(finding.params)
        if len(self._cleaned) >= _CLEANED_KEPT:
            self._cleaned.clear()
        self._cleaned[id(finding)] = (finding, params)
        return params

    def _violation(
        self,
        rule: Rule,
        finding: Finding,
        field: FieldPath,
        pointer: str,
        value: Any,
        data: _Payload | None,
        redact: bool,
        language: str,
        names: KeyNames | None = None,
    ) -> Violation:
        """The violation of a finding, remembered: the same bad value (a country "UK", a
        missing email) in the same place gives the same violation, and writing one costs more
        than all the checks of a clean payload. Violations are immutable, so they are shared;
        an entry keeps its finding alive, so the ids in its key stay their own. (`names`, the
        redacted names of the keys, needs no place in the key: a check gives the same finding
        object only for an object of the same keys in the same order.)"""
        conditions = tuple(data.value(c.field) for c in rule.when) if rule.when and data else ()
        key = None
        if _rememberable(value) and all(_rememberable(c) for c in conditions):
            key = (id(rule), id(finding), pointer, type(value), value, conditions, redact, language)
            found = self._violations.get(key)
            if found is not None:
                return found[1]
        violation = self._write_violation(
            rule, finding, field, pointer, value, conditions, redact, language, names
        )
        if key is not None:
            if len(self._violations) >= _VIOLATIONS_KEPT:
                self._violations.clear()
            self._violations[key] = (finding, violation)
        return violation

    def _write_violation(
        self,
        rule: Rule,
        finding: Finding,
        field: FieldPath,
        pointer: str,
        value: Any,
        conditions: tuple[Any, ...],
        redact: bool,
        language: str,
        names: KeyNames | None,
    ) -> Violation:
        shown = MISSING if redact else echo(value)
        suggestion = None if redact else _usable_suggestion(finding.suggestion)
        words: dict[str, Any] = {}
        if redact:
            params = clean(_redact_params(finding.params, names))
            words.update(dict.fromkeys(_ECHOING_PARAMS | _KEY_PARAMS, REDACTED_VALUE))
            key = names(finding.key) if names is not None and finding.key is not None else None
            key_pointer = "a key" if key is None else _name_shown(key)
        else:
            params = self._clean_params(finding)
            key_pointer = _quote(echo(finding.key or ""), False)
        words.update(params)
        words.update(
            field=self.catalog.dotted(field),
            value=_quote(shown, redact),
            suggestion=_quote(suggestion, redact) if suggestion is not None else "",
            condition=_condition_text(rule, conditions, self.catalog, redact),
            key_pointer=key_pointer,
        )
        template = template_for(rule.id, finding.template, rule.message, language, redact)
        return Violation(
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


def _rememberable(value: Any) -> bool:
    """A value fit to be part of a cache key: hashable, and not a long text kept alive."""
    if isinstance(value, str):
        return len(value) <= _MEMO_TEXT_AT_MOST
    return isinstance(value, _MEMOIZABLE)


def _without_moot_hints(violations: list[Violation]) -> tuple[Violation, ...]:
    """Drop spelling hints (non_canonical) on a path that already has an error or warning of
    another kind: the value is wrong anyway, and that violation's suggestion is the useful one."""
    flagged = {v.path for v in violations if v.severity != "info" and v.code != "non_canonical"}
    if not flagged:
        return tuple(violations)
    return tuple(v for v in violations if v.code != "non_canonical" or v.path not in flagged)


def _usable_suggestion(suggestion: Any) -> Any:
    """A suggestion is a drop-in replacement: none when it would have to be cut or mangled."""
    if isinstance(suggestion, str) and echo(suggestion) != suggestion:
        return None
    return suggestion


#: Params that repeat values the sender wrote; left out under redaction.
_ECHOING_PARAMS = frozenset({"reason", "suggestion_name"})
#: Params that name keys (checks.keys); under redaction they name them as KeyNames does.
_KEY_PARAMS = frozenset({"key", "keys", "keys_text", "used"})


def _name_shown(name: str) -> str:
    """A redacted key name as a message shows it: a position as is, a field name quoted."""
    return name if name.startswith("*") else f'"{name}"'


def _redact_params(params: Mapping[str, Any], names: KeyNames | None) -> dict[str, Any]:
    """A finding's params without the values the sender wrote, and with its keys named as
    `names` names them (left out where there are no names)."""
    named: dict[str, Any] = {}
    if names is not None:
        if "key" in params:
            named["key"] = names(params["key"])
        if "keys" in params:
            named.update(key_group_params([names(k) for k in params["keys"]], _name_shown))
    return {
        k: named[k] if k in _KEY_PARAMS else v
        for k, v in params.items()
        if k not in _ECHOING_PARAMS and (k not in _KEY_PARAMS or k in named)
    }


def _quote(value: Any, redact: bool) -> str:
    if redact:
        return REDACTED_VALUE
    if value is MISSING:
        return "(this value)"
    if type(value) is str:
        return encode_basestring(value)  # what json.dumps does for text, without its set-up
    return json.dumps(value, ensure_ascii=False)


def _condition_text(rule: Rule, conditions: tuple[Any, ...], catalog: Catalog, redact: bool) -> str:
    """How a conditional rule's message names its condition (`conditions`: the values of
    its `when` fields, none when the payload was not read)."""
    if not conditions:
        return ""
    parts = []
    for condition, value in zip(rule.when, conditions, strict=True):
        name = catalog.dotted(condition.field)
        if redact or not isinstance(value, str):
            parts.append(f"for this {name}")
        else:
            parts.append(f"when {name} is {_quote(echo(value.strip()), False)}")
    return " " + " and ".join(parts)
