"""Write rules/bundled.json, the JSON twin of the bundled rule files (see rules.TWIN).

    python scripts/generate_rules_json.py

Run it after editing any file in rules/; tests/test_rule_files.py fails while the twin is out
of date (the loader itself falls back to the YAML of any file whose digest differs).
"""

from __future__ import annotations

import json
import sys

from pc_validate.resources import bundled_rule_files, cloud_overlays, rules_dir
from pc_validate.rules import TWIN, twin_of


def bundled_files() -> dict[str, object]:
    files = {f"rules/{path.name}": path for path in bundled_rule_files()}
    files.update({f"rules/clouds/{path.name}": path for path in cloud_overlays().values()})
    return files


def render() -> str:
    return json.dumps(twin_of(bundled_files()), ensure_ascii=False, separators=(",", ":")) + "\n"


def main() -> int:
    (rules_dir() / TWIN).write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
