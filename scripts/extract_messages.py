"""Extract the message ids into pc_validate/locale/pc_validate.pot and update every .po.

The English texts are the source and stay where they are used: each check kind's templates
(checks/, `CheckKind.templates`), the bundled rules' own messages and own words (the params
of `CheckKind.rule_texts`: what a set is, what a value looks like), the fixed texts of the
reports (messages.TEXTS). Each becomes a message whose context (msgctxt) is its key (a
template key, a rule id, `<rule id>:<param>`, a TEXTS key) and whose id is its English text;
a `Plural` becomes a message with a plural id. Babel's Catalog.update then carries every .po
forward: a new message is added untranslated, a changed English text marks its translation
fuzzy (shown in English until a translator confirms it), and a message gone is dropped.

    python scripts/extract_messages.py          # write the .pot, update every .po
    python scripts/extract_messages.py --check  # exit 1 when a file is not current

A new language: `pybabel init -D pc_validate -i pc_validate/locale/pc_validate.pot
-d pc_validate/locale -l <lang>`, translate, and add it to tests/test_translations.py's
SHIPPED.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pc_validate.languages import DOMAIN, LOCALE_DIR  # noqa: E402
from pc_validate.model import Plural, Rule, Template  # noqa: E402

if TYPE_CHECKING:
    from pc_validate.checks import CheckKind

POT = LOCALE_DIR / f"{DOMAIN}.pot"
#: A fixed date: the files change only when the messages do.
_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)
_FIELD = re.compile(r"\{(\w+)\}")

#: What the engine's words are, for the translators' notes.
_ENGINE_WORDS = {
    "field": "the field's dotted path, e.g. billingProfile.email (never translated)",
    "value": "the value as sent, quoted; or a neutral word such as (value withheld)",
    "suggestion": "the suggested value, quoted (never translated)",
    "condition": "empty, or ' when <field> is <value>' (leading space): append as is",
    "key_pointer": (
        "a key of the request body, quoted; under redaction its position (*3), or "
        "'(name withheld)' where there is none"
    ),
}


#: The names in phrases (a kind's words that are built of other words).
_PHRASE_FIELDS = {
    "kinds": "the kinds of number, joined as your language lists alternatives (INN or OGRN)",
    "country": "the country's name in your language (CLDR)",
    "length": "a number: how many characters the name or label has",
    "max": "a number: the most characters allowed",
}


def sources() -> Iterator[tuple[str, Template, list[str]]]:
    """(context, English text, notes for translators) of every message, in a stable order."""
    from pc_validate.checks import REGISTRY
    from pc_validate.messages import TEXTS
    from pc_validate.rules import load_rules

    for name in sorted(REGISTRY):
        kind = REGISTRY[name]
        for key, template in sorted(kind.templates.items()):
            yield key, template, [f"check kind {name}: {kind.summary}"]
        for key, words in sorted(kind.phrases.items()):
            notes = [f"a word that check kind {name} fills into its messages"]
            fields = sorted(set(_FIELD.findall(words)))
            yield key, words, [*notes, *(f"{{{n}}}: {_PHRASE_FIELDS[n]}" for n in fields)]
    seen: set[tuple[str, str]] = set()
    for cloud in ("global", "21vianet", "usgov"):
        for rule in load_rules(cloud=cloud).rules:
            for key, text, notes in _rule_texts(rule, REGISTRY[rule.check]):
                if (key, text) not in seen:
                    seen.add((key, text))
                    yield key, text, notes
    for key, template in TEXTS.items():
        yield key, template, ["a fixed text of the reports"]


def _rule_texts(rule: Rule, kind: CheckKind) -> Iterator[tuple[str, str, list[str]]]:
    """A bundled rule's own message, and the words its params give its messages."""
    if rule.message is not None:
        yield rule.id, rule.message, [f"the own message of rule {rule.id}"]
    for name in kind.rule_texts:
        text = rule.params.get(name)
        if not isinstance(text, str):
            continue
        notes = [f"the {name} of rule {rule.id}: {kind.params[name].doc}; filled into"]
        for template in kind.templates.values():
            forms = (template.one, template.other) if isinstance(template, Plural) else [template]
            notes += [form for form in forms if f"{{{name}}}" in form and form not in notes]
        yield f"{rule.id}:{name}", text, [*notes, "(write it to fit there in your language)"]


def _notes(template: Template, notes: list[str]) -> list[str]:
    text = " ".join(template) if isinstance(template, Plural) else template
    names = sorted(set(_FIELD.findall(text)))
    shown = [f"{{{n}}}: {_ENGINE_WORDS[n]}" for n in names if n in _ENGINE_WORDS]
    noted = " ".join(notes)
    others = [f"{{{n}}}" for n in names if n not in _ENGINE_WORDS and f"{{{n}}}:" not in noted]
    if others:
        shown.append(f"{', '.join(others)}: the finding's params (values, not words)")
    if isinstance(template, Plural):
        shown.append(f"the plural form follows {{{template.n}}}")
    return [*notes, *shown]


def template_catalog() -> Catalog:
    catalog = Catalog(
        domain=DOMAIN,
        project="pc-validate",
        version="",
        copyright_holder="pc-validate",
        msgid_bugs_address="",
        creation_date=_DATE,
        revision_date=_DATE,
        fuzzy=False,
    )
    for context, template, notes in sources():
        msgid: str | tuple[str, str] = (
            (template.one, template.other) if isinstance(template, Plural) else template
        )
        catalog.add(msgid, context=context, auto_comments=_notes(template, notes))
    return catalog


def _text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=False)
    return out.getvalue()


def updated(po: Path, template: Catalog) -> bytes:
    """The .po at `po` carried forward to the messages of `template`."""
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name, domain=DOMAIN)
    catalog.update(template, update_header_comment=False)
    catalog.obsolete.clear()  # a message gone is gone: git keeps its history
    catalog.revision_date = _DATE
    catalog.creation_date = _DATE
    return _text(catalog)


def outputs() -> dict[Path, bytes]:
    """Every file this script writes, and its content."""
    template = template_catalog()
    files = {POT: _text(template)}
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        files[po] = updated(po, template)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only say which files are stale")
    args = parser.parse_args(argv)
    stale = []
    for path, content in outputs().items():
        if path.exists() and path.read_bytes() == content:
            continue
        stale.append(path)
        if not args.check:
            path.write_bytes(content)
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
