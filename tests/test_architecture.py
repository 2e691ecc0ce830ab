"""The shape of the code: no import cycles, app dependencies that point one way, small modules.

An import counts wherever it is written: at module level, inside a function, under
TYPE_CHECKING; relative imports count too. `from pkg import name` is an import of pkg.name
when that is a module, else of pkg; a module importing a package it lives in is no edge
(running the module runs the package's __init__ anyway).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("negotiations", "parties", "proposals")
MAX_LINES = 400

# Each module belongs to the layer of the longest prefix that matches its dotted name (a
# prefix matches the module itself and every module below it). A package's own __init__ is
# looked up as "package.__init__", so the negotiations package itself can sit apart from
# its modules.
LAYERS = {
    # project: the wiring above every app (settings, URLs, processes, operations, demo).
    "negotiations.settings": "project",
    "negotiations.urls": "project",
    "negotiations.celery": "project",
    "negotiations.wsgi": "project",
    "negotiations.asgi": "project",
    "negotiations.gunicorn_conf": "project",
    "negotiations.api_urls": "project",
    "negotiations.editing": "project",
    "negotiations.ops": "project",
    "negotiations.demo": "project",
    "negotiations.management": "project",
    "proposals.management": "project",
    # shared: machinery below every app.
    "negotiations.core": "shared",
    "negotiations.api": "shared",
    "negotiations.embedded_db": "shared",
    "negotiations.__init__": "project",  # the project package: it starts the Celery app
    # the apps, lowest first.
    "parties": "parties",
    "negotiations": "negotiations",
    "proposals": "proposals",
}

# What each layer may import. The project layer may import anything.
MAY_IMPORT = {
    "shared": {"shared"},
    "parties": {"shared", "parties"},
    "negotiations": {"shared", "parties", "negotiations"},
    "proposals": {"shared", "parties", "negotiations", "proposals"},
    "project": {"shared", "parties", "negotiations", "proposals", "project"},
}

# Never counted: generated code, and what is not the project's own Python.
NOT_COUNTED = {"migrations", "tests", "node_modules", "__pycache__", "artifacts"}


# --- The tests on the real tree ---------------------------------------------------------


def test_no_module_imports_a_module_that_imports_it_back():
    graph = import_graph(ROOT, PACKAGES)
    cycles = find_cycles(graph)
    assert not cycles, "Import cycles (each line: its modules, then the imports to cut):\n" + (
        "\n".join(describe_cycle(cycle, graph) for cycle in cycles)
    )


def test_app_dependencies_point_one_way():
    modules = find_modules(ROOT, PACKAGES)
    edges = wrong_way_edges(import_graph(ROOT, PACKAGES), modules)
    assert not edges, (
        "Imports against the layers (see LAYERS and MAY_IMPORT in this file):\n" + "\n".join(edges)
    )


def test_no_module_is_over_400_lines():
    long = long_modules(ROOT)
    assert not long, f"Modules over {MAX_LINES} lines; split them by concern:\n" + "\n".join(
        f"{path} ({lines} lines)" for path, lines in long
    )


# --- The same checks on tiny synthetic trees, so each one is known to be able to fail ---


def test_a_two_module_cycle_is_found_even_through_an_import_inside_a_function(tmp_path):
    write_tree(
        tmp_path,
        {
            "proposals": "",
            "proposals.a": "from proposals import b\n",
            "proposals.b": "def f():\n    from . import a\n",
        },
    )
    graph = import_graph(tmp_path, ["proposals"])
    assert find_cycles(graph) == [["proposals.a", "proposals.b"]]
    assert describe_cycle(["proposals.a", "proposals.b"], graph) == (
        "proposals.a, proposals.b: proposals.a -> proposals.b (proposals/a.py:1), "
        "proposals.b -> proposals.a (proposals/b.py:2)"
    )


def test_an_import_under_type_checking_counts(tmp_path):
    write_tree(
        tmp_path,
        {
            "parties": "",
            "parties.a": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from parties.b import Thing\n",
            "parties.b": "import parties.a\nThing = 1\n",
        },
    )
    assert find_cycles(import_graph(tmp_path, ["parties"])) == [["parties.a", "parties.b"]]


def test_a_module_importing_its_own_package_is_not_an_edge(tmp_path):
    write_tree(
        tmp_path,
        {
            "proposals": "from proposals import a\n",
            "proposals.a": "from proposals import VERSION\nimport proposals\n",
        },
    )
    assert import_graph(tmp_path, ["proposals"]) == {
        "proposals": {"proposals.a": 1},
        "proposals.a": {},
    }


def test_from_a_package_import_a_name_resolves_to_the_module_or_else_the_package(tmp_path):
    write_tree(
        tmp_path,
        {
            "negotiations": "VERSION = 1\n",
            "negotiations.models": "",
            "proposals": "",
            "proposals.a": "from negotiations import models, VERSION\n"
            "from negotiations.models import Negotiation\n",
        },
    )
    graph = import_graph(tmp_path, ["negotiations", "proposals"])
    assert graph["proposals.a"] == {"negotiations.models": 1, "negotiations": 1}


def test_a_clean_tree_has_no_cycle_no_wrong_way_edge_and_no_long_module(tmp_path):
    write_tree(
        tmp_path,
        {
            "parties": "",
            "parties.models": "import datetime\n",
            "negotiations": "",
            "negotiations.core": "",
            "negotiations.core.text": "",
            "negotiations.models": "from parties.models import Party\n"
            "from negotiations.core import text\n",
            "proposals": "",
            "proposals.models": "from negotiations.models import Negotiation\n",
            "proposals.management": "",
            "proposals.management.commands": "",
            "proposals.management.commands.load": "from proposals import models\n",
            "proposals.migrations.0001_initial": "import negotiations.models\n" * 500,
        },
    )
    packages = ["negotiations", "parties", "proposals"]
    graph = import_graph(tmp_path, packages)
    assert find_cycles(graph) == []
    assert wrong_way_edges(graph, find_modules(tmp_path, packages)) == []
    assert long_modules(tmp_path) == []


def test_an_import_against_the_layers_is_reported_with_both_layers(tmp_path):
    write_tree(
        tmp_path,
        {
            "parties": "",
            "parties.models": "from proposals.models import Proposal\n",
            "negotiations": "from negotiations.celery import app\n",
            "negotiations.celery": "",
            "negotiations.core": "from negotiations.celery import app\n",
            "negotiations.core.text": "def f():\n    from negotiations import models\n",
            "negotiations.models": "",
            "proposals": "",
            "proposals.models": "",
        },
    )
    packages = ["negotiations", "parties", "proposals"]
    modules = find_modules(tmp_path, packages)
    assert wrong_way_edges(import_graph(tmp_path, packages), modules) == [
        "negotiations.core -> negotiations.celery (shared -> project)",
        "negotiations.core.text -> negotiations.models (shared -> negotiations)",
        "parties.models -> proposals.models (parties -> proposals)",
    ]


def test_a_module_over_400_lines_is_reported_but_not_one_of_400(tmp_path):
    write_tree(
        tmp_path,
        {
            "proposals": "",
            "proposals.exact": "x = 1\n" * MAX_LINES,
            "proposals.long": "x = 1\n" * (MAX_LINES + 1),
        },
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_long.py").write_text("x = 1\n" * 1000)
    assert long_modules(tmp_path) == [("proposals/long.py", MAX_LINES + 1)]


# --- Building the graph -----------------------------------------------------------------


def find_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Dotted name -> file, for every module of the packages except migrations."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, dict[str, int]]:
    """Module -> {imported module: line of its first import}, among the packages' modules."""
    modules = find_modules(root, packages)

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        edges = graph[module] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = module.split(".") if is_package else module.split(".")[:-1]
                    parts = parts[: len(parts) - (node.level - 1)]
                    base = ".".join([*parts, base] if base else parts)
                # `from pkg import name` is pkg.name when that is a module, else pkg.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                imported = resolve(target)
                if imported is None or imported == module:
                    continue
                # Running a submodule runs its package's __init__ first: not a dependency.
                if module.startswith(imported + ".") and modules[imported].name == "__init__.py":
                    continue
                edges[imported] = min(edges.get(imported, node.lineno), node.lineno)
    return {module: dict(sorted(edges.items())) for module, edges in graph.items()}


def find_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def describe_cycle(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    """The cycle's modules, then each import between two of them, with file and line."""
    imports = [
        f"{module} -> {imported} ({module_path(module, graph)}:{line})"
        for module in cycle
        for imported, line in graph[module].items()
        if imported in cycle
    ]
    return f"{', '.join(cycle)}: {', '.join(imports)}"


def module_path(module: str, graph: dict[str, dict[str, int]]) -> str:
    is_package = any(other.startswith(module + ".") for other in graph)
    return module.replace(".", "/") + ("/__init__.py" if is_package else ".py")


def layer_of(module: str, path: Path) -> str:
    key = f"{module}.__init__" if path.name == "__init__.py" else module
    prefix = max(
        (prefix for prefix in LAYERS if key == prefix or key.startswith(prefix + ".")),
        key=len,
    )
    return LAYERS[prefix]


def wrong_way_edges(graph: dict[str, dict[str, int]], modules: dict[str, Path]) -> list[str]:
    """Every import against MAY_IMPORT, as `module -> imported module (layer -> layer)`."""
    found = []
    for module, edges in sorted(graph.items()):
        layer = layer_of(module, modules[module])
        for imported in edges:
            imported_layer = layer_of(imported, modules[imported])
            if imported_layer not in MAY_IMPORT[layer]:
                found.append(f"{module} -> {imported} ({layer} -> {imported_layer})")
    return found


def long_modules(root: Path) -> list[tuple[str, int]]:
    """(path, lines) of every Python file over MAX_LINES, longest first, outside
    migrations, tests and hidden folders (.venv, .git)."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [
            name for name in subfolders if not name.startswith(".") and name not in NOT_COUNTED
        ]
        for name in files:
            if name.endswith(".py"):
                path = Path(folder, name)
                with path.open(encoding="utf-8") as source:
                    lines = sum(1 for _ in source)
                if lines > MAX_LINES:
                    found.append((str(path.relative_to(root)), lines))
    return sorted(found, key=lambda item: (-item[1], item[0]))


def write_tree(root: Path, sources: dict[str, str]) -> None:
    """Write {dotted module: source} under root; a module with submodules is a package."""
    for module, source in sources.items():
        is_package = any(other.startswith(module + ".") for other in sources)
        path = root.joinpath(*module.split("."))
        path = path / "__init__.py" if is_package else path.with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
