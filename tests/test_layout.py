"""The layout docs/architecture.md promises: imports go one way (no cycle, lazy or not),
and no module, test or not, reaches for another module's `_private` names.

The import graph is read from the source with `ast`, so it holds imports at module level,
inside functions and under `if TYPE_CHECKING:` alike: `import pc_validate.x`,
`from pc_validate.x import y` (an edge to `pc_validate.x.y` too when `y` is a module) and
relative imports. Importing `pc_validate.x.y` also runs `pc_validate/x/__init__.py` first;
that implicit edge to a parent package is Python's, not the code's, and is not counted.

Left out on purpose: the package's front door, `pc_validate/__init__.py`. Its re-exports
of `validate`, `Validator` and the others are lazy (PEP 562 `__getattr__`, and the same
names under `TYPE_CHECKING` for the type checker), and modules that read `__version__`
from it import nothing else through it, so its edges out would only draw a cycle through
the door that Python never walks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "pc_validate"

#: Modules whose imports out are not edges of the graph (see the docstring).
FRONT_DOOR = frozenset({PACKAGE})

_WHITE_BOX = "a white-box test of the module's own internals"
_PATTERNS = "the package's own compiled patterns, each run under a hang guard"
_RACE = "emptied so that threads race on its first fill"

#: Private names tests take from a module, by (test module, what it takes), each with the
#: reason. Each is a test that reaches into one module on purpose; none is a module of the
#: package. A new entry needs a reason as good; a public seam is better.
PRIVATE_ALLOWED: dict[tuple[str, str], str] = {
    ("tests.test_bulk", "bulk._not_validated"): "a fake worker death, written as bulk writes it",
    ("tests.test_bulk", "pc_validate.bulk._clean_line"): "the fast path held equal to dumps",
    ("tests.test_bulk", "pc_validate.bulk._result_line"): "the fast path held equal to dumps",
    ("tests.test_bulk", "bulk._outcome"): "the fast path held equal to the result dict's",
    ("tests.test_fast_parse", "payload._Fast"): "orjson taken away: the strict parser alone",
    ("tests.test_rule_files", "pc_validate.rules._FIELD_TYPES"): "the schema held to the loader",
    ("tests.test_rule_files", "pc_validate.rules._ID"): "the schema held to the loader",
    ("tests.test_rule_files", "pc_validate.rules._RULE_KEYS"): "the schema held to the loader",
    ("tests.test_rule_files", "pc_validate.rules._Builder"): _WHITE_BOX,
    ("tests.test_safe_regex", "safe_regex._DIGITS"): "the digit table held to re's own",
    ("tests.test_safe_regex", "safe_regex._DIGITS_UNICODE"): "the digit table held to re's own",
    ("tests.test_safe_regex", "email._PLAIN"): _PATTERNS,
    ("tests.test_safe_regex", "internet._LABEL"): _PATTERNS,
    ("tests.test_safe_regex", "internet._VALID_NAME"): _PATTERNS,
    ("tests.test_safe_regex", "text._GUID"): _PATTERNS,
    ("tests.test_safe_regex", "numbers._IndianCin"): _PATTERNS,
    ("tests.test_safe_regex", "numbers._IndianCin._STRUCTURE"): _PATTERNS,
    ("tests.test_safe_regex", "rules._ID"): _PATTERNS,
    ("tests.test_safe_regex", "markets._without_generic_suffix"): "held equal to the old pattern",
    ("tests.test_threads", "api._defaults"): _RACE,
    ("tests.test_threads", "markets._PARSED"): _RACE,
}


@dataclass(frozen=True)
class Import:
    """One import of a pc_validate module: by whom, of what, which names, on which line."""

    importer: str
    target: str
    names: tuple[str, ...]
    line: int


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _absolute(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The dotted module an `ImportFrom` names, with relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_in(module: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    """The imports of pc_validate modules that `module`'s source makes, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield Import(module, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_package, node)
            if target not in modules:
                continue
            names = tuple(alias.name for alias in node.names)
            yield Import(module, target, names, node.lineno)
            for name in names:
                if f"{target}.{name}" in modules:
                    yield Import(module, f"{target}.{name}", (), node.lineno)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module to the pc_validate modules it imports (itself and the front door's out left out)."""
    modules = module_names(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        if name in FRONT_DOOR:
            continue
        for found in imports_in(name, path, modules):
            if found.target != name:
                graph[name].add(found.target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted:
    every import cycle lies inside one of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(
    importer: str, path: Path, modules: dict[str, Path]
) -> Iterator[tuple[str, int, str]]:
    """Where `importer` takes a `_private` name of another pc_validate module: imported by
    name (`from pc_validate.x import _y`), or read off an imported module or name
    (`x._y`, `Validator._y`, for `x` or `Validator` imported from pc_validate); each as
    (importer, line, what it takes). Attributes of instances (`validator._plan`) are not
    seen: that would take types."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    bound: dict[str, str] = {}  # a local name to the pc_validate module it came from
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules and alias.asname:
                    bound[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(importer, path.name == "__init__.py", node)
            if target not in modules:
                continue
            for alias in node.names:
                if target != importer and _private(alias.name):
                    yield importer, node.lineno, f"{target}.{alias.name}"
                bound[alias.asname or alias.name] = target
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        root = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and bound.get(root.id, importer) != importer:
            yield importer, node.lineno, ast.unparse(node)


def all_private_uses(root: Path) -> list[str]:
    """Every private name taken across modules, in the package, its tests and its fuzz
    targets, that PRIVATE_ALLOWED does not list."""
    modules = module_names(root)
    sources = dict(modules)
    for folder in ("tests", "fuzz"):
        for path in sorted((root / folder).glob("*.py")):
            sources[f"{folder}.{path.stem}"] = path
    return [
        f"{importer}:{line} takes {what}"
        for name, path in sources.items()
        for importer, line, what in private_uses(name, path, modules)
        if (importer, what) not in PRIVATE_ALLOWED
    ]


def test_the_graph_sees_every_kind_of_import() -> None:
    """The graph reads lazy, `from`, package and submodule imports (it would pass on
    nothing otherwise)."""
    graph = import_graph(ROOT)
    assert "pc_validate.engine" in graph["pc_validate.api"]  # module level, `from`
    assert "pc_validate.bulk" in graph["pc_validate.cli"]  # in a function, `from pkg import mod`
    assert "pc_validate.checks.choice" in graph["pc_validate.checks"]  # a package's module
    assert "pc_validate.api" not in graph[PACKAGE]  # the front door's lazy re-export


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    assert cycles(import_graph(ROOT)) == []


def test_no_private_names_across_modules() -> None:
    assert all_private_uses(ROOT) == []


def test_every_allowed_private_use_is_still_made() -> None:
    """An entry of PRIVATE_ALLOWED that no test needs any more goes."""
    modules = module_names(ROOT)
    made = {
        (importer, what)
        for path in sorted((ROOT / "tests").glob("*.py"))
        for importer, _, what in private_uses(f"tests.{path.stem}", path, modules)
    }
    assert set(PRIVATE_ALLOWED) - made == set()


@pytest.mark.parametrize("source", ["from pc_validate.engine import _x", "engine._x"])
def test_private_uses_are_found(tmp_path: Path, source: str) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(f"from pc_validate import engine\n{source}\n", encoding="utf-8")
    modules = module_names(ROOT)
    assert [what for _, _, what in private_uses("tests.probe", probe, modules)] == [
        "pc_validate.engine._x" if "from" in source else "engine._x"
    ]
