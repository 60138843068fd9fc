"""Compile a rule set once into check functions; run them over payloads.

Keys are looked up case-insensitively (as the service does) through a per-object index
built once per payload; paths in violations are JSON Pointers spelled as the sender spelled
the keys. Values are never modified.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring
from typing import Any

from pc_validate.checks import REGISTRY, BuildContext
from pc_validate.checks.keys import json_type
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
                for finding in object_rule.check(node):
                    key = finding.key
                    if key is None:  # a finding about the object as a whole
                        field, pointer = path, node.pointer
                    else:
                        name = self.catalog.children.get(path, {}).get(fold(key))
                        field = (*path, name or key)
                        pointer = f"{node.pointer}/{pointer_token(key)}"
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
    ) -> Violation:
        """The violation of a finding, remembered: the same bad value (a country "UK", a
        missing email) in the same place gives the same violation, and writing one costs more
        than all the checks of a clean payload. Violations are immutable, so they are shared;
        an entry keeps its finding alive, so the ids in its key stay their own."""
        conditions = tuple(data.value(c.field) for c in rule.when) if rule.when and data else ()
        key = None
        if _rememberable(value) and all(_rememberable(c) for c in conditions):
            key = (id(rule), id(finding), pointer, type(value), value, conditions, redact, language)
            found = self._violations.get(key)
            if found is not None:
                return found[1]
        violation = self._write_violation(
            rule, finding, field, pointer, value, conditions, redact, language
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
    ) -> Violation:
        shown = MISSING if redact else echo(value)
        suggestion = None if redact else _usable_suggestion(finding.suggestion)
        params = clean(_redact_params(finding.params)) if redact else self._clean_params(finding)
        words: dict[str, Any] = dict(params)
        if redact:
            words.update(dict.fromkeys(_ECHOING_PARAMS, REDACTED_VALUE))
        words.update(
            field=self.catalog.dotted(field),
            value=_quote(shown, redact),
            suggestion=_quote(suggestion, redact) if suggestion is not None else "",
            condition=_condition_text(rule, conditions, self.catalog, redact),
            key_pointer=f'"{printable(finding.key or "")}"' if not redact else "a key",
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


#: Params that repeat what the sender wrote; left out under redaction.
_ECHOING_PARAMS = frozenset({"reason", "key", "keys", "keys_text", "used", "suggestion_name"})


def _redact_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in _ECHOING_PARAMS}


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
            parts.append(f"when {name} is {json.dumps(printable(value.strip()))}")
    return " " + " and ".join(parts)
