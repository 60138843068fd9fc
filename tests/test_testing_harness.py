"""pc_validate.testing, the rule-case harness for people who write their own rule files, and
`pc-validate rules test`, its command line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from pc_validate.testing import CaseFileError, load_case_file, run_case, run_case_file

ROOT = Path(__file__).resolve().parents[1]
MY_RULES = ROOT / "examples" / "rules" / "my-rules.yaml"
MY_CASES = ROOT / "examples" / "rules" / "my-cases.yaml"
BUNDLED = ROOT / "tests" / "rules" / "address.line1.length.yaml"

FAILING = """\
rule: billing.email.format
cases:
  - name: a bad address is reported
    set: {billingProfile.email: "not an email"}
    expect: [{code: invalid_format, path: /billingProfile/email}]
  - name: wrongly said to stay silent
    set: {billingProfile.email: "not an email"}
    expect: []
"""

XFAIL = """\
rule: billing.email.format
cases:
  - name: a known bug
    set: {billingProfile.email: "not an email"}
    expect: []
    xfail: "BUG: pretend the rule should stay silent"
  - name: a bug that was fixed
    expect: []
    xfail: "BUG: it used to fire"
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- the Python API ---------------------------------------------------------------------------


def test_run_case_file_gives_a_result_per_case(tmp_path: Path) -> None:
    results = run_case_file(_write(tmp_path / "c.yaml", FAILING))
    assert [(r.case.name, r.status, r.ok) for r in results] == [
        ("a bad address is reported", "passed", True),
        ("wrongly said to stay silent", "failed", False),
    ]
    assert results[0].reason == ""
    assert "reported but not expected: billing.email.format invalid_format" in results[1].reason
    assert {v.rule for v in results[1].violations} >= {"billing.email.format"}


def test_xfail_is_strict(tmp_path: Path) -> None:
    """An xfail case that fails is xfail; one that passes fails, as pytest's strict xfail."""
    known, fixed = run_case_file(_write(tmp_path / "c.yaml", XFAIL))
    assert (known.status, known.ok) == ("xfail", True)
    assert known.problems
    assert (fixed.status, fixed.ok) == ("failed", False)
    assert "marked xfail (BUG: it used to fire), but it passed" in fixed.reason


def test_user_rule_file_cases(tmp_path: Path) -> None:
    """The README's case file holds for the README's rule file, and fails without it."""
    assert [r.status for r in run_case_file(MY_CASES, rules=[MY_RULES])] == ["passed"] * 3
    alone = run_case_file(MY_CASES)
    assert {r.status for r in alone} == {"failed"}
    assert "no rule 'company.domain.onmicrosoft' is loaded" in alone[0].reason


def test_a_given_validator_is_used() -> None:
    from pc_validate import Validator, load_rules

    case = load_case_file(MY_CASES)[0]
    assert run_case(case, Validator(load_rules([MY_RULES]))).status == "passed"
    assert run_case(case).status == "failed"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("rule: x.y\ncases: [\n", "not valid YAML (line"),
        ("- just a list\n", "a mapping with the keys rule and cases"),
        ("rule: x.y\ncases: []\n", "cases must be a non-empty list"),
        ("rule: x.y\ncases: [{name: a, expect: [], sett: {}}]\n", "case 'a': unknown keys"),
        ("rule: x.y\ncases: [{name: a}]\n", "case 'a': expect must be a list"),
        ("rule: x.y\ncases: [{name: a, delete: [nope], expect: []}]\n", "case 'a': delete nope"),
        ("rule: x.y\ncases: [{name: a, expect: []}, {name: a, expect: []}]\n", "used twice"),
        ("rule: x.y\ncloud: mars\ncases: [{name: a, expect: []}]\n", "cloud must be one of"),
        ("rule: 3\ncases: [{name: a, expect: []}]\n", "rule must be a rule id"),
        (
            "rule: x.y\ncases: [{name: a, expect: [{code: nope, path: /a}]}]\n",
            "case 'a': code 'nope' is not in the closed list",
        ),
    ],
)
def test_a_broken_case_file_names_file_and_case(tmp_path: Path, text: str, says: str) -> None:
    path = _write(tmp_path / "broken.yaml", text)
    with pytest.raises(CaseFileError, match=re.escape(says)) as raised:
        load_case_file(path)
    assert str(raised.value).startswith(f"{path}")


def test_unreadable_case_files(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="no such file"):
        load_case_file(tmp_path / "absent.yaml")
    with pytest.raises(CaseFileError, match="is a directory"):
        load_case_file(tmp_path)
    (tmp_path / "latin1.yaml").write_bytes(b"rule: x\xe9\n")
    with pytest.raises(CaseFileError, match="not UTF-8"):
        load_case_file(tmp_path / "latin1.yaml")


def test_the_file_cloud_default_and_the_name_check(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.yaml", "rule: x.y\ncases: [{name: a, expect: []}]\n")
    assert load_case_file(path, cloud="usgov")[0].cloud == "usgov"
    with pytest.raises(CaseFileError, match="does not match the file name"):
        load_case_file(path, named_after_rule=True)


def test_harness_works_without_pytest_and_loads_only_when_asked() -> None:
    """pc_validate.testing needs no pytest; neither `import pc_validate` nor the command's
    start-up (nor its other commands) import it."""
    code = (
        "import sys\n"
        "sys.modules['pytest'] = None\n"
        "import pc_validate, pc_validate.cli\n"
        "assert 'pc_validate.testing' not in sys.modules\n"
        "import io\n"
        "pc_validate.cli.main(['rules', '--format', 'json'], stdout=io.StringIO())\n"
        "assert 'pc_validate.testing' not in sys.modules\n"
        "from pc_validate.testing import run_case_file\n"
        f"results = run_case_file({str(BUNDLED)!r})\n"
        "assert results and all(r.status == 'passed' for r in results), results\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


# --- pc-validate rules test ---------------------------------------------------------------------


def test_cli_passing_file() -> None:
    result = run_cli("rules", "test", BUNDLED)
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(f"PASS  {BUNDLED}: ")
    assert re.fullmatch(r"(\d+) cases in 1 file: \1 passed, 0 failed, 0 xfail", lines[-1])
    assert result.err == ""


def test_cli_failing_case_prints_the_reason(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.yaml", FAILING)
    result = run_cli("rules", "test", path, BUNDLED)
    assert result.code == 1
    assert f"PASS  {path}: a bad address is reported\n" in result.out
    (failed,) = [line for line in result.out.splitlines() if line.startswith("FAIL")]
    assert failed.startswith(f"FAIL  {path}: wrongly said to stay silent: reported but not")
    assert "invalid_format '/billingProfile/email'" in failed
    assert ": 8 passed, 1 failed, 0 xfail" in result.out.splitlines()[-1]


def test_cli_xfail(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.yaml", XFAIL)
    result = run_cli("rules", "test", path)
    assert result.code == 1
    assert f"XFAIL {path}: a known bug: reported but not expected" in result.out
    assert f"FAIL  {path}: a bug that was fixed: marked xfail" in result.out
    known_only = _write(tmp_path / "k.yaml", XFAIL.split("  - name: a bug that was fixed")[0])
    assert run_cli("rules", "test", known_only).code == 0


def test_cli_broken_case_file_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.yaml", "rule: x.y\ncases: [{name: a, expect: [], x: 1}]\n")
    result = run_cli("rules", "test", BUNDLED, path)
    assert result.code == 2
    assert f"pc-validate: case file error: {path}, case 'a': unknown keys ['x']" in result.err
    assert f"PASS  {BUNDLED}" in result.out  # the usable file still runs
    assert "1 case file not usable" in result.out


def test_cli_user_rule_file_with_rules(tmp_path: Path) -> None:
    result = run_cli("rules", "test", "--rules", MY_RULES, MY_CASES)
    assert result.code == 0, result.out + result.err
    assert result.out.count("PASS  ") == 3
    # --rules before `test` counts as well; without it the rule is unknown
    assert run_cli("rules", "--rules", MY_RULES, "test", MY_CASES).code == 0
    without = run_cli("rules", "test", MY_CASES)
    assert without.code == 1
    assert "no rule 'company.domain.onmicrosoft' is loaded" in without.out


def test_cli_nonexistent_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("rules", "test", tmp_path / "absent.yaml")
    assert result.code == 2
    assert f"{tmp_path / 'absent.yaml'}: no such file" in result.err


def test_cli_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert run_cli("rules", "test").code == 2
    cloud = run_cli("rules", "test", "--cloud", "mars", BUNDLED)
    assert cloud.code == 2
    assert "no cloud named 'mars'" in cloud.err
    assert cloud.out == ""
    broken = _write(tmp_path / "r.yaml", "rules: [{id: x}]\n")
    rules = run_cli("rules", "test", "--rules", broken, BUNDLED)
    assert rules.code == 2
    assert f"rule file error: {broken}" in rules.err


def test_cli_cloud_is_the_default_of_files_without_one(tmp_path: Path) -> None:
    """The bundled cn base is clean only under 21vianet: --cloud decides for a file that
    names no cloud, and a file's own cloud wins over it."""
    text = "rule: payload.whitespace\ncases: [{name: cn, base: cn, expect: [], exclusive: true}]\n"
    path = _write(tmp_path / "c.yaml", text)
    assert run_cli("rules", "test", "--cloud", "21vianet", path).code == 0
    assert run_cli("rules", "test", path).code == 1
    _write(path, "cloud: 21vianet\n" + text)
    assert run_cli("rules", "test", "--cloud", "global", path).code == 0


def test_readme_case_file_is_the_example() -> None:
    """The case file README shows is examples/rules/my-cases.yaml, and its rule file the
    README's rule file example."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for marker, path in (("user-rules-example", MY_RULES), ("user-cases-example", MY_CASES)):
        start = readme.index(f"<!-- {marker}")
        block = re.search(r"^```yaml\n(.*?)^```$", readme[start:], flags=re.S | re.M)
        assert block is not None
        assert block.group(1) == path.read_text(encoding="utf-8"), path
