"""`fix` on files: only the repaired values change, and --in-place never loses, splits or
loosens a file (issue 11, section 1).

Each test names the finding it answers. Before the fix, `fix` re-serialised the whole body
and replaced the file by a rename that knew nothing of links, owners or edits in between.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from pc_validate import interrupt, textfix, writeback
from pc_validate.payload import parse
from pc_validate.positions import Lines, value_spans

#: A body written the way people write them by hand: 4-space indent, CRLF, a \u escape,
#: numbers no float round-trips, and three values that fix repairs.
HAND_WRITTEN = (
    "{\r\n"
    '    "companyProfile": {"domain": "contoso.onmicrosoft.com"},\r\n'
    '    "billingProfile": {\r\n'
    '        "email": "gena@wingtiptoys.com", "culture": "EN-us", "language": "en",\r\n'
    '        "companyName": "Caf\\u00e9 Wingtip", "n": 12345678901234567890.5, "m": 1E5,\r\n'
    '        "defaultAddress": {\r\n'
    '            "country": "us", "city": "Redmond", "state": "Washington",\r\n'
    '            "addressLine1": "One Microsoft Way", "postalCode": "98052",\r\n'
    '            "firstName": "Gena", "lastName": "Soto", "phoneNumber": "4255550100"\r\n'
    "        }\r\n"
    "    }\r\n"
    "}\r\n"
)
REPAIRED = (
    HAND_WRITTEN.replace('"EN-us"', '"en-US"')
    .replace('"us"', '"US"')
    .replace('"Washington"', '"WA"')
)
REPAIRABLE = json.dumps(
    {
        **VALID_US_PAYLOAD,
        "billingProfile": {
            **VALID_US_PAYLOAD["billingProfile"],
            "defaultAddress": {
                **VALID_US_PAYLOAD["billingProfile"]["defaultAddress"],
                "state": "Washington",
            },
        },
    },
    indent=2,
)


def leftovers(folder: Path) -> list[str]:
    """Temporary copies left in a folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".pc-validate"))


# --- positions: the one mechanism for spans and line numbers ----------------------------------


def _at(document: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([None, 1, 4]), st.booleans())
def test_every_span_reads_as_the_value_at_its_pointer(
    value: Any, indent: Any, ascii_: bool
) -> None:
    """The fast scan against the reference: each span, parsed alone, is the value there."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_)
    spans = value_spans(text)
    assert spans[""].start == 0 and spans[""].end == len(text)
    for pointer, span in spans.items():
        assert json.loads(text[span.start : span.end]) == _at(value, pointer)


def test_a_key_sent_twice_names_its_last_value() -> None:
    text = '{"a": "first", "a": "last"}'
    span = value_spans(text)["/a"]
    assert text[span.start : span.end] == '"last"'


def test_spans_of_a_document_inside_a_larger_text() -> None:
    text = '{"a": 1}\n{"b": [true, "x"]}\n'
    spans = value_spans(text, text.index("\n") + 1)
    assert text[spans["/b/1"].start : spans["/b/1"].end] == '"x"'
    assert "/a" not in spans


def test_columns_count_utf16_code_units() -> None:
    text = '{\n  "😀": "x"}'
    lines, index = Lines(text), text.index('"x"')
    assert lines.position(index) == (2, 9)  # the emoji is two UTF-16 code units
    assert lines.position(index, utf16=False) == (2, 8)


# --- only the repaired values change -----------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
    ],
)
def test_in_place_keeps_encoding_mark_line_ends_layout_escapes_and_numbers(
    tmp_path: Path, encoding: str, bom: bytes
) -> None:
    """PowerShell 5.1's UTF-8 with a mark and UTF-16 come back as they were written; CRLF,
    4-space indent, "\\u00e9", 12345678901234567890.5 and 1E5 are untouched (before: UTF-8
    without a mark, LF, 2 spaces, "é", 1.2345678901234567e+19 and 100000.0)."""
    path = tmp_path / "customer.json"
    path.write_bytes(
        bom + HAND_WRITTEN.replace("Caf\\u00e9", "Café" if bom else "Caf\\u00e9").encode(encoding)
    )
    original = path.read_bytes()
    result = run_cli("fix", "--in-place", path)
    assert result.code == 0, result.err
    expected = original.decode(encoding).replace('"EN-us"', '"en-US"').replace('"us"', '"US"')
    assert path.read_bytes() == expected.replace('"Washington"', '"WA"').encode(encoding)
    assert path.read_bytes().startswith(bom)


def test_stdout_gets_the_same_text() -> None:
    result = run_cli("fix", "-", stdin=HAND_WRITTEN.encode())
    assert result.code == 0
    assert result.out == REPAIRED
    assert result.err.count(" -> ") == 3


def test_a_repaired_value_keeps_the_escapes_of_the_literal_it_replaces() -> None:
    assert textfix.literal_like("WA", '"\\u0057ashington"') == '"WA"'
    assert textfix.literal_like("Zoë", '"Zo\\u00eb "') == '"Zo\\u00eb"'
    assert textfix.literal_like("Zoë", '"Zoë "') == '"Zoë"'
    assert textfix.literal_like(True, '"true"') == "true"


def test_a_key_sent_twice_keeps_both_copies() -> None:
    """Which copy Partner Center reads is unknown, so neither is repaired, and neither is
    dropped (before: written once, with the last value)."""
    body = HAND_WRITTEN.replace('"country": "us",', '"country": "DE", "country": "us",')
    result = run_cli("fix", "-", stdin=body.encode())
    assert result.out == body.replace('"EN-us"', '"en-US"').replace('"Washington"', '"WA"')
    assert (
        "/billingProfile/defaultAddress/country: the key is sent more than once "
        "(payload.ambiguous_key); every copy is kept as it was\n"
    ) in result.err


def test_nothing_to_repair_writes_the_text_as_it_came() -> None:
    body = HAND_WRITTEN.replace('"EN-us"', '"en-US"').replace('"us"', '"US"')
    body = body.replace('"Washington"', '"WA"')
    result = run_cli("fix", "-", stdin=body.encode())
    assert result.out == body
    assert result.err.endswith(": nothing to repair\n")


# --- many bodies in one file -------------------------------------------------------------------


def test_a_json_array_is_repaired_body_by_body_keeping_its_layout(tmp_path: Path) -> None:
    body = HAND_WRITTEN.replace("\r\n", "\n")
    path = tmp_path / "customers.json"
    path.write_text(f"[\n{body.strip()},\n{body.strip()}\n]\n", "utf-8")
    result = run_cli("fix", "--in-place", path)
    assert result.code == 0, result.err
    repaired = REPAIRED.replace("\r\n", "\n").strip()
    assert path.read_text("utf-8") == f"[\n{repaired},\n{repaired}\n]\n"
    assert f"{path}: /0/billingProfile/defaultAddress/state: " in result.err
    assert f"{path}: /1/billingProfile/defaultAddress/state: " in result.err


def test_json_lines_are_repaired_line_by_line(tmp_path: Path) -> None:
    line = HAND_WRITTEN.replace("\r\n", "")
    path = tmp_path / "customers.jsonl"
    path.write_text(f"{line}\r\n\n{line}\n", "utf-8")
    result = run_cli("fix", "--in-place", path)
    assert result.code == 0, result.err
    repaired = REPAIRED.replace("\r\n", "")
    assert path.read_bytes().decode() == f"{repaired}\r\n\n{repaired}\n"
    assert f"{path}:1: /billingProfile/defaultAddress/state" in result.err
    assert f"{path}:3: /billingProfile/defaultAddress/state" in result.err


def test_json_lines_with_an_unreadable_line_are_not_written(tmp_path: Path) -> None:
    line = json.dumps(json.loads(HAND_WRITTEN))
    path = tmp_path / "customers.jsonl"
    path.write_text(f"{line}\n{{broken\n", "utf-8")
    before = path.read_bytes()
    result = run_cli("fix", "--in-place", path)
    assert result.code == 2
    assert f"{path}:2:2: " in result.err and "nothing was repaired or written" in result.err
    assert path.read_bytes() == before


def test_stdin_as_json_lines() -> None:
    line = HAND_WRITTEN.replace("\r\n", "")
    result = run_cli("fix", "--input-format", "jsonl", "-", stdin=f"{line}\n{line}\n".encode())
    assert result.out == 2 * (REPAIRED.replace("\r\n", "") + "\n")


@pytest.mark.parametrize("name", ["customers.csv", "customers.xlsx", "customer.json.gz"])
def test_files_fix_cannot_write_back_faithfully_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"companyProfile.domain\ncontoso.onmicrosoft.com\n")
    result = run_cli("fix", "--in-place", path)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"pc-validate: {path}: fix ")
    assert path.read_bytes() == b"companyProfile.domain\ncontoso.onmicrosoft.com\n"


# --- fix --diff ----------------------------------------------------------------------------------


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")
    result = run_cli("fix", "--diff", path)
    assert result.code == 0
    assert result.out.splitlines()[:2] == [f"--- {path}", f"+++ {path}"]
    assert '-      "state": "Washington",' in result.out and '+      "state": "WA",' in result.out
    assert path.read_text("utf-8") == REPAIRABLE
    if shutil.which("patch"):  # patch(1) applies it, and gives what fix writes
        copy = tmp_path / "copy.json"
        copy.write_text(REPAIRABLE, "utf-8")
        subprocess.run(["patch", "-s", str(copy)], input=result.out.encode(), check=True)
        assert copy.read_text("utf-8") == run_cli("fix", path).out


def test_diff_and_in_place_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")
    assert run_cli("fix", "--diff", "--in-place", path).code == 2
    assert path.read_text("utf-8") == REPAIRABLE


def test_diff_shows_payload_controls_escaped() -> None:
    body = REPAIRABLE.replace('"Redmond"', '"Red\u009b2Jmond\u202e"')
    result = run_cli("fix", "--diff", "-", stdin=body.encode())
    assert "\u009b" not in result.out and "\u202e" not in result.out
    assert "\\x9b" in result.out or "\\u009b" in result.out


# --- what --in-place writes to -----------------------------------------------------------------


def test_a_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text(REPAIRABLE, "utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    assert run_cli("fix", "--in-place", link).code == 0
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert (
        json.loads(target.read_text("utf-8"))["billingProfile"]["defaultAddress"]["state"] == "WA"
    )
    assert leftovers(tmp_path) == []


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "customer.json"
    os.mkfifo(fifo)
    result = run_cli("fix", "--in-place", fifo)
    assert result.code == 2
    assert result.err == (
        f"pc-validate: {fifo}: is a FIFO (named pipe), not a regular file; --in-place writes "
        "regular files only; nothing was written\n"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dev_stdin_is_refused_in_a_real_process(tmp_path: Path) -> None:
    """`fix --in-place /dev/stdin` would have replaced the system's /dev/stdin as root."""
    done = subprocess.run(
        [sys.executable, "-m", "pc_validate", "fix", "--in-place", "/dev/stdin"],
        input=REPAIRABLE.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert b"not a regular file" in done.stderr and b"Traceback" not in done.stderr
    assert os.path.islink("/dev/stdin") or not os.path.isfile("/dev/stdin")


def test_a_hard_link_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")
    other = tmp_path / "other.json"
    os.link(path, other)
    result = run_cli("fix", "--in-place", path)
    assert result.code == 2 and "has 2 hard links" in result.err
    assert path.read_text("utf-8") == other.read_text("utf-8") == REPAIRABLE
    assert os.stat(path).st_ino == os.stat(other).st_ino


def test_a_read_only_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")
    path.chmod(0o444)
    result = run_cli("fix", "--in-place", path)
    assert result.code == 2
    assert "is read-only (mode 0444)" in result.err
    assert path.read_text("utf-8") == REPAIRABLE and stat.S_IMODE(path.stat().st_mode) == 0o444


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_owner_group_and_mode_are_kept_when_root_repairs_another_users_file(tmp_path: Path) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")
    os.chown(path, 65534, 65534)
    path.chmod(0o640)
    assert run_cli("fix", "--in-place", path).code == 0
    status = path.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (65534, 65534, 0o640)
    assert '"WA"' in path.read_text("utf-8")


def test_extended_attributes_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")
    try:
        os.setxattr(path, "user.origin", b"crm export 7")
    except (OSError, AttributeError):
        pytest.skip("no user extended attributes here")
    assert run_cli("fix", "--in-place", path).code == 0
    assert os.getxattr(path, "user.origin") == b"crm export 7"
    assert '"WA"' in path.read_text("utf-8")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_an_owner_that_cannot_be_kept_refuses_the_fix(tmp_path: Path, monkeypatch: Any) -> None:
    """As a user on a file of a group they are not in, chown fails: the copy could not
    carry the group, so nothing is written (root stands in for the user here)."""
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")
    os.chown(path, 65534, 65534)

    def refuse(*_: Any) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "chown", refuse)
    result = run_cli("fix", "--in-place", path)
    assert result.code == 2
    assert f"pc-validate: {path}: its owner and group" in result.err
    assert "cannot be kept: Operation not permitted; the file was left as it was" in result.err
    assert path.read_text("utf-8") == REPAIRABLE and leftovers(tmp_path) == []


def test_an_edit_saved_while_fix_runs_is_not_overwritten(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")
    real = textfix.repair_file

    def repair_while_someone_saves(*args: Any) -> Any:
        fixed = real(*args)
        path.write_text(REPAIRABLE.replace("Redmond", "Seattle"), "utf-8")
        return fixed

    monkeypatch.setattr(textfix, "repair_file", repair_while_someone_saves)
    result = run_cli("fix", "--in-place", path)
    assert result.code == 2 and "changed while being repaired" in result.err
    assert "Seattle" in path.read_text("utf-8") and leftovers(tmp_path) == []


# --- write errors and signals ------------------------------------------------------------------


def test_a_folder_that_takes_no_new_file(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")

    def no_new_file(*_: Any, **__: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(writeback.tempfile, "mkstemp", no_new_file)
    result = run_cli("fix", "--in-place", path)
    assert result.code == 2
    assert result.err.endswith(
        f"pc-validate: {path}: cannot be replaced: its folder cannot take a new file: "
        "Permission denied; the file was left as it was\n"
    )


def test_a_full_disk(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")

    def full(handle: int, data: bytes) -> None:
        os.write(handle, data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writeback, "_write_all", full)
    result = run_cli("fix", "--in-place", path)
    assert result.code == 2
    assert (
        "could not be written: No space left on device; the file was left as it was" in result.err
    )
    assert path.read_text("utf-8") == REPAIRABLE and leftovers(tmp_path) == []


def test_a_file_size_limit_in_a_real_process(tmp_path: Path) -> None:
    """EFBIG, as a ulimit -f makes it (before: a traceback and exit 1)."""
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))

    done = subprocess.run(
        [sys.executable, "-m", "pc_validate", "fix", "--in-place", str(path)],
        capture_output=True,
        timeout=60,
        preexec_fn=small_files,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert b"could not be written: File too large; the file was left as it was" in done.stderr
    assert path.read_text("utf-8") == REPAIRABLE and leftovers(tmp_path) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)])
def test_a_signal_during_the_write_leaves_no_copy(
    tmp_path: Path, monkeypatch: Any, signum: int
) -> None:
    """SIGTERM and SIGHUP clean up like SIGINT: the handler raises interrupt.Interrupted
    wherever the run is, here halfway through writing the copy."""
    path = tmp_path / "customer.json"
    path.write_text(REPAIRABLE, "utf-8")

    def stopped(handle: int, data: bytes) -> None:
        os.write(handle, data[: len(data) // 2])
        raise interrupt.Interrupted(signum)

    monkeypatch.setattr(writeback, "_write_all", stopped)
    result = run_cli("fix", "--in-place", path)
    assert result.code == 128 + signum
    assert path.read_text("utf-8") == REPAIRABLE and leftovers(tmp_path) == []


def test_fix_reads_no_more_than_its_limit(monkeypatch: Any) -> None:
    monkeypatch.setattr(textfix, "MAX_FILE_BYTES", 100)
    result = run_cli("fix", "-", stdin=REPAIRABLE.encode())
    assert result.code == 2
    assert "is larger than 100 bytes, the most fix holds" in result.err


def test_dev_zero_is_refused_in_place() -> None:
    result = run_cli("fix", "--in-place", "/dev/zero")
    assert result.code == 2 and "is a character device, not a regular file" in result.err


def test_the_patched_text_is_verified(monkeypatch: Any) -> None:
    """A patch that would change something else is refused (here: spans off by one)."""
    real = textfix.value_spans

    def shifted(text: str, start: int = 0) -> Any:
        return {p: type(s)(s.start + 1, s.end + 1) for p, s in real(text, start).items()}

    monkeypatch.setattr(textfix, "value_spans", shifted)
    result = run_cli("fix", "-", stdin=REPAIRABLE.encode())
    assert result.code == 2 and "the repairs cannot be written into the text" in result.err
    assert result.out == ""
    assert parse(REPAIRABLE)  # the input itself was fine


# --- several files, as a pre-commit hook passes them (issue 15, item 5) -----------------------


def test_in_place_repairs_several_files_each_on_its_own(tmp_path: Path) -> None:
    def bad(culture: str) -> str:
        payload = json.loads(json.dumps(VALID_US_PAYLOAD))
        payload["billingProfile"]["culture"] = culture
        return json.dumps(payload, indent=2)

    first, second, clean = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    first.write_text(bad("EN-us"), "utf-8")
    second.write_text(bad("en-us"), "utf-8")
    clean.write_text(json.dumps(VALID_US_PAYLOAD), "utf-8")
    before = clean.read_bytes()
    result = run_cli("fix", "--in-place", first, second, clean)
    assert result.code == 0
    assert '"culture": "en-US"' in first.read_text("utf-8")
    assert '"culture": "en-US"' in second.read_text("utf-8")
    assert clean.read_bytes() == before
    assert f"pc-validate: {clean}: nothing to repair\n" in result.err
    assert result.err.index(str(first)) < result.err.index(str(second))


def test_several_files_give_the_worst_status_and_a_broken_one_stops_no_other(
    tmp_path: Path,
) -> None:
    broken, fixable = tmp_path / "broken.json", tmp_path / "fixable.json"
    broken.write_text("{not json", "utf-8")
    payload = json.loads(json.dumps(VALID_US_PAYLOAD))
    payload["billingProfile"]["culture"] = "EN-us"
    fixable.write_text(json.dumps(payload), "utf-8")
    result = run_cli("fix", "--in-place", broken, fixable)
    assert result.code == 2
    assert f"pc-validate: {broken}:1:2: " in result.err
    assert '"en-US"' in fixable.read_text("utf-8")
    diff = run_cli("fix", "--diff", fixable, fixable)
    assert (diff.code, diff.out) == (0, "")


def test_several_files_need_in_place_or_diff(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(VALID_US_PAYLOAD), "utf-8")
    result = run_cli("fix", path, path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "pc-validate: error: fix writes one repaired file to stdout; give --in-place or "
        "--diff to repair several\n"
    )
