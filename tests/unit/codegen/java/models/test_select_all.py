"""AllSegments as generated Java: one ``mvn test`` run whose JUnit tests replay the IR's parts (each segment's
value, label or probability where it fired, missing elsewhere)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.roundtrip.wcompare_graphs import SELECT_ROWS, select_graph
from tests.unit.codegen.java.maven import from_graph, run_junit


@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_gives_each_segments_parts(tmp_path: Path) -> None:
    written = [from_graph(select_graph(c), f"Select{i}", SELECT_ROWS) for i, c in enumerate((False, True))]
    assert len(run_junit(tmp_path, written)) == 2
