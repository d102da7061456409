"""VariableWeights as generated Java: one ``mvn test`` run whose JUnit tests replay the IR's values, each row
weighed by its field, and its refusals (a fired segment's weight missing or not positive: the class throws
IllegalArgumentException where the IR raises RecordError)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.roundtrip.wcompare_graphs import REFUSED_ROWS, WEIGHED_ROWS, weighed_graph
from tests.unit.codegen.java.maven import from_graph, run_junit


@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_weighs_each_row(tmp_path: Path) -> None:
    rows = {k: np.concatenate([WEIGHED_ROWS[k], REFUSED_ROWS[k]]) for k in WEIGHED_ROWS}
    generated = from_graph(weighed_graph(), "Weighed", rows)
    assert "IllegalArgumentException" in generated.source
    assert len(run_junit(tmp_path, [generated])) == 1
