"""pc-validate: check a Partner Center "create a customer" request body before sending it.

>>> from pc_validate import validate
>>> report = validate({"billingProfile": {}, "companyProfile": {}})
>>> report.ok
False
"""

from __future__ import annotations

__version__ = "0.1.0"

from pc_validate.api import default_validator, validate
from pc_validate.engine import Validator
from pc_validate.fix import Change, Normalized, normalize
from pc_validate.payload import PayloadError
from pc_validate.report import Report, Violation
from pc_validate.rules import RuleFileError, RuleSet, load_rules

__all__ = [
    "Change",
    "Normalized",
    "PayloadError",
    "Report",
    "RuleFileError",
    "RuleSet",
    "Validator",
    "Violation",
    "__version__",
    "default_validator",
    "load_rules",
    "normalize",
    "validate",
]
