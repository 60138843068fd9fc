"""Violations' line and column in the input (issue 15 item 1): JSON files (one body or an
array, pretty or on one line), JSON Lines and CSV cells; keys in any letter case, keys sent
twice, UTF-8/16/32 with a byte-order mark, CRLF, characters beyond U+FFFF (columns count
UTF-16 code units); a missing field at its parent; the same places under --redact and
--jobs. Each location is checked by cutting the input at it and comparing the text."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD, run_cli

from pc_validate import bulk
from pc_validate.inputs import Body, Where
from pc_validate.locations import unredacted
from pc_validate.records import Origin


def cut(text: str, location: dict[str, int], *, universal: bool = False) -> str:
    """The text between a location's start and end (columns in UTF-16 code units)."""
    ends = r"\r\n?|\n" if universal else r"\n"
    starts = [0] + [m.end() for m in re.finditer(ends, text)]

    def index(line: int, column: int) -> int:
        at = starts[line - 1]
        units = 1
        while units < column:
            units += 2 if ord(text[at]) > 0xFFFF else 1
            at += 1
        assert units == column, "a column inside a surrogate pair"
        return at

    start = index(location["line"], location["column"])
    return text[start : index(location["end_line"], location["end_column"])]


def located(path: Path, *options: str) -> list[dict[str, Any]]:
    done = run_cli("check", "--format", "json", "--positions", *options, path)
    assert done.code in (0, 1), done.err
    return [v for r in done.json()["results"] for v in r["violations"]]


def by_rule(violations: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {v["rule"]: v for v in violations}


def body(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(changes)
    return payload


PRETTY = (
    '{\n  "BillingProfile": {\n    "Email": "a@contoso.com",\n    "Culture": "en-us",\n'
    '    "Language": "en",\n    "CompanyName": "Contoso \U0001f600",\n'
    '    "DefaultAddress": {\n      "FirstName": "Ann", "LastName": "Lee",\n'
    '      "AddressLine1": "1 Main St", "City": "Redmond", "State": "WA",\n'
    '      "PostalCode": "98052", "Country": "UK", "Country": "us", "Extra": 1\n    }\n  },\n'
    '  "CompanyProfile": {"Domain": "contoso.onmicrosoft.com"}\n}\n'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_pretty_json_in_any_encoding_and_line_end(
    tmp_path: Path, encoding: str, newline: str
) -> None:
    text = PRETTY.replace("\n", newline)
    path = tmp_path / "body.json"
    path.write_bytes(text.encode(encoding))  # utf-16 and utf-32 write a byte-order mark
    found = by_rule(located(path))
    assert cut(text, found["payload.unknown_key"]["location"]) == '"Extra"'
    duplicate = found["payload.ambiguous_key"]
    assert duplicate["path"] == "/BillingProfile/DefaultAddress/Country"
    assert cut(text, duplicate["location"]) == '"Country"'
    assert duplicate["location"]["line"] == 10  # its second occurrence, the one judged
    assert duplicate["location"]["column"] == 47
    assert cut(text, found["billing.culture.case"]["location"]) == '"en-us"'


def test_a_character_beyond_the_bmp_counts_two_columns(tmp_path: Path) -> None:
    payload = body(city="\U0001f600\U0001f600", state="Washington")
    path = tmp_path / "one-line.json"
    text = json.dumps(payload, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    state = by_rule(located(path))["address.state.us_code"]
    assert cut(text, state["location"]) == '"Washington"'
    chars = text.index('"Washington"') + 1
    assert state["location"]["column"] == chars + 2  # two astral characters before it


def test_a_missing_field_is_placed_at_its_parent(tmp_path: Path) -> None:
    payload = body()
    del payload["billingProfile"]["defaultAddress"]["city"]
    path = tmp_path / "missing.json"
    text = json.dumps(payload, indent=2)
    path.write_text(text, encoding="utf-8")
    missing = by_rule(located(path))["address.city.required"]
    address = json.dumps(payload["billingProfile"]["defaultAddress"], indent=2)
    assert cut(text, missing["location"]).replace("\n    ", "\n") == address


def test_array_elements_on_one_line_and_on_many(tmp_path: Path) -> None:
    records = [body(city="\U0001f600"), body(state="Washington"), body(postalCode="9")]
    one_line = json.dumps(records, ensure_ascii=False)
    pretty = json.dumps(records, ensure_ascii=False, indent=2)
    for name, text in (("line.json", one_line), ("pretty.json", pretty)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        found = by_rule(located(path))
        assert cut(text, found["address.state.us_code"]["location"]) == '"Washington"'
        assert cut(text, found["address.postal_code.us_format"]["location"]) == '"9"'


def test_json_lines_crlf_and_bom(tmp_path: Path) -> None:
    lines = [json.dumps(body()), json.dumps(body(state="Washington"), indent=None)]
    text = "\ufeff" + "\r\n".join(lines) + "\r\n"
    path = tmp_path / "records.jsonl"
    path.write_bytes(text.encode("utf-8"))
    state = by_rule(located(path))["address.state.us_code"]
    assert state["location"]["line"] == 2
    assert cut(text[1:], state["location"]) == '"Washington"'


CSV = (
    "billingProfile.Email;billingProfile.companyName;billingProfile.culture;"
    "billingProfile.language;billingProfile.defaultAddress.firstName;"
    "billingProfile.defaultAddress.lastName;billingProfile.defaultAddress.addressLine1;"
    "billingProfile.defaultAddress.city;billingProfile.defaultAddress.state;"
    "billingProfile.defaultAddress.postalCode;billingProfile.defaultAddress.country;"
    "companyProfile.domain;Extra\r\n"
    'a@contoso.com;"Contoso;\r\n""Two"" lines";en-US;en;Ann;Lee;1 Main St;Redmond;'
    '"Washington";98052;US;contoso.onmicrosoft.com;x\r\n'
    "b@contoso.com;\U0001f600;en-US;en;Bo;Li;2 Main St;;WA;98052;US;contoso.onmicrosoft.com;\r\n"
)


def test_csv_cells_at_their_physical_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(CSV.encode("utf-8"))
    violations = located(path)
    found = by_rule(violations)
    state = found["address.state.us_code"]
    assert state["location"]["line"] == 3  # the row starts on line 2; its cell is on line 3
    assert cut(CSV, state["location"], universal=True) == '"Washington"'
    assert cut(CSV, found["payload.unknown_key"]["location"], universal=True) == "x"
    city = found["address.city.required"]  # missing: the whole row
    assert city["location"]["line"] == 4
    assert cut(CSV, city["location"], universal=True) == CSV.splitlines()[-1]


def test_redacted_locations_are_the_same(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text(PRETTY, encoding="utf-8")
    plain = {v["rule"]: v["location"] for v in located(path)}
    redacted = located(path, "--redact")
    assert {v["rule"]: v["location"] for v in redacted} == plain
    assert by_rule(redacted)["payload.unknown_key"]["path"].endswith("/*8")  # "Extra"


def test_locations_do_not_depend_on_jobs(tmp_path: Path) -> None:
    records = [body(state="Washington" if i % 3 else "WA", city="\U0001f600") for i in range(50)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    one = run_cli("check", "--format", "json", "--positions", "--jobs", "1", path)
    two = run_cli("check", "--format", "json", "--positions", "--jobs", "2", path)
    assert one.out == two.out
    assert '"location"' in one.out


def test_a_clean_record_and_a_payload_in_memory_have_no_location() -> None:
    """Located only after validation found something, and only with the text at hand."""
    settings = bulk.Settings(positions=True)
    memory = Body(Where("x", 0), payload=body(state="Washington"))
    text = json.dumps(body(state="Washington"))
    read = Body(Where("x", 0), payload=json.loads(text), origin=Origin(text))
    (bare,) = bulk.validate_serially([memory], settings)
    (found,) = bulk.validate_serially([read], settings)
    (off,) = bulk.validate_serially([read], bulk.Settings())
    assert all("location" not in v for v in bare.result["violations"])
    assert all("location" in v for v in found.result["violations"])
    assert all("location" not in v for v in off.result["violations"])


def test_unredacted_pointers() -> None:
    payload = {"a": {"x~/y": 1, "b": [{"k": 1}]}, "c": 2}
    assert unredacted("/a/*1", payload) == "/a/x~0~1y"
    assert unredacted("/a/*2/0/*1", payload) == "/a/b/0/k"
    assert unredacted("/*9", payload) == "/*9"  # no ninth key: left as it is
    assert unredacted("/c/*1", payload) == "/c/*1"
