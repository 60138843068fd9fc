"""Partner Center's recorded country validation rules, field by field (issue 13).

The recorded GET /v1/countryvalidationrules answers (service-observed.md sections 1 and 4;
the JSON in tests/data/country-validation-rules/) are Partner Center's own rules. TABLE is the
traceability a reviewer asks for: every field of every recorded answer, the rule (or the
dataset or market entry a rule reads) that encodes it, and a payload that proves it; or,
where no rule can, the reason. `pc-validate rules import-country-rules` on the same answers
must agree with it and change nothing (the bundled rules already say what the answers say).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from pc_validate import validate
from pc_validate.cli import main
from pc_validate.country_rules import build_overlay, read_answers, render
from pc_validate.rules import load_rules
from pc_validate.testing import base_payload

DATA = Path(__file__).parent / "data" / "country-validation-rules"
RECORDED = DATA / "recorded.json"

#: Valid addresses of the five countries (real public buildings' postal codes).
ADDRESSES: dict[str, dict[str, Any]] = {
    "US": {"city": "Redmond", "state": "WA", "postalCode": "98052"},
    "GB": {"city": "London", "postalCode": "SW1A 2AA"},
    "DE": {"city": "Berlin", "postalCode": "10557"},
    "CN": {"city": "北京市", "state": "BJ", "postalCode": "100022"},
    "PT": {"city": "Lisboa", "postalCode": "1250-096"},
}


def _payload(country: str, /, **changes: Any) -> dict[str, Any]:
    """A body for `country` with address `changes` (None deletes) and top-level billing
    changes under the key "billing"."""
    payload = base_payload("us")
    address = payload["billingProfile"]["defaultAddress"]
    address.pop("state", None)
    address.update(ADDRESSES[country], country=country)
    address["phoneNumber"] = {"US": "4255550101", "GB": "020 7946 0000", "DE": "030 227 0"}.get(
        country, "+86 10 5917 8888" if country == "CN" else "213 456 789"
    )
    if country == "CN":
        payload["companyProfile"]["organizationRegistrationNumber"] = "91110105MA01R7K52W"
    billing = changes.pop("billing", {})
    payload["billingProfile"].update(billing)
    for key, value in changes.items():
        if value is None:
            address.pop(key, None)
        else:
            address[key] = value
    return payload


NONE = None
#: (country, answer field, what encodes it, payload changes that break it, the rule that
#: fires; None when the field is not encoded: the third item says why)
TABLE: list[tuple[str, str, str, dict[str, Any] | None, str | None]] = []
for _cc in ("US", "GB", "DE", "CN", "PT"):
    TABLE += [
        (_cc, "iso2Code", "address.country.code", {"country": "UK"}, "address.country.code"),
        (_cc, "isCityRequired", "address.city.required", {"city": None}, "address.city.required"),
        (
            _cc,
            "isPostalCodeRequired",
            "address.postal_code.required",
            {"postalCode": None},
            "address.postal_code.required",
        ),
        (
            _cc,
            "supportedCulturesList",
            "billing.culture.market (markets.yaml cultures)",
            {"billing": {"culture": "ja-JP"}},
            "billing.culture.market",
        ),
        (
            _cc,
            "supportedLanguagesList",
            "billing.language.market (markets.yaml languages)",
            {"billing": {"language": "ja"}},
            "billing.language.market",
        ),
        (
            _cc,
            "defaultCulture",
            "none: the body must send a culture (billing.culture.required), "
            "judged against supportedCulturesList",
            NONE,
            NONE,
        ),
        (
            _cc,
            "countryCallingCodesList",
            "none: not a field of the create body "
            "(address.phone.format judges the phone's calling code)",
            NONE,
            NONE,
        ),
        (_cc, "isVatIdSupported", "none: not a field of the create body", NONE, NONE),
    ]
TABLE += [
    ("US", "isStateRequired", "address.state.required", {"state": None}, "address.state.required"),
    ("CN", "isStateRequired", "address.state.required", {"state": None}, "address.state.required"),
    ("GB", "isStateRequired", "false: no rule requires a state", {"state": None}, NONE),
    ("DE", "isStateRequired", "false: no rule requires a state", {"state": None}, NONE),
    ("PT", "isStateRequired", "false: no rule requires a state", {"state": None}, NONE),
    (
        "US",
        "supportedStatesList",
        "address.state.us_code",
        {"state": "PR"},
        "address.state.us_code",
    ),
    (
        "CN",
        "supportedStatesList",
        "address.state.cn_code",
        {"state": "HK"},
        "address.state.cn_code",
    ),
    ("GB", "supportedStatesList", "empty: no list to check", {"state": "Kent"}, NONE),
    ("DE", "supportedStatesList", "empty: no list to check", {"state": "BE"}, NONE),
    ("PT", "supportedStatesList", "empty: no list to check", {"state": "11"}, NONE),
    (
        "US",
        "postalCodeRegex",
        "address.postal_code.us_format",
        {"postalCode": "9805"},
        "address.postal_code.us_format",
    ),
    (
        "GB",
        "postalCodeRegex",
        "address.postal_code.gb_format (warning: refuses BFPO)",
        {"postalCode": "BFPO 1234"},
        "address.postal_code.gb_format",
    ),
    (
        "DE",
        "postalCodeRegex",
        "address.postal_code.de_format",
        {"postalCode": "1055"},
        "address.postal_code.de_format",
    ),
    (
        "CN",
        "postalCodeRegex",
        "address.postal_code.cn_format",
        {"postalCode": "\uff11\uff10\uff10\uff10\uff12\uff12"},  # full-width digits
        "address.postal_code.cn_format",
    ),
    (
        "PT",
        "postalCodeRegex",
        "address.postal_code.pt_format",
        {"postalCode": "1250096"},
        "address.postal_code.pt_format",
    ),
    (
        "US",
        "phoneNumberRegex",
        "address.phone.us_format",
        {"phoneNumber": "425 555 010"},
        "address.phone.us_format",
    ),
    ("US", "isTaxIdSupported", "none: not a field of the create body", NONE, NONE),
    ("US", "isTaxIdOptional", "none: not a field of the create body", NONE, NONE),
    ("US", "taxIdFormat", "none: not a field of the create body", NONE, NONE),
    ("US", "taxIdSample", "none: not a field of the create body", NONE, NONE),
    ("GB", "isTaxIdSupported", "none: not a field of the create body", NONE, NONE),
    ("GB", "isTaxIdOptional", "none: not a field of the create body", NONE, NONE),
    ("GB", "taxIdFormat", "none: not a field of the create body", NONE, NONE),
    ("GB", "vatIdRegex", "none: not a field of the create body", NONE, NONE),
    ("DE", "isTaxIdSupported", "none: not a field of the create body", NONE, NONE),
    ("DE", "isTaxIdOptional", "none: not a field of the create body", NONE, NONE),
    ("DE", "taxIdFormat", "none: not a field of the create body", NONE, NONE),
    ("DE", "vatIdRegex", "none: not a field of the create body", NONE, NONE),
    ("CN", "isTaxIdSupported", "none: not a field of the create body", NONE, NONE),
    ("CN", "isTaxIdOptional", "none: not a field of the create body", NONE, NONE),
    ("PT", "isTaxIdSupported", "none: not a field of the create body", NONE, NONE),
    ("PT", "isTaxIdOptional", "none: not a field of the create body", NONE, NONE),
    ("PT", "taxIdFormat", "none: not a field of the create body", NONE, NONE),
    ("PT", "taxIdSample", "none: not a field of the create body", NONE, NONE),
    ("PT", "vatIdRegex", "none: not a field of the create body", NONE, NONE),
]


def _recorded() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(RECORDED.read_text(encoding="utf-8"))
    return data


def test_the_table_lists_every_recorded_field() -> None:
    recorded = {(body["iso2Code"], key) for body in _recorded().values() for key in body}
    listed = {(country, key) for country, key, *_ in TABLE}
    assert recorded - listed == set()
    assert listed - recorded == set()


@pytest.mark.parametrize("country", sorted(ADDRESSES))
def test_each_country_s_valid_address_passes(country: str) -> None:
    report = validate(_payload(country))
    assert [v.rule for v in report.violations] == []


@pytest.mark.parametrize(
    ("country", "key", "encoded", "changes", "rule"),
    [row for row in TABLE if row[3] is not None],
    ids=[f"{row[0]}-{row[1]}" for row in TABLE if row[3] is not None],
)
def test_the_payload_proves_the_rule(
    country: str, key: str, encoded: str, changes: dict[str, Any], rule: str | None
) -> None:
    fired = {v.rule for v in validate(_payload(country, **changes)).violations}
    if rule is None:  # the recorded rules require nothing here: no error about the field
        assert not any(name.startswith("address.state.required") for name in fired)
        assert "address.state.cn_code" not in fired and "address.state.us_code" not in fired
    else:
        assert rule in fired, (rule, fired)
        assert encoded.startswith(rule)


def test_the_service_s_required_fields_are_errors() -> None:
    severities = {rule.id: rule.severity for rule in load_rules().rules}
    for rule in (
        "address.city.required",
        "address.postal_code.required",
        "address.state.required",
        "address.state.cn_code",
        "address.postal_code.de_format",
        "address.postal_code.cn_format",
        "address.postal_code.pt_format",
    ):
        assert severities[rule] == "error", rule
    assert severities["address.postal_code.gb_format"] == "warning"


def test_importing_the_recordings_changes_nothing() -> None:
    """The bundled rules already say what every recorded answer says: imported, the answers
    give an overlay without a rule, a dataset or a market entry, and the encodings agree
    with TABLE."""
    base = load_rules()
    overlay = build_overlay(read_answers(RECORDED), base)
    assert overlay.document() == {}
    actions = {(e.country, e.answer_field): (e.target, e.action) for e in overlay.encodings}
    for country, key, _, _, rule in TABLE:
        target, action = actions[(country, key)]
        assert action in ("bundled", "none"), (country, key, action)
        if rule is not None and rule.startswith("address.") and "required" not in rule:
            assert rule in target
    for single in sorted(DATA.glob("??-*.json")):
        assert build_overlay(read_answers(single), base).document() == {}, single


def _france(**body: Any) -> dict[str, Any]:
    """An answer for a country the bundled rules do not cover, in the recordings' shape
    (the DE recording's fields, FR's values): the test of what an import adds."""
    answer = dict(_recorded()["DE-2018-fixture"])
    answer.update(
        iso2Code="FR",
        defaultCulture="fr-FR",
        supportedCulturesList=["fr-FR", "en-US"],
        supportedLanguagesList=["fr", "en", "fr-FR"],
        postalCodeRegex="^[0-9]{5,5}$",
        isStateRequired=True,
        supportedStatesList=["IF", "AR"],
        phoneNumberRegex=r"^0\d{9}$",
    )
    answer.update(body)
    return answer


def _import(tmp_path: Path, answers: Any, *extra: str) -> tuple[int, str, str]:
    source = tmp_path / "answers.json"
    source.write_text(json.dumps(answers), encoding="utf-8")
    out, err = _Stream(), _Stream()
    status = main(["rules", "import-country-rules", str(source), *extra], stdout=out, stderr=err)
    return status, out.text, err.text


class _Stream:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def _france_address(**changes: Any) -> dict[str, Any]:
    payload = base_payload("us")
    address = payload["billingProfile"]["defaultAddress"]
    address.update(
        country="FR", city="Paris", state="IF", postalCode="75001", phoneNumber="0142000000"
    )
    payload["billingProfile"].update(culture="fr-FR", language="fr")
    for key, value in changes.items():
        if key in ("culture", "language"):
            payload["billingProfile"][key] = value
        elif value is None:
            address.pop(key, None)
        else:
            address[key] = value
    return payload


def test_an_imported_country_gets_each_field_s_rule(tmp_path: Path) -> None:
    overlay_file = tmp_path / "fr.yaml"
    status, _, err = _import(tmp_path, {"FR-2025-01-31": _france()}, "--out", str(overlay_file))
    assert status == 0, err
    text = overlay_file.read_text(encoding="utf-8")
    assert "answer of 2025-01-31, imported from" in text
    rules = [overlay_file]
    assert list(validate(_france_address(), rules=rules).violations) == []
    cases = {
        "address.city.required": {"city": None},
        "address.postal_code.required": {"postalCode": None},
        "address.state.required": {"state": None},
        "address.state.fr_code": {"state": "Paris"},
        "address.postal_code.fr_format": {"postalCode": "7500"},
        "address.phone.fr_format": {"phoneNumber": "142000000"},
        "billing.culture.market": {"culture": "de-DE"},
        "billing.language.market": {"language": "de"},
    }
    for rule, changes in cases.items():
        report = validate(_france_address(**changes), rules=rules)
        fired = [v.rule for v in report.violations]
        assert rule in fired, (rule, fired)
        # no second finding from the Google-based warnings for the same field
        assert not {"address.city.expected", "address.postal_code.expected"} & set(fired)
        assert not {"address.state.expected", "address.state.known"} & set(fired)
    severities = {
        v.rule: v.severity for v in validate(_france_address(state="XX"), rules=rules).violations
    }
    assert severities == {"address.state.fr_code": "error"}
    assert list(validate(_france_address(language="fr-FR"), rules=rules).violations) == []


def test_an_imported_answer_that_differs_overrides_the_bundled_rule(tmp_path: Path) -> None:
    answer = dict(_recorded()["GB-2018-fixture"])
    answer["postalCodeRegex"] = "^(BFPO ?[0-9]{1,4}|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$"
    answer["isCityRequired"] = False
    overlay_file = tmp_path / "gb.yaml"
    status, _, err = _import(tmp_path, [answer], "--out", str(overlay_file))
    assert status == 0, err
    rules = {rule.id: rule for rule in load_rules([overlay_file]).rules}
    gb = rules["address.postal_code.gb_format"]
    assert gb.severity == "warning" and "imported from" in gb.source  # same id, same severity
    report = validate(_payload("GB", postalCode="BFPO 1234", city=None), rules=[overlay_file])
    fired = [v.rule for v in report.violations]
    assert "address.postal_code.gb_format" not in fired
    assert "address.city.required" not in fired and "address.city.expected" in fired


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('"text"', "expected a countryvalidationrules answer"),
        ("[]", "expected a countryvalidationrules answer"),
        ('{"a": {"iso2Code": "US"}, "b": 1}', "expected a countryvalidationrules answer"),
        ('{"iso2Code": "UK"}', "iso2Code 'UK' is not a Partner Center market code (use GB)"),
        ('{"iso2Code": "ZZ"}', "is not a Partner Center market code"),
        ('{"iso2Code": "FR", "isCityRequired": "yes"}', "isCityRequired must be true or false"),
        ('{"iso2Code": "FR", "supportedStatesList": "IDF"}', "supportedStatesList must be a list"),
        ('{"iso2Code": "FR", "postalCodeRegex": "^(a"}', "postalCodeRegex"),
        ('{"iso2Code": "FR", "postalCodeRegex": "^(a+)+\\\\1$"}', "postalCodeRegex"),
        ('{"iso2Code": "FR", "surprise": 1}', "unknown field(s) ['surprise']"),
        (
            '[{"iso2Code": "FR", "isCityRequired": true},'
            ' {"iso2Code": "FR", "isCityRequired": false}]',
            "a second answer for FR",
        ),
    ],
)
def test_bad_answers_are_a_clear_message_and_exit_2(
    tmp_path: Path, content: str, message: str
) -> None:
    source = tmp_path / "answers.json"
    source.write_text(content, encoding="utf-8")
    out, err = _Stream(), _Stream()
    status = main(["rules", "import-country-rules", str(source)], stdout=out, stderr=err)
    assert status == 2
    assert err.text.startswith("pc-validate: cannot import: ") and message in err.text, err.text
    assert str(source) in err.text and "Traceback" not in err.text and out.text == ""


def test_an_existing_out_file_is_never_overwritten(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("precious\n", encoding="utf-8")
    status, _, err = _import(tmp_path, _france(), "--out", str(mine))
    assert status == 2 and "exists; not overwritten" in err
    assert mine.read_text(encoding="utf-8") == "precious\n"


def test_an_unwritable_out_is_exit_2(tmp_path: Path) -> None:
    status, _, err = _import(tmp_path, _france(), "--out", str(tmp_path / "no" / "dir.yaml"))
    assert status == 2 and "cannot be written" in err


def test_a_missing_answers_file_is_exit_2(tmp_path: Path) -> None:
    err = _Stream()
    status = main(
        ["rules", "import-country-rules", str(tmp_path / "none.json")], stdout=_Stream(), stderr=err
    )
    assert status == 2 and "no such file" in err.text


def test_the_overlay_on_stdout_loads(tmp_path: Path) -> None:
    status, text, _ = _import(tmp_path, [_france()])
    assert status == 0
    overlay = tmp_path / "o.yaml"
    overlay.write_text(text, encoding="utf-8")
    assert "address.state.fr_code" in {rule.id for rule in load_rules([overlay]).rules}
    assert render(build_overlay([], load_rules())).startswith("# Rule overlay")


@pytest.mark.parametrize(
    ("country", "state", "repaired"),
    [
        ("CN", "Beijing", "BJ"),
        ("CN", "广东省", "GD"),
        ("AE", "Dubai", "DU"),
        ("BR", "São Paulo", "SP"),
    ],
)
def test_fix_repairs_a_state_name_to_its_code(country: str, state: str, repaired: str) -> None:
    from pc_validate.fix import normalize

    payload = base_payload("us")
    address = payload["billingProfile"]["defaultAddress"]
    address.update(
        country=country,
        state=state,
        postalCode={"CN": "100022", "BR": "01310-100"}.get(country, ""),
    )
    if country == "AE":
        del address["postalCode"]
    fixed, changes = normalize(payload)
    assert fixed["billingProfile"]["defaultAddress"]["state"] == repaired, changes


def test_fix_leaves_a_mexican_state_alone() -> None:
    """Which spelling the service holds for MX is not known: no repair."""
    from pc_validate.fix import normalize

    payload = base_payload("us")
    payload["billingProfile"]["defaultAddress"].update(
        country="MX", state="Jalisco", postalCode="44100"
    )
    fixed, _ = normalize(payload)
    assert fixed["billingProfile"]["defaultAddress"]["state"] == "Jalisco"


def test_fix_keeps_a_language_the_service_lists() -> None:
    from pc_validate.fix import normalize

    payload = base_payload("us")
    payload["billingProfile"].update(culture="pt-PT", language="pt-PT")
    payload["billingProfile"]["defaultAddress"].update(country="PT", postalCode="1250-096")
    fixed, changes = normalize(payload)
    assert fixed["billingProfile"]["language"] == "pt-PT" and not changes


def test_an_answer_s_date_comes_from_its_name_else_its_file_s_name(tmp_path: Path) -> None:
    """A checkout or a copy changes a file's modification date, so it is never given as the
    answer's: a date in the answer's label or the file's name is, else "unknown date"."""
    named = tmp_path / "FR-2024-05-06.json"
    named.write_text(json.dumps(_france()), encoding="utf-8")
    (answer,) = read_answers(named)
    assert answer.date == "2024-05-06"
    labelled = tmp_path / "answers.json"
    labelled.write_text(json.dumps({"FR-2023-01-02": _france()}), encoding="utf-8")
    assert [a.date for a in read_answers(labelled)] == ["2023-01-02"]
    undated = tmp_path / "fr.json"
    undated.write_text(json.dumps(_france()), encoding="utf-8")
    (answer,) = read_answers(undated, today=datetime.date(2026, 1, 2))
    assert answer.date == "unknown date (the file was last modified 2026-01-02)"
