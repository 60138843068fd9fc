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
    _extract_country_code,
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


class _Region(NamedTuple):
    metadata: PhoneMetadata
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
    return _Region(metadata, None if idd is None else re.compile(idd), code, str(code))


@functools.cache
def _plan(country_code: int) -> PhoneMetadata | None:
    """The numbering plan of a calling code's main region (as parse() and
    is_possible_number_with_reason() pick it)."""
    region = COUNTRY_CODE_TO_REGION_CODE[country_code][0]
    return PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)


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
    metadata = own.metadata
    if plus:
        country_code, national = _extract_country_code(digits)
        if country_code == 0:
            return ASK  # parse() tries again without the plus sign
    else:
        if own.idd is not None and own.idd.match(digits):
            return ASK  # an international prefix (00, 011) written out
        country_code, national = 0, digits
        # The number may start with the region's own calling code, without a plus sign.
        if digits.startswith(own.own):
            general = metadata.general_desc
            _, rest, _ = _maybe_strip_national_prefix_carrier_code(digits[len(own.own) :], metadata)
            if (
                not _match_national_number(digits, general, False)
                and _match_national_number(rest, general, False)
            ) or _test_number_length(digits, metadata) == ValidationResult.TOO_LONG:
                country_code, national = own.code, rest
    if country_code == 0:
        country_code = own.code
    elif COUNTRY_CODE_TO_REGION_CODE[country_code][0] != region:
        other = _plan(country_code)
        if other is None:
            return ASK
        metadata = other
    if len(national) < _MIN_LENGTH_FOR_NSN:
        return "too_short"
    _, stripped, _ = _maybe_strip_national_prefix_carrier_code(national, metadata)
    if _test_number_length(stripped, metadata) not in _SHORT:
        national = stripped
    if len(national) < _MIN_LENGTH_FOR_NSN:
        return "too_short"
    if len(national) > _MAX_LENGTH_FOR_NSN:
        return "too_long"
    # is_possible_number_with_reason: the lengths of the calling code's main region.
    plan = _plan(country_code)
    if plan is None:
        return ASK
    reason = _test_number_length(national, plan)
    if reason == ValidationResult.IS_POSSIBLE:
        return None
    # Possible for local calls only: parse() and is_valid_number() say.
    return _PROBLEMS.get(reason, ASK)
