"""The rule catalogue: docs/rules.md is generated, and every rule says where it comes from.

docs/rules.md is the output of `pc-validate rules --format markdown`; it is committed so that
it can be read on the web, and this test keeps anyone from editing it by hand or forgetting
to regenerate it after changing a rule file.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from pc_validate.cli import main
from pc_validate.rules import load_rules

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "docs" / "rules.md"
REGENERATE = "pc-validate rules --format markdown > docs/rules.md"


def _run(*argv: str) -> tuple[int, str]:
    result = run_cli(*argv)
    assert result.err == ""
    return result.code, result.out


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    status, text = _run("rules", "--format", "json")
    assert status == 0
    parsed: list[dict[str, Any]] = json.loads(text)
    return parsed


def test_committed_catalogue_is_the_generated_one() -> None:
    status, generated = _run("rules", "--format", "markdown")
    assert status == 0
    committed = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.exists() else ""
    assert committed == generated, (
        f"docs/rules.md is out of date or was edited by hand; regenerate it with: {REGENERATE}"
    )


def test_catalogue_has_one_row_per_rule(entries: list[dict[str, Any]]) -> None:
    rows = CATALOGUE.read_text(encoding="utf-8").splitlines()
    rule_rows = [row for row in rows if row.startswith("| `") and row.count("|") >= 8]
    assert [row.split("`")[1] for row in rule_rows] == [e["id"] for e in entries]


def test_json_catalogue_lists_every_loaded_rule(entries: list[dict[str, Any]]) -> None:
    """The built-in payload.json first (it is no rule of a rule file), then every rule."""
    ruleset = load_rules()
    assert [e["id"] for e in entries] == ["payload.json"] + [rule.id for rule in ruleset.rules]
    assert entries[0]["origin"] == "built in" and entries[0]["severity"] == "error"
    assert len({e["id"] for e in entries}) == len(entries), "rule ids must be unique"


def test_every_rule_has_id_severity_description_and_source(
    entries: list[dict[str, Any]],
) -> None:
    assert entries, "no rules loaded"
    for entry in entries:
        assert isinstance(entry["id"], str) and entry["id"], entry
        assert entry["severity"] in {"error", "warning", "info"}, entry["id"]
        assert isinstance(entry["description"], str) and entry["description"].strip(), entry["id"]
        assert isinstance(entry["source"], str) and entry["source"].strip(), entry["id"]


def test_every_error_traces_to_partner_center(entries: list[dict[str, Any]]) -> None:
    """Project policy: an error means Partner Center documents the rule or the service was
    recorded enforcing it (docs/architecture.md, "Contracts kept")."""
    errors = [e for e in entries if e["severity"] == "error"]
    assert errors
    untraced = [e["id"] for e in errors if "partner center" not in e["source"].casefold()]
    assert untraced == [], f"error rules whose source does not name Partner Center: {untraced}"


def test_pre_empted_error_codes_are_on_error_or_warning_rules(
    entries: list[dict[str, Any]],
) -> None:
    """A rule that names a Partner Center error code is never a mere spelling hint."""
    coded = [e for e in entries if e["partner_center_error"] is not None]
    assert {e["partner_center_error"] for e in coded} >= {600049, 600051}
    assert all(isinstance(e["partner_center_error"], int) for e in coded)
    assert all(e["severity"] != "info" for e in coded)


def test_disabled_rules_stay_listed_and_say_so() -> None:
    status, text = _run("rules", "--format", "json", "--disable", "billing.culture.case")
    assert status == 0
    state = {e["id"]: e["enabled"] for e in json.loads(text)}
    assert state["billing.culture.case"] is False
    assert sum(1 for enabled in state.values() if not enabled) == 1


# -- README: what it shows is what the tool does ----------------------------------------------

README = REPO / "README.md"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    """The bodies of the README's fenced code blocks in `language`."""
    return re.findall(rf"^```{language}\n(.*?)^```$", _readme(), flags=re.S | re.M)


def _block_after(marker: str, language: str) -> str:
    text = _readme()
    start = text.index(f"<!-- {marker}")
    found = re.search(rf"^```{language}\n(.*?)^```$", text[start:], flags=re.S | re.M)
    assert found, f"no {language} block after the README marker {marker!r}"
    return found.group(1)


def test_readme_gives_exactly_the_two_setup_commands() -> None:
    """A fresh machine needs these two lines and nothing else (one code block each)."""
    text = _readme()
    for command in (
        "pip install . && pc-validate check examples/valid/seed-de-2023.json",
        "pip install -e '.[test]' && python -m pytest",
    ):
        assert f"```sh\n{command}\n```" in text, command


def test_readme_sample_report_is_the_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _readme()
    command = re.search(r"<!-- sample-report: pc-validate (.*?) -->", text)
    assert command, "README lost its sample-report marker"
    monkeypatch.chdir(REPO)
    out, err = io.StringIO(), io.StringIO()
    status = main(command.group(1).split(), stdout=out, stderr=err)
    assert status == 1
    shown = json.loads(_block_after("sample-report", "json"))
    actual = json.loads(out.getvalue())
    assert shown == actual, (
        f"README's sample report is stale; paste the output of: pc-validate {command.group(1)}"
    )


def test_readme_python_examples_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _blocks("python")
    assert blocks
    monkeypatch.chdir(REPO)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    assert "error /companyProfile/organizationRegistrationNumber" in printed
    assert "pre-empts: 600049" in printed
    assert "seed-de-2023.json True" in printed
    assert "postalCode (value withheld) is not a US ZIP code" in printed
    assert "9805" not in printed


def _rule_file_schema_errors(path: Path) -> list[str]:
    """What the published rule-file schema finds wrong with a rule file (README says editors
    can use it, so the README's own example must pass it)."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from pc_validate.resources import load_schema

    validator = jsonschema.Draft202012Validator(load_schema("rules.schema.json"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [error.message for error in validator.iter_errors(document)]


def test_readme_user_rule_file_works(tmp_path: Path) -> None:
    """The README's example rule file overrides, switches off, adds and extends as it says."""
    rule_file = tmp_path / "my-rules.yaml"
    rule_file.write_text(_block_after("user-rules-example", "yaml"), encoding="utf-8")
    ruleset = load_rules([rule_file])
    rules = {rule.id: rule for rule in ruleset.rules}
    assert rules["address.middle_name.length"].severity == "error"
    assert "billing.culture.case" in ruleset.disabled
    assert rules["company.domain.onmicrosoft"].severity == "warning"
    assert _rule_file_schema_errors(rule_file) == []
    bundled = load_rules().datasets["registration_number_countries"]
    assert ruleset.datasets["registration_number_countries"] == (*bundled, "DE")

    status, _ = _run(
        "check", "--rules", str(rule_file), str(REPO / "examples/valid/seed-de-2023.json")
    )
    assert status == 0
    out = io.StringIO()
    status = main(
        [
            "check",
            "--format",
            "json",
            "--rules",
            str(rule_file),
            str(REPO / "examples/valid/customer-de-pascalcase.json"),
        ],
        stdout=out,
    )
    assert status == 1
    rules_hit = {v["rule"] for v in json.loads(out.getvalue())["results"][0]["violations"]}
    assert rules_hit == {"company.registration_number.required"}


def test_readme_names_every_rule_family(entries: list[dict[str, Any]]) -> None:
    from pc_validate.rules import clouds

    families = {
        rule.id.split(".")[0] for cloud in clouds() for rule in load_rules(cloud=cloud).rules
    }
    listed = set(re.findall(r"^\| `([a-z_]+)\.\*` \|", _readme(), flags=re.M))
    assert listed == families


def test_readme_coverage_table_is_the_generated_one() -> None:
    text = _readme()
    marker = "<!-- coverage-table: pc-validate rules --format coverage -->\n"
    assert marker in text, "README lost its coverage-table marker"
    out = io.StringIO()
    assert main(["rules", "--format", "coverage"], stdout=out) == 0
    table = out.getvalue()
    assert text.split(marker, 1)[1].startswith(table), (
        "README's coverage table is stale; paste the output of: pc-validate rules --format coverage"
    )


def test_coverage_table_counts_markets_from_the_data() -> None:
    from pc_validate.render.coverage import coverage_rows

    rows = {row["rule"]: row for row in coverage_rows(load_rules())}
    assert rows["address.state.us_code"]["markets"] == ["US"]
    assert rows["address.state.ca_code"]["markets"] == ["CA"]
    assert len(rows["company.registration_number.required"]["markets"]) == 25
    assert len(rows["billing.culture.market"]["markets"]) == 248
    assert "US" not in rows["address.postal_code.format"]["markets"]
    assert 150 < len(rows["address.postal_code.format"]["markets"]) < 248
    assert "payload.type" not in rows  # not country-dependent
    assert rows["address.phone.format"]["source"].startswith("phonenumbers")


def test_a_rules_own_authority_names_it_in_the_coverage_table(tmp_path: Path) -> None:
    """A rule's `authority` replaces its check kind's (a recording is not the documents);
    a rule without one keeps the kind's, and an authority that is not text is refused."""
    from pc_validate.render.coverage import coverage_rows
    from pc_validate.rules import RuleFileError

    rows = {row["rule"]: row for row in coverage_rows(load_rules())}
    assert (
        rows["address.region.us_absent"]["source"] == "Partner Center, as the service was recorded"
    )
    assert rows["address.state.us_code"]["source"] == "Partner Center docs"
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("rules:\n  - {id: address.state.us_code, authority: my team}\n", "utf-8")
    rows = {row["rule"]: row for row in coverage_rows(load_rules([overlay]))}
    assert rows["address.state.us_code"]["source"] == "my team"
    overlay.write_text("rules:\n  - {id: address.state.us_code, authority: [1]}\n", "utf-8")
    with pytest.raises(RuleFileError, match="'authority' must be text"):
        load_rules([overlay])


def test_payload_json_cannot_be_switched_off() -> None:
    from conftest import run_cli

    result = run_cli("check", "--disable", "payload.json", "-", stdin=b"{")
    assert result.code == 2
    assert "payload.json cannot be switched off" in result.err


def test_readme_language_sample_is_the_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's report in two languages is what `check --locale` prints."""
    text = _readme()
    found = re.search(r"<!-- language-sample: (\S+) (\S+) (\S+) -->", text)
    assert found, "README lost its language-sample marker"
    first, second, path = found.groups()
    monkeypatch.chdir(REPO)
    shown = _block_after("language-sample", "text")
    expected = ""
    for lang in (first, second):
        out = io.StringIO()
        assert main(["check", "--locale", lang, path], stdout=out, stderr=io.StringIO()) == 1
        command = (
            f"pc-validate check {path}"
            if lang == "en"
            else f"pc-validate check --locale {lang} {path}"
        )
        expected += f"$ {command}\n{out.getvalue()}"
    assert shown == expected, "README's language sample is stale"
