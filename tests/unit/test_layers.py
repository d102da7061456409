"""The house reads as two wings: the model wing never imports the Kafka wing, and no module
inside the package imports its root (only ``interchange/__init__.py`` assembles the public API)."""

from __future__ import annotations

import ast
from pathlib import Path

import interchange

PACKAGE = Path(interchange.__file__).parent
# Kafka, the registry and the services built on them; everything else is the model wing
# (extract, ir, formats, convert, model, signature, ...), which must work without a cluster.
KAFKA_WING = {
    "avrorows",
    "cli",
    "config",
    "console",
    "events",
    "modeltopic",
    "monitor",
    "registry",
    "scorer",
    "serve",
    "sink",
    "stack",
    "training",
    "transport",
}


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [node.module] if node.module != "interchange" else [f"interchange.{a.name}" for a in node.names]
            if node.module == "interchange":
                found.append("interchange")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
    return [name for name in found if name == "interchange" or name.startswith("interchange.")]


def _wing_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_layers() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(rel.parts)
        if module == "interchange.__init__":
            continue
        for imported in _imports(path):
            if imported == "interchange":
                problems.append(f"{module} imports the package root")
            elif _wing_of(module) not in KAFKA_WING and _wing_of(imported) in KAFKA_WING:
                problems.append(f"{module} (model wing) imports {imported} (Kafka wing)")
    assert problems == []
