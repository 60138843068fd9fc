"""The public entry point: validate(payload)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pc_validate.engine import Validator
from pc_validate.languages import ENGLISH, Language, language_of
from pc_validate.messages import text
from pc_validate.model import MISSING, PAYLOAD_JSON
from pc_validate.payload import PayloadError, parse
from pc_validate.report import Report, Violation, printable
from pc_validate.rules import load_rules

_lock = threading.Lock()
_defaults: dict[str, Validator] = {}


def default_validator(cloud: str = "global") -> Validator:
    """The validator for the bundled rules of a cloud, compiled on first use and shared."""
    validator = _defaults.get(cloud)
    if validator is None:
        with _lock:
            validator = _defaults.get(cloud)
            if validator is None:
                validator = _defaults[cloud] = Validator(load_rules(cloud=cloud))
    return validator


def validator_for(
    rules: Sequence[str | Path] = (), disable: Iterable[str] = (), cloud: str = "global"
) -> Validator:
    """The shared validator of a cloud's bundled rules, or a new one with user rule files
    and rules switched off."""
    if rules or disable:
        return Validator(load_rules(rules, disable, cloud=cloud))
    return default_validator(cloud)


def chosen_validator(
    validator: Validator | None,
    rules: Sequence[str | Path],
    disable: Iterable[str],
    cloud: str | None,
    caller: str,
) -> Validator:
    """The validator a call names, or the one its rules, disable and cloud make. Both at once
    raise TypeError: a compiled validator has its rules already, and ignoring the others
    would validate by rules the caller did not ask for."""
    if validator is None:
        return validator_for(rules, disable, cloud or "global")
    disable = tuple(disable)
    if rules or disable or cloud is not None:
        raise TypeError(
            f"{caller}(): give either validator= or rules=/disable=/cloud=, not both "
            "(the validator's own rule set is used as compiled)"
        )
    return validator


def validate(
    payload: Any,
    *,
    rules: Sequence[str | Path] = (),
    disable: Iterable[str] = (),
    redact: bool = False,
    cloud: str | None = None,
    validator: Validator | None = None,
    locale: str | None = None,
) -> Report:
    """Check a request body: a parsed JSON value (dict), JSON text as str or bytes, or a
    model of pc_validate.models (judged as it would be sent: its `to_body()`).

    Bad content never raises; it becomes violations. Text that is not JSON becomes a single
    `payload.json` error naming line and column. `rules` adds or overrides rule files and
    `disable` switches rules off (both compile a new validator: for many payloads, build a
    `Validator(load_rules(...))` once instead). `cloud` picks the rule overlay of a Partner
    Center cloud: "global" (the default), "21vianet" or "usgov". A broken rule file or an
    unknown cloud raises RuleFileError. `validator` uses a compiled rule set instead; it
    cannot be combined with `rules`, `disable` or `cloud` (TypeError). `locale` ("fr",
    "de-DE", "pt_BR") writes the messages in the closest shipped language (English when none
    is close: never an error); rule ids, codes, paths and params stay as they are.
    """
    validator = chosen_validator(validator, rules, disable, cloud, "validate")
    language = ENGLISH if locale is None else language_of(locale)
    if isinstance(payload, str | bytes | bytearray):
        try:
            payload = parse(payload)
        except PayloadError as exc:
            return Report((_unparsable(exc, redact, language),), language.tag)
    elif not isinstance(payload, dict):
        payload = as_sent(payload)
    return validator.validate(payload, redact=redact, language=language)


def as_sent(payload: Any) -> Any:
    """A model's body as it would be sent; any other value as it is. A model exists only
    once pc_validate.models is imported, so this imports nothing (and no pydantic)."""
    models = sys.modules.get("pc_validate.models")
    if models is not None and isinstance(payload, models.Body):
        return payload.to_body()
    return payload


def _unparsable(exc: PayloadError, redact: bool, language: Language = ENGLISH) -> Violation:
    params = {"line": exc.line, "column": exc.column}
    return Violation(
        rule=PAYLOAD_JSON.id,
        code="invalid_format",
        severity=PAYLOAD_JSON.severity,
        path="",
        message=printable(text(language, "engine.not_json", problem=str(exc))),
        source=PAYLOAD_JSON.source,
        params=params,
        value=MISSING,
    )
