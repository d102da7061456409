"""The house reads as two wings, each layer importing only downward.

The model wing (``ir`` <- ``extract``, ``formats`` <- ``convert`` / ``check``) works without a
cluster and never imports the Kafka wing (``interchange.kafka``); ``cli`` sits on top of both.
``ALLOWED`` is the whole table of package dependencies (``KAFKA_ALLOWED`` the same inside the
Kafka wing): a new package needs a row, a new dependency needs a cell, and both show up in
review. No cycles between packages (the Kafka wing's sub-packages included), and no module
inside the package imports its root (only ``interchange/__init__.py`` assembles the public API).
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
