"""A check kind lives in one place: a kind defined here, in this test alone, works through
every part of pc-validate that reads check kinds (rule files, the interpreter, the screen,
message templates, redaction, the coverage table) without a line anywhere else."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD

from pc_validate import Validator, load_rules
from pc_validate.checks import (
    REGISTRY,
    BuildContext,
    CheckKind,
    Param,
    register_kind,
    unregister_kind,
)
from pc_validate.markets import Market
from pc_validate.model import Finding
from pc_validate.render.coverage import coverage_rows
from pc_validate.screen import CLEAN


def _digits_inline(params: Mapping[str, Any], value: str) -> str:
    return f"judgeable and isinstance({value}, str) and any(c.isdigit() for c in {value})"


def _build(params: Mapping[str, Any], ctx: BuildContext) -> Callable[[str], Finding | None]:
    limit = params["at_most"]

    def check(value: str) -> Finding | None:
        digits = [c for c in value if c.isdigit()]
        if len(digits) <= limit:
            return None
        info = {"count": len(digits), "digits": "".join(digits)}
        return Finding("invalid_format", "few_digits.too_many", info)

    return check


def _us_only(params: Mapping[str, Any]) -> Callable[[Market], bool]:
    return lambda market: market.code == "US"


KIND = CheckKind(
    name="few_digits",
    scope="value",
    summary="A text holds at most `at_most` digits.",
    params={"at_most": Param("int", "the most digits allowed", default=0)},
    build=_build,
    words=frozenset({"count", "digits"}),
    templates={"few_digits.too_many": "{field} {value} has {count} digits ({digits})."},
    echoing=frozenset({"digits"}),
    inline=None,
    coverage=_us_only,
    authority="this test's own data",
)

RULES = """
rules:
  - id: custom.city.digits
    severity: warning
    description: A city name has no digits.
    source: house rule
    field: billingProfile.defaultAddress.city
    check: few_digits
    params: {at_most: 0}
"""


@pytest.fixture(params=["called", "inlined"])
def kind(request: pytest.FixtureRequest) -> Iterator[CheckKind]:
    """The kind, registered for one test: with the screen calling its check, or writing it
    out inline."""
    inline = _digits_inline if request.param == "inlined" else None
    registered = register_kind(dataclasses.replace(KIND, inline=inline))
    try:
        yield registered
    finally:
        unregister_kind(registered.name)


def _validators(tmp_path: Path) -> tuple[Validator, Validator]:
    path = tmp_path / "digits.yaml"
    path.write_text(RULES, encoding="utf-8")
    screened = Validator(load_rules([path]), screen="at_once")
    reference = Validator(load_rules([path]), screen="never", remember=False)
    return screened, reference


def _with_city(city: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"]["city"] = city
    return payload


def test_a_kind_of_the_test_alone_is_judged_rendered_and_redacted(
    kind: CheckKind, tmp_path: Path
) -> None:
    screened, reference = _validators(tmp_path)
    for validator in (screened, reference):
        (violation,) = validator.validate(_with_city("Redmond 52")).violations
        assert violation.rule == "custom.city.digits"
        assert violation.message == (
            'billingProfile.defaultAddress.city "Redmond 52" has 2 digits (52).'
        )
        assert violation.params == {"count": 2, "digits": "52"}
        (hidden,) = validator.validate(_with_city("Redmond 52"), redact=True).violations
        assert "52" not in hidden.message and "52" not in str(hidden.params)
        assert hidden.params == {"count": 2}
        assert not validator.validate(_with_city("Redmond")).violations


def test_the_screen_follows_a_kind_of_the_test_alone(kind: CheckKind, tmp_path: Path) -> None:
    screened, reference = _validators(tmp_path)
    assert screened.screen is not None
    assert screened.screen(_with_city("Redmond")) is CLEAN
    for city in ("Redmond", "Redmond 52", "", "  ", None, 7, ["x"], "٥٢"):
        for redact in (False, True):
            payload = _with_city(city)
            assert (
                screened.validate(payload, redact=redact).to_dict()
                == reference.validate(payload, redact=redact).to_dict()
            ), city


def test_the_coverage_table_names_a_kind_of_the_test_alone(kind: CheckKind, tmp_path: Path) -> None:
    path = tmp_path / "digits.yaml"
    path.write_text(RULES, encoding="utf-8")
    (row,) = [r for r in coverage_rows(load_rules([path])) if r["rule"] == "custom.city.digits"]
    assert row == {
        "rule": "custom.city.digits",
        "severity": "warning",
        "markets": ["US"],
        "source": "this test's own data",
    }


def test_a_kind_is_gone_once_unregistered(tmp_path: Path) -> None:
    assert "few_digits" not in REGISTRY
    path = tmp_path / "digits.yaml"
    path.write_text(RULES, encoding="utf-8")
    with pytest.raises(ValueError, match="unknown check"):
        load_rules([path])


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"templates": {}}, "no message templates"),
        ({"name": "length"}, "registered twice"),
        ({"templates": {"length.too_long": "other words"}}, "differs"),
        ({"keys_only": True}, "another scope"),
    ],
)
def test_a_kind_that_is_not_whole_is_refused(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(RuntimeError, match=problem):
        register_kind(dataclasses.replace(KIND, **change))
    assert "few_digits" not in REGISTRY
