"""A realistic corpus of "create a customer" bodies: every customer seen once, as in an export.

Deterministic from a seed, no network. Every email, phone number, registration number and
domain is unique (each is built from a counter through a bijection, never drawn at random);
names, address lines, cities and postal codes vary. Every market of rules/markets.yaml is
present (the first 248 records go through them in order, the rest are weighted towards the
large markets), with what the market data says of it:

- culture and language: one of the market's cultures, the language its subtag;
- postal code: one of Google's examples with its digits and letters redrawn, kept only when
  the market's pattern still matches (else the example itself); in the US and Canada the
  state is then the one the postal prefix table gives for the code;
- state: a code of the market's state list, where it has one (where a rule checks the state
  against a list of its own, US, CN, MX and AE, a code of that list);
- phone number: phonenumbers' example numbers (fixed line and mobile) with their last digits
  replaced, kept only when `phonenumbers.is_valid_number` accepts the result, written in the
  national, international or E.164 format (the US: national, as Partner Center's pattern
  takes it); always where a phone number is required, on half of the others;
- registration number, where the country requires one: a number of a kind pc-validate's rule
  accepts there, with check digits computed by python-stdnum for a counter-made base (digits
  only, 5 to 22 of them, for the countries python-stdnum cannot judge).

Names, company names, cities and address lines are in the market's script (Latin with
accents, Cyrillic, Greek, Arabic, Hebrew, Han, Japanese, Hangul, Devanagari, Thai, Armenian,
Georgian) or, one time in four, Latin. A third of the bodies use PascalCase keys.

About 30 % of the records carry one mistake partners make (MISTAKES names them); each makes
pc-validate report an error, and the other records have none (tests/test_benchmarks.py).

    python benchmarks/realistic.py --count 1000000 --output /tmp/realistic.jsonl
"""

# Names in other scripts and digits of other systems are the point of this corpus:
# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import functools
import importlib
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

import yaml

#: Names by script: first names, last names, street names, cities, company words.
_SCRIPTS: dict[str, tuple[list[str], list[str], list[str], list[str], list[str]]] = {
    "latin": (
        ["José", "Zoë", "François", "Łukasz", "Søren", "Ümit", "Žofie", "Ana-María", "Björn",
         "Ðorđe", "Siobhán", "Mário", "Agnès", "Jiří", "Ilkka", "Noémie", "Gena", "Sam"],
        ["Müller", "Nguyễn", "Dvořák", "García Márquez", "Østergård", "Çelik", "Kowalczyk",
         "Ó Briain", "Szabó", "Ionescu", "Şahin", "Lindqvist", "Dupré", "van der Berg", "Soto"],
        ["Hauptstraße", "Rue de la Paix", "Calle Mayor", "Ulica Długa", "Strandvägen",
         "Via Roma", "Rua Augusta", "Váci utca", "Main Street", "Åboulevarden", "Karlova"],
        ["Zürich", "Kraków", "São Paulo", "Málaga", "Göteborg", "Besançon", "Plzeň", "Łódź",
         "Reykjavík", "Bogotá", "Redmond", "Timișoara"],
        ["Ferretería", "Bäckerei", "Électricité", "Łódzkie Zakłady", "Fiskebåtar", "Contoso",
         "Fabrikam", "Tailspin", "Wingtip", "Northwind", "Woodgrove"],
    ),
    "cyrillic": (
        ["Анна", "Дмитрий", "Ольга", "Сергей", "Наталья", "Ёлка", "Олександр", "Марија"],
        ["Иванова", "Смирнов", "Кузнецова", "Шевченко", "Петровић", "Жуков", "Гусейнова"],
        ["ул. Тверская", "проспект Мира", "вул. Хрещатик", "ул. Ленина", "бул. Витоша"],
        ["Москва", "Київ", "Минск", "Алматы", "София", "Бишкек", "Душанбе", "Нови Сад"],
        ["Рога и копыта", "СтройМонтаж", "Техносервис", "АгроПром", "Светлячок"],
    ),
    "greek": (
        ["Γιώργος", "Ελένη", "Δημήτρης", "Μαρία", "Νίκος", "Αικατερίνη"],
        ["Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Νικολάου", "Καραγιάννη"],
        ["Οδός Ερμού", "Λεωφόρος Κηφισίας", "Οδός Αθηνάς", "Πλατεία Συντάγματος"],
        ["Αθήνα", "Θεσσαλονίκη", "Πάτρα", "Λευκωσία", "Ηράκλειο"],
        ["Ελαιόλαδο", "Ναυτιλιακή", "Τεχνική", "Φαρμακευτική"],
    ),
    "arabic": (
        ["محمد", "فاطمة", "أحمد", "مريم", "عبد الله", "ليلى", "زهرة", "یوسف"],
        ["العتيبي", "الحسيني", "المصري", "بن سالم", "الشمري", "رضایی", "خان"],
        ["شارع الملك فهد", "طريق الشيخ زايد", "شارع الجمهورية", "خیابان ولیعصر"],
        ["الرياض", "دبي", "القاهرة", "عمّان", "الدار البيضاء", "تهران", "کابل"],
        ["مؤسسة النور", "شركة الفجر", "مجموعة الخليج", "تجارة الأمل"],
    ),
    "hebrew": (
        ["יוסף", "שרה", "דוד", "מרים", "אברהם", "נועה"],
        ["כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברמוביץ"],
        ["רחוב הרצל", "שדרות רוטשילד", "רחוב יפו", "דרך מנחם בגין"],
        ["תל אביב-יפו", "ירושלים", "חיפה", "באר שבע"],
        ["טכנולוגיות", "סחר", "מערכות", "שירותים"],
    ),
    "han": (
        ["伟", "芳", "娜", "秀英", "敏", "静", "志明", "淑芬"],
        ["王", "李", "张", "刘", "陈", "黄", "欧阳", "司马"],
        ["人民路", "中山路", "建国门外大街", "南京东路", "解放大道", "忠孝東路"],
        ["北京市", "上海市", "广州市", "深圳市", "台北市", "香港"],
        ["科技有限公司", "贸易公司", "电子股份", "网络科技"],
    ),
    "japanese": (
        ["さくら", "ひろし", "太郎", "花子", "ユキ", "健太"],
        ["佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤"],
        ["千代田一丁目", "銀座四丁目", "梅田三丁目", "栄二丁目"],
        ["千代田区", "大阪市", "名古屋市", "札幌市", "福岡市"],
        ["株式会社ソフト", "商事株式会社", "電機", "システムズ"],
    ),
    "hangul": (
        ["민준", "서연", "지호", "하은", "도윤"],
        ["김", "이", "박", "최", "정"],
        ["세종대로", "테헤란로", "강남대로", "해운대로"],
        ["서울특별시", "부산광역시", "인천광역시", "대구광역시"],
        ["전자", "소프트", "무역", "건설"],
    ),
    "devanagari": (
        ["आरव", "प्रिया", "विवान", "अनन्या", "राहुल", "सीता"],
        ["शर्मा", "वर्मा", "पटेल", "गुप्ता", "श्रेष्ठ"],
        ["महात्मा गांधी मार्ग", "नेहरू रोड", "राजपथ", "दरबार मार्ग"],
        ["मुंबई", "नई दिल्ली", "पुणे", "काठमांडू", "बेंगलुरु"],
        ["सॉफ्टवेयर", "ट्रेडर्स", "उद्योग", "सेवाएँ"],
    ),
    "thai": (
        ["สมชาย", "สมหญิง", "ณัฐพล", "กาญจนา", "ธนากร"],
        ["ศรีสุข", "วงศ์ใหญ่", "แก้วมณี", "จันทร์เพ็ญ"],
        ["ถนนสุขุมวิท", "ถนนสีลม", "ถนนพระราม 4", "ถนนเพชรบุรี"],
        ["กรุงเทพมหานคร", "เชียงใหม่", "ภูเก็ต", "ขอนแก่น"],
        ["เทคโนโลยี", "การค้า", "บริการ", "อุตสาหกรรม"],
    ),
    "armenian": (
        ["Արամ", "Անի", "Դավիթ", "Մարիամ"],
        ["Պետրոսյան", "Հովհաննիսյան", "Սարգսյան"],
        ["Աբովյան փողոց", "Մաշտոցի պողոտա", "Տերյան փողոց"],
        ["Երևան", "Գյումրի", "Վանաձոր"],
        ["Տեխնոլոգիաներ", "Առևտուր", "Ծառայություններ"],
    ),
    "georgian": (
        ["გიორგი", "ნინო", "დავით", "მარიამ"],
        ["ბერიძე", "კაპანაძე", "გელაშვილი"],
        ["რუსთაველის გამზირი", "აღმაშენებლის გამზირი", "ჭავჭავაძის გამზირი"],
        ["თბილისი", "ბათუმი", "ქუთაისი"],
        ["ტექნოლოგიები", "ვაჭრობა", "მომსახურება"],
    ),
}  # fmt: skip

#: The script of a market's first culture's language (others: Latin).
_SCRIPT_OF_LANGUAGE = {
    **dict.fromkeys(["ru", "uk", "be", "bg", "kk", "ky", "mk", "mn", "tg", "sr"], "cyrillic"),
    **dict.fromkeys(["ar", "fa", "ps", "ur", "dv"], "arabic"),
    **dict.fromkeys(["hi", "mr", "ne"], "devanagari"),
    "el": "greek", "he": "hebrew", "zh": "han", "ja": "japanese", "ko": "hangul",
    "th": "thai", "hy": "armenian", "ka": "georgian",
}  # fmt: skip

#: ASCII names for email local parts (people write their address in Latin letters).
_ASCII_FIRST = ["anna", "li", "joao", "olga", "priya", "yuki", "sam", "marta", "lars", "omar"]
_ASCII_LAST = ["soto", "schmidt", "chen", "silva", "ivanova", "rao", "sato", "nowak", "haddad"]
_ROLE_MAILBOXES = ["billing", "accounts", "it", "admin", "info", "finance"]

#: How often a market's customers appear after the first pass through all markets; the
#: others weigh 0.3 each.
_WEIGHTS = {
    "US": 18, "GB": 6, "DE": 6, "FR": 5, "JP": 4, "IN": 4, "BR": 4, "CA": 4, "AU": 3,
    "CN": 3, "RU": 3, "IT": 3, "ES": 3, "MX": 2, "NL": 2, "PL": 2, "KR": 2, "TR": 2,
    "SE": 1.5, "CH": 1.5, "SA": 1, "AE": 1, "ZA": 1, "UA": 1, "TH": 1, "VN": 1, "IL": 1,
    "GR": 1, "EG": 1, "KZ": 1,
}  # fmt: skip
_OTHER_WEIGHT = 0.3

# ---------------------------------------------------------------------------------------
# Market data


@dataclass
class _Market:
    code: str
    cultures: tuple[str, ...]
    script: str
    postal: re.Pattern[str] | None
    postal_examples: tuple[str, ...]
    states: tuple[str, ...]
    phone_required: bool
    registration: Callable[[int], str] | None
    tld: str
    phone_count: int = field(default=0)
    registration_count: int = field(default=0)


@functools.cache
def _rules_data() -> tuple[dict[str, Any], dict[str, list[str]]]:
    from pc_validate.resources import rules_dir

    markets = yaml.safe_load((rules_dir() / "markets.yaml").read_text(encoding="utf-8"))
    data = yaml.safe_load((rules_dir() / "datasets.yaml").read_text(encoding="utf-8"))
    sets = {name: spec["values"] for name, spec in data["datasets"].items()}
    return markets["markets"], sets


def market_codes() -> list[str]:
    """Every market of rules/markets.yaml, in the file's order."""
    return list(_rules_data()[0])


def _scramble(counter: int, digits: int, salt: int) -> str:
    """`counter` (below 10**digits) mapped one to one onto `digits` digits that look random."""
    modulus = 10**digits
    return str((counter * 7_654_321 + salt) % modulus).zfill(digits)


def _with_check_digit(
    module: str, base: Callable[[int], str], calc: str | None = None, suffix: str = ""
) -> Callable[[int], str]:
    """Numbers of a python-stdnum module: a counter-made base, its check digit (the module's
    `calc` function, else the first digit that makes the number valid) and `suffix`. Counter
    c tries the bases of c * 8 to c * 8 + 7 (a base may have no check digit), so no two
    counters share a base."""
    numbers = importlib.import_module(f"stdnum.{module}")
    validate = numbers.is_valid
    compute = getattr(numbers, calc) if calc else None

    def make(counter: int) -> str:
        for attempt in range(counter * 8, counter * 8 + 8):
            stem = base(attempt)
            if compute is not None:
                try:
                    candidates = [compute(stem)]
                except Exception:  # a base the scheme has no check digit for
                    continue
            else:
                candidates = [str(digit) for digit in range(10)]
            for check in candidates:
                if validate(stem + check + suffix):
                    return stem + check + suffix
        raise ValueError(f"{module}: no valid number from the bases of counter {counter}")

    return make


def _digits(length: int, salt: int, lead: str = "") -> Callable[[int], str]:
    return lambda counter: lead + _scramble(counter, length - len(lead), salt)


def _pan(counter: int) -> str:
    """An Indian PAN of a company (fourth letter C): letters from the counter."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = _scramble(counter % 10_000, 4, 17)
    rest = counter // 10_000
    word = ""
    for _ in range(4):
        rest, index = divmod(rest, 26)
        word += letters[index]
    return f"{word[:3]}C{word[3]}{digits}{letters[(counter * 7) % 26]}"


def _cnpj(counter: int) -> str:
    from stdnum.br import cnpj

    base = _scramble(counter, 8, 31) + "0001"
    return base + cnpj.calc_check_digits(base)


#: Registration numbers of the kinds the bundled rule accepts, by country (python-stdnum).
_REGISTRATION: dict[str, Callable[[int], str]] = {
    "AZ": _with_check_digit("az.voen", _digits(8, 11, "1"), suffix="1"),
    "BR": _cnpj,
    "BY": _with_check_digit("by.unp", _digits(8, 13, "1"), "calc_check_digit"),
    "HU": _with_check_digit("hu.anum", _digits(7, 19, "1")),
    "IN": _pan,
    "MD": _with_check_digit("md.idno", _digits(12, 23, "100"), "calc_check_digit"),
    "PL": _with_check_digit("pl.nip", _digits(9, 29, "5")),
    "RU": _with_check_digit("ru.inn", _digits(9, 37, "77"), "calc_company_check_digit"),
    "TH": _with_check_digit("th.tin", _digits(12, 41, "0")),
    "TR": _with_check_digit("tr.vkn", _digits(9, 43, "1"), "calc_check_digit"),
    "UA": _with_check_digit("ua.edrpou", _digits(7, 47, "3"), "calc_check_digit"),
    "VE": _with_check_digit("ve.rif", _digits(9, 53, "J"), "calc_check_digit"),
    "VN": _with_check_digit("vn.mst", _digits(9, 59, "0"), "calc_check_digit"),
    "CN": _with_check_digit("cn.uscc", _digits(17, 61, "91110000"), "calc_check_digit"),
}


def _tld(code: str) -> str:
    from pc_validate.suffixes import is_tld

    label = {"GB": "uk"}.get(code, code.lower())
    return label if is_tld(label) else "com"


@functools.cache
def _markets() -> dict[str, _Market]:
    from pc_validate.markets import parse_states

    raw, sets = _rules_data()
    phone_required = set(sets["phone_required_countries"])
    registration = set(sets["registration_number_countries"])
    recorded_states = {
        code: set(sets[name])
        for code, name in (
            ("US", "us_states"),
            ("CN", "cn_provinces"),
            ("MX", "mx_states"),
            ("AE", "ae_emirates"),
        )
    }
    out: dict[str, _Market] = {}
    for salt, (code, entry) in enumerate(raw.items()):
        cultures = tuple(entry["cultures"])
        language = cultures[0].split("-", 1)[0]
        pattern = entry.get("postal_pattern")
        states = tuple(parse_states(entry.get("states", ""), code)) if entry.get("states") else ()
        if code in recorded_states:
            known = recorded_states[code]
            states = tuple(s for s in states if s in known) or tuple(sorted(known))
        make = None
        if code in registration:
            make = _REGISTRATION.get(code) or _digits(8 + salt % 9, salt, "2")
        out[code] = _Market(
            code=code,
            cultures=cultures,
            script=_SCRIPT_OF_LANGUAGE.get(language, "latin"),
            postal=re.compile(pattern, re.IGNORECASE) if pattern else None,
            postal_examples=tuple(entry.get("postal_examples", ())),
            states=states,
            phone_required=code in phone_required,
            registration=make,
            tld=_tld(code),
        )
    return out


# ---------------------------------------------------------------------------------------
# Values


def _redraw(rng: random.Random, example: str) -> str:
    """`example` with its digits and letters redrawn (other characters kept)."""
    out = []
    for char in example:
        if "0" <= char <= "9":
            out.append(str(rng.randrange(10)))
        elif "A" <= char <= "Z":
            out.append(chr(65 + rng.randrange(26)))
        else:
            out.append(char)
    return "".join(out)


def _postal_and_state(rng: random.Random, market: _Market) -> tuple[str | None, str | None]:
    """A postal code of the market's shape, and a state of the market (the postal code's own
    where pc-validate knows which state a postal code belongs to)."""
    from pc_validate.postal_prefixes import states_of

    state = rng.choice(market.states) if market.states else None
    if not market.postal_examples:
        return None, state
    example = rng.choice(market.postal_examples)
    for _ in range(12):
        code = _redraw(rng, example)
        if market.postal is not None and not market.postal.fullmatch(code):
            continue
        if market.code in ("US", "CA"):
            found = states_of(market.code, code)
            if len(found) != 1 or found[0] not in market.states:
                continue
            state = found[0]
        return code, state
    if market.code in ("US", "CA"):
        state = states_of(market.code, example)[0]
    return example, state


@dataclass(frozen=True)
class _PhoneSeed:
    """One of phonenumbers' example numbers: its digits, the pattern of its number type, and
    the example written in each format (its last digits are replaced in these)."""

    national: str
    pattern: re.Pattern[str]
    written: tuple[str, ...]
    #: whether another region is the main one of the country code (Christmas Island: AU),
    #: whose numbers phonenumbers tells apart by their ranges
    shared: bool
    example: Any


#: The formats a phone number is written in outside the US (national, international, E.164).
_STYLES = (2, 1, 0)


@functools.cache
def _phone_seeds(region: str) -> tuple[_PhoneSeed, ...]:
    """phonenumbers' example numbers of `region` (fixed line and mobile).

    Numbers are judged valid against the pattern of the example's own number type in
    phonenumbers' metadata, compiled here: phonenumbers' own is_valid_number recompiles its
    patterns whenever `re`'s cache of 512 overflows, as it does across 245 regions (2 ms a
    number). tests/test_benchmarks.py checks every number with is_valid_number itself.
    """
    import phonenumbers
    from phonenumbers import PhoneMetadata, PhoneNumberType

    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return ()
    seeds = []
    for kind, desc in (
        (PhoneNumberType.FIXED_LINE, metadata.fixed_line),
        (PhoneNumberType.MOBILE, metadata.mobile),
    ):
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None or desc is None or desc.national_number_pattern is None:
            continue
        national = phonenumbers.national_significant_number(example)
        if any(seed.national == national for seed in seeds):
            continue
        if _first_with_example(example.country_code, national) != region:
            continue  # AU's examples are Christmas Island's too, IT's the Vatican's
        styles = (
            (2,) if region == "US" else _STYLES
        )  # the US: national, as Partner Center's pattern takes it
        written = tuple(phonenumbers.format_number(example, style) for style in styles)
        shared = phonenumbers.region_code_for_country_code(example.country_code) != region
        pattern = re.compile(desc.national_number_pattern)
        seeds.append(_PhoneSeed(national, pattern, written, shared, example))
    return tuple(seeds)


@functools.cache
def _examples_by_first_region() -> dict[tuple[int, str], str]:
    """(country code, number) of each example -> the first market in file order that has it."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    out: dict[tuple[int, str], str] = {}
    for region in market_codes():
        for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                key = (example.country_code, phonenumbers.national_significant_number(example))
                out.setdefault(key, region)
    return out


def _first_with_example(country_code: int, national: str) -> str | None:
    return _examples_by_first_region().get((country_code, national))


def _phone_of_region(seed: _PhoneSeed, national: str, region: str) -> bool:
    """Whether phonenumbers takes `national` (of the seed's country code) for a valid number
    of `region` (the slow, exact check, for regions that share their country code)."""
    import phonenumbers

    number = phonenumbers.PhoneNumber()
    number.merge_from(seed.example)
    number.national_number = int(national)
    return bool(
        phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) == region
    )


def _with_last_digits(text: str, digits: str) -> str:
    """`text` with its last len(digits) digits replaced by `digits`, in order."""
    out = list(text)
    place = len(out)
    for digit in reversed(digits):
        place -= 1
        while not out[place].isdigit():
            place -= 1
        out[place] = digit
    return "".join(out)


def _phone(rng: random.Random, market: _Market) -> str | None:
    """A valid phone number of the market never given before (None when its numbering plan
    has none left, or phonenumbers does not know the region)."""
    seeds = _phone_seeds(market.code)
    while seeds:
        counter = market.phone_count
        market.phone_count += 1
        seed = seeds[counter % len(seeds)]
        varied = min(4 if seed.shared else 6, len(seed.national) - 3)
        serial = counter // len(seeds)
        if varied < 3 or serial >= 10**varied:
            return None
        tail = _scramble(serial, varied, len(seed.national))
        if seed.pattern.fullmatch(seed.national[:-varied] + tail) is None:
            continue
        if seed.shared and not _phone_of_region(seed, seed.national[:-varied] + tail, market.code):
            continue
        return _with_last_digits(rng.choice(seed.written), tail)
    return None


def _token(index: int) -> str:
    """Six letters and digits, different for every index below 36**6."""
    value = (index * 1_442_695_041 + 12_345) % 36**6
    out = ""
    for _ in range(6):
        value, digit = divmod(value, 36)
        out += "0123456789abcdefghijklmnopqrstuvwxyz"[digit]
    return out


def _slug(rng: random.Random) -> str:
    words = ["contoso", "fabrikam", "northwind", "litware", "alpine", "tailspin", "blue",
             "yonder", "proseware", "woodgrove", "adatum", "lamna", "fourth", "coffee"]  # fmt: skip
    return rng.choice(words) + (rng.choice(words) if rng.random() < 0.4 else "")


def _market_of(rng: random.Random, index: int) -> _Market:
    markets = _markets()
    codes = market_codes()
    if index < len(codes):
        return markets[codes[index]]
    return markets[rng.choices(codes, weights=_weights())[0]]


@functools.cache
def _weights() -> tuple[float, ...]:
    return tuple(_WEIGHTS.get(code, _OTHER_WEIGHT) for code in market_codes())


def _body(rng: random.Random, index: int, market: _Market) -> dict[str, Any]:
    script = market.script if rng.random() < 0.75 else "latin"
    first, last, streets, cities, companies = _SCRIPTS[script]
    address: dict[str, Any] = {
        "firstName": rng.choice(first),
        "lastName": rng.choice(last),
    }
    if rng.random() < 0.1:
        address["middleName"] = rng.choice(first)
    number = rng.randint(1, 400)
    street = rng.choice(streets)
    address["addressLine1"] = f"{number} {street}" if rng.random() < 0.5 else f"{street} {number}"
    if rng.random() < 0.2:
        address["addressLine2"] = (
            f"{rng.choice(['Apt', 'Suite', 'Floor', 'Bldg'])} {rng.randint(1, 99)}"
        )
    address["city"] = rng.choice(cities)
    postal, state = _postal_and_state(rng, market)
    if state is not None:
        address["state"] = state
    if postal is not None:
        address["postalCode"] = postal
    address["country"] = market.code
    if market.phone_required or rng.random() < 0.5:
        phone = _phone(rng, market)
        if phone is not None:
            address["phoneNumber"] = phone
    token = _token(index)
    slug = _slug(rng)
    company_profile: dict[str, Any] = {"domain": f"{slug}{token}.onmicrosoft.com"}
    if market.registration is not None:
        company_profile["organizationRegistrationNumber"] = market.registration(
            market.registration_count
        )
        market.registration_count += 1
    culture = market.cultures[0] if rng.random() < 0.8 else rng.choice(market.cultures)
    mailbox = (
        rng.choice(_ROLE_MAILBOXES)
        if rng.random() < 0.3
        else f"{rng.choice(_ASCII_FIRST)}.{rng.choice(_ASCII_LAST)}"
    )
    billing: dict[str, Any] = {
        "email": f"{mailbox}@{slug}{token}.{market.tld}",
        "culture": culture,
        "language": culture.split("-", 1)[0],
        "companyName": f"{rng.choice(companies)} {rng.choice(companies)}",
        "defaultAddress": address,
    }
    body: dict[str, Any] = {"companyProfile": company_profile, "billingProfile": billing}
    if rng.random() < 0.5:
        body["enableGDAPByDefault"] = rng.random() < 0.7
    return body


# ---------------------------------------------------------------------------------------
# Mistakes: each makes pc-validate report an error; `applies` says where it can be made.


def _address(body: dict[str, Any]) -> dict[str, Any]:
    address: dict[str, Any] = body["billingProfile"]["defaultAddress"]
    return address


@dataclass(frozen=True)
class Mistake:
    """One mistake partners make, where it applies, and how to make it in a body."""

    name: str
    make: Callable[[random.Random, dict[str, Any]], None]
    applies: Callable[[_Market], bool] = lambda market: True


def _drop(*path: str) -> Callable[[random.Random, dict[str, Any]], None]:
    def make(rng: random.Random, body: dict[str, Any]) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return make


def _set_address(key: str, *values: str) -> Callable[[random.Random, dict[str, Any]], None]:
    return lambda rng, body: _address(body).__setitem__(key, rng.choice(values))


def _bad_email(rng: random.Random, body: dict[str, Any]) -> None:
    email: str = body["billingProfile"]["email"]
    local, domain = email.split("@")
    body["billingProfile"]["email"] = rng.choice(
        [f"{local} at {domain}", f"{local}@@{domain}", f"{local}@{domain}.", f"{local}@ {domain}",
         f"{local}.@{domain}", f"{local}@{domain.split('.')[0]}"]
    )  # fmt: skip


def _repeated(text: str, separator: str, at_least: int) -> str:
    """`text` repeated (joined by `separator`) until it has at least `at_least` characters."""
    out = text
    while len(out) < at_least:
        out += separator + text
    return out


def _long_name(rng: random.Random, body: dict[str, Any]) -> None:
    key = rng.choice(["firstName", "lastName"])
    _address(body)[key] = _repeated(_address(body)[key], "-", 51)


def _bad_domain(rng: random.Random, body: dict[str, Any]) -> None:
    domain: str = body["companyProfile"]["domain"]
    prefix = domain.split(".")[0]
    body["companyProfile"]["domain"] = rng.choice(
        [f"{prefix}_ltd.onmicrosoft.com", f"{prefix} corp.onmicrosoft.com", f"-{domain}",
         f"{prefix}..onmicrosoft.com"]
    )  # fmt: skip


def _in(*codes: str) -> Callable[[_Market], bool]:
    return lambda market: market.code in codes


MISTAKES: tuple[Mistake, ...] = (
    Mistake("email missing", _drop("billingProfile", "email")),
    Mistake("email malformed", _bad_email),
    Mistake(
        "culture unsupported",
        lambda rng, body: body["billingProfile"].__setitem__(
            "culture", rng.choice(["en-UK", "english", "ch-DE", "es-LA", "xx-XX"])
        ),
    ),
    Mistake(
        "language not a code",
        lambda rng, body: body["billingProfile"].__setitem__(
            "language", rng.choice(["English", "eng", "e", "Deutsch"])
        ),
    ),
    Mistake("company name missing", _drop("billingProfile", "companyName")),
    Mistake("first name over 50", _long_name),
    Mistake("address line 1 missing", _drop("billingProfile", "defaultAddress", "addressLine1")),
    Mistake(
        "address line 1 over 200",
        lambda rng, body: _address(body).__setitem__(
            "addressLine1", _repeated(_address(body)["addressLine1"], ", ", 201)
        ),
    ),
    Mistake("domain malformed", _bad_domain),
    Mistake("UK for GB", _set_address("country", "UK"), _in("GB")),
    Mistake(
        "US state name",
        _set_address("state", "Washington", "California", "New York", "Texas", "Wash."),
        _in("US"),
    ),
    Mistake(
        "US ZIP code malformed",
        _set_address("postalCode", "9805", "980521", "WA 98052", "98052 6399 1"),
        _in("US"),
    ),
    Mistake("US city missing", _drop("billingProfile", "defaultAddress", "city"), _in("US")),
    Mistake(
        "US phone malformed",
        _set_address("phoneNumber", "+1 425 555 01", "425-5550", "0044 20 7946 0958"),
        _in("US"),
    ),
    Mistake(
        "CA province name",
        _set_address("state", "Ontario", "Québec", "British Columbia"),
        _in("CA"),
    ),
    Mistake(
        "postal code in other digits",
        _set_address("postalCode", "١٠١١٧", "१०११७०", "１０１１７"),
        _in("DE", "CN"),
    ),
    Mistake(
        "registration number missing",
        _drop("companyProfile", "organizationRegistrationNumber"),
        lambda market: market.registration is not None,
    ),
    Mistake(
        "phone number missing",
        _drop("billingProfile", "defaultAddress", "phoneNumber"),
        lambda market: market.phone_required,
    ),
)  # fmt: skip


def pascal(value: Any) -> Any:
    """`value` with every key in PascalCase."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: pascal(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Record:
    """One body of the corpus, and the mistake made in it (None: a valid body)."""

    body: dict[str, Any]
    mistake: str | None
    country: str


def records(count: int, seed: int = 2026, invalid_share: float = 0.3) -> Iterator[Record]:
    """`count` records, the same ones for the same seed (and the same phonenumbers data)."""
    rng = random.Random(seed)
    for market in _markets().values():  # counters start afresh for each corpus
        market.phone_count = market.registration_count = 0
    for index in range(count):
        market = _market_of(rng, index)
        body = _body(rng, index, market)
        mistake = None
        if rng.random() < invalid_share:
            choice = rng.choice([m for m in MISTAKES if m.applies(market)])
            choice.make(rng, body)
            mistake = choice.name
        if rng.random() < 0.33:
            body = pascal(body)
        yield Record(body, mistake, market.code)


def valid_body(country: str, seed: int = 2026) -> dict[str, Any]:
    """One valid body of the market `country` (camelCase keys), the same for the same seed."""
    market = _markets()[country]
    return _body(random.Random(f"{seed}-{country}"), seed, market)


def bodies(count: int, seed: int = 2026, invalid_share: float = 0.3) -> Iterator[Any]:
    """The bodies of `records`."""
    return (record.body for record in records(count, seed, invalid_share))


def write_jsonl(out: TextIO, count: int, seed: int = 2026, invalid_share: float = 0.3) -> None:
    """The corpus as JSON Lines, one body a line, streamed (memory does not grow with count)."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for body in bodies(count, seed, invalid_share):
        out.write(dumps(body) + "\n")


def cli(doc: str, write: Callable[[TextIO, int, int, float], None], argv: list[str] | None) -> int:
    """The command line of a corpus module: `write` the corpus to a file or stdout."""
    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--invalid-share", type=float, default=0.3)
    parser.add_argument("--output", default="-", help="JSON Lines file, or - for stdout")
    args = parser.parse_args(argv)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    with out:
        write(out, args.count, args.seed, args.invalid_share)
    return 0


def main(argv: list[str] | None = None) -> int:
    return cli(__doc__, write_jsonl, argv)


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = [
    "MISTAKES",
    "Record",
    "bodies",
    "cli",
    "market_codes",
    "pascal",
    "records",
    "write_jsonl",
]
