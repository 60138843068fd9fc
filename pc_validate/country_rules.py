"""Import recorded ``GET /v1/countryvalidationrules/{country}`` answers as a rule overlay.

`pc-validate rules import-country-rules FILE.json...` reads one answer, a list of them, or
an object of them keyed by name (the shape of service-observed.md section 4) and writes a
rule file for ``--rules``. pc-validate never fetches the answers: a partner fetches them
with their own credentials.

How an answer's fields become rules, and why importing a country the bundled rules already
cover gives no second finding:

- ``isCityRequired``, ``isPostalCodeRequired``, ``isStateRequired``: the countries of the
  bundled required rules are datasets (``city_required_countries``, ...), which the
  Google-based "expected" warnings leave out; the overlay redefines a dataset, with the
  country added or taken out, only where the answer changes it. A later overlay's dataset
  replaces an earlier one's, so import every answer in one run.
- ``supportedStatesList``, ``postalCodeRegex``, ``phoneNumberRegex``: one rule per country,
  with the id the bundled rules use for that country (``address.state.us_code``,
  ``address.postal_code.de_format``, ``address.phone.us_format``; ``{cc}`` for others). A
  rule that exists with the same values is left alone; with other values the overlay
  overrides its params and source under the same id (its severity and note stay); a new
  one is an error, the service's own rule. A state list also adds the country to
  ``state_list_countries``, which the Google-based ``address.state.known`` leaves out.
- ``supportedCulturesList``, ``supportedLanguagesList``: the market's ``cultures`` and
  ``languages`` (rules/markets.yaml), judged by the existing warnings and, for languages
  such as ``zh-CHS``, accepted by ``billing.language.code``; written only where they differ.
- Other fields are not fields of the create body (VAT and tax ID, calling codes) or
  follow from the ones above (``defaultCulture``); the overlay's header lists them.

Every problem is an :class:`ImportProblem` naming the file and the answer.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pc_validate.excerpt import clipped, quoted
from pc_validate.rules import RuleSet
from pc_validate.safe_regex import PatternBudget, UnsafePattern

#: The most an answers file may hold; a real answer is about 1 KB.
MAX_FILE_BYTES = 4 * 1024 * 1024

_BOOLS = (
    "isStateRequired",
    "isPostalCodeRequired",
    "isCityRequired",
    "isVatIdSupported",
    "isTaxIdSupported",
    "isTaxIdOptional",
)
_LISTS = (
    "supportedStatesList",
    "supportedLanguagesList",
    "supportedCulturesList",
    "countryCallingCodesList",
)
_TEXTS = (
    "iso2Code",
    "defaultCulture",
    "postalCodeRegex",
    "phoneNumberRegex",
    "taxIdFormat",
    "taxIdSample",
    "vatIdRegex",
)
#: Fields of an answer that no rule encodes, and why.
NOT_ENCODED: Mapping[str, str] = {
    "defaultCulture": (
        "the culture the service assumes; a create body must send billingProfile.culture "
        "(billing.culture.required), judged against supportedCulturesList"
    ),
    "isVatIdSupported": "not a field of the create body (no VAT ID is sent)",
    "vatIdRegex": "not a field of the create body (no VAT ID is sent)",
    "isTaxIdSupported": "not a field of the create body (no tax ID is sent)",
    "isTaxIdOptional": "not a field of the create body (no tax ID is sent)",
    "taxIdFormat": "not a field of the create body (no tax ID is sent)",
    "taxIdSample": "not a field of the create body (no tax ID is sent)",
    "countryCallingCodesList": (
        "not a field of the create body; a phone number's calling code is judged by "
        "address.phone.format (libphonenumber)"
    ),
    "attributes": "the resource's metadata",
}
#: Fields encoded by rules that do not come from the answer.
_ELSEWHERE = {"iso2Code": "the answer's country: address.country.code judges the code"}
_KNOWN = frozenset({*_BOOLS, *_LISTS, *_TEXTS, *NOT_ENCODED})
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_COUNTRY = ("billingProfile", "defaultAddress", "country")

#: required flag -> (the dataset of the countries that require it, the address part)
REQUIRED_DATASETS = {
    "isCityRequired": ("city_required_countries", "city"),
    "isPostalCodeRequired": ("postal_code_required_countries", "postal code"),
    "isStateRequired": ("state_required_countries", "state"),
}
STATE_LIST_DATASET = "state_list_countries"


class ImportProblem(ValueError):
    """An answers file that cannot be imported: says which file and answer, and why."""


@dataclass(frozen=True)
class Answer:
    """One recorded answer: its body, where it came from and the date it stands for: one
    in its name, else in its file's name; a file's modification date is named as such,
    since a copy or a checkout changes it."""

    body: Mapping[str, Any]
    file: str
    name: str
    date: str

    @property
    def country(self) -> str:
        return str(self.body["iso2Code"])

    @property
    def where(self) -> str:
        """The file, and the answer's name in it when it has one."""
        return self.file if self.name == self.file else f"{self.file}, {self.name}"

    @property
    def source(self) -> str:
        return (
            f"Partner Center's GET /v1/countryvalidationrules/{self.country} answer of "
            f"{self.date}, imported from {self.where}"
        )


@dataclass
class Encoding:
    """How one field of one answer is encoded: the rule or dataset, and what was done."""

    country: str
    answer_field: str
    target: str
    action: str  # "new", "override", "bundled" (already so), "dataset", "market", "none"


@dataclass
class Overlay:
    """The overlay's content, and how each field was encoded."""

    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    markets: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: list[dict[str, Any]] = field(default_factory=list)
    encodings: list[Encoding] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if self.datasets:
            doc["datasets"] = self.datasets
        if self.markets:
            doc["markets"] = self.markets
        if self.rules:
            doc["rules"] = self.rules
        return doc


def read_answers(path: str | Path, *, today: datetime.date | None = None) -> list[Answer]:
    """The answers in one JSON file (one body, a list, or an object of bodies by name)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        mtime = Path(path).stat().st_mtime
    except FileNotFoundError:
        raise ImportProblem(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ImportProblem(f"{name}: is a directory, not a JSON file") from None
    except OSError as exc:
        raise ImportProblem(f"{name}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportProblem(f"{name}: more than {MAX_FILE_BYTES:,} bytes; not an answers file")
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ImportProblem(
            f"{name}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ImportProblem(f"{name}: not JSON (nested too deeply)") from None
    modified = (today or datetime.datetime.fromtimestamp(mtime).date()).isoformat()
    undated = _date_in(Path(name).name) or f"unknown date (the file was last modified {modified})"
    return [
        Answer(body, name, label, _date_in(label) or undated)
        for label, body in _bodies(value, name)
    ]


def _date_in(label: str) -> str | None:
    found = _DATE.findall(label)
    return "-".join(found[-1]) if found else None


def _is_body(value: Any) -> bool:
    return isinstance(value, dict) and "iso2Code" in value


def _bodies(value: Any, name: str) -> list[tuple[str, Mapping[str, Any]]]:
    shape = (
        "a countryvalidationrules answer (an object with iso2Code), a list of them, or an "
        "object of them keyed by name"
    )
    if _is_body(value):
        out = [(name, value)]
    elif isinstance(value, list) and value and all(_is_body(item) for item in value):
        out = [(f"answer {i + 1}", item) for i, item in enumerate(value)]
    elif isinstance(value, dict) and value and all(_is_body(v) for v in value.values()):
        out = [(str(key), item) for key, item in value.items()]
    else:
        raise ImportProblem(f"{name}: expected {shape}")
    for label, body in out:
        _check_body(body, name if label == name else f"{name}, {label}")
    return out


def _check_body(body: Mapping[str, Any], where: str) -> None:
    for key in _BOOLS:
        if key in body and body[key] is not None and not isinstance(body[key], bool):
            raise ImportProblem(f"{where}: {key} must be true or false, not {quoted(body[key])}")
    for key in _LISTS:
        item = body.get(key)
        if item is not None and not (
            isinstance(item, list) and all(isinstance(v, str) and v.strip() for v in item)
        ):
            raise ImportProblem(f"{where}: {key} must be a list of non-empty text")
    for key in _TEXTS:
        if key in body and body[key] is not None and not isinstance(body[key], str):
            raise ImportProblem(f"{where}: {key} must be text, not {quoted(body[key])}")
    unknown = sorted(set(body) - _KNOWN)
    if unknown:
        raise ImportProblem(
            f"{where}: unknown field(s) {quoted(unknown)}; a countryvalidationrules answer "
            f"has {', '.join(sorted(_KNOWN))}"
        )


def build_overlay(answers: Sequence[Answer], base: RuleSet) -> Overlay:
    """The overlay that makes `base` (the bundled rules) judge by `answers`."""
    overlay = Overlay(answers=list(answers))
    by_country: dict[str, Answer] = {}
    for answer in answers:
        code = answer.country
        if code not in base.markets:
            hint = " (use GB)" if code.upper() == "UK" else ""
            raise ImportProblem(
                f"{answer.where}: iso2Code {quoted(code)} is not a Partner Center market code{hint}"
            )
        earlier = by_country.get(code)
        if earlier is not None and _encoded(earlier.body) != _encoded(answer.body):
            raise ImportProblem(
                f"{answer.where}: a second answer for {code} that differs from "
                f"{earlier.name}; import one answer per country"
            )
        by_country.setdefault(code, answer)
    rules = {rule.id: rule for rule in base.rules}
    datasets = {name: list(values) for name, values in base.datasets.items()}
    changed: set[str] = set()
    for code, answer in sorted(by_country.items()):
        body = answer.body
        for flag, (dataset, _) in REQUIRED_DATASETS.items():
            if flag not in body or body[flag] is None:
                continue
            has = code in datasets[dataset]
            action = "bundled"
            if body[flag] and not has:
                datasets[dataset].append(code)
                changed.add(dataset)
                action = "dataset"
            elif not body[flag] and has:
                datasets[dataset].remove(code)
                changed.add(dataset)
                action = "dataset"
            overlay.encodings.append(Encoding(code, flag, f"dataset {dataset}", action))
        _state_rule(overlay, answer, rules, datasets, changed)
        _pattern_rule(overlay, answer, rules, "postalCodeRegex")
        _pattern_rule(overlay, answer, rules, "phoneNumberRegex")
        _market(overlay, answer, base.markets.get(code, {}))
        overlay.encodings.append(Encoding(code, "iso2Code", _ELSEWHERE["iso2Code"], "none"))
        keys = {key for other in answers if other.country == code for key in other.body}
        for key in sorted(keys & set(NOT_ENCODED)):
            overlay.encodings.append(Encoding(code, key, NOT_ENCODED[key], "none"))
    for name in sorted(changed):
        overlay.datasets[name] = {
            "description": f"{_description(name)} (as imported)",
            "source": "; ".join(sorted({a.source for a in by_country.values()})),
            "values": datasets[name],
        }
    return overlay


def _description(dataset: str) -> str:
    return {
        "city_required_countries": "Countries whose country validation rules require the city",
        "postal_code_required_countries": (
            "Countries whose country validation rules require the postal code"
        ),
        "state_required_countries": "Countries whose country validation rules require the state",
        STATE_LIST_DATASET: "Countries whose states a rule of their own checks against a list",
    }[dataset]


def _encoded(body: Mapping[str, Any]) -> dict[str, Any]:
    keys = (*REQUIRED_DATASETS, "supportedStatesList", "postalCodeRegex", "phoneNumberRegex")
    keys += ("supportedCulturesList", "supportedLanguagesList")
    return {key: body.get(key) for key in keys}


def _state_rule(
    overlay: Overlay,
    answer: Answer,
    rules: Mapping[str, Any],
    datasets: dict[str, list[str]],
    changed: set[str],
) -> None:
    code, states = answer.country, answer.body.get("supportedStatesList")
    if states is not None and not states:
        overlay.encodings.append(Encoding(code, "supportedStatesList", "empty: no list", "none"))
    if not states:
        return
    rule_id = f"address.state.{code.lower()}_code"
    existing = rules.get(rule_id)
    set_name = f"one of the {len(states)} state codes of Partner Center's {code} rules"
    params = {"values": list(states), "set_name": set_name, "country": ".".join(_COUNTRY)}
    if existing is not None and list(existing.params.get("values") or ()) == list(states):
        action = "bundled"
    else:
        entry: dict[str, Any] = {"id": rule_id}
        if existing is None:
            entry |= {
                "severity": "error",
                "autofix": True,
                "description": (
                    f"For an address in {code}, defaultAddress.state is one of the "
                    f"{len(states)} codes of Partner Center's {code} rules (any letter "
                    "case); a state name gets its code as suggestion."
                ),
            }
        entry |= {
            "source": answer.source,
            "field": "billingProfile.defaultAddress.state",
            "check": "market_state_code",
            "params": params,
            "when": {"field": ".".join(_COUNTRY), "in": [code]},
        }
        overlay.rules.append(entry)
        action = "new" if existing is None else "override"
    if code not in datasets[STATE_LIST_DATASET]:
        datasets[STATE_LIST_DATASET].append(code)
        changed.add(STATE_LIST_DATASET)
    overlay.encodings.append(Encoding(code, "supportedStatesList", rule_id, action))


_PATTERN_RULES = {
    "postalCodeRegex": ("postal_code", "postalCode", "pattern", "a postal code", "format"),
    "phoneNumberRegex": ("phone", "phoneNumber", "phone_pattern", "a phone number", "format"),
}


def _pattern_rule(overlay: Overlay, answer: Answer, rules: Mapping[str, Any], key: str) -> None:
    code, regex = answer.country, answer.body.get(key)
    if not regex:
        return
    part, json_field, check, what, suffix = _PATTERN_RULES[key]
    try:
        PatternBudget().checked(regex, user=True)
    except UnsafePattern as exc:
        raise ImportProblem(f"{answer.where}: {key} {quoted(clipped(regex, 80))}: {exc}") from None
    rule_id = f"address.{part}.{code.lower()}_{suffix}"
    existing = rules.get(rule_id)
    known = existing.params.get("regex") if existing is not None else None
    if known is not None and getattr(known, "source", known) == regex:
        overlay.encodings.append(Encoding(code, key, rule_id, "bundled"))
        return
    entry: dict[str, Any] = {"id": rule_id}
    if existing is None:
        entry |= {
            "severity": "error",
            "description": (
                f"For an address in {code}, defaultAddress.{json_field} matches the pattern "
                f"of Partner Center's {code} rules."
            ),
        }
    entry |= {
        "source": answer.source,
        "field": f"billingProfile.defaultAddress.{json_field}",
        "check": check,
        "params": {
            "regex": regex,
            "format": f"{what} as Partner Center's {code} pattern takes it ({regex})",
        },
        "when": {"field": ".".join(_COUNTRY), "in": [code]},
    }
    overlay.rules.append(entry)
    overlay.encodings.append(
        Encoding(code, key, rule_id, "new" if existing is None else "override")
    )


def _market(overlay: Overlay, answer: Answer, market: Mapping[str, Any]) -> None:
    code = answer.country
    for key, name in (
        ("supportedCulturesList", "cultures"),
        ("supportedLanguagesList", "languages"),
    ):
        values = answer.body.get(key)
        if values is None:
            continue
        if not values:
            overlay.encodings.append(Encoding(code, key, f"markets {code} {name}", "none"))
            continue
        action = "bundled"
        if list(market.get(name) or ()) != list(values):
            overlay.markets.setdefault(code, {})[name] = list(values)
            action = "market"
        overlay.encodings.append(Encoding(code, key, f"markets {code} {name}", action))


def render(overlay: Overlay) -> str:
    """The overlay as a YAML rule file, with a header saying what was imported and how."""
    import yaml

    lines = [
        "# Rule overlay generated by `pc-validate rules import-country-rules` from Partner",
        "# Center's GET /v1/countryvalidationrules answers. Load it with --rules. Datasets",
        "# replace the bundled ones whole: import every answer in one run.",
        "# Answers:",
        *(f"# - {a.country}: {a.source}" for a in overlay.answers),
        "# How each field is encoded (bundled: the bundled rules already say so):",
        *(f"# - {e.country} {e.answer_field}: {e.target} [{e.action}]" for e in overlay.encodings),
    ]
    document = overlay.document()
    body = (
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=88) if document else ""
    )
    if not document:
        lines.append("# Nothing differs from the bundled rules: this file changes nothing.")
    return "\n".join(lines) + "\n" + body
