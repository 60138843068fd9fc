"""Top-level domains as the Public Suffix List's ICANN section has them (publicsuffixlist).

The package ships the list offline; it is asked with ``accept_unknown=False``, so a label
the list does not have is no TLD, and nothing here touches the network. Parsing the whole
list costs some 90 ms, so only its top-level rules (``com``, ``*.ck``) are handed to the
package's parser, on the first look-up of a TLD other than RFC 1591's generic ones (com,
net, org, ...): some 10 ms, once per process. A test holds the answers equal to those of
the whole ICANN list.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

_ICANN_BEGIN = "// ===BEGIN ICANN DOMAINS==="
_ICANN_END = "// ===END ICANN DOMAINS==="
#: A rule of one label, or a wildcard under one (``*.ck``: the list's implicit ``ck``).
_TOP_LEVEL_RULE = re.compile(r"^(?:\*\.)?[^.\s/!*]+$", re.MULTILINE)
_VERSION = re.compile(r"^// VERSION: (\S+)", re.MULTILINE)
_DATA_FILE = "public_suffix_list.dat"
#: RFC 1591's generic top-level domains: the first guesses of a "did you mean".
GENERIC_TLDS = ("com", "net", "org", "edu", "gov", "mil", "int")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _data_file() -> Path | None:
    """The package's copy of the list, found without importing the package."""
    spec = importlib.util.find_spec("publicsuffixlist")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / _DATA_FILE


def list_version() -> str:
    """The list's own VERSION line (its date and time), for ``pc-validate --version``."""
    path = _data_file()
    if path is None:
        return "not installed"
    try:
        with path.open(encoding="utf-8") as file:
            head = "".join(next(file, "") for _ in range(16))
    except OSError:
        return "unknown"
    found = _VERSION.search(head)
    return found.group(1) if found else "unknown"


@functools.cache
def _icann() -> PublicSuffixList:
    from publicsuffixlist import PSLFILE, PublicSuffixList

    with open(PSLFILE, encoding="utf-8") as file:
        text = file.read()
    start = text.index(_ICANN_BEGIN)
    end = text.index(_ICANN_END, start)
    rules = _TOP_LEVEL_RULE.findall(text, start, end)
    return PublicSuffixList(rules, accept_unknown=False, accept_encoded_idn=False)


def _unicode_label(label: str) -> str | None:
    """The label in the form the list writes it: lower case, an A-label (xn--) decoded."""
    label = label.lower()
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return None
    return label


def is_tld(label: str) -> bool:
    """True when `label` (any case, U-label or A-label) is a top-level domain of the list."""
    text = _unicode_label(label)
    if text in GENERIC_TLDS:  # most addresses: no need to read the list (a test holds them on it)
        return True
    return text is not None and "." not in text and _icann().is_public(text)


def _one_edit(word: str) -> list[str]:
    """The spellings one typing slip away: a swap of neighbours, a replaced, dropped or
    added letter (ASCII letters only: nobody mistypes into another script)."""
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swapped = [a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1]
    replaced = [a + c + b[1:] for a, b in cuts if b for c in _LETTERS]
    dropped = [a + b[1:] for a, b in cuts if b]
    added = [a + c + b for a, b in cuts for c in _LETTERS]
    return swapped + replaced + dropped + added


def meant_tld(label: str) -> str | None:
    """The top-level domain a mistyped `label` most likely meant, or None when no one is
    clear: of the TLDs one slip away, a generic one of RFC 1591 (``.con``, ``.cmo`` ->
    ``com``), else the only two-letter one, else the only other one."""
    word = label.lower()
    if not word.isascii() or not word.replace("-", "").isalnum() or len(word) > 24:
        return None
    near = {spelling for spelling in _one_edit(word) if spelling != word and is_tld(spelling)}
    generic = [tld for tld in GENERIC_TLDS if tld in near]
    if generic:
        return generic[0]
    for tier in ([t for t in near if len(t) == 2], [t for t in near if len(t) != 2]):
        if tier:
            return tier[0] if len(tier) == 1 else None
    return None
