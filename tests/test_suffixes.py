"""Top-level domains from the Public Suffix List (pc_validate.suffixes): the few top-level
rules handed to publicsuffixlist answer as the whole ICANN section does, the list is read
from the package's own file (never the network), and its date is what --version shows."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from publicsuffixlist import PSLFILE, PublicSuffixList

from pc_validate import suffixes, validate
from pc_validate.checks.internet import tld_finding, top_level_label
from pc_validate.model import Finding
from pc_validate.testing import base_payload


@pytest.fixture(scope="module")
def whole_icann() -> PublicSuffixList:
    return PublicSuffixList(accept_unknown=False, only_icann=True)


def _every_last_label(psl: PublicSuffixList) -> set[str]:
    with open(PSLFILE, encoding="utf-8") as file:
        text = file.read()
    rules = re.findall(r"^[^/\s][^\s]*", text, re.MULTILINE)
    return {rule.lstrip("!").rsplit(".", 1)[-1].lower() for rule in rules}


def test_the_top_level_rules_answer_as_the_whole_icann_section(
    whole_icann: PublicSuffixList,
) -> None:
    labels = _every_last_label(whole_icann)
    labels |= {"con", "cmo", "u", "example", "test", "localhost", "blogspot", "xn--zz"}
    labels |= {label.encode("idna").decode("ascii") for label in labels if not label.isascii()}
    assert len(labels) > 1400
    differ = [
        label
        for label in sorted(labels)
        if suffixes.is_tld(label) != (whole_icann.is_public(label) and "." not in label)
    ]
    assert differ == []


@pytest.mark.parametrize("label", ["com", "COM", "de", "ck", "mm", "рф", "xn--p1ai", "XN--P1AI"])
def test_top_level_domains_of_the_list(label: str) -> None:
    assert suffixes.is_tld(label)


@pytest.mark.parametrize("label", ["con", "cmo", "u", "example", "blogspot", "xn--zz", "co.uk", ""])
def test_labels_that_are_no_top_level_domain(label: str) -> None:
    assert not suffixes.is_tld(label)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("con", "com"),
        ("cmo", "com"),
        ("ocm", "com"),
        ("comm", "com"),
        ("c0m", "com"),
        ("nte", "net"),
        ("ogr", "org"),
        ("orgg", "org"),
        ("dd", None),  # a dozen country codes are one slip away
        ("u", None),
        ("рфф", None),  # no slips into another script
        ("x" * 30, None),
    ],
)
def test_meant_tld(typed: str, meant: str | None) -> None:
    assert suffixes.meant_tld(typed) == meant


def test_the_list_version_is_the_package_files() -> None:
    with open(PSLFILE, encoding="utf-8") as file:
        head = file.read(2000)
    found = re.search(r"// VERSION: (\S+)", head)
    assert found is not None
    assert suffixes.list_version() == found.group(1)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\S*", suffixes.list_version())


def test_the_list_is_read_only_when_a_domain_is_judged() -> None:
    """Importing pc_validate, building a validator and judging a .com email and domain read no
    list; judging another TLD does, and no socket is opened for it."""
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise AssertionError('network')\n"
        "socket.socket = refuse; socket.create_connection = refuse\n"
        "from pc_validate import Validator, load_rules\n"
        "from pc_validate.testing import base_payload\n"
        "v = Validator(load_rules())\n"
        "v.validate(base_payload())\n"
        "print('publicsuffixlist' in sys.modules)\n"
        "p = base_payload(); p['billingProfile']['email'] = 'a@b.con'\n"
        "print([x.rule for x in v.validate(p).violations])\n"
        "print('publicsuffixlist' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:3] == ["False", "['billing.email.tld_known']", "True"]


def test_the_generic_tlds_answered_without_the_list_are_on_it(
    whole_icann: PublicSuffixList,
) -> None:
    assert all(whole_icann.is_public(tld) for tld in suffixes.GENERIC_TLDS)


def test_valid_examples_keep_their_top_level_domains() -> None:
    """The documentation's sandbox domain and every bundled base payload pass the TLD rules."""
    payload = base_payload()
    payload["companyProfile"]["domain"] = "xyz.ccsctp.net"
    payload["billingProfile"]["email"] = "admin@xyz.ccsctp.net"
    rules = {v.rule for v in validate(payload).violations}
    assert not {rule for rule in rules if ".tld_" in rule}


# --------------------------------------------------------------------------------------------
# The fast paths of the top_level_domain kind against the code they replace

#: What top_level_label split on before its ASCII shortcut (UTS 46's dots).
_DOTS = re.compile("[.\u3002\uff0e\uff61]")


def _label_by_split(text: str, of: str) -> str | None:
    if of == "email":
        at = text.rfind("@")
        if at < 0 or text.startswith("[", at + 1):
            return None
        text = text[at + 1 :]
    labels = _DOTS.split(text)
    if len(labels) < 2 or not labels[-1] or not labels[0]:
        return None
    return labels[-1]


def _finding_afresh(text: str, of: str, judge: str) -> Finding | None:
    """The kind's finding as it was computed for every value before labels were remembered."""
    tld = _label_by_split(text, of)
    if tld is None:
        return None
    if judge == "possible":
        return Finding("invalid_format", "tld.impossible", {"tld": tld}) if len(tld) == 1 else None
    if len(tld) == 1 or suffixes.is_tld(tld):
        return None
    meant = suffixes.meant_tld(tld)
    if meant is None:
        return Finding("unsupported_value", "tld.unlisted", {"tld": tld})
    info = {"tld": tld, "meant": meant}
    return Finding("unsupported_value", "tld.unlisted_suggest", info, text[: -len(tld)] + meant)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab.@[\u3002\uff0eé-", max_size=10), st.sampled_from(["email", "domain"]))
def test_the_ascii_shortcut_finds_the_label_the_split_finds(text: str, of: str) -> None:
    assert top_level_label(text, of) == _label_by_split(text, of)


def test_remembered_label_verdicts_are_the_verdicts_afresh(whole_icann: PublicSuffixList) -> None:
    labels = sorted(_every_last_label(whole_icann))
    labels += ["con", "cmo", "Com", "CON", "u", "U", "example", "xn--p1ai", "XN--zz", "dd"]
    for label in labels:
        for text in (f"a@b.{label}", f"b.{label}", f"x.y.{label}"):
            for of in ("email", "domain"):
                for judge in ("possible", "listed"):
                    for _ in range(2):  # the first call learns the label, the second reads it
                        assert tld_finding(text, of, judge) == _finding_afresh(text, of, judge)
