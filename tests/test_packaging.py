"""The built wheel works on its own, without the source tree.

The rule files live at the repository's top level (``rules/``) and are copied into the wheel
as ``pc_validate/rules``; the JSON Schemas live in ``pc_validate/schemas``. An editable install
or a test run from the checkout would find them in the source tree and hide a wheel that
lacks them, so these tests build the wheel, install it into a fresh virtual environment and
run it from a directory that is not the repository.

The build runs without network (``--no-isolation``): its backend, hatchling, is one of the
test extras. Deselect these tests with ``-m "not slow"``.
"""

from __future__ import annotations

import configparser
import importlib.util
import io
import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_VALID = REPO / "examples" / "valid" / "seed-de-2023.json"
EXAMPLE_UNPARSABLE = REPO / "examples" / "invalid" / "seed-sv-2021-trailing-commas.json"


def _run(
    argv: Sequence[str | Path], cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command with no PYTHONPATH and no way to reach an index, and capture its output."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env.update(
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PYTHONIOENCODING="utf-8",
        NO_COLOR="1",
    )
    result = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=300,
        check=False,
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )


def _explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"{result.args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, offline."""
    if importlib.util.find_spec("hatchling") is None or importlib.util.find_spec("build") is None:
        pytest.skip(
            "the build backend hatchling (or the 'build' frontend) is not installed, so the "
            "wheel cannot be built offline; install the test extras: pip install -e '.[test]'"
        )
    out = tmp_path_factory.mktemp("dist")
    result = _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", out, REPO],
        cwd=out,
    )
    assert result.returncode == 0, _explain(result)
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {wheels}"
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _dependency_dirs() -> list[str]:
    """The site-packages folders the running interpreter imports its dependencies from."""
    dirs = [
        *site.getsitepackages(),
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
    ]
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dict.fromkeys(dirs) if Path(d).is_dir()]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel installed into it.

    The dependencies (PyYAML, pycountry, ...) come from this interpreter's site-packages,
    appended to the venv's path by a .pth file, so nothing is downloaded. Unlike
    ``--system-site-packages`` this also works when the tests run inside a venv, and it does
    not process that site-packages' own .pth files, so an editable install of the checkout
    cannot put the repository on the venv's path.
    """
    root = tmp_path_factory.mktemp("venv")
    made = _run([sys.executable, "-m", "venv", root], cwd=root)
    assert made.returncode == 0, _explain(made)
    python = _bin(root, "python")
    where = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root)
    assert where.returncode == 0, _explain(where)
    (Path(where.stdout.strip()) / "_pc_validate_test_deps.pth").write_text(
        "".join(f"{d}\n" for d in _dependency_dirs()), encoding="utf-8"
    )
    installed = _run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], cwd=root)
    assert installed.returncode == 0, _explain(installed)
    return root


@pytest.fixture()
def elsewhere(tmp_path: Path) -> Path:
    """A working directory outside the repository."""
    work = tmp_path / "work"
    work.mkdir()
    assert REPO not in work.resolve().parents
    return work


def _bin(venv_root: Path, name: str) -> Path:
    scripts = venv_root / ("Scripts" if os.name == "nt" else "bin")
    return scripts / (name + (".exe" if os.name == "nt" else ""))


def _inside(path: str | Path, root: Path) -> bool:
    return Path(path).resolve().is_relative_to(root.resolve())


# -- the wheel's contents -------------------------------------------------------------------


def test_wheel_carries_every_rule_file_unchanged(wheel: Path, wheel_names: set[str]) -> None:
    """Every file of the repository's rules/ is in the wheel as pc_validate/rules/<name>."""
    rule_files = sorted(p for p in (REPO / "rules").iterdir() if p.is_file())
    assert any(p.suffix == ".yaml" for p in rule_files)
    with zipfile.ZipFile(wheel) as archive:
        for path in rule_files:
            name = f"pc_validate/rules/{path.name}"
            assert name in wheel_names, f"{name} is missing from {wheel.name}"
            assert archive.read(name) == path.read_bytes(), f"{name} differs from {path}"


def test_wheel_carries_the_json_schemas(wheel_names: set[str]) -> None:
    """The published JSON Schemas (report, rule file) ship inside the package."""
    schemas = sorted((REPO / "pc_validate" / "schemas").glob("*.json"))
    assert schemas, "pc_validate/schemas/ holds no JSON Schema (report.py promises one)"
    for path in schemas:
        assert f"pc_validate/schemas/{path.name}" in wheel_names


def test_wheel_carries_the_typing_marker(wheel: Path, wheel_names: set[str]) -> None:
    """PEP 561: the empty py.typed marker ships, so type checkers read the package's hints."""
    assert "pc_validate/py.typed" in wheel_names
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("pc_validate/py.typed") == b""


def _entry(message: Any) -> tuple[Any, ...]:
    """A catalog message as (context, id, translation); plural ones as tuples."""

    def plain(value: Any) -> Any:
        return tuple(value) if isinstance(value, list | tuple) else value

    return message.context, plain(message.id), plain(message.string)


def test_wheel_carries_a_compiled_catalog_per_language(wheel: Path, wheel_names: set[str]) -> None:
    """hatch_build.py compiles every .po into the .mo the wheel carries (none is committed),
    and each .mo holds the translations of its .po."""
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    pos = sorted((REPO / "pc_validate" / "locale").glob("*/LC_MESSAGES/pc_validate.po"))
    assert len(pos) >= 9, pos
    with zipfile.ZipFile(wheel) as archive:
        for po in pos:
            name = f"pc_validate/locale/{po.parent.parent.name}/LC_MESSAGES/pc_validate.mo"
            assert name in wheel_names, f"{name} is missing from {wheel.name}"
            compiled = read_mo(io.BytesIO(archive.read(name)))
            with po.open("rb") as source:
                catalog = read_po(source)
            wanted = {_entry(m) for m in catalog if m.id and m.string}
            assert {_entry(m) for m in compiled if m.id} == wanted
    assert not list((REPO / "pc_validate").rglob("*.mo")), "a compiled catalog is committed"


def test_wheel_declares_the_console_script(wheel: Path, wheel_names: set[str]) -> None:
    (entry_points,) = [n for n in wheel_names if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    with zipfile.ZipFile(wheel) as archive:
        parser.read_string(archive.read(entry_points).decode("utf-8"))
    assert parser["console_scripts"]["pc-validate"].strip() == "pc_validate.cli:main"


def test_wheel_holds_only_the_package(wheel_names: set[str]) -> None:
    """No tests, examples, caches or top-level modules leak into the wheel."""
    stray = sorted(
        n
        for n in wheel_names
        if (not n.startswith("pc_validate/") and ".dist-info/" not in n) or "__pycache__" in n
    )
    assert stray == []
    assert "pc_validate/__main__.py" in wheel_names


# -- the installed package, away from the source tree -------------------------------------

_PROBE = """
import json, sys
import pc_validate
from pc_validate.resources import rules_dir
report = pc_validate.validate({"billingProfile": {}, "companyProfile": {}})
modules = sorted(
    m.__file__ for name, m in list(sys.modules.items())
    if name.split(".")[0] == "pc_validate" and getattr(m, "__file__", None)
)
print(json.dumps({
    "file": pc_validate.__file__,
    "rules_dir": str(rules_dir()),
    "modules": modules,
    "ok": report.ok,
    "rules": sorted({v.rule for v in report.violations}),
}))
"""


def test_installed_package_is_imported_from_the_venv(venv: Path, elsewhere: Path) -> None:
    result = _run([_bin(venv, "python"), "-c", _PROBE], cwd=elsewhere)
    assert result.returncode == 0, _explain(result)
    probe: dict[str, Any] = json.loads(result.stdout)
    assert _inside(probe["file"], venv), probe["file"]
    assert not _inside(probe["file"], REPO)
    assert _inside(probe["rules_dir"], venv), probe["rules_dir"]
    outside = [m for m in probe["modules"] if not _inside(m, venv)]
    assert outside == [], f"modules loaded from outside the venv: {outside}"
    assert probe["ok"] is False
    assert "billing.email.required" in probe["rules"]
    assert "company.domain.required" in probe["rules"]


def test_installed_command_accepts_a_valid_example(venv: Path, elsewhere: Path) -> None:
    copy = shutil.copy(EXAMPLE_VALID, elsewhere / "customer.json")
    result = _run([_bin(venv, "pc-validate"), "check", copy], cwd=elsewhere)
    assert result.returncode == 0, _explain(result)
    assert "customer.json: valid" in result.stdout


def test_installed_command_rejects_an_invalid_payload(venv: Path, elsewhere: Path) -> None:
    payload = json.loads(EXAMPLE_VALID.read_text(encoding="utf-8"))
    address = payload["BillingProfile"]["DefaultAddress"]
    address["Country"] = "RU"  # Russia: phone number and registration number are required
    address["State"] = ""
    (elsewhere / "bad.json").write_text(json.dumps(payload), encoding="utf-8")
    result = _run(
        [_bin(venv, "pc-validate"), "check", "--format", "json", "bad.json"], cwd=elsewhere
    )
    assert result.returncode == 1, _explain(result)
    document = json.loads(result.stdout)
    errors = {
        (v["rule"], v["partner_center_error"])
        for v in document["results"][0]["violations"]
        if v["severity"] == "error"
    }
    assert ("company.registration_number.required", 600049) in errors
    assert ("address.phone.required", 600051) in errors


def test_installed_command_reports_unparsable_input(venv: Path, elsewhere: Path) -> None:
    copy = shutil.copy(EXAMPLE_UNPARSABLE, elsewhere / "commas.json")
    result = _run([_bin(venv, "pc-validate"), "check", copy], cwd=elsewhere)
    assert result.returncode == 2, _explain(result)
    assert "commas.json:" in result.stderr
    assert "Traceback" not in result.stderr


def test_installed_command_speaks_the_chosen_language(venv: Path, elsewhere: Path) -> None:
    """The installed package reads its compiled catalogs: --locale de-AT gives German."""
    copy = shutil.copy(EXAMPLE_VALID, elsewhere / "kunde.json")
    result = _run([_bin(venv, "pc-validate"), "check", "--locale", "de-AT", copy], cwd=elsewhere)
    assert result.returncode == 0, _explain(result)
    assert "kunde.json: gültig" in result.stdout
    assert "1 Eingabe: 1 gültig" in result.stdout


def test_python_dash_m_runs_the_command(venv: Path, elsewhere: Path) -> None:
    result = _run(
        [_bin(venv, "python"), "-m", "pc_validate", "check", "-"],
        cwd=elsewhere,
        stdin=EXAMPLE_VALID.read_bytes(),
    )
    assert result.returncode == 0, _explain(result)
    assert "<stdin>: valid" in result.stdout


def test_installed_command_lists_the_bundled_rules(venv: Path, elsewhere: Path) -> None:
    """`pc-validate rules` lists exactly the rules of the repository's rule files (the venv's
    copies: the probe test shows the installed package reads its own rules folder)."""
    import yaml

    expected = set()
    for path in (REPO / "rules").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        expected |= {rule["id"] for rule in data.get("rules") or []}
    result = _run([_bin(venv, "pc-validate"), "rules", "--format", "json"], cwd=elsewhere)
    assert result.returncode == 0, _explain(result)
    entries = json.loads(result.stdout)
    assert {e["id"] for e in entries} == expected | {"payload.json"}  # and the built-in one

    text = _run([_bin(venv, "pc-validate"), "rules"], cwd=elsewhere)
    assert text.returncode == 0, _explain(text)
    for rule_id in expected:
        assert rule_id in text.stdout
