"""ComparedCenter as generated Java: one ``mvn test`` run whose JUnit tests replay the IR's clusters for every
measure (every compare function, field weights, missing fields; no cluster where no field is present)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.roundtrip.wcompare_graphs import COMPARED_ROWS, METRICS, compared_graph
from tests.unit.codegen.java.maven import from_graph, run_junit


@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_measures_field_by_field(tmp_path: Path) -> None:
    written = [from_graph(compared_graph(m), f"Compared{i}", COMPARED_ROWS) for i, m in enumerate(METRICS)]
    assert all("comparedDistance(" in g.source for g in written)
    assert len(run_junit(tmp_path, written)) == len(METRICS)
