"""A compiled rule set's screen: generated code that finds the parts of a payload to judge.

Most payloads of a bulk run are clean, and most fields of the others are. The interpreter in
engine.py pays for its generality on every field (plan look-ups, memo keys, loops); the
screen is one generated Python function per rule set, in the manner of fastjsonschema,
that walks the known objects with straight-line look-ups and applies each rule's check
function to its field. It returns the *units* that failed (field plans and objects); the
interpreter then judges only those, so every violation is still written by the interpreter,
word for word. The screen only decides what may be skipped, and when it is unsure (a key
that is not text, an object kind it cannot inline) it asks for everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pc_validate.checks.keys import JSON_TYPES
from pc_validate.model import (
    MEMO_KEPT,
    MEMO_TRIAL,
    MISSING,
    SHAPE_KEYS_AT_MOST,
    SHAPES_KEPT,
    FieldPath,
    Finding,
    ObjectNode,
    ascii_upper,
    fold,
)

if TYPE_CHECKING:
    from pc_validate.engine import Validator, _FieldPlan, _FieldRule, _ObjectRule

#: Object-scope kinds whose verdict depends on an object's keys only: judged once per shape.
KEYS_ONLY = frozenset({"known_fields", "distinct_keys"})
#: Object-scope kinds that judge each known key's value alone: inlined per field below.
PER_KEY = frozenset({"declared_types", "surrounding_whitespace"})

Screen = Callable[[dict[str, Any]], "list[int] | None"]


def _inline_test(entry: _FieldRule, value: str) -> str | None:
    """The failure test of the two commonest kinds (checks/presence.py, checks/text.py)
    written out, saving a call per field; the screen test holds them equal to the checks."""
    if entry.rule.check == "required":
        return "not judgeable"
    if entry.rule.check == "length" and entry.accepts == (str,):
        low, high = entry.rule.params["min"], entry.rule.params["max"]
        bound = f"{low} <= len({value})" + ("" if high is None else f" <= {high}")
        return f"judgeable and isinstance({value}, str) and not ({bound})"
    return None


def compile_screen(validator: Validator) -> Screen | None:
    """Generate the screen of a validator's compiled rules; None when the rule set has a
    shape the screen cannot follow.

    The screen returns [] for a clean payload, else the failed units: field plan `i` as `i`,
    object `j` (of the validator's object paths) as `len(plans) + j`; None means "judge
    everything".
    """
    return _Generator(validator).build()


class _Generator:
    def __init__(self, validator: Validator) -> None:
        from pc_validate.engine import index_object  # engine imports this module

        self.objects = list(validator._object_paths)
        self.object_at = {path: j for j, path in enumerate(self.objects)}
        self.types = validator.catalog.types
        self.plans: list[_FieldPlan] = validator._field_plans
        self.whens = validator._whens
        self.object_rules: list[_ObjectRule] = validator._object_rules
        self.index_object = index_object
        self.names: dict[str, Any] = {"MISSING": MISSING, "upper": ascii_upper}
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
        rules_at: dict[int, list[_ObjectRule]] = {j: [] for j in object_at.values()}
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
            j: frozenset(rule.rule.check for rule in rules if rule.rule.check in PER_KEY)
            for j, rules in rules_at.items()
        }
        self.emit(0, "def screen(o0):")
        self.emit(1, "bad = []")
        review = self._reviewer()
        calls, reviewer = self.constant(self.calls), self.constant(review)
        self.emit(1, f"{calls}[0] += 1")
        self.emit(1, f"if {calls}[0] >= {MEMO_TRIAL}:")
        self.emit(2, f"{reviewer}()")
        for j, path in enumerate(self.objects):
            self._object(j, path, rules_at[j], per_key[j])
        self._field_values()
        self._conditions()
        plan_of = {plan.path: i for i, plan in enumerate(self.plans)}
        for path in self.local:
            parent = object_at[path[:-1]]
            self._field(path, plan_of.get(path), parent, per_key[parent])
        for j in range(len(self.objects)):
            self._extras(j, per_key[j])
        self.emit(1, "return bad")
        # The constants become default arguments: local look-ups are the fastest Python has.
        defaults = ", ".join(f"{name}={name}" for name in self.names)
        self.lines[0] = f"def screen(o0, *, {defaults}):"
        namespace = dict(self.names)
        exec(compile("\n".join(self.lines), "<pc_validate screen>", "exec"), namespace)
        screen: Screen = namespace["screen"]
        return screen

    def _reviewer(self) -> Callable[[], None]:
        """Count calls; every MEMO_TRIAL calls, stop remembering the fields whose values do not
        repeat (names, email addresses): there remembering only costs."""
        self.remembering = [True] * len(self.plans)
        self.learned = [0] * len(self.plans)
        self.calls = calls = [0]
        remembering, learned = self.remembering, self.learned

        def review() -> None:
            for i, count in enumerate(learned):
                if count * 4 > MEMO_TRIAL * 3:
                    remembering[i] = False
                learned[i] = 0
            calls[0] = 0

        return review

    def _object(
        self, j: int, path: FieldPath, rules: list[_ObjectRule], per_key: frozenset[str]
    ) -> None:
        """Resolve object j (o{j}, None when absent), its key index (i{j}) and extra keys."""
        unit = len(self.plans) + j
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
        keys_only = [rule.check for rule in rules if rule.rule.check in KEYS_ONLY]
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
        cache, learn = _shape_learner(path, keys_only, unscreened, self.index_object)
        known, teach = self.constant(cache), self.constant(learn)
        self.emit(1, f"if o{j} is not None:")
        self.emit(2, f"if type(o{j}) is not dict:")
        self.emit(3, "return None  # a key sent twice, or a caller's own mapping type")
        self.emit(2, f"found = {known}.get(tuple(o{j})) or {teach}(o{j})")
        self.emit(2, "if found is None:")
        self.emit(3, "return None")
        self.emit(2, f"i{j}, clean, x{j} = found")
        if any(rule.rule.check not in KEYS_ONLY | PER_KEY for rule in rules):
            self.emit(2, f"bad.append({unit})  # a kind the screen cannot follow")
        else:
            self.emit(2, "if not clean:")
            self.emit(3, f"bad.append({unit})")

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
        local = self.local
        fields = sorted({c.field for clauses in self.whens for c in clauses}, key=local.__getitem__)
        for path in fields:
            name = local[path]
            self.emit(1, f"c{name} = upper({name}.strip()) if isinstance({name}, str) else None")
        for n, clauses in enumerate(self.whens):
            parts = []
            for condition in clauses:
                text = f"c{local[condition.field]}"
                lengths = self.constant(condition.lengths)
                values = self.constant(condition.values)
                relation = "not in" if condition.negate else "in"
                parts.append(
                    f"({text} is not None and len({text}) in {lengths}"
                    f" and {text} {relation} {values})"
                )
            self.emit(1, f"w{n} = " + " and ".join(parts))
        contexts = {c for plan in self.plans for entry in plan.entries for c in entry.context}
        for path in sorted(contexts, key=local.__getitem__):
            name = local[path]
            self.emit(1, f"t{name} = {name}.strip() if isinstance({name}, str) else None")

    def _field(self, path: FieldPath, i: int | None, j: int, per_key: frozenset[str]) -> None:
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
                inline = _inline_test(entry, value)
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
        judge.append(f"if q: bad.append({len(self.plans) + j})")
        if i is None:
            for line in judge:
                self.emit(2, line)
            return
        memo, learned, remembering = (
            self.constant(set()),
            self.constant(self.learned),
            self.constant(self.remembering),
        )
        key = f"({', '.join([value, *flags, *texts])},)" if flags or texts else value
        self.emit(2, f"if {remembering}[{i}] and type({value}) is str:")
        self.emit(3, f"key = {key}")
        self.emit(3, f"if key not in {memo}:")
        for line in judge:
            self.emit(4, line)
        self.emit(4, "if not (p or q):")
        self.emit(5, f"if len({memo}) >= {MEMO_KEPT}:")
        self.emit(6, f"{memo}.clear()")
        self.emit(5, f"{memo}.add(key)")
        self.emit(5, f"{learned}[{i}] += 1")
        self.emit(2, "else:")
        for line in judge:
            self.emit(3, line)

    def _extras(self, j: int, per_key: frozenset[str]) -> None:
        """The per-key checks on keys of known fields no rule of the screen reads."""
        if not per_key:
            return
        self.emit(1, f"if o{j} is not None and x{j}:")
        self.emit(2, f"for k, kind in x{j}:")
        self.emit(3, f"x = o{j}[k]")
        tests = _key_tests("x", per_key, None)
        self.emit(3, f"if {' or '.join(tests)}:")
        self.emit(4, f"bad.append({len(self.plans) + j})")
        self.emit(4, "break")


def _key_tests(value: str, per_key: frozenset[str], declared: str | None) -> list[str]:
    """Expressions that hold when declared_types or surrounding_whitespace would report the
    value (checks/keys.py); `declared` None: the type is in the variable `kind`."""
    tests = []
    if "surrounding_whitespace" in per_key:
        tests.append(
            f"(isinstance({value}, str) and {value}.strip() != {value} and {value}.strip() != '')"
        )
    if "declared_types" in per_key:
        if declared is None:
            tests.append(
                f"(kind is not None and {value} is not None and not isinstance({value}, kind))"
            )
        elif declared in JSON_TYPES:
            tests.append(
                f"({value} is not MISSING and {value} is not None and "
                f"not isinstance({value}, T_{declared}))"
            )
    return tests


def _shape_learner(
    path: FieldPath,
    keys_only: list[Callable[[ObjectNode], list[Finding]]],
    unscreened: Mapping[str, tuple[type, ...] | None],
    index_object: Callable[[dict[Any, Any], FieldPath, str], ObjectNode],
) -> tuple[dict[tuple[str, ...], Any], Callable[[dict[Any, Any]], Any]]:
    """A per-shape cache and its filler: the key index, whether the keys-only rules pass, and
    the keys (with their declared Python type) the per-key checks must still look at."""
    cache: dict[tuple[str, ...], Any] = {}

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
            if len(cache) >= SHAPES_KEPT:
                cache.clear()
            cache[node.shape] = found
        return found

    return cache, learn
