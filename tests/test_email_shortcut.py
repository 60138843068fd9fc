"""The email fast path may only ever agree with email-validator.

``certainly_valid`` accepts plain ASCII addresses without calling email-validator. A True
for an address email-validator rejects would let a bad billingProfile.email through, so these
tests hunt for one: hypothesis builds addresses from alphabets that sit on email-validator's
edges (dots, hyphens, digits, "--" and "xn--" labels, 63/64/65-character local parts and
labels, lengths around 254, special-use and numeric top-level labels), and a fixed list holds
the known tricky cases. ``email_problem``, the function the check uses, must give exactly
email-validator's verdict.
"""

from __future__ import annotations

import pytest
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pc_validate.checks.email import SPECIAL_USE_TLDS, certainly_valid, email_problem


def accepted(address: str) -> bool:
    """email-validator's verdict, offline, as pc-validate asks for it."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def assert_agrees(address: str) -> None:
    if certainly_valid(address):
        assert accepted(address), f"shortcut accepts {address!r}; email-validator rejects it"
    assert (email_problem(address) is None) == accepted(address), address


# --------------------------------------------------------------------------------------------
# Strategies

_LOCAL_PLAIN = "abzAZ0189._+-"
_LOCAL_ODD = "!#$%&'*/=?^`{|}~\"(),:;<>@[\\] é\u00a0"
_SPECIAL_TLDS = sorted(SPECIAL_USE_DOMAIN_NAMES)

local_parts = st.one_of(
    st.text(alphabet=_LOCAL_PLAIN, min_size=0, max_size=12),
    st.text(alphabet=_LOCAL_PLAIN + _LOCAL_ODD, min_size=1, max_size=12),
    st.integers(min_value=60, max_value=70).map(lambda n: "a" * n),
    st.integers(min_value=60, max_value=70).map(lambda n: ("a." * n)[:n]),
    st.integers(min_value=62, max_value=66).flatmap(
        lambda n: st.text(alphabet=_LOCAL_PLAIN, min_size=n, max_size=n)
    ),
)

labels = st.one_of(
    st.text(alphabet="abZ09-", min_size=0, max_size=8),
    st.integers(min_value=60, max_value=66).map(lambda n: "b" * n),
    st.integers(min_value=61, max_value=65).map(lambda n: "b" + "-" * (n - 2) + "b"),
    st.sampled_from(
        [
            "xn--",
            "xn--p1ai",
            "XN--P1AI",
            "xn--a",
            "xn--80ak6aa92e",
            "ab--cd",
            "a--b",
            "--",
            "-a",
            "a-",
            "1",
            "123",
            "0x",
            "a_b",
            "é",
            "",
        ]
    ),
)

tlds = st.one_of(
    st.sampled_from(_SPECIAL_TLDS),
    st.sampled_from(_SPECIAL_TLDS).map(str.upper),
    st.sampled_from(_SPECIAL_TLDS).map(str.title),
    st.sampled_from(
        ["com", "COM", "co", "c", "c0m", "123", "1a", "a1", "xn--p1ai", "example", "museum", "x-y"]
    ),
    st.text(alphabet="aZ09-", min_size=0, max_size=5),
    st.integers(min_value=61, max_value=65).map(lambda n: "c" * n),
)

addresses = st.builds(
    lambda local, domain_labels, tld: f"{local}@{'.'.join([*domain_labels, tld])}",
    local_parts,
    st.lists(labels, min_size=0, max_size=4),
    tlds,
)


@st.composite
def long_addresses(draw: st.DrawFn) -> str:
    """Plain addresses whose total length is near 254 and domain length near 253."""
    total = draw(st.integers(min_value=248, max_value=260))
    local_length = draw(st.integers(min_value=1, max_value=66))
    tld = draw(st.sampled_from(["com", "co", "museum", "test", "Local"]))
    label_length = draw(st.integers(min_value=58, max_value=64))
    room = total - local_length - 1 - len(tld) - 1  # characters left for "label.label."
    parts: list[str] = []
    while room > 0:
        size = min(label_length, room)
        parts.append("d" * size)
        room -= size + 1
    domain = ".".join([*parts, tld]) if parts else tld
    return "l" * local_length + "@" + domain


# --------------------------------------------------------------------------------------------
# Tests


def test_special_use_tlds_match_email_validator() -> None:
    """The shortcut's copy of the special-use list must not drift from email-validator's."""
    assert set(SPECIAL_USE_DOMAIN_NAMES) == SPECIAL_USE_TLDS
    # The shortcut compares the last label only, so every listed name must be one label.
    assert all("." not in name for name in SPECIAL_USE_DOMAIN_NAMES)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(address=addresses)
@example(address="a@b.co")
@example(address="a@b.test")
def test_shortcut_never_accepts_what_email_validator_rejects(address: str) -> None:
    assert_agrees(address)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(address=long_addresses())
def test_shortcut_respects_length_limits(address: str) -> None:
    assert_agrees(address)


@settings(max_examples=150, deadline=None)
@given(address=st.text(max_size=40))
def test_email_problem_is_email_validators_verdict_for_any_text(address: str) -> None:
    assert_agrees(address)


def _sized(local: int, domain: int, tld: str = "com") -> str:
    """An address with a local part of `local` and a domain of `domain` characters."""
    room = domain - len(tld) - 1
    parts: list[str] = []
    while room > 0:
        size = min(63, room)
        parts.append("d" * size)
        room -= size + 1
    if room == 0 and parts:  # the last label took the final character for its dot
        parts[-1] = parts[-1][:-1]
    return "l" * local + "@" + ".".join([*parts, tld])


TRICKY = [
    # plain and accepted
    "a@b.co",
    "A@B.CO",
    "first.last@example.com",
    "a_b+c-d@sub.example.org",
    "_@c.com",
    "+@c.com",
    "-@c.com",
    "a@123.com",
    "a@b.c0m",
    "a@x.y.z.w.com",
    "postmaster@x.museum",
    "a@sub.example",
    # special-use names, in any case and as a subdomain
    "a@b.test",
    "a@b.TEST",
    "a@b.Local",
    "a@localhost",
    "a@b.localhost",
    "a@b.invalid",
    "a@b.onion",
    "a@1.in-addr.arpa",
    "a@test.com",
    "a@local.com",
    # top-level labels
    "a@b.c",
    "a@b.123",
    "a@b.1a",
    "a@b.a1",
    "a@b.x-y",
    "a@b.xn--p1ai",
    "a@b." + "c" * 63,
    "a@b." + "c" * 64,
    # hyphens and IDNA
    "a@xn--p1ai.com",
    "a@xn--80ak6aa92e.com",
    "a@xn--.com",
    "a@xn--a.com",
    "a@ab--cd.com",
    "a@a--b.com",
    "a@-b.com",
    "a@b-.com",
    "a@b-c.com",
    # dots
    "a@b..com",
    "a@.b.com",
    "a@b.com.",
    ".a@b.com",
    "a.@b.com",
    "a..b@b.com",
    # characters
    "a@b_c.com",
    "a b@c.com",
    '"a"@b.co',
    "a@b@c.co",
    "user@[127.0.0.1]",
    "\u0430@b.co",
    "a@b.co\u200b",
    "a@b.com\x00",
    " a@b.co",
    "a@b.co ",
    "a@b.co\n",
    "@b.co",
    "a@",
    "",
    "\ud800@b.co",
    "a@b\ufe00.com",
    # label lengths
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "a@" + "b" * 65 + ".com",
    # local part lengths
    "a" * 63 + "@b.com",
    "a" * 64 + "@b.com",
    "a" * 65 + "@b.com",
    # whole-address and domain lengths
    _sized(64, 189),
    _sized(1, 252),
    _sized(1, 253),
    _sized(64, 190),
    _sized(10, 243),
    _sized(10, 244),
    _sized(64, 253),
]


@pytest.mark.parametrize("address", TRICKY, ids=range(len(TRICKY)))
def test_tricky_addresses(address: str) -> None:
    assert_agrees(address)


def test_length_helper_builds_what_it_says() -> None:
    address = _sized(64, 190)
    local, domain = address.split("@")
    assert (len(local), len(domain), len(address)) == (64, 190, 255)
    assert all(0 < len(label) <= 63 for label in domain.split("."))


def test_shortcut_takes_the_common_case() -> None:
    """The shortcut is no shortcut if it never says True."""
    for address in ("gena@wingtiptoys.com", "a_b+c-d@sub.example.org", "A@B.CO", "x@123.com"):
        assert certainly_valid(address), address


@pytest.mark.parametrize(
    "address",
    ["a@b.test", "a@b.TEST", "a" * 65 + "@b.com", "a@ab--cd.com", "a@b.c", "a@b..com", "é@b.co"],
)
def test_shortcut_leaves_edge_cases_to_email_validator(address: str) -> None:
    """Some of these email-validator accepts; all of them need its judgement."""
    assert not certainly_valid(address)


def test_hopeless_lengths_are_rejected_without_asking() -> None:
    """A very long value is rejected by length, as email-validator would."""
    address = "a" * 5000 + "@b.com"
    assert not accepted(address)
    problem = email_problem(address)
    assert problem is not None and "5006" in problem
