"""Tree node figures (NodeFigures) and multiway trees (MultiwayTreeModel) written by every target.

A PMML document written here (not a golden one) is lifted and converted to each target by
``convert_document``, whose own verification (the source's engine against the target's, rtol 1e-9
/ atol 1e-12, labels and node ids equal) must pass; generated Python agrees with the IR within
1e-12 and generated Java through its JUnit test. The golden documents holding these steps are
converted in test_golden_crossformat.py and test_codegen_golden.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
from interchange.crossformat import convert_document, synthetic_rows
from interchange.ir.trees.multiway import MultiwayTreeModel
from interchange.ir.trees.nodes import NodeFigures
from interchange.verification import compare
from tests.roundtrip.test_golden_crossformat import jpmml_engine
from tests.unit.codegen.java.maven import from_graph, run_junit

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header/>
  <DataDictionary>
    <DataField name="a" optype="continuous" dataType="double"/>
    <DataField name="s" optype="categorical" dataType="string"><Value value="x"/><Value value="z"/></DataField>
    <DataField name="y" optype="categorical" dataType="string"><Value value="no"/><Value value="yes"/></DataField>
  </DataDictionary>
  <TreeModel functionName="classification" {attrs}>
    <MiningSchema><MiningField name="a"/><MiningField name="s"/><MiningField name="y" usageType="target"/></MiningSchema>
    <Output>
      <OutputField name="label" optype="categorical" dataType="string" feature="predictedValue"/>
      <OutputField name="p_yes" optype="continuous" dataType="double" feature="probability" value="yes"/>
      <OutputField name="node" optype="categorical" dataType="string" feature="entityId"/>
      <OutputField name="conf" optype="continuous" dataType="double" feature="confidence"/>
    </Output>
"""
_TAIL = """  </TreeModel>
</PMML>
"""


def _dist(no: float, yes: float, conf_no: float, conf_yes: float) -> str:
    return (
        f'<ScoreDistribution value="no" recordCount="{no}" confidence="{conf_no}"/>'
        f'<ScoreDistribution value="yes" recordCount="{yes}" confidence="{conf_yes}"/>'
    )


# a lastPrediction tree: a missing value ends at the Node tested (its id reported for two leaves of the IR's
# binary tree), a category test, every Node with confidences
FIGURES = (
    _HEAD.format(attrs='missingValueStrategy="lastPrediction" noTrueChildStrategy="returnLastPrediction"')
    + f"""    <Node id="root" score="no"><True/>{_dist(60, 40, 0.6, 0.4)}
      <Node id="low" score="no"><SimplePredicate field="a" operator="lessOrEqual" value="1.5"/>{_dist(45, 5, 0.9, 0.1)}
        <Node id="low_x" score="yes"><SimplePredicate field="s" operator="equal" value="x"/>{_dist(2, 3, 0.4, 0.6)}</Node>
      </Node>
      <Node id="high" score="yes"><SimplePredicate field="a" operator="greaterThan" value="1.5"/>{_dist(13, 35, 0.25, 0.75)}
      </Node>
    </Node>
"""
    + _TAIL
)

# multiway, three-valued: defaultChild under a missingValuePenalty, a surrogate whose alternative is taken,
# a compound predicate, a three-way split
MULTIWAY = (
    _HEAD.format(attrs='missingValueStrategy="defaultChild" missingValuePenalty="0.8"')
    + f"""    <Node id="root" score="no" defaultChild="mid"><True/>{_dist(60, 40, 0.6, 0.4)}
      <Node id="low" score="yes" defaultChild="low_z"><SimplePredicate field="a" operator="lessThan" value="0"/>
        {_dist(5, 15, 0.25, 0.75)}
        <Node id="low_x" score="yes"><CompoundPredicate booleanOperator="surrogate">
          <SimpleSetPredicate field="s" booleanOperator="isIn"><Array n="1" type="string">x</Array></SimpleSetPredicate>
          <SimplePredicate field="a" operator="lessThan" value="-1"/><False/></CompoundPredicate>{_dist(1, 9, 0.1, 0.9)}</Node>
        <Node id="low_z" score="no"><True/>{_dist(4, 6, 0.45, 0.55)}</Node>
      </Node>
      <Node id="mid" score="no"><CompoundPredicate booleanOperator="and">
        <SimplePredicate field="a" operator="greaterOrEqual" value="0"/><SimplePredicate field="a" operator="lessThan" value="2"/>
        </CompoundPredicate>{_dist(30, 10, 0.75, 0.25)}</Node>
      <Node id="high" score="yes"><SimplePredicate field="a" operator="greaterOrEqual" value="2"/>{_dist(25, 15, 0.375, 0.625)}
      </Node>
    </Node>
"""
    + _TAIL
)

# weightedConfidence (pypmml's reading): a missing a gives the UNKNOWN children's confidences weighted by records
WEIGHTED = (
    _HEAD.format(attrs='missingValueStrategy="weightedConfidence" noTrueChildStrategy="returnLastPrediction"')
    + f"""    <Node id="root" score="no" recordCount="100"><True/>{_dist(60, 40, 0.6, 0.4)}
      <Node id="low" score="yes" recordCount="30"><SimplePredicate field="a" operator="lessThan" value="0"/>
        {_dist(10, 20, 0.3, 0.7)}</Node>
      <Node id="high" score="no" recordCount="70"><SimplePredicate field="a" operator="greaterOrEqual" value="0"/>
        {_dist(50, 20, 0.8, 0.2)}</Node>
    </Node>
"""
    + _TAIL
)

DOCUMENTS = {
    "figures_lastprediction": (FIGURES, NodeFigures),
    "multiway_defaultchild": (MULTIWAY, MultiwayTreeModel),
    "multiway_weighted": (WEIGHTED, MultiwayTreeModel),
}
# (document, target) -> the refusal: a virtual result has no Node id (and weightedConfidence's no probabilities)
REFUSED = {("multiway_weighted", "onnx"): "virtual"}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx"])
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_document_converts_and_verifies(name: str, target: str) -> None:
    text, step = DOCUMENTS[name]
    lifted = interchange.lift(text.encode())
    assert lifted.graph is not None and isinstance(lifted.graph.model, step), lifted.reasons
    if (name, target) in REFUSED:
        with pytest.raises(interchange.UnsupportedModelError, match=REFUSED[name, target]):
            convert_document(text.encode(), target, pmml_engine=jpmml_engine)
        return
    converted = convert_document(text.encode(), target, pmml_engine=jpmml_engine)
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_generated_python_agrees_with_the_ir(name: str) -> None:
    lifted = interchange.lift(DOCUMENTS[name][0].encode())
    assert lifted.graph is not None
    cases = synthetic_rows(lifted, 200)
    module = load_python(codegen(lifted.graph, "python").source)
    got = python_outputs(module, lifted.signature, cases)
    compare(lifted.signature, ir_outputs(lifted.graph, cases), got, IR_TOLERANCE, format="generated python")


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_agrees_with_the_ir(tmp_path: Path) -> None:
    written = []
    for i, (text, _) in enumerate(DOCUMENTS.values()):
        lifted = interchange.lift(text.encode())
        assert lifted.graph is not None
        written.append(from_graph(lifted.graph, f"Trees{i}", {k: v[:50] for k, v in synthetic_rows(lifted, 50).items()}))
    multiway = interchange.lift(MULTIWAY.encode()).graph
    assert multiway is not None
    written.append(from_graph(multiway, "TreesSurrogate", _surrogate_rows()))  # surrogates decided TRUE and FALSE
    assert len(run_junit(tmp_path, written)) == len(written)


def _surrogate_rows() -> dict[str, np.ndarray]:
    """Rows through MULTIWAY's surrogate low_x (s missing: ``a < -1`` decides, TRUE or FALSE), and around it."""
    grid = [(a, s) for a in (-3.0, -1.5, -1.0, -0.5, 0.0, 1.0, 2.5, np.nan) for s in ("x", "z", None)]
    return {"a": np.array([a for a, _ in grid] * 3), "s": np.array([s for _, s in grid] * 3, dtype=object)}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx", "python"])
def test_a_surrogate_decided_false_is_penalised_in_every_target(target: str) -> None:
    """missingValuePenalty as JPMML-Evaluator reads it (every Node tested whose surrogate an alternative decided,
    TRUE or FALSE): rows with s missing and -1 <= a < 0 test low_x FALSE by its alternative, then take low_z,
    penalised once. Written documents are verified on these rows (pypmml departs there: JPMML verifies the
    source); generated Python agrees with the IR."""
    lifted = interchange.lift(MULTIWAY.encode())
    assert lifted.graph is not None
    rows = _surrogate_rows()
    ir = ir_outputs(lifted.graph, rows)
    false_alternative = np.array([s is None for s in rows["s"]]) & (rows["a"] >= -1) & (rows["a"] < 0)
    assert (np.asarray(ir["node"], dtype=object)[false_alternative] == "low_z").all()
    conf = np.asarray(ir["conf"], dtype=np.float64)[false_alternative]
    np.testing.assert_allclose(conf, 0.45 * 0.8, rtol=1e-12)  # low_z: score "no", confidence 0.45, penalised once
    if target == "python":
        module = load_python(codegen(lifted.graph, "python").source)
        compare(lifted.signature, ir, python_outputs(module, lifted.signature, rows), IR_TOLERANCE, format="generated python")
        return
    converted = convert_document(MULTIWAY.encode(), target, sample=rows, pmml_engine=jpmml_engine)
    assert converted.verification.result is not None and converted.verification.result.rows == len(rows["a"])
