"""The rule table of a run (--statistics, and the end of the text report of a bulk run):
counts, share of records, countries most affected; no payload value under --redact; the
same for any --jobs; nothing computed for it when it is not shown."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD
from conftest import run_cli as run

from pc_validate import bulk
from pc_validate.engine import Validator
from pc_validate.records import Body, Where
from pc_validate.rules import load_rules


def body(**address: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(address)
    return payload


def pascal(payload: dict[str, Any]) -> dict[str, Any]:
    """The body with PascalCase keys, as the documentation's example sends them."""

    def up(value: Any) -> Any:
        if isinstance(value, dict):
            return {key[:1].upper() + key[1:]: up(item) for key, item in value.items()}
        return value

    result: dict[str, Any] = up(payload)
    return result


@pytest.fixture
def export(tmp_path: Path) -> Path:
    records = [
        body(),
        body(state="Washington"),
        pascal(body(state="Washington")),
        body(country="UK"),
        body(country="Germany"),
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


TABLE = """
rules that fired in 5 records validated:
  violations  records  share  rule                   severity  countries most affected
           2        2  40.0%  address.country.code   error     (other) 1, UK 1
           2        2  40.0%  address.state.length   error     US 2
           2        2  40.0%  address.state.us_code  error     US 2
5 records: 1 valid, 4 invalid, 0 unreadable; 6 errors, 0 warnings, 0 info
"""


def test_the_text_report_of_a_bulk_run_ends_with_the_rule_table(export: Path) -> None:
    result = run("check", export)
    assert result.code == 1
    assert result.out.endswith(TABLE)


def test_the_table_is_the_same_for_any_number_of_workers(export: Path) -> None:
    outputs = {run("check", "--jobs", str(jobs), export).out for jobs in (1, 2)}
    assert len(outputs) == 1


def test_under_redact_only_partner_center_market_codes_are_named(export: Path) -> None:
    out = run("check", "--redact", export).out
    table = out[out.index("rules that fired") :]
    assert "address.country.code   error     (other) 2\n" in table  # UK is no market code
    assert "UK" not in out and "Germany" not in out
    assert "US 2" in table


def test_one_record_has_no_table_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(body(state="Washington")), "utf-8")
    assert "rules that fired" not in run("check", path).out
    asked = run("check", "--statistics", path).out
    assert "rules that fired in 1 record validated:" in asked
    assert asked.rstrip().endswith("0 info")


def test_a_clean_bulk_run_has_no_table_and_statistics_says_none_fired(tmp_path: Path) -> None:
    path = tmp_path / "clean.jsonl"
    path.write_text(json.dumps(body()) + "\n" + json.dumps(body()) + "\n", "utf-8")
    assert run("check", path).out == f"{path} line 1: valid\n{path} line 2: valid\n" + (
        "2 records: 2 valid, 0 invalid, 0 unreadable; 0 errors, 0 warnings, 0 info\n"
    )
    assert "no rule fired in 2 records validated\n" in run("check", "--statistics", path).out


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_with_json_formats_the_table_goes_to_stderr(export: Path, fmt: str) -> None:
    result = run("check", "--format", fmt, "--statistics", export)
    assert result.err == TABLE.rsplit("5 records:", 1)[0]
    if fmt == "json":
        json.loads(result.out)
    else:
        [json.loads(line) for line in result.out.splitlines()]
    assert "rules that fired" not in run("check", "--format", fmt, export).err


def test_countries_are_read_in_any_key_spelling_and_unread_ones_are_named_as_such() -> None:
    assert bulk.country_of(pascal(body(country="de"))) == "DE"
    assert bulk.country_of({"BILLINGPROFILE": {"defaultaddress": {"Country": "fr"}}}) == "FR"
    assert bulk.country_of({"billingProfile": {}}) == bulk.NO_COUNTRY
    assert bulk.country_of([1]) == bulk.NO_COUNTRY
    assert bulk.country_of(body(country=None)) == bulk.NO_COUNTRY
    assert bulk.country_of(body(country="Deutschland")) == bulk.OTHER_COUNTRY
    assert bulk.country_of(body(country="Ü1")) == bulk.OTHER_COUNTRY
    assert bulk.country_of(body(country="UK"), {"GB"}) == bulk.OTHER_COUNTRY


def test_workers_send_rule_ids_only_when_the_table_is_wanted() -> None:
    validator = Validator(load_rules([], []))
    record = Body(Where("x.jsonl", 0, 1), body(state="Washington"), None)
    plain = bulk.validate_serially([record], bulk.Settings(as_line=True), validator)
    assert next(plain).fired is None
    wanted = bulk.validate_serially([record], bulk.Settings(statistics=True), validator)
    assert next(wanted).fired == (
        "US",
        (("address.state.length", "error"), ("address.state.us_code", "error")),
    )
    clean = Body(Where("x.jsonl", 1, 2), body(), None)
    settings = bulk.Settings(as_line=True, statistics=True)
    assert next(bulk.validate_serially([clean], settings, validator)).fired is None


TABLE_FR = """
règles déclenchées sur 5 enregistrements validés :
  anomalies  enregistrements    part  règle                  gravité  pays les plus touchés
          2                2  40,0 %  address.country.code   erreur   (autre) 1, UK 1
          2                2  40,0 %  address.state.length   erreur   US 2
          2                2  40,0 %  address.state.us_code  erreur   US 2
5 enregistrements (valide : 1, non valide : 4, illisible : 0) ; 6 erreurs, 0 avertissement, 0 info
"""


def test_the_rule_table_is_in_the_language_of_the_report(export: Path) -> None:
    """Heading, columns, severities, placeholders and numbers as the language writes them
    (CLDR's no-break spaces as plain ones, as the catalogs write their own)."""
    result = run("check", "--locale", "fr", export)
    assert result.out.endswith(TABLE_FR)


def test_the_columns_line_up_on_a_terminal_in_japanese(export: Path) -> None:
    """A CJK character takes two columns: the rule column starts at one column on every line."""
    import unicodedata

    out = run("check", "--locale", "ja", export).out
    lines = out[out.index("検証したレコード") :].splitlines()[1:5]

    def column(line: str) -> int:
        before = line[: line.index("ルール") if "ルール" in line else line.index("address.")]
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in before)

    assert len({column(line) for line in lines}) == 1, lines


def test_numbers_of_the_table_follow_the_language() -> None:
    from pc_validate.languages import ENGLISH, language_of
    from pc_validate.render.statistics import render_statistics

    tally = bulk.Tally()
    for _ in range(1234):
        tally.add(bulk.NO_COUNTRY, [("address.state.us_code", "error")])
    english = render_statistics(tally, 123456, ENGLISH)
    assert "rules that fired in 123,456 records validated:" in english
    assert "1,234    1,234   1.0%  address.state.us_code  error     (none) 1,234\n" in english
    german = render_statistics(tally, 123456, language_of("de"))
    assert "Regeln, die in 123.456 geprüften Datensätzen ausgelöst wurden:" in german
    assert "1.234       1.234   1,0 %  address.state.us_code  Fehler" in german
    assert "(keine Angabe) 1.234" in german
    assert render_statistics(bulk.Tally(), 1, language_of("sv")) == (
        "ingen regel utlöstes i 1 validerad post\n"
    )
