"""An integer regression target (spec_regression_integer_target): generated Python and Java truncate toward zero,
as the lift, the fast path, pypmml and the PFA writer do (interchange.batch.typed_outputs)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.codegen.api import codegen, ir_outputs, load_python
from interchange.ir.lifted import Lifted

DOCUMENT = Path(__file__).parents[2] / "conformance" / "pmml_crossformat" / "spec_regression_integer_target.pmml"
ROWS = {
    "age": np.array([30.3, -100.0, np.nan]),
    "salary": np.array([1000.7, 0.0, 5.0]),
    "car_location": np.array(["street", "carpark", "street"], dtype=object),
}
WANT = [682.0, -536.0]  # 132.37 + 7.1 age + 0.01 salary + 325.03 / 41.1 = 682.537, -536.53; row 2 has no age


def _lifted() -> Lifted:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the document's departures (an integer target of a regression)
        lifted = interchange.lift(DOCUMENT.read_bytes())
    assert lifted.graph is not None and lifted.signature.output("value")[0].type == "integer"
    return lifted


def test_generated_python_truncates_as_the_lift() -> None:
    lifted = _lifted()
    got = load_python(codegen(lifted, "python").source).predict(ROWS)["number_of_claims"]
    assert got[:2].tolist() == WANT and np.isnan(got[2])
    assert list(lifted.predict(ROWS)["number_of_claims"]) == [682, -536, None]
    assert lifted.graph is not None
    assert ir_outputs(lifted.graph, ROWS)["number_of_claims"][:2].tolist() == WANT  # what the generated code replays


@pytest.mark.skipif(shutil.which("mvn") is None, reason="Maven is not installed: generated Java is not compiled")
def test_generated_java_truncates_as_the_lift(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from tests.unit.codegen.java.maven import from_graph, run_junit

    lifted = _lifted()
    assert lifted.graph is not None
    generated = from_graph(lifted.graph, "IntegerTarget", ROWS)
    assert generated.verification is not None
    assert generated.verification.expected["number_of_claims"][:2].tolist() == WANT
    assert "Math.ceil(whole0)" in generated.source
    (report,) = run_junit(tmp_path, [generated])
    suite = ET.parse(report).getroot()
    assert int(suite.get("tests", "0")) > 0 and suite.get("failures") == "0" and suite.get("errors") == "0"
