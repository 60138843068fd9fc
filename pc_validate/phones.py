"""phonenumbers' verdict on a plain phone number, reached without phonenumbers.parse.

parse() reads any text ("Tel: +1 (650) 253-0000 ext. 123", vanity numbers, RFC 3966 URIs,
digits of any script) and costs 10-20 µs a number, every number of a real export being new.
Most numbers people send are plain: ASCII digits, perhaps a leading +, and spaces, hyphens,
dots or parentheses between them. For those, `plain_problem` retraces parse() and
is_possible_number_with_reason() step by step, on the same metadata and through the same
internal helpers (national prefix stripping, national number patterns, possible lengths),
and skips only what is an identity on plain text: finding the number in the text, reading an
extension, normalising digits of other scripts. Whatever is not plain, and the few cases whose
answer takes more (an international dialling prefix written out, a country calling code
phonenumbers does not know, a length possible only for local calls), are left to parse()
(ASK).

It leans on phonenumbers' private helpers, so pyproject.toml pins phonenumbers' major
version, and tests/test_phones.py holds it to parse() over every example number of every
region, in every format, and a large fuzzed set.
"""

from __future__ import annotations

import functools
import re
from typing import Final, NamedTuple

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, ValidationResult
from phonenumbers.phonenumberutil import (
    _MAX_INPUT_STRING_LENGTH,
    _MAX_LENGTH_FOR_NSN,
    _MIN_LENGTH_FOR_NSN,
    _match_national_number,
    _maybe_strip_national_prefix_carrier_code,
    _test_number_length,
)

#: The answer "ask parse()": the number is not plain, or its verdict needs more than lengths.
ASK: Final = "ask"

#: The characters between digits that parse() ignores wherever they stand in a plain number
#: (all of them are phonenumbers' valid punctuation; none starts an extension).
_SEPARATORS = str.maketrans("", "", " -().")
#: A national number kept when the national prefix is stripped is long enough for none of these.
_SHORT: Final = (
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
)
_PROBLEMS: Final = {
    ValidationResult.TOO_SHORT: "too_short",
    ValidationResult.TOO_LONG: "too_long",
    ValidationResult.INVALID_LENGTH: "invalid_length",
}
#: The calling codes as their digits (what _extract_country_code tries, 1 to 3 digits long).
_CODES: Final = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}


class _Plan:
    """A numbering plan's metadata with what the verdict reads of it made ready: its national
    prefix pattern compiled, and _test_number_length's answer by length (for the number type
    UNKNOWN it reads nothing of a number but its length), learned as lengths come."""

    __slots__ = ("lengths", "metadata", "prefix")

    def __init__(self, metadata: PhoneMetadata) -> None:
        self.metadata = metadata
        prefix = metadata.national_prefix_for_parsing
        self.prefix = re.compile(prefix) if prefix else None
        self.lengths: dict[int, int] = {}

    def length(self, national: str) -> int:
        """_test_number_length(national, metadata)."""
        found = self.lengths.get(len(national), -1)
        if found < 0:
            found = self.lengths[len(national)] = _test_number_length(national, self.metadata)
        return found

    def stripped(self, national: str) -> str:
        """The number after _maybe_strip_national_prefix_carrier_code (asked only when the
        prefix pattern matches: otherwise it returns the number as it is)."""
        if self.prefix is None or not national or self.prefix.match(national) is None:
            return national
        return _maybe_strip_national_prefix_carrier_code(national, self.metadata)[1]


class _Region(NamedTuple):
    plan: _Plan
    #: its international dialling prefix (00, 011), compiled as parse() compiles it
    idd: re.Pattern[str] | None
    #: its country calling code, and as digits
    code: int
    own: str


@functools.cache
def _region(region: str) -> _Region | None:
    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is None or metadata.country_code is None:
        return None
    idd = metadata.international_prefix
    code = metadata.country_code
    return _Region(_Plan(metadata), None if idd is None else re.compile(idd), code, str(code))


@functools.cache
def _main(country_code: int) -> _Plan | None:
    """The numbering plan of a calling code's main region (as parse() and
    is_possible_number_with_reason() pick it)."""
    region = COUNTRY_CODE_TO_REGION_CODE[country_code][0]
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    return None if metadata is None else _Plan(metadata)


def plain_problem(value: str, region: str) -> str | None:
    """What judge_phone_number's parse() and possible-length test say of `value` dialled from
    `region` (a region phonenumbers has metadata for): None when it is possible, else the
    problem ("too_short", "too_long", "invalid_length"), or ASK when parse() must say."""
    text = value.translate(_SEPARATORS)
    plus = text.startswith("+")
    digits = text[1:] if plus else text
    # Three digits at least: with fewer, whether parse() finds a number depends on the
    # separators.
    if len(digits) < 3 or not (digits.isascii() and digits.isdigit()):
        return ASK
    if len(value) > _MAX_INPUT_STRING_LENGTH:
        return ASK
    own = _region(region)
    if own is None:
        return ASK
    plan = own.plan
    if plus:
        # _extract_country_code: the first 1 to 3 digits that are a calling code
        country_code = 0
        if digits[0] != "0":
            for size in (1, 2, 3):
                country_code = _CODES.get(digits[:size], 0)
                if country_code:
                    break
        if country_code == 0:
            return ASK  # parse() tries again without the plus sign
        national = digits[size:]
    else:
        if own.idd is not None and own.idd.match(digits):
            return ASK  # an international prefix (00, 011) written out
        country_code, national = 0, digits
        # The number may start with the region's own calling code, without a plus sign.
        if digits.startswith(own.own):
            general = plan.metadata.general_desc
            rest = plan.stripped(digits[len(own.own) :])
            if (
                not _match_national_number(digits, general, False)
                and _match_national_number(rest, general, False)
            ) or plan.length(digits) == ValidationResult.TOO_LONG:
                country_code, national = own.code, rest
    if country_code == 0:
        country_code = own.code
    elif COUNTRY_CODE_TO_REGION_CODE[country_code][0] != region:
        other = _main(country_code)
        if other is None:
            return ASK
        plan = other
    if len(national) < _MIN_LENGTH_FOR_NSN:
        return "too_short"
    stripped = plan.stripped(national)
    if stripped is not national and plan.length(stripped) not in _SHORT:
        national = stripped
    if len(national) < _MIN_LENGTH_FOR_NSN:
        return "too_short"
    if len(national) > _MAX_LENGTH_FOR_NSN:
        return "too_long"
    # is_possible_number_with_reason: the lengths of the calling code's main region.
    main = _main(country_code)
    if main is None:
        return ASK
    reason = main.length(national)
    if reason == ValidationResult.IS_POSSIBLE:
        return None
    # Possible for local calls only: parse() and is_valid_number() say.
    return _PROBLEMS.get(reason, ASK)
