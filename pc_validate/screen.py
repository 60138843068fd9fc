"""A compiled rule set's screen: generated code that finds the parts of a payload to judge.

Most payloads of a bulk run are clean, and most fields of the others are. The interpreter in
engine.py pays for its generality on every field (plan look-ups, memo keys, loops); the
screen is one generated Python function per rule set, in the manner of fastjsonschema,
that walks the known objects with straight-line look-ups and applies each rule's check
function to its field (or the test its check kind writes out, CheckKind.inline and
key_test). It reads the compiled plan (plan.py) and returns what failed as a Flagged (field
plans and objects); the interpreter then judges only those, so every violation is still
written by the interpreter, word for word. The screen only decides what may be skipped, and
when it is unsure (a key that is not text, an object kind it cannot inline) it asks for
everything.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pc_validate.checks import KeyTest
from pc_validate.checks.keys import JSON_TYPES
from pc_validate.index import index_object
from pc_validate.memo import (
    MEMO_KEPT,
    MEMO_TRIAL,
    SHAPE_KEYS_AT_MOST,
    SHAPES_KEPT,
    Bounded,
    remembering_pays,
)
from pc_validate.model import (
    MISSING,
    Condition,
    FieldPath,
    Finding,
    ObjectNode,
    ascii_upper,
    fold,
)
from pc_validate.plan import MEMO_TEXT_AT_MOST, FieldPlan, ObjectRule, Plan

#: One screen's source is parsed and compiled at a time (CPython 3.11's ast is not
#: thread-safe).
_AST_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Flagged:
    """What the screen found the interpreter must judge of one payload."""

    #: field plans, as indexes into Plan.fields, in plan order
    fields: tuple[int, ...]
    #: known objects whose object rules must run
    objects: frozenset[FieldPath]

    @property
    def clean(self) -> bool:
        """Nothing to judge: the payload has no violation."""
        return not self.fields and not self.objects


CLEAN = Flagged((), frozenset())

#: A screen: a payload -> what to judge, or None for "judge everything" (a shape it cannot
#: follow, such as a key that is not text).
Screen = Callable[[dict[str, Any]], "Flagged | None"]


def compile_screen(plan: Plan) -> Screen | None:
    """Generate the screen of a compiled plan; None when the rule set has a shape the screen
    cannot follow."""
    return _Generator(plan).build()


class _Generator:
    def __init__(self, plan: Plan) -> None:
        self.objects = list(plan.objects)
        self.object_at = {path: j for j, path in enumerate(self.objects)}
        self.types = plan.catalog.types
        self.plans: tuple[FieldPlan, ...] = plan.fields
        self.whens = plan.whens
        self.object_rules = plan.object_rules
        self.names: dict[str, Any] = {
            "MISSING": MISSING,
            "upper": ascii_upper,
            "CLEAN": CLEAN,
            "Flagged": Flagged,
            "object_at": tuple(self.objects).__getitem__,
        }
        self.names.update({f"T_{kind}": types for kind, types in JSON_TYPES.items()})
        self.lines: list[str] = []
        self.local: dict[FieldPath, str] = {}

    def constant(self, value: Any) -> str:
        name = f"K{len(self.names)}"
        self.names[name] = value
        return name

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def build(self) -> Screen | None:
        object_at = self.object_at
        if () not in object_at or any(path[:-1] not in object_at for path in self.objects if path):
            return None
        rules_at: dict[int, list[ObjectRule]] = {j: [] for j in object_at.values()}
        for rule in self.object_rules:
            if rule.target is None:
                for targets in rules_at.values():
                    targets.append(rule)
            elif rule.target in object_at:
                rules_at[object_at[rule.target]].append(rule)
            else:
                return None
        used: set[FieldPath] = {plan.path for plan in self.plans}
        for clauses in self.whens:
            used.update(condition.field for condition in clauses)
        for plan in self.plans:
            for entry in plan.entries:
                used.update(entry.context)
        used.update(path for path in self.objects if path)
        if any(path[:-1] not in object_at for path in used):
            return None
        self.local = {
            path: f"v{n}" for n, path in enumerate(sorted(used, key=lambda p: (len(p), p)))
        }
        per_key = {
            j: tuple({r.kind.name: r.kind.key_test for r in rules if r.kind.key_test}.values())
            for j, rules in rules_at.items()
        }
        self.emit(0, "def screen(o0):")
        self.emit(1, "bad = []")
        self.emit(1, "bad_objects = []")
        review = self._reviewer()
        calls, reviewer = self.constant(self.calls), self.constant(review)
        self.emit(1, f"{calls}[0] += 1")
        self.emit(1, f"if {calls}[0] >= {MEMO_TRIAL}:")
        self.emit(2, f"{reviewer}()")
        for j, path in enumerate(self.objects):
            self._object(j, path, rules_at[j], per_key[j])
        self._field_values()
        self._conditions()
        # Field plans in plan order, each appended at most once: `bad` is then Flagged.fields
        # as it stands. The fields no plan reads (per-key checks only) follow.
        for i, plan in enumerate(self.plans):
            parent = object_at[plan.parent]
            self._field(plan.path, i, parent, per_key[parent])
        planned = {plan.path for plan in self.plans}
        for path in self.local:
            if path not in planned:
                parent = object_at[path[:-1]]
                self._field(path, None, parent, per_key[parent])
        for j in range(len(self.objects)):
            self._extras(j, per_key[j])
        # Flagged results are immutable: those of fields alone are shared, one per set of fields.
        shared, share = _flagged_fields()
        self.emit(1, "if not bad_objects:")
        self.emit(2, "if not bad:")
        self.emit(3, "return CLEAN")
        self.emit(2, "fields = tuple(bad)")
        self.emit(
            2, f"return {self.constant(shared)}.get(fields) or {self.constant(share)}(fields)"
        )
        self.emit(1, "return Flagged(tuple(bad), frozenset(map(object_at, bad_objects)))")
        # The constants become the screen's free variables, read as fast as locals (default
        # arguments would be too, but a call copies every default into the frame: ~200 here).
        body = "\n".join("    " + line for line in self.lines)
        source = f"def make({', '.join(self.names)}):\n{body}\n    return screen"
        namespace: dict[str, Any] = {}
        with _AST_LOCK:
            code = compile(source, "<pc_validate screen>", "exec")
        exec(code, namespace)
        screen: Screen = namespace["make"](**self.names)
        return screen

    def _reviewer(self) -> Callable[[], None]:
        """Count calls; every MEMO_TRIAL calls, stop remembering the fields whose values do not
        repeat (names, email addresses; memo.remembering_pays, counting a clean value learned
        as a miss): there remembering only costs."""
        self.remembering = [True] * len(self.plans)
        self.learned = [0] * len(self.plans)
        self.calls = calls = [0]
        remembering, learned = self.remembering, self.learned

        def review() -> None:
            for i, misses in enumerate(learned):
                if not remembering_pays(MEMO_TRIAL, misses):
                    remembering[i] = False
                learned[i] = 0
            calls[0] = 0

        return review

    def _object(
        self, j: int, path: FieldPath, rules: list[ObjectRule], per_key: tuple[KeyTest, ...]
    ) -> None:
        """Resolve object j (o{j}, None when absent), its key index (i{j}) and extra keys."""
        if path:
            parent, value = self.object_at[path[:-1]], self.local[path]
            self.emit(1, f"o{j} = None")
            self.emit(1, f"{value} = MISSING")
            self.emit(1, f"if o{parent} is not None:")
            self.emit(2, f"k = i{parent}.get({fold(path[-1])!r})")
            self.emit(2, "if k is not None:")
            self.emit(3, f"{value} = o{parent}[k]")
            self.emit(3, f"if isinstance({value}, dict):")
            self.emit(4, f"o{j} = {value}")
        keys_only = [rule.check for rule in rules if rule.kind.keys_only]
        unscreened = (
            {
                fold(name): JSON_TYPES.get(kind)
                for name_path, kind in self.types.items()
                if name_path and name_path[:-1] == path and name_path not in self.local
                for name in [name_path[-1]]
            }
            if per_key
            else {}
        )
        cache, learn = _shape_learner(path, keys_only, unscreened)
        known, teach = self.constant(cache), self.constant(learn)
        self.emit(1, f"if o{j} is not None:")
        self.emit(2, f"if type(o{j}) is not dict:")
        self.emit(3, "return None  # a key sent twice, or a caller's own mapping type")
        self.emit(2, f"found = {known}.get(tuple(o{j})) or {teach}(o{j})")
        self.emit(2, "if found is None:")
        self.emit(3, "return None")
        self.emit(2, f"i{j}, clean, x{j} = found")
        if any(not (rule.kind.keys_only or rule.kind.key_test) for rule in rules):
            self.emit(2, f"bad_objects.append({j})  # a kind the screen cannot follow")
        else:
            self.emit(2, "if not clean:")
            self.emit(3, f"bad_objects.append({j})")

    def _field_values(self) -> None:
        by_object: dict[int, list[FieldPath]] = {}
        for path in self.local:
            if path not in self.object_at:  # objects are resolved with their object
                by_object.setdefault(self.object_at[path[:-1]], []).append(path)
        for j, paths in sorted(by_object.items()):
            names = [self.local[path] for path in paths]
            self.emit(1, f"if o{j} is None:")
            self.emit(2, " = ".join(names) + " = MISSING")
            self.emit(1, "else:")
            for path, name in zip(paths, names, strict=True):
                self.emit(2, f"k = i{j}.get({fold(path[-1])!r})")
                self.emit(2, f"{name} = MISSING if k is None else o{j}[k]")

    def _conditions(self) -> None:
        """The `when` clauses (w{n}). Those on one field (all the bundled ones) are looked up
        together by the field's condition text, which takes a handful of values (countries)."""
        local = self.local
        fields = sorted({c.field for clauses in self.whens for c in clauses}, key=local.__getitem__)
        on_one: dict[FieldPath, list[int]] = {}
        for n, clauses in enumerate(self.whens):
            if len({condition.field for condition in clauses}) == 1:
                on_one.setdefault(clauses[0].field, []).append(n)
        for path in fields:
            name = local[path]
            text = f"c{name}"
            self.emit(1, f"{text} = upper({name}.strip()) if isinstance({name}, str) else None")
            if path in on_one:
                numbers = on_one[path]
                seen, learn = _clause_learner([self.whens[n] for n in numbers])
                targets = "".join(f"w{n}, " for n in numbers)
                lookup = f"{self.constant(seen)}.get({text}) or {self.constant(learn)}({text})"
                self.emit(1, f"{targets}= {lookup}")
        for n, clauses in enumerate(self.whens):
            if n in on_one.get(clauses[0].field, ()):
                continue
            parts = [f"{self.constant(c)}.admits(c{local[c.field]})" for c in clauses]
            self.emit(1, f"w{n} = " + " and ".join(parts))
        contexts = {c for plan in self.plans for entry in plan.entries for c in entry.context}
        for path in sorted(contexts, key=local.__getitem__):
            name = local[path]
            self.emit(1, f"t{name} = {name}.strip() if isinstance({name}, str) else None")

    def _field(self, path: FieldPath, i: int | None, j: int, per_key: tuple[KeyTest, ...]) -> None:
        """One field: its plan's checks and the per-key checks of its object, remembered."""
        value = self.local[path]
        plan_tests: list[str] = []
        key_tests = _key_tests(value, per_key, self.types.get(path, "any"))
        presence = False
        flags: list[str] = []
        texts: list[str] = []
        if i is not None:
            plan = self.plans[i]
            for entry in plan.entries:
                when = plan.whens[entry.when_at] if entry.when_at >= 0 else -1
                context = entry.context
                args = ", ".join([value, *(f"t{self.local[c]}" for c in context)])
                inline = entry.kind.inline(entry.rule.params, value) if entry.kind.inline else None
                if inline is not None:
                    test = inline
                elif entry.judges_values:
                    accepts = self.constant(entry.accepts)
                    check = f"{self.constant(entry.check)}({args}) is not None"
                    test = f"judgeable and isinstance({value}, {accepts}) and {check}"
                else:
                    test = f"{self.constant(entry.check)}({args}) is not None"
                if not entry.judges_values:
                    presence = True
                if when >= 0:
                    test = f"w{when} and {test}"
                    if f"w{when}" not in flags:
                        flags.append(f"w{when}")
                texts += [f"t{self.local[c]}" for c in context if f"t{self.local[c]}" not in texts]
                plan_tests.append(f"({test})")
        if not plan_tests and not key_tests:
            return
        guard = f"o{j} is not None" + ("" if presence else f" and {value} is not MISSING")
        self.emit(1, f"if {guard}:")
        judge = []
        if any("judgeable" in test for test in plan_tests):
            judge.append(
                f"judgeable = {value} is not MISSING and {value} is not None and "
                f"(not isinstance({value}, str) or {value}.strip() != '')"
            )
        judge.append(f"p = {' or '.join(plan_tests) or 'False'}")
        judge.append(f"q = {' or '.join(key_tests) or 'False'}")
        if i is not None:
            judge.append(f"if p: bad.append({i})")
        judge.append(f"if q: bad_objects.append({j})")
        # Most values are text: for them the tests are written again, partly evaluated
        # (_as_text), and the others take the tests as they are.
        as_text = _as_text(judge, value, self.names)
        self.emit(2, f"if type({value}) is str:")
        if i is None:
            for line in as_text:
                self.emit(3, line)
        else:
            clean_values = Bounded[Any, bool](MEMO_KEPT)
            memo, seen = self.constant(clean_values), self.constant(clean_values.entries)
            learned, remembering = self.constant(self.learned), self.constant(self.remembering)
            key = f"({', '.join([value, *flags, *texts])},)" if flags or texts else value
            self.emit(3, f"if {remembering}[{i}]:")
            self.emit(4, f"key = {key}")
            self.emit(4, f"if key not in {seen}:")
            for line in as_text:
                self.emit(5, line)
            self.emit(5, "if not (p or q):")
            self.emit(6, f"{memo}.remember(key, True)")
            self.emit(6, f"{learned}[{i}] += 1")
            self.emit(3, "else:")
            for line in as_text:
                self.emit(4, line)
        self.emit(2, "else:")
        for line in judge:
            self.emit(3, line)

    def _extras(self, j: int, per_key: tuple[KeyTest, ...]) -> None:
        """The per-key checks on keys of known fields no rule of the screen reads."""
        if not per_key:
            return
        self.emit(1, f"if o{j} is not None and x{j}:")
        self.emit(2, f"for k, kind in x{j}:")
        self.emit(3, f"x = o{j}[k]")
        tests = _key_tests("x", per_key, None)
        self.emit(3, f"if {' or '.join(tests)}:")
        self.emit(4, f"bad_objects.append({j})")
        self.emit(4, "break")


def _key_tests(value: str, per_key: tuple[KeyTest, ...], declared: str | None) -> list[str]:
    """The per-key tests of an object's rules on one value (CheckKind.key_test); `declared`
    None: the value's Python types are in the variable `kind`."""
    tests = [test(value, declared) for test in per_key]
    return [test for test in tests if test is not None]


def _as_text(lines: list[str], value: str, names: Mapping[str, Any]) -> list[str]:
    """The screen's statements on `value` (a variable), partly evaluated for a value whose
    type is exactly str: `isinstance` of it against a constant of plain types, and `is`
    MISSING or None, become constants; its `.strip()` is computed once, as `s<value>`; the
    `and`, `or` and `not` of constants fold. Every expression here is read for its truth
    alone (`if p`, `p or q`) and every call in it is a pure check, so a folded operand may
    be left out. A statement that does not parse into these shapes stays as it is."""
    folder = _TextFolder(value, names)
    with _AST_LOCK:  # CPython 3.11's ast raises SystemError when threads build trees at once
        out = [
            part
            for line in lines
            for part in ast.unparse(folder.visit(ast.parse(line))).split("\n")
        ]
    if folder.stripped:
        out.insert(0, f"s{value} = {value}.strip()")
    return out


class _TextFolder(ast.NodeTransformer):
    def __init__(self, value: str, names: Mapping[str, Any]) -> None:
        self.value = value
        self.names = names
        self.stripped = False

    def _is_value(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id == self.value

    def _types(self, node: ast.AST) -> tuple[type, ...] | None:
        """The plain types a name of the screen stands for (none with an __instancecheck__
        of its own)."""
        if not isinstance(node, ast.Name):
            return None
        found = str if node.id == "str" else self.names.get(node.id)
        types = found if isinstance(found, tuple) else (found,)
        return types if all(type(t) is type for t in types) else None

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func, args = node.func, node.args
        if (
            isinstance(func, ast.Name)
            and func.id == "isinstance"
            and len(args) == 2
            and not node.keywords
            and self._is_value(args[0])
        ):
            types = self._types(args[1])
            if types is not None:
                return ast.Constant(issubclass(str, types))
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "strip"
            and self._is_value(func.value)
            and not args
            and not node.keywords
        ):
            self.stripped = True
            return ast.Name(f"s{self.value}", ast.Load())
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) == 1 and isinstance(node.ops[0], ast.Is | ast.IsNot):
            other = node.comparators[0]
            nothing = (isinstance(other, ast.Name) and other.id == "MISSING") or (
                isinstance(other, ast.Constant) and other.value is None
            )
            if nothing and self._is_value(node.left):
                return ast.Constant(isinstance(node.ops[0], ast.IsNot))
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Constant):
            return ast.Constant(not node.operand.value)
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        decisive = isinstance(node.op, ast.Or)  # the truth that settles the whole
        kept = []
        for operand in node.values:
            if isinstance(operand, ast.Constant):
                if bool(operand.value) == decisive:
                    return ast.Constant(decisive)
                continue
            kept.append(operand)
        if not kept:
            return ast.Constant(not decisive)
        return kept[0] if len(kept) == 1 else ast.BoolOp(node.op, kept)


def _flagged_fields() -> tuple[
    dict[tuple[int, ...], Flagged], Callable[[tuple[int, ...]], Flagged]
]:
    """A cache of the Flagged of field plans alone (no objects), and its filler: a screen
    flags a handful of sets of fields, and building a frozen dataclass costs more than a
    look-up."""
    cache: Bounded[tuple[int, ...], Flagged] = Bounded(SHAPES_KEPT)

    def share(fields: tuple[int, ...]) -> Flagged:
        return cache.remember(fields, Flagged(fields, CLEAN.objects))

    return cache.entries, share


def _clause_learner(
    clauses: list[tuple[Condition, ...]],
) -> tuple[dict[str | None, tuple[bool, ...]], Callable[[str | None], tuple[bool, ...]]]:
    """A cache of whether each of `clauses` (all on one field) holds, by the field's condition
    text, and its filler."""
    cache: Bounded[str | None, tuple[bool, ...]] = Bounded(MEMO_KEPT)

    def learn(text: str | None) -> tuple[bool, ...]:
        found = tuple(all(condition.admits(text) for condition in clause) for clause in clauses)
        if text is None or len(text) <= MEMO_TEXT_AT_MOST:
            cache.remember(text, found)
        return found

    return cache.entries, learn


def _shape_learner(
    path: FieldPath,
    keys_only: list[Callable[[ObjectNode], list[Finding]]],
    unscreened: Mapping[str, tuple[type, ...] | None],
) -> tuple[dict[tuple[str, ...], Any], Callable[[dict[Any, Any]], Any]]:
    """A per-shape cache and its filler: the key index, whether the keys-only rules pass, and
    the keys (with their declared Python type) the per-key checks must still look at."""
    cache: Bounded[tuple[str, ...], Any] = Bounded(SHAPES_KEPT)

    def learn(value: dict[Any, Any]) -> Any:
        if not all(type(key) is str for key in value):
            return None  # only a Python caller sends these: the interpreter judges them
        node = index_object(value, path, "")
        clean = not node.collisions and not any(check(node) for check in keys_only)
        extras = tuple(
            (key, unscreened[folded]) for folded, key in node.keys.items() if folded in unscreened
        )
        found = (node.keys, clean, extras)
        if len(node.shape) <= SHAPE_KEYS_AT_MOST:
            cache.remember(node.shape, found)
        return found

    return cache.entries, learn
