"""Repair what can be repaired with certainty: normalize(payload) and `pc-validate fix`.

A repair is the suggestion of a violation whose rule is marked ``autofix: true`` in its rule
file (canonical culture case, upper-case country codes, ``UK`` -> ``GB``, US state names to
codes, trimmed whitespace, registration numbers in compact form, ...). Repairs replace values
only: no key is renamed, nothing missing is invented.

Each repair is tried on its own and kept only if the payload checked afterwards shows the
repaired violation gone and no violation that was not there before, so a repaired payload
never has more violations than the original, nor different ones. A repair that would bring up
a new violation (``UK`` -> ``GB`` with a postal code that is wrong for GB, say) is withheld and
reported as such: the user decides.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pc_validate.api import chosen_validator
from pc_validate.engine import Validator
from pc_validate.index import pointer_token
from pc_validate.payload import MAX_DEPTH, DuplicateKeys, PayloadError, parse
from pc_validate.report import Report, Violation


@dataclass(frozen=True, slots=True)
class Change:
    """One value replaced: where, by which rule, from what to what."""

    path: str
    rule: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "rule": self.rule, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class Withheld:
    """A certain repair left undone because it would bring up other violations."""

    path: str
    rule: str
    before: Any
    after: Any
    #: the (rule, path) pairs the repair would have brought up
    would_raise: tuple[tuple[str, str], ...]


class Normalized(NamedTuple):
    """What normalize() returns: the repaired payload and the changes made to it."""

    payload: Any
    changes: list[Change]


@dataclass(frozen=True, slots=True)
class Repair:
    """The full outcome of a repair run (for the command): changes, withheld repairs, and
    the reports before and after."""

    payload: Any
    changes: list[Change]
    withheld: list[Withheld]
    before: Report
    after: Report
    #: JSON Pointers of the keys the body sent more than once (parsed from JSON text):
    #: `payload` holds each once, with its last value, as any JSON writer will write it
    collapsed: tuple[str, ...] = ()


def normalize(
    payload: Any,
    *,
    rules: Sequence[str | Path] = (),
    disable: Iterable[str] = (),
    cloud: str | None = None,
    validator: Validator | None = None,
) -> Normalized:
    """Return a repaired copy of `payload` (a dict, or JSON text) and the changes made.

    The argument is never modified. JSON text that cannot be parsed raises PayloadError, and
    so does a Python value that cannot be a JSON document (an object that contains itself,
    or nesting deeper than payload.MAX_DEPTH, which parse() refuses in text too); a broken
    rule file or unknown cloud raises RuleFileError. `validator` and `rules`/`disable`/`cloud`
    as for validate().
    """
    validator = chosen_validator(validator, rules, disable, cloud, "normalize")
    result = repair(payload, validator=validator)
    return Normalized(result.payload, result.changes)


def repair(
    payload: Any,
    *,
    rules: Sequence[str | Path] = (),
    disable: Iterable[str] = (),
    cloud: str | None = None,
    validator: Validator | None = None,
    locale: str | None = None,
) -> Repair:
    """Like normalize(), with the repairs withheld and the reports before and after
    (`validator`, `rules`/`disable`/`cloud` and `locale`, the reports' language, as for
    validate())."""
    validator = chosen_validator(validator, rules, disable, cloud, "repair")
    if isinstance(payload, str | bytes | bytearray):
        payload = parse(payload)
    else:
        _check_tree(payload)  # deepcopy below would recurse, or _repeated_keys never end
    autofix = {rule.id for rule in validator.ruleset.enabled_rules if rule.autofix}
    work = copy.deepcopy(payload)
    before = report = validator.validate(work, language=locale)
    changes: list[Change] = []
    withheld: dict[tuple[str, str], Withheld] = {}
    tried: set[tuple[str, str, str]] = set()
    # Each kept repair removes a violation and adds none, so this ends.
    while True:
        current = _identities(report)
        for violation in _candidates(report, autofix):
            identity = (violation.rule, violation.path, violation.code)
            if identity in tried:
                continue
            tried.add(identity)
            trial = copy.deepcopy(work)
            old = _replace(trial, violation.path, violation.suggestion)
            if old is _NOT_FOUND:
                continue
            trial_report = validator.validate(trial, language=locale)
            after = _identities(trial_report)
            if identity in after:
                continue  # the repair did not repair: not certain after all
            new = sorted(after - current)
            if new:
                withheld[(violation.rule, violation.path)] = Withheld(
                    violation.path,
                    violation.rule,
                    old,
                    violation.suggestion,
                    tuple((rule, path) for rule, path, _ in new),
                )
                continue
            changes.append(Change(violation.path, violation.rule, old, violation.suggestion))
            withheld.pop((violation.rule, violation.path), None)
            work, report = trial, trial_report
            tried = {key for key in tried if key in after}
            break  # the report changed: look at its violations afresh
        else:
            break
    return Repair(work, changes, list(withheld.values()), before, report, _repeated_keys(payload))


def _check_tree(value: Any) -> None:
    """Raise PayloadError when a Python value cannot be a JSON document: an object or array
    that contains itself, or nesting deeper than MAX_DEPTH. validate() never walks deeper
    than the fields it knows, so it takes such values; a repair copies the whole value, and
    writes it back as JSON. Walked without recursion, in linear time; a value that two
    places share is no cycle."""
    #: (value, its key in its parent, its depth); None: leave the container above
    pending: list[tuple[Any, str, int] | None] = [(value, "", 0)]
    around: list[tuple[int, str]] = []  # the containers from the root to here, and their keys
    open_ids: set[int] = set()
    while pending:
        item = pending.pop()
        if item is None:
            open_ids.discard(around.pop()[0])
            continue
        node, key, depth = item
        if isinstance(node, dict):
            children: list[tuple[Any, str]] = [(v, pointer_token(str(k))) for k, v in node.items()]
        elif isinstance(node, list | tuple):
            children = [(v, str(i)) for i, v in enumerate(node)]
        else:
            continue
        problem = (
            "contains itself (it is one of the objects or arrays around it)"
            if id(node) in open_ids
            else f"is nested more than {MAX_DEPTH} levels deep; pc-validate reads no deeper"
            if depth >= MAX_DEPTH
            else None
        )
        if problem is not None:
            keys = [token for _, token in around[1:]] + [key]
            pointer = "".join(f"/{token}" for token in keys)
            pointer = pointer if len(pointer) <= 200 else pointer[:200] + "…"
            raise PayloadError(
                f"the value at {pointer!r} {problem}, so it cannot be a JSON document"
            )
        open_ids.add(id(node))
        around.append((id(node), key))
        pending.append(None)
        pending.extend((child, token, depth + 1) for child, token in reversed(children))


def _candidates(report: Report, autofix: set[str]) -> list[Violation]:
    return [
        v for v in report.violations if v.rule in autofix and v.suggestion is not None and v.path
    ]


def _identities(report: Report) -> set[tuple[str, str, str]]:
    return {(v.rule, v.path, v.code) for v in report.violations}


class _NotFound:
    __slots__ = ()


_NOT_FOUND = _NotFound()


def _replace(document: Any, pointer: str, value: Any) -> Any:
    """Set the value at a JSON Pointer (RFC 6901) whose target exists; return the old one."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node = document
    for token in tokens[:-1]:
        if not isinstance(node, dict) or token not in node:
            return _NOT_FOUND
        node = node[token]
    if not isinstance(node, dict) or tokens[-1] not in node:
        return _NOT_FOUND
    old = node[tokens[-1]]
    node[tokens[-1]] = value
    return old


def _repeated_keys(payload: Any) -> tuple[str, ...]:
    """JSON Pointers of the keys sent more than once (payload.DuplicateKeys), sorted."""
    found: list[str] = []
    pending: list[tuple[Any, str]] = [(payload, "")]
    while pending:
        value, pointer = pending.pop()
        if isinstance(value, DuplicateKeys):
            found += [f"{pointer}/{pointer_token(key)}" for key in value.repeated]
        if isinstance(value, dict):
            pending += [
                (item, f"{pointer}/{pointer_token(str(key))}") for key, item in value.items()
            ]
        elif isinstance(value, list):
            pending += [(item, f"{pointer}/{index}") for index, item in enumerate(value)]
    return tuple(sorted(found))
