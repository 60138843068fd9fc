"""Checks over the keys and values of every known object: names, case clashes, JSON types."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pc_validate.checks.registry import BuildContext, ObjectCheck, check_kind, phrase_words
from pc_validate.checks.suggest import closest, worth_suggesting
from pc_validate.memo import SHAPES_KEPT, Bounded
from pc_validate.model import Catalog, FieldPath, Finding, ObjectNode, Plural, Template, fold
from pc_validate.suspicious import SUSPICIOUS, SUSPICIOUS_KINDS, first_suspicious

if TYPE_CHECKING:
    from pc_validate.languages import Language

_T = TypeVar("_T")


def _squash(name: str) -> str:
    """Key spelling without case or separators: `company_name`, `CompanyName` -> `companyname`."""
    return fold(name.replace("_", "").replace("-", ""))


def suggest_key(key: str, known: Mapping[str, str]) -> str | None:
    """The canonical field name meant by an unknown key, if one is clear."""
    if not worth_suggesting(key):
        return None
    squashed = {_squash(name): name for name in known.values()}
    if _squash(key) in squashed:
        return squashed[_squash(key)]
    return closest(_squash(key), squashed, cutoff=0.8)


#: Unknown keys reported one by one per object; the rest are counted in one more finding.
UNKNOWN_KEYS_LISTED = 50


def _by_shape(
    compute: Callable[[ObjectNode], _T],
) -> Callable[[ObjectNode], _T]:
    """Remember `compute` per object path and shape (its keys in order): records of one
    export share a handful of shapes."""
    cache: Bounded[tuple[FieldPath, tuple[str, ...]], _T] = Bounded(SHAPES_KEPT)
    seen = cache.entries

    def cached(node: ObjectNode) -> _T:
        if not node.shape:
            return compute(node)
        key = (node.path, node.shape)
        found = seen.get(key)
        if found is None:
            found = cache.remember(key, compute(node))
        return found

    return cached


#: What the messages call the top level of the request body (as model.Catalog.dotted does).
TOP_LEVEL = "the request body"


def _parent_name(catalog: Catalog, path: FieldPath) -> str:
    return catalog.dotted(path) if path else TOP_LEVEL


def _at_top(text: str) -> str:
    filled = text.replace("{parent}", TOP_LEVEL)
    return "The" + filled[3:] if filled.startswith("the ") else filled


def top_level(templates: Mapping[str, Template]) -> dict[str, Template]:
    """The templates of the findings about the top level (`keys.top_*`), where {parent} is
    the request body: sentences of their own, since another language cannot fill "the
    request body" into a sentence written for a field path (German "in {parent}" but "im
    Anforderungstext", Italian "nel corpo della richiesta"). In English they read word for
    word as the others do with {parent} filled in."""
    return {
        key.replace(".", ".top_", 1): (
            Plural(_at_top(text.one), _at_top(text.other), text.n)
            if isinstance(text, Plural)
            else _at_top(text)
        )
        for key, text in templates.items()
    }


def shown_name(name: str) -> str:
    """A redacted key name as a message shows it: a position as is, a field name quoted."""
    return name if name.startswith("*") else f'"{name}"'


def _renamed_key(params: Mapping[str, Any], name: Callable[[str], str]) -> dict[str, Any]:
    return {"key": name(params["key"])} if "key" in params else {}


def _renamed_group(params: Mapping[str, Any], name: Callable[[str], str]) -> dict[str, Any]:
    return key_group_params([name(key) for key in params["keys"]], shown_name)


def _declared_type_test(value: str, declared: str | None) -> str | None:
    if declared is None:
        return f"(kind is not None and {value} is not None and not isinstance({value}, kind))"
    if declared in JSON_TYPES:
        return (
            f"({value} is not MISSING and {value} is not None and "
            f"not isinstance({value}, T_{declared}))"
        )
    return None


def _known_keys(catalog: Catalog) -> Callable[[ObjectNode], list[str]]:
    """The keys of an object that name catalog fields (remembered per shape)."""

    @_by_shape
    def known_keys(node: ObjectNode) -> list[str]:
        known = catalog.children.get(node.path, {})
        return [key for key in node.value if fold(key) in known]

    return known_keys


def _each_known_string(
    catalog: Catalog, judge: Callable[[str, str], Finding | None]
) -> ObjectCheck:
    """An object check that judges the text of each known field (key, value) alone."""
    known_keys = _known_keys(catalog)

    def check(node: ObjectNode) -> list[Finding]:
        found = []
        value_of = node.value
        for key in known_keys(node):
            value = value_of[key]
            if isinstance(value, str):
                finding = judge(key, value)
                if finding is not None:
                    found.append(finding)
        return found

    return check


def _whitespace_test(value: str, declared: str | None) -> str:
    return f"(isinstance({value}, str) and {value}.strip() != {value} and {value}.strip() != '')"


def _suspicious_test(value: str, declared: str | None) -> str:
    # Every character suspicious.SUSPICIOUS finds but U+FFFD is one str.isprintable refuses
    return f"(isinstance({value}, str) and (not {value}.isprintable() or '\\ufffd' in {value}))"


def _not_an_object(body: Any) -> Finding:
    return Finding(
        "type", "type.top_mismatch", {"expected": "an object", "actual": json_type(body)}
    )


UNKNOWN_KEYS: Mapping[str, Template] = {
    "keys.unknown": "{key_pointer} is not a field Partner Center knows in {parent}.",
    "keys.unknown_suggest": (
        "{key_pointer} is not a field Partner Center knows in {parent}; did you mean {suggestion}?"
    ),
    "keys.unknown:redacted": (
        "The key {key_pointer} is not a field Partner Center knows in {parent}."
    ),
    "keys.unknown_more": Plural(
        "{parent} has {count} more key that is not a field Partner Center knows (only the "
        "first 50 are listed one by one).",
        "{parent} has {count} more keys that are not fields Partner Center knows (only the "
        "first 50 are listed one by one).",
        "count",
    ),
}


@check_kind(
    "known_fields",
    scope="object",
    words=("key", "parent", "count"),
    summary="Every key of a known object names a catalog field (matched case-insensitively).",
    templates={**UNKNOWN_KEYS, **top_level(UNKNOWN_KEYS)},
    key_params=("key",),
    rename_keys=_renamed_key,
    keys_only=True,
)
def known_fields(params: Mapping[str, Any], ctx: BuildContext) -> ObjectCheck:
    catalog = ctx.catalog

    @_by_shape
    def check(node: ObjectNode) -> list[Finding]:
        known = catalog.children.get(node.path, {})
        parent = _parent_name(catalog, node.path)
        found = []
        unknown = [key for key in node.value if fold(key) not in known]
        top = not node.path
        plain = "keys.top_unknown" if top else "keys.unknown"
        suggesting = "keys.top_unknown_suggest" if top else "keys.unknown_suggest"
        for key in unknown[:UNKNOWN_KEYS_LISTED]:
            info = {"key": key, "parent": parent}
            hint = suggest_key(key, known)
            if hint is None:
                found.append(Finding("unknown_field", plain, info, key=key, value=key))
            else:
                found.append(Finding("unknown_field", suggesting, info, hint, key=key, value=key))
        if len(unknown) > UNKNOWN_KEYS_LISTED:
            rest = {"count": len(unknown) - UNKNOWN_KEYS_LISTED, "parent": parent}
            more = "keys.top_unknown_more" if top else "keys.unknown_more"
            found.append(Finding("unknown_field", more, rest))
        return found

    return check


REPEATED_KEYS: Mapping[str, Template] = {
    "keys.repeated": (
        "{parent} has the key {key_pointer} more than once; only one value is used "
        "(pc-validate checks the last)."
    ),
    "keys.ambiguous": (
        "{parent} has the keys {keys_text}, which differ only in case; Partner Center matches "
        "keys case-insensitively, so only one is used (pc-validate checks the last, {used})."
    ),
}


def _group_words(
    params: Mapping[str, Any], suggestion: Any, language: Language
) -> Mapping[str, Any]:
    """The keys of a group joined as the language lists them, each written as the params
    write the one used: quoted, or under redaction a position as is (shown_name). The keys
    of a group differ only in case, so they are all known fields or none."""
    keys = params.get("keys")
    if not keys:
        return {}
    shown = _quoted if params.get("used") == _quoted(keys[-1]) else shown_name
    return {"keys_text": language.join(shown(key) for key in keys)}


@check_kind(
    "distinct_keys",
    scope="object",
    words=("keys", "keys_text", "used", "parent"),
    summary=("No two keys of an object differ only in letter case, and no key is sent twice."),
    templates={**REPEATED_KEYS, **top_level(REPEATED_KEYS)},
    key_params=(
        "keys",
        "keys_text",
        "used",
    ),
    rename_keys=_renamed_group,
    keys_only=True,
    local_words=_group_words,
)
def distinct_keys(params: Mapping[str, Any], ctx: BuildContext) -> ObjectCheck:
    catalog = ctx.catalog

    @_by_shape
    def check(node: ObjectNode) -> list[Finding]:
        found = []
        for group in node.collisions:
            info = {
                **key_group_params(group, _quoted),
                "parent": _parent_name(catalog, node.path),
            }
            # A key sent twice with the same spelling (see payload.DuplicateKeys)
            if len(set(group)) == 1:
                template = "keys.repeated" if node.path else "keys.top_repeated"
            else:
                template = "keys.ambiguous" if node.path else "keys.top_ambiguous"
            for key in group[:-1]:
                found.append(Finding("ambiguous_field", template, info, key=key, value=key))
        return found

    return check


def _quoted(key: str) -> str:
    return f'"{key}"'


def key_group_params(keys: Sequence[str], shown: Callable[[str], str]) -> dict[str, Any]:
    """The params that name a group of keys (distinct_keys): the keys, and the words a
    message says them in, each as `shown` writes it; the last is the one used. The engine
    builds them anew under redaction, with the keys named by position."""
    return {
        "keys": list(keys),
        "keys_text": " and ".join(shown(key) for key in keys),
        "used": shown(keys[-1]),
    }


JSON_TYPES: Mapping[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
}
_ARTICLE = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "boolean": "a boolean",
}


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


#: The JSON types in words (json_type, _ARTICLE), by message id.
TYPE_PHRASES: Mapping[str, str] = {
    f"type.{words.replace(' ', '_')}": words
    for words in ("an object", "an array", "a string", "a boolean", "a number", "null")
}


@check_kind(
    "declared_types",
    scope="object",
    words=("expected", "actual"),
    summary="Each known field holds the JSON type the catalog declares (null: see `required`).",
    templates={
        "type.mismatch": "{field} must be {expected}, not {actual}.",
        # the body itself, whose {field} is the request body (top_level)
        "type.top_mismatch": "The request body must be {expected}, not {actual}.",
    },
    key_test=_declared_type_test,
    root=_not_an_object,
    local_words=phrase_words(TYPE_PHRASES, "expected", "actual"),
    phrases=TYPE_PHRASES,
)
def declared_types(params: Mapping[str, Any], ctx: BuildContext) -> ObjectCheck:
    catalog = ctx.catalog

    @_by_shape
    def typed_keys(node: ObjectNode) -> list[tuple[str, tuple[type, ...], str]]:
        """(key, accepted Python types, declared type) of the keys that name typed fields."""
        known = catalog.children.get(node.path, {})
        typed = []
        for key in node.value:
            name = known.get(fold(key))
            if name is None:
                continue
            field_path = (*node.path, name)
            declared = catalog.types[field_path]
            wanted = JSON_TYPES.get(declared)
            if wanted is not None:
                typed.append((key, wanted, declared))
        return typed

    def check(node: ObjectNode) -> list[Finding]:
        found = []
        value_of = node.value
        for key, wanted, declared in typed_keys(node):
            value = value_of[key]
            if value is None or isinstance(value, wanted):
                continue
            info = {"expected": _ARTICLE[declared], "actual": json_type(value)}
            found.append(Finding("type", "type.mismatch", info, key=key, value=value))
        return found

    return check


@check_kind(
    "surrounding_whitespace",
    scope="object",
    summary="No known string field starts or ends with whitespace.",
    templates={
        "whitespace.surrounding": "{field} has leading or trailing whitespace.",
    },
    key_test=_whitespace_test,
)
def surrounding_whitespace(params: Mapping[str, Any], ctx: BuildContext) -> ObjectCheck:
    def judge(key: str, value: str) -> Finding | None:
        trimmed = value.strip()
        if value == trimmed or not trimmed:
            return None
        return Finding(
            "non_canonical", "whitespace.surrounding", suggestion=trimmed, key=key, value=value
        )

    return _each_known_string(ctx.catalog, judge)


@check_kind(
    "suspicious_characters",
    scope="object",
    words=("code_point", "name", "position", "what", "count"),
    summary=(
        "No known string field has a control character (C0, DEL, C1), a bidirectional "
        "override or isolate, a zero-width character, U+FFFD or a lone surrogate, except "
        "whitespace at either end (surrounding_whitespace's)."
    ),
    templates={
        "text.suspicious": (
            "{field} has {code_point} {name} at character {position}, {what}; the text may "
            "show as other than it is."
        ),
        "text.suspicious_more": Plural(
            "{field} has {count} character that may make it show as other than it is; the "
            "first is {code_point} {name} at character {position}, {what}.",
            "{field} has {count} characters that may make it show as other than it is; the "
            "first is {code_point} {name} at character {position}, {what}.",
            "count",
        ),
    },
    key_test=_suspicious_test,
    leaves_hints=True,
    local_words=phrase_words(SUSPICIOUS_KINDS, "what"),
    phrases=SUSPICIOUS_KINDS,
)
def suspicious_characters(params: Mapping[str, Any], ctx: BuildContext) -> ObjectCheck:
    def judge(key: str, value: str) -> Finding | None:
        if SUSPICIOUS.search(value) is None:
            return None
        start = len(value) - len(value.lstrip())
        hit = first_suspicious(value, start, max(start, len(value.rstrip())))
        if hit is None:
            return None
        info = {
            "code_point": hit.code_point,
            "name": hit.name,
            "position": hit.position,
            "what": hit.kind,
            "count": hit.count,
        }
        template = "text.suspicious_more" if hit.count > 1 else "text.suspicious"
        return Finding("invalid_format", template, info, key=key, value=value)

    return _each_known_string(ctx.catalog, judge)
