"""The house reads as two wings, each layer importing only downward.

The model wing (``ir`` <- ``extract``, ``formats`` <- ``convert`` / ``check``) works without a
cluster and never imports the Kafka wing (``interchange.kafka``); ``cli`` sits on top of both.
``ALLOWED`` is the whole table of package dependencies (``KAFKA_ALLOWED`` the same inside the
Kafka wing): a new package needs a row, a new dependency needs a cell, and both show up in
review. No cycles between packages (the Kafka wing's sub-packages included), and no module
inside the package imports its root (only ``interchange/__init__.py`` assembles the public API).

Inside each package, no cycles between its sub-packages either (``ir.derive`` / ``ir.models`` /
``ir.trees``, ``formats.onnx.emit`` / ``formats.onnx.lift``, ...): a piece both sides need moves
down into a module below them. Every import counts, function-level ones included (``ast.walk``
sees them all), and every import is absolute, so none escapes the walk.
"""

from __future__ import annotations

import ast
from pathlib import Path

import interchange

PACKAGE = Path(interchange.__file__).parent

# Contract types every layer may use.
BASICS = {"errors", "version", "avronames", "signature", "batch", "document", "verification", "resources"}
# unit -> the units it may import (a unit is a root module or a top-level package; all of
# ``interchange.kafka`` is one unit here, its sub-packages are checked for cycles below).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "version": set(),
    "avronames": {"errors"},
    "signature": {"errors", "avronames"},
    "batch": {"errors", "signature"},
    "document": {"errors"},
    "verification": {"errors", "signature", "batch"},
    "resources": {"errors"},
    "source": BASICS,  # what a fitted estimator outputs and predicts (sklearn-API, no format)
    "profile": BASICS,
    "ir": {"errors", "signature", "batch"},  # the fitted-model IR: nothing above the contract types
    "model": BASICS | {"ir"},  # the Model interface and the format registry
    "extract": BASICS | {"ir", "source"},  # estimators -> IR; never a format
    "formats": BASICS | {"ir", "model", "source"},  # IR -> documents and back; never the extractors
    "codegen": BASICS | {"ir", "model", "extract", "source", "convert", "lift"},  # IR, estimator or document -> source code
    "check": BASICS | {"ir", "model", "extract", "formats", "source"},
    "converted": BASICS | {"model"},  # what a conversion returns
    "lift": BASICS | {"ir", "model"},  # documents -> IR, through each format's lifter (found by name)
    "crossformat": BASICS | {"ir", "model", "formats", "lift", "converted"},  # a document -> IR -> another format
    "convert": BASICS | {"ir", "model", "extract", "formats", "source", "check", "profile", "converted", "crossformat"},
    "files": BASICS | {"model"},  # scoring files without Kafka
    "kafka": BASICS | {"ir", "model", "source", "profile", "check", "convert"},
    "cli": set(),  # the top layer: anything (filled in below)
}
ALLOWED["cli"] = set(ALLOWED) - {"cli"}

# Inside the Kafka wing: clients at the bottom, the model topic and routes above them, the scorer
# above those, and the services that reuse the scorer's parts (monitor, serve, training) on top.
SERVICE = {"config", "transport", "registry", "logs"}
KAFKA_ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "logs": set(),
    "cliopts": set(),  # the flags every Kafka command shares
    "stack": set(),
    "avrorows": set(),
    "transport": {"config"},
    "registry": {"config"},
    "events": {"config", "transport", "registry"},
    "console": {"config", "transport", "registry", "events", "avrorows"},
    "modeltopic": {"config", "transport", "registry"},
    "routes": {"config", "transport", "registry"},
    "sink": SERVICE,
    "scorer": SERVICE | {"modeltopic", "routes", "cliopts"},
    "monitor": SERVICE | {"modeltopic", "scorer", "cliopts"},
    "serve": SERVICE | {"modeltopic", "scorer"},
    "training": SERVICE | {"modeltopic", "scorer", "cliopts"},
}


# Sibling sub-packages that still import each other: (parent package, the cycle's members) -> why
# it is left. Each entry must still be a cycle (test_known_cycles_are_still_cycles), so one that
# is fixed leaves the list.
KNOWN_CYCLES: dict[tuple[str, frozenset[str]], str] = {}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "_data" in parts:
            continue
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path) -> list[str]:
    """Our modules imported by ``path`` (``from interchange.kafka import scorer`` -> interchange.kafka.scorer)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in ("interchange", "interchange.kafka"):
                found += [f"{node.module}.{a.name}" for a in node.names]
                found += ["interchange"] if node.module == "interchange" else []
            else:
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
    return [name for name in found if name == "interchange" or name.startswith("interchange.")]


def _unit(module: str, fine: bool = False) -> str:
    """interchange.formats.pmml.fast.trees -> formats; interchange.kafka.scorer.live -> kafka (fine: kafka.scorer)."""
    parts = module.split(".")
    if len(parts) < 2:
        return ""
    if parts[1] == "kafka" and fine and len(parts) > 2:
        return f"kafka.{parts[2]}"
    return parts[1]


def _edges(fine: bool) -> dict[tuple[str, str], str]:
    """(unit, imported unit) -> one import that makes the edge, for the message."""
    edges: dict[tuple[str, str], str] = {}
    for module, path in _modules().items():
        if module == "interchange":
            continue
        for imported in _imports(path):
            a, b = _unit(module, fine), _unit(imported, fine)
            if b and a != b:
                edges.setdefault((a, b), f"{module} imports {imported}")
    return edges


def test_no_import_of_the_package_root() -> None:
    offenders = [
        f"{module} imports the package root"
        for module, path in _modules().items()
        if module != "interchange" and "interchange" in _imports(path)
    ]
    assert offenders == []


def test_every_package_has_a_row() -> None:
    units = {_unit(m) for m in _modules() if m != "interchange"}
    assert sorted(units - set(ALLOWED)) == [], "add a row to ALLOWED for each new package or root module"


def test_layers_import_downward_only() -> None:
    problems = [
        f"{a} may not import {b}: {how}" for (a, b), how in sorted(_edges(fine=False).items()) if b not in ALLOWED.get(a, set())
    ]
    assert problems == []


def test_kafka_wing_imports_downward_only() -> None:
    units = {_unit(m, fine=True) for m in _modules() if m.startswith("interchange.kafka.")}
    assert sorted(u for u in units if u.removeprefix("kafka.") not in KAFKA_ALLOWED) == [], "add a row to KAFKA_ALLOWED"
    problems = [
        f"{a} may not import {b}: {how}"
        for (a, b), how in sorted(_edges(fine=True).items())
        if a.startswith("kafka.")
        and b.startswith("kafka.")
        and b.removeprefix("kafka.") not in KAFKA_ALLOWED.get(a.removeprefix("kafka."), set())
    ]
    assert problems == []


def test_no_cycles_between_packages() -> None:
    edges = _edges(fine=True)
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                ring = path[path.index(nxt) :] + [nxt]
                cycles.append(
                    " -> ".join(ring) + "  (" + "; ".join(edges[(x, y)] for x, y in zip(ring, ring[1:], strict=False)) + ")"
                )
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def _folders() -> list[Path]:
    return sorted(d for d in [PACKAGE, *PACKAGE.rglob("*")] if d.is_dir() and d.name != "__pycache__" and "_data" not in d.parts)


def _resolved_imports(path: Path, modules: set[str]) -> list[str]:
    """Like :func:`_imports`, with ``from a.b import c`` read as ``a.b.c`` wherever that is a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
    return [name for name in found if name.startswith("interchange.")]


def _sibling_cycles() -> dict[tuple[str, frozenset[str]], list[str]]:
    """(package, sub-packages on a cycle) -> the imports making it, for every package's sub-packages."""
    modules = _modules()
    imports = {m: _resolved_imports(p, set(modules)) for m, p in modules.items()}
    found: dict[tuple[str, frozenset[str]], list[str]] = {}
    folders = _folders()
    for folder in folders:
        parent = ".".join(folder.relative_to(PACKAGE.parent).parts)
        subs = {f"{parent}.{d.name}" for d in folder.iterdir() if d in folders}

        def sub(module: str, subs: set[str] = subs) -> str | None:
            return next((s for s in subs if module == s or module.startswith(s + ".")), None)

        edges: dict[tuple[str, str], str] = {}
        for module in modules:
            a = sub(module)
            for imported in imports[module] if a else ():
                b = sub(imported)
                if b and b != a:
                    edges.setdefault((a, b), f"{module} imports {imported}")  # type: ignore[arg-type]
        for ring in _strongly_connected(edges):
            names = frozenset(s.rsplit(".", 1)[1] for s in ring)
            found[(parent, names)] = [how for (a, b), how in sorted(edges.items()) if a in ring and b in ring]
    return found


def _strongly_connected(edges: dict[tuple[str, str], str]) -> list[set[str]]:
    """The groups of two or more nodes that reach each other (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_folder_is_a_package() -> None:
    """A folder without ``__init__.py`` is a namespace package: no docstring saying its role, and
    tools that look for packages (mypy's module names, find_packages) read it differently."""
    missing = [str(d.relative_to(PACKAGE.parent)) for d in _folders() if not (d / "__init__.py").exists()]
    assert missing == []


def test_imports_are_absolute() -> None:
    """Relative imports would pass the walks above unseen."""
    relative = [
        f"{module}: line {node.lineno}"
        for module, path in _modules().items()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert relative == []


def test_no_cycles_between_sibling_subpackages() -> None:
    cycles = {key: how for key, how in _sibling_cycles().items() if key not in KNOWN_CYCLES}
    assert [f"{parent}: {' <-> '.join(sorted(names))} ({'; '.join(how)})" for (parent, names), how in cycles.items()] == []


def test_known_cycles_are_still_cycles() -> None:
    assert sorted(set(KNOWN_CYCLES) - set(_sibling_cycles()), key=str) == [], "fixed: remove it from KNOWN_CYCLES"


def test_function_level_imports_count(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from interchange.ir import graph\n    import interchange.errors\n")
    assert _resolved_imports(source, {"interchange.ir.graph"}) == ["interchange.ir.graph", "interchange.errors"]
    assert _imports(source) == ["interchange.ir", "interchange.errors"]
