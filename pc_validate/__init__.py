"""pc-validate: check a Partner Center "create a customer" request body before sending it.

>>> from pc_validate import validate
>>> report = validate({"billingProfile": {}, "companyProfile": {}})
>>> report.ok
False
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# The names below are imported when first used (PEP 562), so that the command line sets
# its signal handlers before the validator's modules load: a Ctrl-C during that second of
# start-up then ends the run cleanly (exit 130) instead of with a traceback.
_HOMES = {
    "default_validator": "api",
    "validate": "api",
    "Validator": "engine",
    "Change": "fix",
    "Normalized": "fix",
    "Repair": "fix",
    "Withheld": "fix",
    "normalize": "fix",
    "repair": "fix",
    "PayloadError": "payload",
    "Report": "report",
    "Violation": "report",
    "RuleFileError": "rules",
    "RuleSet": "rules",
    "load_rules": "rules",
}

if TYPE_CHECKING:
    from pc_validate.api import default_validator, validate
    from pc_validate.engine import Validator
    from pc_validate.fix import Change, Normalized, Repair, Withheld, normalize, repair
    from pc_validate.payload import PayloadError
    from pc_validate.report import Report, Violation
    from pc_validate.rules import RuleFileError, RuleSet, load_rules
else:

    def __getattr__(name: str) -> object:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_HOMES})


__all__ = [
    "Change",
    "Normalized",
    "PayloadError",
    "Repair",
    "Report",
    "RuleFileError",
    "RuleSet",
    "Validator",
    "Violation",
    "Withheld",
    "__version__",
    "default_validator",
    "load_rules",
    "normalize",
    "repair",
    "validate",
]
