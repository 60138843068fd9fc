"""Key indexes of payload objects, and JSON Pointer tokens.

The service looks keys up case-insensitively (model.fold); each object of a payload is
indexed once, and the folding is done once per object shape (its keys in order): records of
one export share a handful of shapes. Interpreter, screen and checks all read objects
through these indexes.
"""

from __future__ import annotations

from typing import Any

from pc_validate.memo import SHAPE_KEYS_AT_MOST, SHAPES_KEPT, Bounded
from pc_validate.model import FieldPath, ObjectNode, fold
from pc_validate.payload import DuplicateKeys


def pointer_token(key: str) -> str:
    """Escape one key for a JSON Pointer (RFC 6901)."""
    if "~" not in key and "/" not in key:
        return key
    return key.replace("~", "~0").replace("/", "~1")


_Index = tuple[dict[str, str], list[tuple[str, ...]]]
_SHAPES: Bounded[tuple[str, ...], _Index] = Bounded(SHAPES_KEPT)


def index_object(value: dict[Any, Any], path: FieldPath, pointer: str) -> ObjectNode:
    """The object at `path` (`pointer` as sent) with its case-insensitive key index."""
    if type(value) is DuplicateKeys:
        return _index_repeating(value, path, pointer)
    shape = tuple(value)
    cached = _SHAPES.entries.get(shape) if len(shape) <= SHAPE_KEYS_AT_MOST else None
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
        _SHAPES.remember(shape, (keys, collisions))
    return ObjectNode(value, path, pointer, keys, collisions, shape)


def _index_repeating(value: DuplicateKeys, path: FieldPath, pointer: str) -> ObjectNode:
    """An object in which a key was sent twice: each repeated key is a collision group of
    its own (reported by distinct_keys), and no per-shape cache holds it (its keys look like
    those of an object without repetition)."""
    plain = index_object(dict(value), path, pointer)
    repeats: list[tuple[str, ...]] = [(k, k) for k in value.repeated if isinstance(k, str)]
    return ObjectNode(value, path, pointer, plain.keys, plain.collisions + repeats, ())
