"""Hatch build hook: compile the gettext catalogs (pc_validate/locale/*/LC_MESSAGES/*.po) into
the .mo files the wheel carries. The .mo files are written to a temporary folder, never into
the source tree (none is committed); an editable install gets none and reads the .po files
(pc_validate/languages.py)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogs(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        self._out = Path(tempfile.mkdtemp(prefix="pc-validate-mo-"))
        locale = Path(self.root) / "pc_validate" / "locale"
        for po in sorted(locale.glob("*/LC_MESSAGES/pc_validate.po")):
            lang = po.parent.parent.name
            with po.open("rb") as source:
                catalog = read_po(source, locale=lang, domain="pc_validate")
            errors = [(m.id, e) for m, es in catalog.check() for e in es]
            if errors:
                raise RuntimeError(f"{po}: {errors[0][1]} (message {errors[0][0]!r})")
            mo = self._out / lang / "pc_validate.mo"
            mo.parent.mkdir(parents=True)
            with mo.open("wb") as compiled:
                write_mo(compiled, catalog)
            target = f"pc_validate/locale/{lang}/LC_MESSAGES/pc_validate.mo"
            build_data["force_include"][str(mo)] = target

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
