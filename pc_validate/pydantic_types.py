"""pc-validate's rules inside pydantic models and FastAPI endpoints (issue 16 item 2).

`PartnerCenterCustomer` is a type annotation: a field or a request body typed
``Annotated[dict[str, Any], PartnerCenterCustomer()]`` runs the rules on the value as it was
received and raises one pydantic `ValidationError` holding every violation at or above
`fail_on` (errors by default), so FastAPI answers 422 listing them all. Each error's `loc` is
the violation's JSON Pointer (array indexes as integers), its `type` the rule id, its `msg`
the violation's message, and its `ctx` the severity, pc-validate's code, the suggestion and
the Partner Center error code. A dict that passes becomes a `CheckedBody`, a dict that also
carries its `report` (warnings and hints included: they never fail).

>>> from typing import Annotated, Any
>>> from pydantic import BaseModel
>>> class Onboarding(BaseModel):
...     customer: Annotated[dict[str, Any], PartnerCenterCustomer()]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import GetCoreSchemaHandler, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from pc_validate.model import MISSING, SEVERITY_RANK
from pc_validate.report import Report, Violation

if TYPE_CHECKING:
    from pc_validate.engine import Validator

__all__ = ["CheckedBody", "PartnerCenterCustomer", "validation_error"]


class CheckedBody(dict[str, Any]):
    """A request body that passed the rules, with its `report` (every violation below the
    annotation's `fail_on`: warnings and hints)."""

    report: Report

    @property
    def warnings(self) -> list[Violation]:
        return self.report.warnings


def _loc(pointer: str, body: Any) -> tuple[str | int, ...]:
    """A JSON Pointer as a pydantic location: its unescaped tokens, an index into an array
    as an int (walking `body`, the value the pointer points into)."""
    if not pointer:
        return ()
    loc: list[str | int] = []
    node = body
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit():
            loc.append(int(token))
            node = node[int(token)] if int(token) < len(node) else None
        else:
            loc.append(token)
            node = node.get(token) if isinstance(node, dict) else None
    return tuple(loc)


def _line_error(violation: Violation, body: Any) -> InitErrorDetails:
    # pydantic fills a message's {names} from its context, one name after another: the
    # message goes in last and as the whole template, so that no text in it is replaced.
    context = {
        "severity": violation.severity,
        "code": violation.code,
        "suggestion": violation.suggestion,
        "partner_center_error": violation.partner_center_error,
        "message": violation.message,
    }
    value = None if violation.value is MISSING else violation.value
    return {
        "type": PydanticCustomError(violation.rule, "{message}", context),
        "loc": _loc(violation.path, body),
        "input": value,
    }


def validation_error(
    report: Report, body: Any, *, fail_on: Literal["error", "warning"] = "error", title: str = ""
) -> ValidationError | None:
    """One ValidationError with every violation of `report` at or above `fail_on`, or None
    when there is none. `body` is the value the report's pointers point into."""
    least = SEVERITY_RANK[fail_on]
    errors = [
        _line_error(violation, body)
        for violation in report.violations
        if SEVERITY_RANK[violation.severity] >= least
    ]
    if not errors:
        return None
    return ValidationError.from_exception_data(title or "PartnerCenterCustomer", errors)


@dataclass(frozen=True)
class PartnerCenterCustomer:
    """Annotation that runs pc-validate's rules on a request body (see the module's doc).

    `cloud`, `rules` and `disable` choose the rules as validate() does (compiled once, on
    first use); `fail_on` is the least severity that fails; `redact` leaves the values out
    of the errors' `input` (and of the report)."""

    cloud: str | None = None
    rules: Sequence[str | Path] = ()
    disable: Sequence[str] = ()
    fail_on: Literal["error", "warning"] = "error"
    redact: bool = False
    _compiled: list[Validator] = field(default_factory=list, compare=False, repr=False)

    def validator(self) -> Validator:
        """The compiled rules (a broken rule file raises RuleFileError here)."""
        if not self._compiled:
            from pc_validate.api import validator_for

            self._compiled.append(validator_for(self.rules, self.disable, self.cloud or "global"))
        return self._compiled[0]

    def check(self, value: Any) -> Report:
        """The report of a body as received (a model of pc_validate.models as it would be
        sent); raises the ValidationError of its violations at or above `fail_on`."""
        from pc_validate.api import as_sent

        body = as_sent(value)
        report = self.validator().validate(body, redact=self.redact)
        error = validation_error(report, body, fail_on=self.fail_on)
        if error is not None:
            raise error
        return report

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def checked(value: Any, inner: core_schema.ValidatorFunctionWrapHandler) -> Any:
            report = self.check(value)
            result = inner(value)
            if type(result) is dict:
                result = CheckedBody(result)
                result.report = report
            return result

        return core_schema.no_info_wrap_validator_function(checked, handler(source))
