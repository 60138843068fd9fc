"""The language of messages: choosing a shipped catalog for a locale, and reading it.

The English templates live with their check kinds and are used as they are: English costs
no look-up and imports nothing. Every other language is a gettext catalog, one per language
under ``locale/<lang>/LC_MESSAGES/pc_validate.po`` (message ids: scripts/extract_messages.py),
compiled to ``.mo`` when the wheel is built (hatch_build.py) and read with
``babel.support.Translations``. A checkout or an editable install has no ``.mo``: there the
``.po`` is read with ``babel.messages.pofile`` and compiled in memory, once per process.

A locale names a language the way users and systems do (``de-DE``, ``pt_PT.UTF-8``,
``zh-Hans-CN``); :func:`language_of` finds the closest shipped catalog (same language and
script, the same region first) and falls back to English; it never fails. ``qps-ploc``
(also ``en-XA``) is a pseudo-language for testing layouts: English, accented and lengthened.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from pc_validate.model import Plural, Template

if TYPE_CHECKING:
    from babel import Locale
    from babel.support import Translations

ListStyle = Literal["standard", "or"]

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "pc_validate"
PSEUDO: Final = "qps-ploc"
#: Other names of the pseudo-language (Android's and Chrome's).
_PSEUDO_NAMES: Final = frozenset({"qps_ploc", "qps", "en_xa"})
#: Locales that mean "no language chosen": the C library's own.
_NEUTRAL: Final = frozenset({"", "c", "posix"})


class Language:
    """The language messages are written in, and its look-ups. English: the templates as
    they are."""

    __slots__ = ("_locale", "_names", "code", "tag")

    #: the English templates as they are (the engine's fast path)
    english: bool = True

    def __init__(self, code: str) -> None:
        #: the catalog's name: "en", "de", "pt_BR", "zh_Hans"
        self.code = code
        #: the same as a BCP 47 tag, as reports name it: "en", "pt-BR", "zh-Hans"
        self.tag = code.replace("_", "-")
        self._locale: Locale | None = None
        #: names and lists already looked up in CLDR, by what was asked
        self._names: dict[tuple[str, ...], str | None] = {}

    def template(self, key: str, source: Template, words: Mapping[str, Any]) -> str:
        """The template of message `key` (its English `source`) for the count in `words`."""
        return source.english(words) if isinstance(source, Plural) else source

    def text(self, key: str, source: str) -> str:
        """A fixed text of the reports (a word of the text format, "(value withheld)")."""
        return source

    def ntext(self, key: str, one: str, other: str, n: int) -> str:
        """A fixed text that follows the count `n`."""
        return one if n == 1 else other

    @property
    def locale(self) -> Locale:
        """Babel's locale of the language (CLDR names, list patterns); imports Babel."""
        if self._locale is None:
            from babel import Locale

            self._locale = Locale.parse(self._cldr_code)
        return self._locale

    @property
    def _cldr_code(self) -> str:
        return self.code

    def _named(self, key: tuple[str, ...], look_up: Callable[[], Any]) -> str | None:
        if key in self._names:
            return self._names[key]
        found = look_up()
        name = str(found) if found else None
        if len(self._names) < 4096:
            self._names[key] = name
        return name

    def join(self, items: Iterable[str], style: ListStyle = "standard") -> str:
        """Items joined as a list in this language ("a, b and c"; style "or": "a, b or c")."""
        from babel.lists import format_list

        listed = tuple(items)
        joined = self._named(
            ("list", style, *listed),
            lambda: format_list(list(listed), style=style, locale=self.locale),
        )
        return joined or ""

    def country_name(self, code: str) -> str | None:
        """A country's (or territory's) name in this language, from CLDR."""
        return self._named(("country", code), lambda: self.locale.territories.get(code.upper()))

    def language_name(self, code: str) -> str | None:
        """A language's name in this language, from CLDR."""
        return self._named(("language", code), lambda: self.locale.languages.get(code.lower()))

    def culture_name(self, tag: str) -> str | None:
        """A culture's (language-region tag's) name in this language, from CLDR."""

        def look_up() -> Any:
            from babel import Locale, UnknownLocaleError

            try:
                return Locale.parse(tag, sep="-").get_display_name(self.locale)
            except (UnknownLocaleError, ValueError, TypeError):
                return None

        return self._named(("culture", tag), look_up)

    def __repr__(self) -> str:
        return f"Language({self.tag!r})"


class Translated(Language):
    """A language of a gettext catalog. Each template is looked up once per plural form and
    kept: a report in German costs a dict look-up per message more than one in English. A
    text is kept under its key and its English (a user's rule may give a bundled rule's id
    its own message or words, which have no translation and must not get the bundled one's)."""

    __slots__ = ("_found", "_translations")

    english = False

    def __init__(self, code: str, translations: Translations) -> None:
        super().__init__(code)
        self._translations = translations
        self._found: dict[tuple[str, int | str], str] = {}

    def template(self, key: str, source: Template, words: Mapping[str, Any]) -> str:
        if isinstance(source, Plural):
            n = words.get(source.n)
            count = n if type(n) is int else 2
            form = self._translations.plural(count)
            found = self._found.get((key, form))
            if found is None:
                found = self._found[key, form] = str(
                    self._translations.npgettext(key, source.one, source.other, count)
                )
            return found
        found = self._found.get((key, source))
        if found is None:
            found = str(self._translations.pgettext(key, source))
            if len(self._found) < 4096:  # rule files are many; the catalog's texts are few
                self._found[key, source] = found
        return found

    def text(self, key: str, source: str) -> str:
        return self.template(key, source, {})

    def ntext(self, key: str, one: str, other: str, n: int) -> str:
        return self.template(key, Plural(one, other, "n"), {"n": n})


class Pseudo(Language):
    """The pseudo-language: every text English, its letters accented and each text a third
    longer, in brackets, so that cut-off, hard-coded and concatenated texts show up."""

    __slots__ = ("_found",)

    english = False

    def __init__(self) -> None:
        super().__init__(PSEUDO)
        self._found: dict[str, str] = {}

    @property
    def _cldr_code(self) -> str:
        return "en"

    def template(self, key: str, source: Template, words: Mapping[str, Any]) -> str:
        text = super().template(key, source, words)
        found = self._found.get(text)
        if found is None:
            found = self._found[text] = pseudo(text)
        return found

    def text(self, key: str, source: str) -> str:
        return self.template(key, source, {})

    def ntext(self, key: str, one: str, other: str, n: int) -> str:
        return self.template(key, one if n == 1 else other, {})


_LETTERS: Final = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
#: Placeholders and literal braces of a template: left as they are.
_FIELDS: Final = r"(\{\{|\}\}|\{[^{}]*\})"


def pseudo(text: str) -> str:
    """`text` accented and a third longer, its placeholders untouched: "[Ţĥé {field} ···]"."""
    accented = str.maketrans(*_LETTERS)
    parts = re.split(_FIELDS, text)  # re caches the compiled pattern
    shown = "".join(part if i % 2 else part.translate(accented) for i, part in enumerate(parts))
    letters = sum(1 for part in parts[::2] for c in part if c.isalpha())
    return f"[{shown} {'·' * max(1, letters // 3)}]"


ENGLISH: Final = Language("en")

_lock = threading.Lock()
_chosen: dict[str | None, Language] = {}
_loaded: dict[str, Language] = {}


def language_of(locale: str | Language | None = None) -> Language:
    """The language of messages for `locale` (a BCP 47 tag or a POSIX locale name; None or
    "" is English): the closest shipped catalog, else English. Never raises."""
    if isinstance(locale, Language):
        return locale
    found = _chosen.get(locale)
    if found is None:
        code = closest(locale if isinstance(locale, str) else "")
        found = ENGLISH if code == "en" else _load(code)
        if len(_chosen) < 256:  # a caller passing every tag there is cannot grow this
            _chosen[locale] = found
    return found


def from_environment(environ: Mapping[str, str] | None = None) -> Language:
    """The language the environment asks for, as gettext reads it: the first of LC_ALL,
    LC_MESSAGES and LANG that is set (the command's default; the library stays English)."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return language_of(value)
    return ENGLISH


def shipped() -> tuple[str, ...]:
    """The catalogs shipped with the package ("de", "pt_BR", ...), English aside."""
    try:
        names = [p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir()]
    except OSError:
        return ()
    return tuple(sorted(names))


def _parts(locale: str) -> tuple[str, str | None, str | None]:
    """(language, script, region) of a tag or POSIX name, lower-case language."""
    name = locale.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    pieces = [p for p in name.split("_") if p]
    lang = pieces[0].lower() if pieces else ""
    script = region = None
    for piece in pieces[1:]:
        if len(piece) == 4 and piece.isalpha() and script is None and region is None:
            script = piece.title()
        elif region is None and ((len(piece) == 2 and piece.isalpha()) or piece.isdigit()):
            region = piece.upper()
    return lang, script, region


def closest(locale: str) -> str:
    """The code of the shipped catalog closest to `locale`: the same language in the same
    script (its likely script when none is given: zh-TW is Traditional, so not zh_Hans), the
    same region first; "en" when there is none; PSEUDO for the pseudo-language."""
    text = locale.strip()
    if text.split(".", 1)[0].replace("-", "_").lower() in _PSEUDO_NAMES:
        return PSEUDO
    lang, script, region = _parts(text)
    if lang in _NEUTRAL or lang == "en" or not lang.isascii() or not lang.isalpha():
        return "en"
    candidates = [code for code in shipped() if _parts(code)[0] == lang]
    if not candidates:
        return "en"
    wanted = script or _likely_script(lang, region)
    same_script = [c for c in candidates if _script_of(c) == wanted]
    if not same_script:
        return "en"
    for code in same_script:
        if _parts(code)[2] == region:
            return code
    return same_script[0]


def _likely_script(lang: str, region: str | None) -> str | None:
    from babel.core import get_global

    likely: Mapping[str, str] = get_global("likely_subtags")
    full = likely.get(f"{lang}_{region}") if region else None
    full = full or likely.get(lang)
    return _parts(full)[1] if full else None


def _script_of(code: str) -> str | None:
    lang, script, region = _parts(code)
    return script or _likely_script(lang, region)


def _load(code: str) -> Language:
    """The language of a shipped catalog (or the pseudo-language), read once per process."""
    found = _loaded.get(code)
    if found is None:
        with _lock:
            found = _loaded.get(code)
            if found is None:
                found = Pseudo() if code == PSEUDO else read_catalog(code)
                _loaded[code] = found
    return found


def read_catalog(code: str) -> Language:
    """The catalog of `code`: its compiled .mo (a built package), else its .po compiled in
    memory (a checkout, an editable install; also when the .po is newer than the .mo)."""
    from babel.support import Translations

    folder = LOCALE_DIR / code / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    try:
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as compiled:
                return Translated(code, Translations(compiled, DOMAIN))
        return Translated(code, Translations(compiled_po(po), DOMAIN))
    except (OSError, ValueError):  # a damaged catalog is English, never a failure
        return ENGLISH


def compiled_po(po: Path) -> Any:
    """The .mo of a .po file, in memory (fuzzy entries left out, as msgfmt does)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    out.seek(0)
    return out
