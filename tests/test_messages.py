"""The message catalogue: every template a check uses exists, renders, and can be translated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pc_validate import messages
from pc_validate.engine import Validator
from pc_validate.languages import ENGLISH, Translated
from pc_validate.rules import load_rules

CHECKS_DIR = Path(messages.__file__).parent / "checks"
TEMPLATE_KEY = re.compile(r'"([a-z_]+\.[a-z_]+)"')
EN = messages.english()


def _keys_used_by_checks() -> set[str]:
    used = set()
    for module in CHECKS_DIR.glob("*.py"):
        used.update(k for k in TEMPLATE_KEY.findall(module.read_text()) if k in EN)
    return used


def test_checks_use_catalogued_templates() -> None:
    used = _keys_used_by_checks()
    assert "required.missing" in used and "email.invalid" in used
    unused = {k for k in EN if not k.endswith(":redacted")} - used
    assert not unused, f"templates no check uses: {sorted(unused)}"


@pytest.mark.parametrize("key", sorted(k for k in EN if k.endswith("_suggest")))
def test_every_suggesting_template_has_a_plain_form_for_redaction(key: str) -> None:
    plain = messages.template_for("any.rule", EN, key, None, ENGLISH, {}, redact=True)
    assert "{suggestion" not in plain


def test_rule_message_takes_precedence() -> None:
    own = messages.template_for("r.x", EN, "required.missing", "own {field}", ENGLISH, {})
    assert own == "own {field}"
    plain = messages.template_for("r.x", EN, "required.missing", None, ENGLISH, {})
    assert plain == EN["required.missing"]


def test_unknown_placeholder_stays_visible_instead_of_raising() -> None:
    assert messages.render("{field} {nope}", {"field": "a"}) == "a {nope}"


def test_a_second_language_is_a_catalogue() -> None:
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    catalog = Catalog(locale="de")
    english = EN["required.missing"]
    assert isinstance(english, str)
    catalog.add(english, "{field} fehlt{condition}.", context="required.missing")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    german = Translated("de", Translations(compiled))
    report = Validator(load_rules()).validate({"companyProfile": {}}, language=german)
    texts = {v.rule: v.message for v in report.violations}
    assert texts["billing.profile.required"] == "billingProfile fehlt."
    # Keys the catalogue lacks fall back to English.
    assert (
        Validator(load_rules())
        .validate([], language=german)
        .violations[0]
        .message.startswith("The request body must be")
    )
