"""One bounded ``mvn test`` run over generated Java classes and their JUnit tests (shared by the Java tests)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from interchange.codegen.api import IR_TOLERANCE, Generated, codegen, ir_outputs
from interchange.ir.graph import Graph
from interchange.verification import Verification

__all__ = ["from_graph", "run_junit"]


def from_graph(graph: Graph, class_name: str, cases: dict[str, Any]) -> Generated:
    """``graph`` as a Java class whose JUnit test replays the IR evaluator's answers on ``cases``."""
    generated = codegen(graph, "java", class_name=class_name, package="generated")
    generated.verification = Verification(cases, ir_outputs(graph, cases), IR_TOLERANCE)
    return generated


def run_junit(root: Path, generated: list[Generated], timeout: int = 900, extra: dict[str, str] | None = None) -> list[Path]:
    """Write each class and its test under ``root`` (a Maven project), with ``extra`` JUnit tests (class name ->
    source, package ``generated``), run ``mvn test`` once: the report files."""
    from tests.unit.codegen.java.test_codegen_java import POM

    main, test = root / "src" / "main" / "java" / "generated", root / "src" / "test" / "java" / "generated"
    main.mkdir(parents=True)
    test.mkdir(parents=True)
    (root / "pom.xml").write_text(POM)
    for g in generated:
        g.save(main / g.filename)
        (test / f"{g.class_name}Test.java").write_text(g.test_source())
    for name, source in (extra or {}).items():
        (test / f"{name}.java").write_text(source)
    offline = ["-o"] if os.environ.get("INTERCHANGE_MAVEN_OFFLINE") else []
    run = subprocess.run(["mvn", "-B", "-q", *offline, "test"], cwd=root, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
    return list((root / "target" / "surefire-reports").glob("TEST-*.xml"))
