"""Partner Center's clouds: global (default), 21vianet and usgov, each a rule overlay.

The API (`validate(payload, cloud=...)`) and the command (`--cloud`) pick the overlay in
``rules/clouds/``; an unknown cloud is a clear error (exit 2), never a traceback. A customer
of each cloud that is right for it passes there, and the overlays change only what they
say they change.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD, write_json
from conftest import run_cli as cli
from test_rule_cases import VALID_CN_PAYLOAD

from pc_validate import RuleFileError, default_validator, load_rules, validate
from pc_validate.resources import cloud_overlays

ROOT = Path(__file__).resolve().parents[1]
SEED_DE = ROOT / "examples" / "valid" / "seed-de-2023.json"
SEED_SV = ROOT / "examples" / "invalid" / "seed-sv-2021-trailing-commas.json"
RESELLER_TENANT = "4b1c9d2e-7f3a-4c5b-8e6d-1a2b3c4d5e6f"


def rules_fired(payload: Any, cloud: str = "global") -> dict[str, str]:
    """Rule id -> severity of every violation (the payload is not changed)."""
    return {v.rule: v.severity for v in validate(payload, cloud=cloud).violations}


def us(**top: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload.update(top)
    return payload


def cn(**top: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_CN_PAYLOAD)
    payload.update(top)
    return payload


# --- the library ------------------------------------------------------------------------------


def test_the_three_clouds_have_overlays() -> None:
    assert sorted(cloud_overlays()) == ["21vianet", "global", "usgov"]


def test_global_is_the_default() -> None:
    payload = us(associatedPartnerId=RESELLER_TENANT)
    assert validate(payload).to_dict() == validate(payload, cloud="global").to_dict()
    assert default_validator() is default_validator("global")


def test_a_china_customer_is_clean_under_21vianet() -> None:
    assert validate(cn(), cloud="21vianet").violations == ()


def test_a_china_customer_under_global_draws_only_the_domain_warning() -> None:
    """The overlay does not leak: the global cloud still wants .onmicrosoft.com."""
    assert rules_fired(cn()) == {"company.domain.initial_suffix": "warning"}


def test_a_us_customer_under_21vianet_is_warned_not_rejected() -> None:
    report = validate(us(), cloud="21vianet")
    assert report.ok
    assert rules_fired(us(), "21vianet") == {
        "cloud.21vianet.country": "warning",
        "company.domain.initial_suffix": "warning",
    }


def test_a_us_customer_is_clean_under_usgov_and_global() -> None:
    assert validate(us(), cloud="usgov").violations == ()
    assert validate(us()).violations == ()


def test_an_onmicrosoft_us_domain_passes_only_under_usgov() -> None:
    payload = us()
    payload["companyProfile"]["domain"] = "wingtiptoysgov.onmicrosoft.us"
    assert rules_fired(payload, "usgov") == {}
    assert rules_fired(payload) == {"company.domain.initial_suffix": "warning"}


def test_an_indirect_reseller_is_warned_about_outside_the_global_cloud() -> None:
    assert rules_fired(us(associatedPartnerId=RESELLER_TENANT)) == {}
    assert rules_fired(us(associatedPartnerId=RESELLER_TENANT), "usgov") == {
        "cloud.usgov.indirect_reseller": "warning"
    }
    assert rules_fired(cn(associatedPartnerId=RESELLER_TENANT), "21vianet") == {
        "cloud.21vianet.indirect_reseller": "warning"
    }


def test_the_guid_error_holds_in_every_cloud() -> None:
    for cloud, payload in (("global", us()), ("usgov", us()), ("21vianet", cn())):
        payload["associatedPartnerId"] = "Fabrikam Reseller"
        assert rules_fired(payload, cloud)["payload.associated_partner_id.format"] == "error"


def test_the_german_seed_example_stays_clean_under_global() -> None:
    """Only the info hint about "EN-US" (the documentation's own spelling) remains."""
    report = validate(SEED_DE.read_bytes())
    assert report.ok
    assert [(v.rule, v.severity) for v in report.violations] == [("billing.culture.case", "info")]


def test_the_swedish_seeds_sandbox_domain_stays_valid() -> None:
    """The 2021 request example uses xyz.ccsctp.net; without its trailing commas it has
    nothing to say about the domain (nor about its company name or email)."""
    text = re.sub(r",(\s*[}\]])", r"\1", SEED_SV.read_text(encoding="utf-8-sig"))
    report = validate(text)
    domain_rules = {v.rule for v in report.violations if v.rule.startswith("company.domain.")}
    assert json.loads(text)["CompanyProfile"]["Domain"] == "xyz.ccsctp.net"
    assert domain_rules == set()
    assert report.ok


def test_an_unknown_cloud_raises_a_rule_file_error() -> None:
    with pytest.raises(RuleFileError, match=r"no cloud named 'azure'.*21vianet, global, usgov"):
        validate(us(), cloud="azure")


def test_overlays_add_only_warnings_and_keep_error_rules_sourced() -> None:
    """A cloud's own rules are pc-validate's judgement, so none of them is an error; a rule an
    overlay changes keeps its severity."""
    base = {rule.id: rule for rule in load_rules().rules}
    for cloud in ("21vianet", "usgov"):
        for rule in load_rules(cloud=cloud).rules:
            if rule.id not in base:
                assert rule.id.startswith(f"cloud.{cloud}."), rule.id
                assert rule.severity == "warning", rule.id
            else:
                assert rule.severity == base[rule.id].severity, rule.id


@pytest.mark.parametrize("cloud", ["21vianet", "usgov"])
def test_each_overlay_says_what_is_documented_and_what_is_judgement(cloud: str) -> None:
    header = cloud_overlays()[cloud].read_text(encoding="utf-8").split("\nrules:")[0]
    assert "# Documented" in header
    assert "# Judgement" in header


def test_21vianet_keeps_the_27_character_prefix_on_its_longer_suffix() -> None:
    """PowerShell's 43-character domain limit would stop a 21Vianet name at 22 characters."""
    payload = cn()
    payload["companyProfile"]["domain"] = "k" * 27 + ".partner.onmschina.cn"
    assert len(payload["companyProfile"]["domain"]) == 48
    assert rules_fired(payload, "21vianet") == {}


# --- the command ------------------------------------------------------------------------------


def test_check_with_cloud_usgov(tmp_path: Path) -> None:
    body = write_json(tmp_path / "gov.json", us(associatedPartnerId=RESELLER_TENANT))
    code, out, _ = cli("check", "--cloud", "usgov", "--format", "json", body)
    assert code == 0  # a warning does not fail by default
    (violation,) = json.loads(out)["results"][0]["violations"]
    assert violation["rule"] == "cloud.usgov.indirect_reseller"
    assert cli("check", "--cloud", "usgov", "--fail-on", "warning", body)[0] == 1
    assert cli("check", "--fail-on", "warning", body)[0] == 0  # global: nothing to say


def test_check_with_cloud_21vianet(tmp_path: Path) -> None:
    china = write_json(tmp_path / "cn.json", cn())
    assert cli("check", "--cloud", "21vianet", "--fail-on", "warning", china)[0] == 0
    code, out, _ = cli("check", "--cloud", "21vianet", "--format", "json", SEED_DE)
    rules = {v["rule"] for v in json.loads(out)["results"][0]["violations"]}
    assert {"cloud.21vianet.country", "company.domain.initial_suffix"} <= rules
    assert code == 0


@pytest.mark.parametrize("command", ["check", "rules"])
def test_an_unknown_cloud_exits_2_with_a_clear_message(command: str) -> None:
    argv = [command, "--cloud", "mars"] + ([str(SEED_DE)] if command == "check" else [])
    code, out, err = cli(*argv)
    assert code == 2
    assert out == ""
    assert "no cloud named 'mars'" in err
    assert "21vianet, global, usgov" in err


def test_rules_lists_the_overlays_rules() -> None:
    code, out, _ = cli("rules", "--cloud", "21vianet", "--format", "json")
    assert code == 0
    listed = json.dumps(json.loads(out))
    assert "cloud.21vianet.country" in listed
    assert ".partner.onmschina.cn" in listed
    assert "cloud.usgov.country" not in listed
    _, text, _ = cli("rules", "--cloud", "21vianet")
    assert "cloud.21vianet.indirect_reseller" in text
    _, global_text, _ = cli("rules")
    assert "cloud.21vianet" not in global_text
