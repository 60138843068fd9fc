"""Reading rule files: the field catalog, named datasets and rules, with overrides.

A rule file is YAML with up to four top-level keys, all optional:

- ``fields``: dotted field path -> JSON type (the catalog of known request fields);
- ``datasets``: name -> {description, source, values} (country lists, cultures, ...);
- ``markets``: country code -> what is known of that market (generated ``markets.yaml``;
  the check kinds that use it validate its entries);
- ``rules``: a list of rules (id, severity, description, source, field, check, params, when).

The bundled files are read in name order, then the cloud's overlay
(``rules/clouds/NAME.yaml``), then user files (``--rules``). In an overlay or user file, an
entry whose id already exists overrides the keys it gives (``severity``, ``params``,
``enabled: false``, ...), and a market entry overrides the market's keys it gives; a new id
is a new rule and needs every key. Anything malformed raises RuleFileError naming the file,
the line and the rule.

User files are untrusted: they must be regular files of at most USER_FILE_BYTES; YAML aliases
(a few of which can expand a 1 KB file into billions of values) are refused in them; their
patterns run on RE2 (pc_validate.safe_regex); and a rule's `message` is held to plain fields
(messages.template_problem). Error messages repeat what a file gave cut short
(pc_validate.excerpt).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pc_validate.checks import REGISTRY, Param
from pc_validate.excerpt import clipped, quoted
from pc_validate.messages import message_words, template_problem
from pc_validate.model import (
    PAYLOAD_JSON,
    SEVERITIES,
    Catalog,
    Condition,
    FieldPath,
    Rule,
    Severity,
    ascii_upper,
    fold,
)
from pc_validate.resources import bundled_rule_files, cloud_overlays, rules_dir
from pc_validate.safe_regex import PatternBudget, UnsafePattern

_RULE_KEYS = frozenset(
    {
        "id",
        "severity",
        "description",
        "source",
        "field",
        "check",
        "params",
        "when",
        "partner_center_error",
        "message",
        "note",
        "authority",
        "enabled",
        "autofix",
    }
)
_NEEDED_FOR_NEW = ("severity", "description", "source", "check")
_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_FIELD_TYPES = frozenset({"object", "array", "string", "boolean", "any"})
#: The most a user rule file may hold: 2 MiB, 25 times the largest bundled file (markets.yaml,
#: 82 KB, every market's data) and 15 times all of them together (141 KB). YAML is read at
#: about 3 µs a byte by the parser user files get, so even a file at the limit is read in
#: seconds, once per run and per worker.
USER_FILE_BYTES = 2 * 1024 * 1024


class RuleFileError(ValueError):
    """A rule file that cannot be used: says which file, line and rule, and why."""

    def __init__(
        self, path: str, reason: str, line: int | None = None, rule_id: str | None = None
    ) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        self.rule_id = rule_id
        where = f"{path}:{line}" if line is not None else path
        who = f" rule {clipped(rule_id)}:" if rule_id else ""
        super().__init__(f"{where}:{who} {reason}")


class _Refused(Exception):
    """What YAML allows but a user rule file may not hold, at a YAML mark."""

    def __init__(self, reason: str, mark: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line: int = mark.line + 1


class _Located(dict[str, Any]):
    """A YAML mapping that remembers the line it starts on."""

    line: int | None = None


@functools.cache
def _loader(trusted: bool) -> Any:
    """Safe YAML loaders. Bundled files: libyaml's fast C parser. User files: the pure-Python
    parser, which meets absurd nesting with a RecursionError where libyaml's C parser can
    crash the process. yaml is imported only here: a run with the bundled rules alone reads
    their JSON twin and never pays the 25 ms of importing it."""
    import yaml

    base: Any = yaml.SafeLoader
    if trusted and hasattr(yaml, "CSafeLoader"):
        base = yaml.CSafeLoader
    if trusted:
        loader: Any = type("_TrustedLoader", (base,), {})
    else:
        loader = type("_UntrustedLoader", (base,), {"compose_node": _compose_without_aliases})
        loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return loader


def _compose_without_aliases(loader: Any, parent: Any, index: Any) -> Any:
    """The composer's step, refusing an alias: in a user file a few aliases of aliases can
    stand for billions of values (a "billion laughs"), so values are written out."""
    from yaml.composer import Composer
    from yaml.events import AliasEvent

    if loader.check_event(AliasEvent):
        event = loader.peek_event()
        raise _Refused(
            f"an alias (*{clipped(event.anchor)}) is not allowed in a user rule file, as a few "
            "can stand for billions of values: write the value out",
            event.start_mark,
        )
    return Composer.compose_node(loader, parent, index)


def _construct_int(loader: Any, node: Any) -> Any:
    from yaml.constructor import SafeConstructor

    try:
        return SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # more digits than int() reads (sys.get_int_max_str_digits)
        raise _Refused("a number has too many digits to be read", node.start_mark) from None


def _construct_mapping(loader: Any, node: Any) -> _Located:
    from yaml.constructor import ConstructorError

    loader.flatten_mapping(node)
    mapping = _Located()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise ConstructorError(
                None, None, f"a key must be text, not {quoted(key)}", key_node.start_mark
            )
        if key in mapping:
            raise ConstructorError(
                None, None, f"the key {quoted(key)} appears twice", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


def read_yaml(path: Path, name: str | None = None, *, trusted: bool = False) -> Any:
    """Load one YAML file safely; any failure becomes a RuleFileError with its line."""
    import yaml

    name = name or str(path)
    try:
        data = path.read_bytes() if trusted else _user_file_bytes(path, name)
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise RuleFileError(name, "no such file") from None
    except IsADirectoryError:
        raise RuleFileError(name, "is a directory, not a rule file") from None
    except UnicodeDecodeError as exc:
        raise RuleFileError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise RuleFileError(name, f"cannot be read: {exc.strerror or exc}") from None
    try:
        return yaml.load(text, Loader=_loader(trusted))
    except _Refused as exc:
        raise RuleFileError(name, exc.reason, exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = clipped(str(exc.problem or exc), 200)
        raise RuleFileError(name, f"not valid YAML: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise RuleFileError(name, f"not valid YAML: {clipped(str(exc), 200)}") from None
    except RecursionError:
        raise RuleFileError(name, "not valid YAML: nested too deeply") from None


def _user_file_bytes(path: Path, name: str) -> bytes:
    """A user rule file's bytes: only a regular file of at most USER_FILE_BYTES is read.

    It is looked at before it is opened (opening a FIFO waits for a writer), and again once
    open (it may have been replaced in between); opening does not wait where O_NONBLOCK
    exists. At most one byte more than the limit is read (/dev/zero never ends, and a /proc
    file says it is empty)."""
    _is_small_regular_file(os.stat(path), name)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as file:
        _is_small_regular_file(os.fstat(fd), name)
        data = file.read(USER_FILE_BYTES + 1)
    if len(data) > USER_FILE_BYTES:
        raise RuleFileError(name, _too_large())
    return data


def _is_small_regular_file(status: os.stat_result, name: str) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError
    if not stat.S_ISREG(status.st_mode):
        what = next((what for test, what in _SPECIAL if test(status.st_mode)), "a special file")
        raise RuleFileError(name, f"is {what}, not a regular file; a rule file must be one")
    if status.st_size > USER_FILE_BYTES:
        raise RuleFileError(name, _too_large(status.st_size))


_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _too_large(size: int | None = None) -> str:
    most = f"{USER_FILE_BYTES:,} bytes ({USER_FILE_BYTES >> 20} MiB)"
    if size is None:
        return f"is too large for a rule file: it has more than {most}, the most it may have"
    return f"is too large for a rule file: it has {size:,} bytes; the most is {most}"


#: The bundled YAML files as JSON (scripts/generate_rules_json.py): 1 ms to read instead of
#: 30 ms of YAML. Each file's data is used only while the file's SHA-256 matches, so an edited
#: rule file is read from its YAML until the twin is generated again.
TWIN = "bundled.json"
_LINE_KEY = "\u0000line"


def twin_of(files: Mapping[str, Path]) -> dict[str, Any]:
    """The JSON twin of bundled files (by their names in reports): digest and data, with
    each mapping's line kept under a key no YAML file can have."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            out = {key: plain(item) for key, item in value.items()}
            out[_LINE_KEY] = _line(value)
            return out
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    return {
        name: {"sha256": _digest(path), "data": plain(read_yaml(path, name, trusted=True))}
        for name, path in files.items()
    }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _located(mapping: dict[str, Any]) -> _Located:
    line = mapping.pop(_LINE_KEY, None)
    located = _Located(mapping)
    located.line = line
    return located


def _twin() -> Mapping[str, Any]:
    """The twin, read afresh for each rule set (the builder may keep its mappings)."""
    try:
        text = (rules_dir() / TWIN).read_text(encoding="utf-8")
        twin: Mapping[str, Any] = json.loads(text, object_hook=_located)
    except (OSError, ValueError):
        return {}
    return twin


_NOT_IN_TWIN = object()


def _from_twin(twin: Mapping[str, Any], path: Path, name: str) -> Any:
    """A bundled file's data from the twin, or _NOT_IN_TWIN when absent or out of date."""
    entry = twin.get(name)
    if entry is None:
        return _NOT_IN_TWIN
    try:
        if entry["sha256"] != _digest(path):
            return _NOT_IN_TWIN
    except OSError:
        return _NOT_IN_TWIN
    return entry["data"]


def _line(data: Any) -> int | None:
    return getattr(data, "line", None)


@dataclass
class RuleSet:
    """Everything the engine compiles: catalog, datasets and rules in a stable order."""

    catalog: Catalog
    datasets: dict[str, tuple[str, ...]]
    rules: list[Rule]
    disabled: frozenset[str] = frozenset()
    files: list[str] = field(default_factory=list)
    markets: dict[str, dict[str, Any]] = field(default_factory=dict)
    cloud: str = "global"

    @property
    def enabled_rules(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.id not in self.disabled]


@dataclass
class _Builder:
    """Accumulates files into a RuleSet, then validates rules against catalog and datasets."""

    types: dict[FieldPath, str] = field(default_factory=lambda: {(): "object"})
    field_origins: dict[FieldPath, tuple[str, int | None]] = field(default_factory=dict)
    datasets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    markets: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: id -> (the rule's keys, merged; file and line of its last entry; whether its params
    #: came from a user file, so that their patterns run on RE2)
    raw_rules: dict[str, tuple[dict[str, Any], str, int | None, bool]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    files: list[str] = field(default_factory=list)
    twin: Mapping[str, Any] | None = None
    patterns: PatternBudget = field(default_factory=PatternBudget)

    def add_file(self, path: Path, *, user: bool, overlay: bool = False) -> None:
        """Add one file; user files and cloud overlays may override what came before."""
        # Bundled files are named as in the repository, wherever the package is installed.
        if overlay:
            name = f"rules/clouds/{path.name}"
        else:
            name = str(path) if user else f"rules/{path.name}"
        bundled = overlay or not user
        if bundled and self.twin is None:
            self.twin = _twin()
        data = _from_twin(self.twin or {}, path, name) if bundled else _NOT_IN_TWIN
        if data is _NOT_IN_TWIN:
            data = read_yaml(path, name, trusted=bundled)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise RuleFileError(name, "the top level must be a mapping", _line(data))
        unknown = set(data) - {"fields", "datasets", "markets", "rules"}
        if unknown:
            raise RuleFileError(
                name,
                f"unknown top-level key(s) {quoted(sorted(unknown))}; "
                "expected fields, datasets, markets, rules",
                _line(data),
            )
        self.files.append(name)
        self._add_fields(name, data.get("fields"))
        self._add_datasets(name, data.get("datasets"), user=user)
        self._add_markets(name, data.get("markets"), user=user, trusted=bundled)
        self._add_rules(name, data.get("rules"), user=user, trusted=bundled)

    def _add_fields(self, name: str, fields: Any) -> None:
        if fields is None:
            return
        if not isinstance(fields, dict):
            raise RuleFileError(name, "'fields' must map field paths to types", _line(fields))
        for dotted, kind in fields.items():
            if not isinstance(kind, str) or kind not in _FIELD_TYPES:
                raise RuleFileError(
                    name,
                    f"field {quoted(dotted)}: type must be one of {sorted(_FIELD_TYPES)}, "
                    f"not {quoted(kind)}",
                    _line(fields),
                )
            path = tuple(dotted.split("."))
            self.types[path] = kind
            self.field_origins[path] = (name, _line(fields))

    def _add_datasets(self, name: str, datasets: Any, *, user: bool) -> None:
        if datasets is None:
            return
        if not isinstance(datasets, dict):
            raise RuleFileError(name, "'datasets' must be a mapping", _line(datasets))
        for key, spec in datasets.items():
            line = _line(spec) or _line(datasets)
            if not isinstance(spec, dict) or not isinstance(spec.get("values"), list):
                raise RuleFileError(
                    name, f"dataset {quoted(key)} needs a list under 'values'", line
                )
            for needed in ("description", "source"):
                if not isinstance(spec.get(needed), str) or not spec[needed].strip():
                    raise RuleFileError(name, f"dataset {quoted(key)} needs a '{needed}'", line)
            unknown = set(spec) - {"description", "source", "values"}
            if unknown:
                raise RuleFileError(
                    name, f"dataset {quoted(key)}: unknown key(s) {quoted(sorted(unknown))}", line
                )
            if key in self.datasets and not user:
                raise RuleFileError(
                    name, f"dataset {quoted(key)} is already defined by another rule file", line
                )
            values = spec["values"]
            if not all(isinstance(v, str) for v in values):
                raise RuleFileError(name, f"dataset {quoted(key)}: every value must be text", line)
            self.datasets[key] = tuple(values)

    def _add_markets(self, name: str, markets: Any, *, user: bool, trusted: bool) -> None:
        if markets is None:
            return
        if not isinstance(markets, dict):
            raise RuleFileError(
                name, "'markets' must map country codes to mappings", _line(markets)
            )
        for code, entry in markets.items():
            line = _line(entry) or _line(markets)
            if not (len(code) == 2 and code.isascii() and code.isupper() and code.isalpha()):
                raise RuleFileError(
                    name, f"market {quoted(code)}: not a two-letter upper-case code", line
                )
            if not isinstance(entry, dict):
                raise RuleFileError(name, f"market {quoted(code)} must be a mapping", line)
            if code in self.markets and not user:
                raise RuleFileError(
                    name, f"market {quoted(code)} is already defined by another rule file", line
                )
            entry = dict(entry)
            pattern = entry.get("postal_pattern")
            if not trusted and isinstance(pattern, str) and pattern.strip():
                try:  # matched ignoring case (markets.Market.postal_regex)
                    entry["postal_pattern"] = self.patterns.checked(
                        pattern, user=True, ignore_case=True
                    )
                except UnsafePattern as exc:
                    raise RuleFileError(
                        name, f"market {quoted(code)}: 'postal_pattern': {exc}", line
                    ) from None
            self.markets[code] = {**self.markets.get(code, {}), **entry}

    def _add_rules(self, name: str, rules: Any, *, user: bool, trusted: bool) -> None:
        if rules is None:
            return
        if not isinstance(rules, list):
            raise RuleFileError(name, "'rules' must be a list", _line(rules))
        seen: set[str] = set()
        for entry in rules:
            line = _line(entry)
            if not isinstance(entry, dict):
                raise RuleFileError(name, "each rule must be a mapping", line)
            rule_id = entry.get("id")
            if not isinstance(rule_id, str) or not rule_id:
                raise RuleFileError(name, "a rule has no 'id'", line)
            if not _ID.fullmatch(rule_id):
                raise RuleFileError(
                    name,
                    "an id is lower-case words joined by dots, e.g. address.line1.length",
                    line,
                    rule_id,
                )
            if rule_id in seen:
                raise RuleFileError(name, "this id appears twice in the file", line, rule_id)
            seen.add(rule_id)
            unknown = set(entry) - _RULE_KEYS
            if unknown:
                raise RuleFileError(
                    name, f"unknown key(s) {quoted(sorted(unknown))}", line, rule_id
                )
            if rule_id in self.raw_rules:
                if not user:
                    raise RuleFileError(
                        name, "this id is already defined by another rule file", line, rule_id
                    )
                before, _, _, user_params = self.raw_rules[rule_id]
                user_params = not trusted if "params" in entry else user_params
                self.raw_rules[rule_id] = ({**before, **entry}, name, line, user_params)
            else:
                missing = [k for k in _NEEDED_FOR_NEW if k not in entry]
                if missing:
                    raise RuleFileError(
                        name,
                        f"a new rule needs {', '.join(missing)} (to change a rule that exists, "
                        "use its exact id)",
                        line,
                        rule_id,
                    )
                self.raw_rules[rule_id] = (dict(entry), name, line, not trusted)
            enabled = entry.get("enabled", True)
            if not isinstance(enabled, bool):
                raise RuleFileError(name, "'enabled' must be true or false", line, rule_id)
            if enabled:
                self.disabled.discard(rule_id)
            else:
                self.disabled.add(rule_id)

    def build(self, disable: Iterable[str], cloud: str = "global") -> RuleSet:
        catalog = _catalog(self.types, self.field_origins)
        rules = [
            _rule(raw, (file, line, raw["id"]), catalog, self.datasets, self.patterns, user)
            for raw, file, line, user in self.raw_rules.values()
        ]
        disabled = set(self.disabled)
        known = {rule.id for rule in rules}
        for rule_id in disable:
            if rule_id == PAYLOAD_JSON.id:
                raise RuleFileError(
                    "--disable",
                    f"{PAYLOAD_JSON.id} cannot be switched off: text that is not JSON "
                    "cannot be judged at all",
                )
            if rule_id not in known:
                raise RuleFileError("--disable", f"no rule has the id {quoted(rule_id)}")
            disabled.add(rule_id)
        return RuleSet(
            catalog, self.datasets, rules, frozenset(disabled), self.files, self.markets, cloud
        )


def _catalog(
    types: Mapping[FieldPath, str], origins: Mapping[FieldPath, tuple[str, int | None]]
) -> Catalog:
    children: dict[FieldPath, dict[str, str]] = {}
    for path, kind in types.items():
        if kind == "object":
            children.setdefault(path, {})
        if path:
            parent = path[:-1]
            if types.get(parent) != "object":
                file, line = origins.get(path, ("fields", None))
                raise RuleFileError(
                    file,
                    f"field {quoted('.'.join(path))} is inside a field that is not an object",
                    line,
                )
            children.setdefault(parent, {})[fold(path[-1])] = path[-1]
    return Catalog(types=dict(types), children=children)


def _field_path(text: Any, catalog: Catalog, where: tuple[str, int | None, str]) -> FieldPath:
    name, line, rule_id = where
    if not isinstance(text, str):
        raise RuleFileError(name, "'field' must be a dotted field path", line, rule_id)
    path = tuple(text.split(".")) if text else ()
    if path not in catalog.types:
        raise RuleFileError(name, f"unknown field {quoted(text)} (see fields.yaml)", line, rule_id)
    return path


def _values(
    raw: Any, datasets: Mapping[str, tuple[str, ...]], what: str, where: tuple[str, int | None, str]
) -> tuple[str, ...]:
    name, line, rule_id = where
    if isinstance(raw, str):
        if raw not in datasets:
            raise RuleFileError(name, f"{what}: no dataset named {quoted(raw)}", line, rule_id)
        return datasets[raw]
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return tuple(raw)
    raise RuleFileError(name, f"{what}: give a dataset name or a list of text", line, rule_id)


def _conditions(
    raw: Any,
    catalog: Catalog,
    datasets: Mapping[str, tuple[str, ...]],
    where: tuple[str, int | None, str],
) -> tuple[Condition, ...]:
    name, line, rule_id = where
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    conditions = []
    for item in items:
        if not isinstance(item, dict) or "field" not in item:
            raise RuleFileError(name, "'when' needs a field and 'in' or 'not_in'", line, rule_id)
        if set(item) - {"field", "in", "not_in"} or ("in" in item) == ("not_in" in item):
            raise RuleFileError(
                name, "'when' takes a field and exactly one of 'in' and 'not_in'", line, rule_id
            )
        negate = "not_in" in item
        values = _values(item["not_in" if negate else "in"], datasets, "when", where)
        path = _field_path(item["field"], catalog, where)
        conditions.append(
            Condition(
                path,
                frozenset(ascii_upper(v) for v in values),
                negate,
                frozenset(len(v) for v in values),
            )
        )
    return tuple(conditions)


def _param(
    raw: Any,
    spec: Param,
    key: str,
    datasets: Mapping[str, tuple[str, ...]],
    where: tuple[str, int | None, str],
    catalog: Catalog,
    patterns: PatternBudget,
    user: bool,
) -> Any:
    name, line, rule_id = where
    if raw is None:
        if spec.required:
            raise RuleFileError(name, f"the parameter {quoted(key)} is required", line, rule_id)
        return spec.default
    if spec.kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise RuleFileError(name, f"{quoted(key)} must be a whole number >= 0", line, rule_id)
        return raw
    if spec.kind == "bool":
        if not isinstance(raw, bool):
            raise RuleFileError(name, f"{quoted(key)} must be true or false", line, rule_id)
        return raw
    if spec.kind == "str":
        if not isinstance(raw, str):
            raise RuleFileError(name, f"{quoted(key)} must be text", line, rule_id)
        return raw
    if spec.kind == "choice":
        if raw not in spec.choices:
            raise RuleFileError(
                name,
                f"{quoted(key)} must be one of {list(spec.choices)}, not {quoted(raw)}",
                line,
                rule_id,
            )
        return raw
    if spec.kind == "values":
        return _values(raw, datasets, key, where)
    if spec.kind == "field":
        return _field_path(raw, catalog, where)
    if spec.kind == "table":
        if not isinstance(raw, dict) or not all(
            isinstance(v, list) and all(isinstance(item, str) for item in v) for v in raw.values()
        ):
            raise RuleFileError(
                name, f"{quoted(key)} must map text to lists of text", line, rule_id
            )
        return {k: tuple(v) for k, v in raw.items()}
    if spec.kind == "regex":
        if not isinstance(raw, str):
            raise RuleFileError(name, f"{quoted(key)} must be a regular expression", line, rule_id)
        try:
            return patterns.checked(raw, user=user)
        except UnsafePattern as exc:
            raise RuleFileError(name, f"{quoted(key)}: {exc}", line, rule_id) from None
    raise AssertionError(spec.kind)


def _rule(
    raw: Mapping[str, Any],
    where: tuple[str, int | None, str],
    catalog: Catalog,
    datasets: Mapping[str, tuple[str, ...]],
    patterns: PatternBudget,
    user_params: bool,
) -> Rule:
    """One rule from its merged keys; `user_params`: its params came from a user file."""
    file, line, rule_id = where
    for key in ("description", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise RuleFileError(file, f"'{key}' must be non-empty text", line, rule_id)
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        raise RuleFileError(
            file,
            f"'severity' must be one of {list(SEVERITIES)}, not {quoted(severity)}",
            line,
            rule_id,
        )
    check_name = raw.get("check")
    kind = REGISTRY.get(check_name) if isinstance(check_name, str) else None
    if kind is None:
        raise RuleFileError(
            file,
            f"unknown check {quoted(raw.get('check'))}; "
            f"known checks: {', '.join(sorted(REGISTRY))}",
            line,
            rule_id,
        )
    field_path: FieldPath | None = None
    if "field" in raw:
        field_path = _field_path(raw["field"], catalog, where)
    elif kind.scope != "object":
        raise RuleFileError(file, f"check {quoted(kind.name)} needs a 'field'", line, rule_id)
    if kind.scope == "object" and field_path is not None and not catalog.is_object(field_path):
        raise RuleFileError(file, f"check {quoted(kind.name)} needs an object field", line, rule_id)
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise RuleFileError(file, "'params' must be a mapping", line, rule_id)
    unknown = set(params) - set(kind.params)
    if unknown:
        takes = ", ".join(sorted(kind.params)) or "no parameters"
        raise RuleFileError(
            file,
            f"check {quoted(kind.name)} does not take {quoted(sorted(unknown))} (it takes {takes})",
            line,
            rule_id,
        )
    resolved = {
        key: _param(params.get(key), spec, key, datasets, where, catalog, patterns, user_params)
        for key, spec in kind.params.items()
    }
    if kind.one_of_params and sum(resolved[key] is not None for key in kind.one_of_params) != 1:
        choices = " and ".join(quoted(key) for key in kind.one_of_params)
        raise RuleFileError(
            file, f"check {quoted(kind.name)} takes exactly one of {choices}", line, rule_id
        )
    code = raw.get("partner_center_error")
    if code is not None and (isinstance(code, bool) or not isinstance(code, int)):
        raise RuleFileError(file, "'partner_center_error' must be a number", line, rule_id)
    for key in ("message", "note", "authority"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise RuleFileError(file, f"'{key}' must be text", line, rule_id)
    if raw.get("message") is not None:
        problem = template_problem(raw["message"], message_words(kind))
        if problem is not None:
            raise RuleFileError(file, f"'message': {problem}", line, rule_id)
    autofix = raw.get("autofix", False)
    if not isinstance(autofix, bool):
        raise RuleFileError(file, "'autofix' must be true or false", line, rule_id)
    severity_: Severity = severity
    return Rule(
        id=rule_id,
        severity=severity_,
        description=raw["description"].strip(),
        source=raw["source"].strip(),
        check=kind.name,
        params=resolved,
        field=field_path,
        when=_conditions(raw.get("when"), catalog, datasets, where),
        partner_center_error=code,
        message=raw.get("message"),
        note=raw.get("note"),
        authority=raw.get("authority"),
        autofix=autofix,
        origin=f"{file}:{line}" if line is not None else file,
    )


def clouds() -> list[str]:
    """The clouds with a rule overlay, e.g. ["21vianet", "global", "usgov"]."""
    try:
        return sorted(cloud_overlays())
    except FileNotFoundError as exc:
        raise RuleFileError("rules", str(exc)) from None


def load_rules(
    extra: Sequence[str | Path] = (),
    disable: Iterable[str] = (),
    *,
    bundled: bool = True,
    cloud: str = "global",
) -> RuleSet:
    """Read the bundled rule files and the cloud's overlay, then `extra` user files, then
    switch off `disable`."""
    builder = _Builder()
    if bundled:
        try:
            files = bundled_rule_files()
            overlays = cloud_overlays()
        except FileNotFoundError as exc:
            raise RuleFileError("rules", str(exc)) from None
        if cloud not in overlays:
            raise RuleFileError(
                "--cloud",
                f"no cloud named {quoted(cloud)}; known clouds: {', '.join(sorted(overlays))}",
            )
        for bundled_file in files:
            builder.add_file(bundled_file, user=False)
        builder.add_file(overlays[cloud], user=True, overlay=True)
    for user_file in extra:
        builder.add_file(Path(user_file), user=True)
    return builder.build(disable, cloud)
