"""The package says it carries type hints (PEP 561); tests/test_packaging.py checks the wheel."""

from __future__ import annotations

from importlib.resources import files


def test_py_typed_marker_is_in_the_package() -> None:
    marker = files("pc_validate") / "py.typed"
    assert marker.is_file()
    assert marker.read_bytes() == b""
