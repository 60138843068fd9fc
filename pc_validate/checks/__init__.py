"""The check kinds: the registry (registry.py) and, one module per family, the kinds that
fill it. Importing this package registers every bundled kind; the names of the registry
are importable from here.
"""

from __future__ import annotations

# Importing the modules registers their check kinds.
from pc_validate.checks import (
    choice,
    country,
    culture,
    email,
    internet,
    keys,
    market,
    numbers,
    policy,
    presence,
    text,
)
from pc_validate.checks.registry import (
    REGISTRY,
    BuildContext,
    Builder,
    CheckKind,
    Coverage,
    InlineTest,
    KeyRenamer,
    KeyTest,
    ObjectCheck,
    Param,
    ParamKind,
    Scope,
    ValueCheck,
    check_kind,
    register_kind,
    unregister_kind,
)

__all__ = [
    "REGISTRY",
    "BuildContext",
    "Builder",
    "CheckKind",
    "Coverage",
    "InlineTest",
    "KeyRenamer",
    "KeyTest",
    "ObjectCheck",
    "Param",
    "ParamKind",
    "Scope",
    "ValueCheck",
    "check_kind",
    "choice",
    "country",
    "culture",
    "email",
    "internet",
    "keys",
    "market",
    "numbers",
    "policy",
    "presence",
    "register_kind",
    "text",
    "unregister_kind",
]
