"""The coverage table: for each rule that depends on the address country, how many of the
markets it can judge, and on whose authority. Generated from the loaded rules and market
data (README.md shows it; a test keeps it current)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pc_validate.checks import REGISTRY
from pc_validate.markets import Market, markets
from pc_validate.model import Rule, ascii_upper
from pc_validate.rules import RuleSet

_COUNTRY = ("billingProfile", "defaultAddress", "country")


def _judges(rule: Rule) -> Callable[[Market], bool] | None:
    """Whether the rule can judge a market's addresses (its kind's CheckKind.coverage, else
    every market when it has a condition on the country); None when it is not
    country-specific."""
    kind = REGISTRY[rule.check]
    if kind.coverage is not None:
        return kind.coverage(rule.params)
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
        authority = rule.authority or REGISTRY[rule.check].authority
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
