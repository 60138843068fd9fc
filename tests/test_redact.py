"""Redaction scan: with --redact (or validate(..., redact=True)) no payload value reaches any
output, in any format, on stdout or stderr.

The bodies below are full of distinctive personal values (names, email addresses, phone
numbers, registration numbers, addresses, domains, credentials) and of values that are wrong
in ways that make rules echo them or suggest a corrected spelling ("United Kingdom", "EN-us",
"California", a registration number with spaces, misspelt keys whose values are personal).
Every output is scanned, case-insensitively, for each value and for its meaningful parts: the
local part and the domain of an email address, the digits of a phone or registration number,
every longer word of a name or address. Each scan has a guard: without redaction the same
run repeats the values the scan looks for, so a scan that finds nothing means something.

What is scanned: `check` in the text (coloured too), JSON and JSON Lines formats, for single
files, stdin, a JSON array, JSON Lines and CSV (each with unreadable records whose raw text
holds personal values), serially and with --jobs 2; `fix` and `fix --in-place` (their change
lists on stderr: the repaired body on stdout is the user's own data and holds the values, by
design); the Python API (validate() on dicts, JSON text and bytes, in every cloud; the
report's JSON, dict and repr, and every field of every violation).

Keys can hold personal data too ("ottoline.quartermaine@private.example": "x", a column of a
CRM export named after a customer). Under redaction a key that is not a known field is named by
its position (`/billingProfile/*6`, the object's sixth key) in every format: the path, the
message and the params of the JSON report and of JSON Lines, the text report, and the change
list of `fix`; known field names (any spelling that matches one) stay as sent. KEYED holds
distinctive personal keys of every kind: unknown, misspelt, sent twice, differing only in case,
inside unknown objects and arrays; each is scanned for the same way as the values.
"""

from __future__ import annotations

import copy
import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli as run

from pc_validate import Validator, load_rules, normalize, validate

# --------------------------------------------------------------------------------------------
# Bodies full of personal values

US: dict[str, Any] = {
    "companyProfile": {
        "domain": "ottoline-quartermaine.onmicrosoft.com",
        "organizationRegistrationNumber": "QX 4471 9920 WP",
        "companyName": "Quartermaine Hollow Widgets",
    },
    "billingProfile": {
        "email": "ottoline.quartermaine@@quartermaine-widgets.example",
        "culture": "EN-us",
        "language": "EN",
        "companyName": "Quartermaine Hollow Widgets LLC  ",
        "firstNmae": "Ottilie",
        "emial": "o.quartermaine.private@hollowmere.example",
        "defaultAddress": {
            "firstName": " Ottoline",
            "lastName": "Quartermaine-Fforde ",
            "middleName": " ".join(["Persephone"] * 6),
            "addressLine1": "  1729 Wellesbourne Crescent",
            "addressLine2": "Flat 9b, Haverstock Mews",
            "city": "Snoqualmie Pass",
            "state": "California",
            "postalCode": "9O21O",
            "country": "us",
            "phoneNumber": "617-555-0177",
            "PhoneNumber": "(617) 555-0142 ext. 93",
            "telephone": "+1 617 555 0199",
        },
    },
    "userCredentials": {"userName": "oquartermaine", "password": "Hunter2-Correct-Horse"},
    "customDomains": ["quartermaine-widgets.example"],
}

#: "UK" -> "GB" is a repair fix withholds here: the postal code is not British.
UK: dict[str, Any] = {
    "companyProfile": {
        "domain": "zoeodegardco.onmicrosoft.com",
        "organizationRegistrationNumber": "OC 301 557",
    },
    "billingProfile": {
        "email": "zoe.odegard@odegard-consulting",
        "culture": "en-UK",
        "language": "en",
        "companyName": "Ødegård Consulting Ltd",
        "defaultAddress": {
            "firstName": " Zoëlle",
            "lastName": "Ødegård",
            "addressLine1": "221B Bakerloo Yard",
            "city": "Marylebone",
            "state": "Greater Londinium",
            "postalCode": "90210-8137",
            "country": "UK",
            "phoneNumber": "020 7946 0958 9",
        },
    },
}

#: A country name where the code belongs, in a body for Germany.
DE: dict[str, Any] = {
    "companyProfile": {"domain": "kunigundeeberhardt.onmicrosoft.com"},
    "billingProfile": {
        "email": "kunigunde.eberhardt@eberhardt werkstatt.example",
        "culture": "de-de",
        "language": "De",
        "companyName": "Eberhardt Werkstatt GmbH",
        "defaultAddress": {
            "firstName": "Kunigunde",
            "lastName": "Eberhardt",
            "addressLine1": "Pfefferminzgasse 44",
            "city": "Quedlinburg",
            "postalCode": "064840",
            "country": "Germany",
            "phoneNumber": "+49 3946 81 77 55 1234 99",
        },
    },
}

BR: dict[str, Any] = {
    "companyProfile": {
        "domain": "fernandapessoa.onmicrosoft.com",
        "organizationRegistrationNumber": "11 222 333 0001 81",
    },
    "billingProfile": {
        "email": "fernanda.pessoa@pessoa-ltda.example",
        "culture": "pt-br",
        "language": "PT",
        "companyName": "Pessoa Importadora Ltda",
        "defaultAddress": {
            "firstName": "Fernanda",
            "lastName": "Pessoa",
            "addressLine1": "Rua Visconde de Pirajá 414",
            "city": "Itaguaí",
            "state": "Rio de Janeiro",
            "postalCode": "22410-00",
            "country": "br",
            "phoneNumber": "+55 21 9 8765-43210",
        },
    },
}

RU: dict[str, Any] = {
    "companyProfile": {
        "domain": "vasilisaromanova.onmicrosoft.com",
        "organizationRegistrationNumber": "7707 083 894",
    },
    "billingProfile": {
        "email": "vasilisa@romanova",
        "culture": "ru-ru",
        "language": "ru",
        "companyName": "OOO Romanova Prom",
        "defaultAddress": {
            "firstName": "Vasilisa",
            "lastName": "Romanova",
            "addressLine1": "ulitsa Tverskaya 13",
            "city": "Moskva",
            "postalCode": "1250099",
            "country": "RU",
            "phoneNumber": "8 (495) 123-45-6",
        },
    },
}

BODIES: dict[str, dict[str, Any]] = {"us": US, "uk": UK, "de": DE, "br": BR, "ru": RU}

#: Values each body's unredacted JSON report repeats (as value, in a message or as a
#: suggestion built from them): the guard that proves the scan can see a leak.
ECHOED: dict[str, set[str]] = {
    "us": {
        "ottoline-quartermaine",  # the domain
        "ottoline.quartermaine",  # the email's local part
        "quartermaine-widgets.example",
        "EN-us",
        "Ottoline",
        "Quartermaine-Fforde",
        "Wellesbourne",
        "California",
        "9O21O",
        "QX 4471 9920 WP",
        "Persephone",
        "Quartermaine Hollow Widgets LLC",
        "(617) 555-0142 ext. 93",
    },
    "uk": {"en-UK", "zoe.odegard", "odegard-consulting"},
    "de": {"Germany", "de-de", "kunigunde.eberhardt", "eberhardt werkstatt.example"},
    "br": {"11222333000181", "22410-00", "Rio de Janeiro", "8765-43210", "pt-br"},
    "ru": {"7707 083 894", "1250099", "vasilisa@romanova"},
}

#: Records that cannot be read, each with personal values in its raw text.
SECRET = ("Wilhelmina", "Brightwater", "wilhelmina.brightwater", "hushhush.example", "4255550199")
BROKEN_JSONL_LINES: tuple[bytes, ...] = (
    b'{"billingProfile": {"email": "wilhelmina.brightwater@hushhush.example" "x": 1}}',
    b'{"billingProfile": {"firstName": "Wilhelmina\x00Brightwater"}}',
    b'{"billingProfile": {"lastName": \'Brightwater\'}}',
    b'{"billingProfile": {"lastName": "Brightw\xe4ter", "firstName": "Wilhelmina"}}',
    b'{"billingProfile": {"defaultAddress": {"phoneNumber": 4255550199x}}}',
    b'{"billingProfile": {"companyName": "Brightwater Wilhelmina", "n": NaN}}',
    b'{"billingProfile": {"companyName": "Wilhelmina Brightwater\\q"}}',
    b'{"billingProfile": {"companyName": "Brightwater Wilhelmina",}}',
    b'{"billingProfile": {"companyName": "Wilhelmina Brightwater"}} wilhelmina.brightwater',
    b'{"billingProfile": {"companyName": "Wilhelmina Brightwater',
)


# --------------------------------------------------------------------------------------------
# Needles: what must not be found


def _strings(value: Any) -> Iterator[str]:
    """Every string value in a body (keys are not values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def needles_of(value: str) -> set[str]:
    """A value and its meaningful parts: the text itself, an email's local part and domain,
    the digits of a number, each word of five letters or more."""
    text = value.strip()
    found = {text} if len(text) >= 4 else set()
    if "@" in text:
        local, _, domain = text.rpartition("@")
        found |= {part.strip("@") for part in (local, domain) if len(part.strip("@")) >= 4}
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 6:
        found.add(digits)
    found |= {group for group in re.findall(r"\d+", text) if len(group) >= 4}
    found |= {word for word in re.findall(r"[^\W\d_]+", text) if len(word) >= 5}
    return found


#: Words that are values here but also ordinary words of the rules' own texts.
_COMMON_WORDS = frozenset({"example", "microsoft", "onmicrosoft", "onmicrosoft.com"})


def needles(*bodies: Any) -> set[str]:
    found: set[str] = set()
    for body in bodies:
        for value in _strings(body):
            found |= needles_of(value)
    return {n for n in found if n.casefold() not in _COMMON_WORDS}


def leaks(text: str, wanted: set[str]) -> list[str]:
    """The needles found in `text`, also as JSON would escape them; letter case is ignored
    for needles of six characters or more (shorter ones, such as the culture "EN-us", match
    exactly: in another case they are words of the rules' own texts, "EN-US" in a source)."""
    folded = text.casefold()
    found = []
    for needle in wanted:
        forms = {needle, json.dumps(needle)[1:-1]}
        if len(needle) >= 6:
            found += [needle] if any(form.casefold() in folded for form in forms) else []
        elif any(form in text for form in forms):
            found.append(needle)
    return sorted(found)


def test_needles_cover_the_parts_of_a_value() -> None:
    assert needles_of(" ottoline.q@private-mail.example ") >= {
        "ottoline.q@private-mail.example",
        "ottoline.q",
        "private-mail.example",
        "ottoline",
    }
    assert {"6175550142", "0142"} <= needles_of("(617) 555-0142")
    assert "Wellesbourne" in needles_of("1729 Wellesbourne Crescent")
    assert leaks('{"v": "Z\\u00f6e Ødegård"}', {"Zöe", "ødegård"}) == ["Zöe", "ødegård"]
    assert leaks("sent EN-US", {"EN-us", "ÖDEGÅRD"}) == []
    assert leaks("sent ödegård", {"EN-us", "ÖDEGÅRD"}) == ["ÖDEGÅRD"]


# --------------------------------------------------------------------------------------------
# Running the command


def _write(path: Path, body: Any) -> Path:
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every body as a file of its own, and the bulk inputs."""
    folder = tmp_path_factory.mktemp("redact")
    found = {name: _write(folder / f"{name}.json", body) for name, body in BODIES.items()}
    found["array"] = _write(folder / "bodies.json", list(BODIES.values()))
    broken_array = json.dumps([US, BR], ensure_ascii=False)
    broken_array = broken_array.replace('"Fernanda"', '"Fernanda" "Wilhelmina Brightwater"')
    found["array-broken"] = folder / "broken-array.json"
    found["array-broken"].write_text(broken_array, encoding="utf-8")
    lines = [json.dumps(body, ensure_ascii=False).encode() for body in BODIES.values()]
    found["jsonl"] = folder / "bodies.jsonl"
    found["jsonl"].write_bytes(b"\n".join(_interleave(lines, list(BROKEN_JSONL_LINES))) + b"\n")
    found["csv"] = _csv(folder / "bodies.csv")
    found["broken"] = folder / "broken.json"
    found["broken"].write_text(
        json.dumps(US, ensure_ascii=False).replace('"California"', '"California" "Brightwater"'),
        encoding="utf-8",
    )
    return found


def _interleave(first: list[bytes], second: list[bytes]) -> Iterator[bytes]:
    for index in range(max(len(first), len(second))):
        yield from first[index : index + 1]
        yield from second[index : index + 1]


def _flat(body: Any, prefix: str = "") -> dict[str, str]:
    """A body as CSV cells by dotted path (lists cannot be CSV cells: left out)."""
    cells: dict[str, str] = {}
    for key, value in body.items():
        if isinstance(value, dict):
            cells.update(_flat(value, f"{prefix}{key}."))
        elif isinstance(value, str):
            cells[prefix + key] = value
    return cells


def _csv(path: Path) -> Path:
    rows = [_flat(body) for body in BODIES.values()]
    header = sorted({column for row in rows for column in row})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
        # a row with more cells than the header names, and one that is not CSV at all
        writer.writerow(["Wilhelmina", "Brightwater", *(["wilhelmina.brightwater"] * len(header))])
        handle.write('Wilhelmina,"Brightwater"4255550199,x\r\n')
    return path


ALL = needles(*BODIES.values()) | set(SECRET)


def _assert_no_leak(where: str, text: str, wanted: set[str] = ALL) -> None:
    found = leaks(text, wanted)
    assert not found, f"{where} repeats {found}"


# --------------------------------------------------------------------------------------------
# The guards: without redaction, the values are there to be found


def test_bodies_make_the_report_echo_their_values(files: dict[str, Path]) -> None:
    for name in BODIES:
        code, out, err = run("check", "--format", "json", files[name])
        assert code in (0, 1) and not err, (name, err)
        missing = set(ECHOED[name]) - set(leaks(out, ECHOED[name]))
        assert not missing, f"{name}: the unredacted report no longer repeats {missing}"
        for echoed in ECHOED[name]:  # and the scan would notice each of them
            assert leaks(echoed, ALL), echoed


def test_unreadable_records_hold_the_secret_in_their_raw_text(files: dict[str, Path]) -> None:
    raw = files["jsonl"].read_bytes().decode("utf-8", "replace")
    assert set(leaks(raw, set(SECRET))) == set(SECRET)
    code, out, err = run("check", "--format", "json", files["jsonl"])
    doc = json.loads(out)
    assert code == 2
    assert doc["summary"]["unreadable"] == len(BROKEN_JSONL_LINES)
    assert err.count("\n") == doc["summary"]["unreadable"]


# --------------------------------------------------------------------------------------------
# check --redact: every format, every input kind


FORMATS = [("text",), ("text", "--color", "always"), ("json",), ("jsonl",)]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: "-".join(f))
def test_check_single_files(files: dict[str, Path], fmt: tuple[str, ...]) -> None:
    names = [files[name] for name in BODIES]
    code, out, err = run("check", "--redact", "--format", *fmt, *names)
    assert code == 1
    assert out.count("/billingProfile") >= 20  # the findings are all still there
    _assert_no_leak(f"check --format {fmt} stdout", out)
    _assert_no_leak(f"check --format {fmt} stderr", err)
    plain = run("check", "--format", *fmt, *names)[1]
    assert leaks(plain, ALL), "guard: unredacted, the same run repeats the values"


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl"])
@pytest.mark.parametrize("kind", ["array", "array-broken", "jsonl", "csv", "broken"])
def test_check_bulk_inputs(files: dict[str, Path], kind: str, fmt: str) -> None:
    code, out, err = run("check", "--redact", "--format", fmt, files[kind])
    assert code in (1, 2)
    _assert_no_leak(f"{kind} --format {fmt} stdout", out)
    _assert_no_leak(f"{kind} --format {fmt} stderr", err)
    if kind != "array":
        assert err, "an unreadable record is reported on stderr"
    if kind != "broken":  # an unreadable file repeats nothing, redacted or not
        plain_out = run("check", "--format", fmt, files[kind])[1]
        assert leaks(plain_out, ALL), "guard: unredacted, the same run repeats the values"


def test_check_stdin(files: dict[str, Path]) -> None:
    for kind, declared in (("us", "json"), ("jsonl", "jsonl"), ("csv", "csv")):
        data = files[kind].read_bytes()
        code, out, err = run(
            "check", "--redact", "--input-format", declared, "--format", "json", "-", stdin=data
        )
        assert code in (1, 2), kind
        _assert_no_leak(f"stdin {kind}", out + err)


def test_check_with_worker_processes(files: dict[str, Path]) -> None:
    """--jobs 2: the workers build the results; redaction travels with them."""
    code, out, err = run(
        "check", "--redact", "--jobs", "2", "--format", "jsonl", files["jsonl"], files["csv"]
    )
    assert code == 2
    summary = json.loads(out.splitlines()[-1])["summary"]
    assert summary["valid"] + summary["invalid"] == 2 * len(BODIES)
    _assert_no_leak("--jobs 2 stdout", out)
    _assert_no_leak("--jobs 2 stderr", err)


def test_unknown_keys_are_named_by_position(files: dict[str, Path]) -> None:
    """Under redaction a report still points at every field: known ones by the keys as sent,
    the others (misspelt ones too) by their position. Nothing else of the body is left."""
    _, out, _ = run("check", "--redact", "--format", "json", files["us"])
    violations = json.loads(out)["results"][0]["violations"]
    paths = {v["path"] for v in violations}
    # billingProfile: email, culture, language, companyName, firstNmae, emial, ...
    assert {"/billingProfile/*5", "/billingProfile/*6"} <= paths
    # PhoneNumber is phoneNumber spelled otherwise: a known field, named as sent
    assert "/billingProfile/defaultAddress/phoneNumber" in paths
    assert "/billingProfile/defaultAddress/*12" in paths  # telephone
    for violation in violations:
        assert "value" not in violation, violation
        assert violation["suggestion"] is None, violation
        for key in ("emial", "firstNmae", "telephone"):
            assert key not in json.dumps(violation), violation
    plain = json.loads(run("check", "--format", "json", files["us"])[1])["results"][0]
    paths = {v["path"] for v in plain["violations"]}  # without redaction: as sent
    assert {"/billingProfile/emial", "/billingProfile/firstNmae"} <= paths


# --------------------------------------------------------------------------------------------
# Keys that hold personal data

KEY_SECRETS = (
    "Quillfeather",
    "thistlewood.private",
    "Marchbanks",
    "Pennywhistle",
    "Fairweather",
    "Ravensworth",
    "Ollerenshaw",
    "Abernethy",
)
#: Every kind of key a report names: unknown at the root and in known objects, an email
#: address as a key, two spellings of an unknown key, an unknown key sent twice, a misspelt
#: key with a "did you mean", keys sent twice inside an unknown object and inside an array,
#: and a known field spelled otherwise (left as sent). Each value is wrong, too.
KEYED = (
    '{"Quillfeather Holdings": 1,'
    ' "companyProfile": {"domain": "contoso.onmicrosoft.com", "Abernethy": "x"},'
    ' "billingProfile": {"email": "a@b", "culture": "EN-us", "language": "en",'
    ' "companyName": "Wingtip Toys ", "thistlewood.private@mail.example": "x",'
    ' "Marchbanks": 1, "MARCHBANKS": 2, "Pennywhistle": 1, "Pennywhistle": 2,'
    ' "emial": "x", "CompanyName": "Wingtip", "defaultAddress": {"firstName": "Gena",'
    ' "lastName": "Soto", "addressLine1": "One Microsoft Way", "city": "Redmond",'
    ' "state": "WA", "postalCode": "98052", "country": "us", "Fairweather Lane": 1}},'
    ' "extra": {"Ravensworth": {"Ravensworth": 1, "Ravensworth": 2}},'
    ' "customDomains": [{"Ollerenshaw": 1, "Ollerenshaw": 2}]}'
)
KEY_NEEDLES = set(KEY_SECRETS)


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    found = {"body": folder / "keyed.json", "lines": folder / "keyed.jsonl"}
    found["body"].write_text(KEYED, encoding="utf-8")
    found["lines"].write_text(f"{KEYED}\n{KEYED}\n", encoding="utf-8")
    return found


@pytest.mark.parametrize("fmt", [*FORMATS, ("jsonl", "--jobs", "2")], ids="-".join)
def test_check_names_no_personal_key(keyed: dict[str, Path], fmt: tuple[str, ...]) -> None:
    for name in ("body", "lines"):
        code, out, err = run("check", "--redact", "--format", *fmt, keyed[name])
        assert code == 1 and not err, err
        assert out.count("/*") >= 5
        _assert_no_leak(f"check --format {fmt} {name}", out, KEY_NEEDLES)
        plain = run("check", "--format", *fmt, keyed[name])[1]
        assert set(leaks(plain, KEY_NEEDLES)) == KEY_NEEDLES - {"Ravensworth", "Ollerenshaw"}


def test_the_redacted_report_names_keys_by_position(keyed: dict[str, Path]) -> None:
    doc = json.loads(run("check", "--redact", "--format", "json", keyed["body"])[1])
    found = {(v["rule"], v["path"]): v for v in doc["results"][0]["violations"]}
    assert found[("payload.unknown_key", "/*1")]["params"] == {
        "key": "*1",
        "parent": "the request body",
    }
    marchbanks = found[("payload.ambiguous_key", "/billingProfile/*6")]
    assert marchbanks["params"]["keys"] == ["*6", "*7"]
    assert "has the keys *6 and *7, which differ only in case" in marchbanks["message"]
    repeated = found[("payload.ambiguous_key", "/billingProfile/*8")]
    assert "has the key *8 more than once" in repeated["message"]
    misspelt = found[("payload.unknown_key", "/billingProfile/*9")]  # emial: did you mean email
    assert misspelt["suggestion"] is None
    assert (
        misspelt["message"] == "The key *9 is not a field Partner Center knows in billingProfile."
    )
    names = found[("payload.ambiguous_key", "/billingProfile/companyName")]["params"]
    assert names["keys"] == ["companyName", "CompanyName"]  # known fields stay as sent
    for violation in found.values():
        assert "value" not in violation and violation["suggestion"] is None, violation


def test_fix_names_no_personal_key(keyed: dict[str, Path], tmp_path: Path) -> None:
    code, out, err = run("fix", "--redact", keyed["body"])
    assert code == 1
    assert "/billingProfile/*8: the key is sent more than once" in err, err
    assert "/*4/*1/*1: the key is sent more than once" in err, err
    assert "/customDomains/0/*1: the key is sent more than once" in err, err
    _assert_no_leak("fix stderr", err, KEY_NEEDLES)
    target = tmp_path / "keyed.json"
    target.write_text(KEYED, encoding="utf-8")
    code, out, err = run("fix", "--redact", "--in-place", target)
    assert code == 1 and out == ""
    _assert_no_leak("fix --in-place stderr", err, KEY_NEEDLES)
    assert set(leaks(run("fix", keyed["body"])[2], KEY_NEEDLES)) >= {
        "Pennywhistle",
        "Ravensworth",
        "Ollerenshaw",
    }


def test_validate_names_no_personal_key() -> None:
    for payload in (KEYED, KEYED.encode(), json.loads(KEYED)):
        report = validate(payload, redact=True)
        assert len(report.violations) >= 8
        _assert_no_leak("validate(redact=True) to_json", report.to_json(), KEY_NEEDLES)
        _assert_no_leak("validate(redact=True) repr", repr(report), KEY_NEEDLES)
    assert leaks(validate(KEYED).to_json(), KEY_NEEDLES)


# --------------------------------------------------------------------------------------------
# fix --redact


def test_fix_lists_changes_without_values(files: dict[str, Path]) -> None:
    """The change list on stderr withholds the values; the repaired body on stdout is the
    user's own data (asked for), so it holds them."""
    for name, body in BODIES.items():
        code, out, err = run("fix", "--redact", files[name])
        assert code in (0, 1), (name, err)
        assert err.count("(value withheld)") >= 1, (name, err)
        _assert_no_leak(f"fix {name} stderr", err)
        assert json.loads(out) == normalize(body).payload
        plain_err = run("fix", files[name])[2]
        assert leaks(plain_err, ALL), f"guard: unredacted, fix {name} lists the values"


def test_fix_withheld_repair_is_listed_without_values(files: dict[str, Path]) -> None:
    _, _, err = run("fix", "--redact", files["uk"])
    assert "not changed to (value withheld) (address.country.code)" in err, err
    _assert_no_leak("fix uk stderr", err)


def test_fix_in_place_and_stdin(files: dict[str, Path], tmp_path: Path) -> None:
    target = _write(tmp_path / "customer.json", US)
    code, out, err = run("fix", "--redact", "--in-place", target)
    assert code == 1 and out == ""  # the email address is still wrong
    _assert_no_leak("fix --in-place stderr", err)
    assert json.loads(target.read_text("utf-8")) == normalize(US).payload
    code, out, err = run("fix", "--redact", "-", stdin=files["br"].read_bytes())
    assert code == 0 and json.loads(out) == normalize(BR).payload
    _assert_no_leak("fix stdin stderr", err)
    code, out, err = run("fix", "--redact", files["broken"])
    assert code == 2 and out == ""
    _assert_no_leak("fix of a broken file, stderr", err)


# --------------------------------------------------------------------------------------------
# The Python API


def _scan_report(where: str, report: Any) -> None:
    assert report.violations, where
    _assert_no_leak(f"{where} to_json", report.to_json())
    _assert_no_leak(f"{where} to_json(indent=None)", report.to_json(indent=None))
    _assert_no_leak(f"{where} to_dict", json.dumps(report.to_dict(), ensure_ascii=False))
    _assert_no_leak(f"{where} repr", repr(report))
    for violation in report.violations:
        assert "value" not in violation.to_dict(), violation
        assert violation.suggestion is None, violation
        for name in ("message", "params", "path", "rule", "source", "code"):
            _assert_no_leak(f"{where} {violation.rule} {name}", str(getattr(violation, name)))


@pytest.mark.parametrize("cloud", ["global", "21vianet", "usgov"])
def test_api_validate_redact(cloud: str) -> None:
    for name, body in BODIES.items():
        text = json.dumps(body, ensure_ascii=False)
        for payload in (copy.deepcopy(body), text, text.encode("utf-8")):
            report = validate(payload, redact=True, cloud=cloud)
            _scan_report(f"{name}/{cloud}/{type(payload).__name__}", report)
        plain = validate(body, cloud=cloud)
        assert leaks(plain.to_json(), ALL), "guard: unredacted, the report repeats values"


def test_api_validator_and_unparsable_text() -> None:
    validator = Validator(load_rules())
    for name, body in BODIES.items():
        _scan_report(f"Validator {name}", validator.validate(body, redact=True))
    broken = json.dumps(US).replace('"California"', '"California" "Brightwater"')
    for payload in (broken, broken.encode(), *BROKEN_JSONL_LINES):
        report = validate(payload, redact=True)
        assert [v.rule for v in report.violations] == ["payload.json"]
        _scan_report("unparsable text", report)


# --------------------------------------------------------------------------------------------
# CSV headers: the header row is read as keys, and a file without one leaks its first row


#: First rows of CSV files without a header row that the header check rejects, each quoting
#: a cell in its message: a duplicate column, a cell that is not a dotted path, a cell
#: "inside" another.
HEADERLESS_REJECTED = {
    "duplicate": "Wilhelmina,Brightwater,Wilhelmina\nGena,Soto,Gena\n",
    "not a path": "Wilhelmina Brightwater Ltd.,4255550199\nWingtip Toys Ltd.,4255550101\n",
    "inside": "Wilhelmina,Wilhelmina.Brightwater\nGena,Gena.Soto\n",
}


@pytest.mark.parametrize("shape", sorted(HEADERLESS_REJECTED))
def test_csv_header_messages_withhold_the_cells(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "no-header.csv"
    path.write_text(HEADERLESS_REJECTED[shape], encoding="utf-8")
    code, out, err = run("check", "--redact", path)
    _assert_no_leak(f"CSV header: {shape}", out + err, set(SECRET))
    assert code == 2
    assert "is the header row missing?" in err


def test_csv_without_header_row_does_not_leak_its_first_row(tmp_path: Path) -> None:
    path = tmp_path / "no-header.csv"
    path.write_text(
        "Wilhelmina,Brightwater,wilhelmina.brightwater@hushhush.example,4255550199\n"
        "Gena,Soto,gena@wingtiptoys.com,4255550101\n",
        encoding="utf-8",
    )
    code, out, err = run("check", "--redact", "--format", "json", path)
    _assert_no_leak("CSV without a header row", out + err, set(SECRET))
    assert code == 2
    assert "is the header row missing?" in json.loads(out)["results"][0]["error"]["message"]


def test_no_redacted_template_names_what_redaction_withholds() -> None:
    """A `:redacted` template is shown when the value (and the suggestion made from it) are
    withheld, so it has no {value} or {suggestion}: they would be empty ("codes it : send")."""
    from pc_validate.checks import REGISTRY
    from pc_validate.model import Plural

    offending = []
    for name, kind in REGISTRY.items():
        for key, template in kind.templates.items():
            text = " ".join(template) if isinstance(template, Plural) else template
            if key.endswith(":redacted") and ("{value}" in text or "{suggestion}" in text):
                offending.append(f"{name}: {key}")
    assert offending == []
