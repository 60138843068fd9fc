"""A rule set compiled into plans: which check runs on which field, under which condition.

The plan is built once per rule set (compile_plan) and read by both the interpreter
(engine.Validator) and the screen (screen.py), so that both judge the same things. Plans are
frozen; the only state in them is each field's memo of outcomes, a cache of pure results.
See docs/architecture.md ("The plan").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pc_validate.checks import REGISTRY, BuildContext, CheckKind, ObjectCheck
from pc_validate.memo import MEMO_KEPT, MEMO_TRIAL, Bounded, remembering_pays
from pc_validate.model import MISSING, Catalog, Condition, FieldPath, Finding, Rule, fold
from pc_validate.rules import RuleFileError, RuleSet


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One presence- or value-scope rule, compiled, in the plan of its field."""

    rule: Rule
    kind: CheckKind
    check: Callable[..., Finding | None]
    #: value-scope checks see only present, non-null, non-blank values of accepted types
    judges_values: bool
    accepts: tuple[type, ...]
    #: fields whose trimmed text the check takes after the value (see checks.CheckKind)
    context: tuple[FieldPath, ...] = ()
    #: position of the rule's `when` among its plan's conditions (-1: none)
    when_at: int = -1
    #: positions of its context fields among its plan's context fields
    context_at: tuple[int, ...] = ()


#: Outcomes are remembered for text of at most this many characters (see FieldMemo).
MEMO_TEXT_AT_MOST = 128
MEMOIZABLE = (str, bool, int, float, type(None), type(MISSING))

Outcome = tuple[tuple[FieldRule, Finding], ...]


class FieldMemo:
    """A field's remembered outcomes: every check is a pure function of the value, its
    conditions and its context. Given up (memo.remembering_pays) where values do not repeat."""

    __slots__ = ("lookups", "misses", "outcomes")

    def __init__(self, remember: bool = True) -> None:
        self.outcomes: Bounded[Any, Outcome] | None = Bounded(MEMO_KEPT) if remember else None
        self.lookups = 0
        self.misses = 0

    def review(self) -> None:
        """After the trial, stop remembering if it does not pay."""
        if self.lookups >= MEMO_TRIAL and not remembering_pays(self.lookups, self.misses):
            self.outcomes = None


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """The rules of one field, with the look-ups that find it precomputed."""

    path: FieldPath
    parent: FieldPath
    folded: str
    entries: tuple[FieldRule, ...]
    #: the distinct `when` clauses of the entries, as indexes into Plan.whens
    whens: tuple[int, ...] = ()
    #: the distinct context fields of the entries
    context: tuple[FieldPath, ...] = ()
    #: every entry judges present values only, so a missing field needs no look at all
    values_only: bool = False
    memo: FieldMemo = field(default_factory=FieldMemo, compare=False)

    def judge(self, value: Any, flags: tuple[bool, ...], texts: tuple[str | None, ...]) -> Outcome:
        """Every entry's finding for this value, conditions and context (remembered)."""
        memo = self.memo
        outcomes = memo.outcomes
        key: Any = None
        if (
            outcomes is not None
            and isinstance(value, MEMOIZABLE)
            and (not isinstance(value, str) or len(value) <= MEMO_TEXT_AT_MOST)
        ):
            key = (type(value), value, flags, texts)
            memo.lookups += 1
            found = outcomes.entries.get(key)
            if found is not None:
                return found
            memo.misses += 1
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
        if key is not None and outcomes is not None:
            outcomes.remember(key, outcome)
            if memo.lookups >= MEMO_TRIAL:
                memo.review()
        return outcome


@dataclass(frozen=True, slots=True)
class ObjectRule:
    """One object-scope rule, compiled: judged on its target object, or on every known
    object when it has none."""

    rule: Rule
    kind: CheckKind
    target: FieldPath | None
    check: ObjectCheck


@dataclass(frozen=True, slots=True)
class Plan:
    """A compiled rule set."""

    catalog: Catalog
    fields: tuple[FieldPlan, ...]
    object_rules: tuple[ObjectRule, ...]
    #: the known objects, parents before children
    objects: tuple[FieldPath, ...]
    #: the distinct `when` clauses of all rules, evaluated at most once per payload
    whens: tuple[tuple[Condition, ...], ...]
    #: the first object rule whose kind judges a body that is not an object (CheckKind.root)
    root_rule: ObjectRule | None


def compile_plan(ruleset: RuleSet, *, remember: bool = True) -> Plan:
    """Build every enabled rule's check and place it in the plan of its field or object
    (`remember`: False keeps no memo of outcomes).

    Raises RuleFileError, naming the rule's file and line, when a check kind refuses the
    rule's parameters.
    """
    catalog = ruleset.catalog
    object_rules: list[ObjectRule] = []
    by_field: dict[FieldPath, list[FieldRule]] = {}
    for rule in ruleset.enabled_rules:
        kind = REGISTRY[rule.check]
        context = BuildContext(catalog, rule.field, ruleset.datasets, ruleset.markets)
        try:
            check = kind.build(rule.params, context)
        except ValueError as exc:
            file, _, line = rule.origin.rpartition(":")
            raise RuleFileError(
                file or rule.origin, str(exc), int(line) if line.isdigit() else None, rule.id
            ) from None
        if kind.scope == "object":
            object_rules.append(ObjectRule(rule, kind, rule.field, check))
        else:
            assert rule.field is not None
            fields = tuple(rule.params[key] for key in kind.context)
            entry = FieldRule(rule, kind, check, kind.scope == "value", kind.accepts, fields)
            by_field.setdefault(rule.field, []).append(entry)
    whens: list[tuple[Condition, ...]] = []
    plans = tuple(_field_plan(path, entries, whens, remember) for path, entries in by_field.items())
    objects = sorted(
        (path for path, kind in catalog.types.items() if kind == "object"),
        key=lambda p: (len(p), p),
    )
    root_rule = next((r for r in object_rules if r.kind.root is not None), None)
    return Plan(catalog, plans, tuple(object_rules), tuple(objects), tuple(whens), root_rule)


def _field_plan(
    path: FieldPath, entries: list[FieldRule], whens: list[tuple[Condition, ...]], remember: bool
) -> FieldPlan:
    """The plan of one field; adds the `when` clauses it meets to `whens`."""
    own_whens: list[int] = []
    context: list[FieldPath] = []
    placed = []
    for entry in entries:
        when_at = -1
        if entry.rule.when:
            if entry.rule.when not in whens:
                whens.append(entry.rule.when)
            index = whens.index(entry.rule.when)
            if index not in own_whens:
                own_whens.append(index)
            when_at = own_whens.index(index)
        for field_path in entry.context:
            if field_path not in context:
                context.append(field_path)
        context_at = tuple(context.index(field_path) for field_path in entry.context)
        placed.append(replace(entry, when_at=when_at, context_at=context_at))
    return FieldPlan(
        path,
        path[:-1],
        fold(path[-1]),
        tuple(placed),
        tuple(own_whens),
        tuple(context),
        all(entry.judges_values for entry in placed),
        FieldMemo(remember),
    )
