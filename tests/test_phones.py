"""The plain-number path of the phone check (pc_validate/phones.py) gives parse()'s verdict.

`plain_problem` retraces phonenumbers.parse() and is_possible_number_with_reason() with the
library's private helpers, so it is held to judge_phone_number (which calls them) on: every
example number phonenumbers ships, of every type, region and non-geographic calling code, in
every format and with a digit dropped, added or changed, dialled from its own region and from
regions whose plans differ (national prefixes that are stripped or transformed, shared calling
codes, international prefixes that look like national numbers); a large seeded set of numbers
made by mutating those; and text hypothesis builds from the characters plain numbers have.
Wherever it answers instead of asking parse(), the answer must be parse()'s, finding for finding.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from pc_validate.checks.numbers import judge_phone_number, phone_finding
from pc_validate.phones import ASK, plain_problem

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
#: Regions whose plans make parse() do more than read digits: national prefixes stripped
#: (DE, GB), transformed (AR, MX), none (US), shared calling codes (US, CA, GU; RU, KZ; GB, GG),
#: international prefixes of several digits (US 011, AU 0011) and Italy's leading zeros.
DIALLED_FROM = ["US", "CA", "GB", "GG", "DE", "AR", "MX", "BR", "RU", "KZ", "IT", "AU", "IN", "CN"]
_TYPES = [value for name, value in vars(PhoneNumberType).items() if name.isupper()]
_FORMATS = (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL)


def _examples() -> Iterator[tuple[str, str]]:
    """(number as written, its region) for every example number of phonenumbers."""
    for region in REGIONS:
        for number_type in _TYPES:
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is not None:
                for style in _FORMATS:
                    yield phonenumbers.format_number(example, style), region
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            for style in (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL):
                yield phonenumbers.format_number(example, style), "US"


EXAMPLES = sorted(set(_examples()))


def _variants(text: str) -> list[str]:
    """The number, and with its last digit dropped, a digit added, the last changed, and
    its separators and plus sign taken away."""
    out = [text, text[:-1], text + "7", text[:-1] + str((int(text[-1]) + 5) % 10)]
    out.append(text.replace(" ", "").replace("-", ""))
    out.append(text.lstrip("+"))
    return out


def assert_as_parse(text: str, region: str) -> bool:
    """The fast path's verdict, where it gives one, is parse()'s; True when it gave one."""
    problem = plain_problem(text, region)
    if problem == ASK:
        return False
    fast = None if problem is None else phone_finding(problem)
    assert fast == judge_phone_number(text, region), (text, region, problem)
    return True


def test_the_example_numbers_in_their_own_regions() -> None:
    answered = sum(assert_as_parse(text, region) for text, region in EXAMPLES)
    assert len(EXAMPLES) > 3000
    # National, international and E.164 forms are plain: nearly all are answered without parse().
    assert answered > 0.9 * len(EXAMPLES)


def test_the_example_numbers_changed() -> None:
    for text, region in EXAMPLES:
        for variant in _variants(text):
            assert_as_parse(variant, region)


@pytest.mark.parametrize("dialled_from", DIALLED_FROM)
def test_the_example_numbers_dialled_from_elsewhere(dialled_from: str) -> None:
    for text, _ in EXAMPLES:
        assert_as_parse(text, dialled_from)


def test_a_large_set_of_mutated_numbers() -> None:
    """60,000 numbers made from the examples: digits replaced, dropped, doubled, separators
    and plus signs put in, national and international prefixes put in front; each dialled
    from its own region or one of DIALLED_FROM."""
    rng = random.Random(14)
    prefixes = ["", "", "0", "00", "011", "1", "8", "+", "+0", "(0)", "0 "]
    answered = 0
    for _ in range(60_000):
        text, region = rng.choice(EXAMPLES)
        chars = list(text)
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(chars))
            move = rng.randrange(4)
            if move == 0:
                chars[at] = rng.choice("0123456789")
            elif move == 1:
                del chars[at]
            elif move == 2:
                chars.insert(at, rng.choice("0123456789 -.()+"))
            else:
                chars.insert(at, chars[at])
            if not chars:
                chars = ["1"]
        mutated = rng.choice(prefixes) + "".join(chars)
        answered += assert_as_parse(mutated, rng.choice([region, *DIALLED_FROM]))
    assert answered > 15_000


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet="0123456789 +-().", max_size=22),
    st.sampled_from(REGIONS),
)
def test_text_of_plain_number_characters(text: str, region: str) -> None:
    assert_as_parse(text, region)


NOT_PLAIN = ["", "12", "1 2", "+1", "+12", "\u0660\u0661\u0662\u0663\u0664", "030 1234567 x12"]
NOT_PLAIN += ["tel:+49-30-1234567", " 030\t1", "0049 30 1234567", "+999 1234567"]


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_what_is_not_plain_is_left_to_parse(text: str) -> None:
    assert plain_problem(text, "DE") == ASK
