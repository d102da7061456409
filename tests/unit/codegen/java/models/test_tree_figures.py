"""NodeFigures as generated Java: one ``mvn test`` run whose JUnit tests replay the IR's node ids and
confidences (a leaf with no id: no entity, NaN confidence)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.roundtrip.wtrees_graphs import ROWS, figures_graph
from tests.unit.codegen.java.maven import from_graph, run_junit


@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_gives_the_figures_the_ir_gives(tmp_path: Path) -> None:
    written = [from_graph(figures_graph(null_leaf=n), f"Figures{i}", ROWS) for i, n in enumerate((True, False))]
    assert len(run_junit(tmp_path, written)) == 2
