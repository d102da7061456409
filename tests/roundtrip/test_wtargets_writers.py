"""Targeted, Residual, Chain and AnomalyScore written by every graph writer and code generator.

Documents written here, in shapes the golden ones do not take (castInteger="ceiling" with min / max,
a TreeModel's priors with display values, a modelChain passing a probability and a transformedValue
expression on), are lifted and converted to each target with ``convert_document``: pypmml (or
JPMML-Evaluator where pypmml departs, formats/pmml/departures.py) on the source against the target's
reference engine (pypmml, titus2, onnxruntime) on convert's own rows, rtol 1e-9 / atol 1e-12. Generated
Python agrees with the IR within 1e-12, generated Java through one JUnit run. The golden iforest
document, which convert refuses (pypmml's Euler constant; JPMML does not take the element), is
written to PFA and ONNX and their engines are held to the IR directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import interchange
from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
from interchange.crossformat import _writer, convert_document, synthetic_rows
from interchange.ir.combine.chain import Chain
from interchange.ir.graph import Graph
from interchange.ir.models.outlier import AnomalyScore
from interchange.ir.models.targets import Residual, Targeted
from interchange.ir.reported import Reported
from interchange.verification import compare
from tests.conformance.lifting import disagreements, frame, quiet_lift, written_model
from tests.roundtrip.test_golden_crossformat import jpmml_engine

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>'

DOCUMENTS = {
    # Targets on a regression: clamp to [min, max], rescale, then round up
    "targets_ceiling": HEAD
    + """<DataDictionary>
  <DataField name="a" optype="continuous" dataType="double"/><DataField name="b" optype="continuous" dataType="double"/>
  <DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
<RegressionModel functionName="regression">
  <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="y" usageType="target"/></MiningSchema>
  <Output><OutputField name="yhat" optype="continuous" dataType="double" feature="predictedValue"/></Output>
  <Targets><Target field="y" min="-2.5" max="6" rescaleFactor="1.5" rescaleConstant="0.25" castInteger="ceiling"/></Targets>
  <RegressionTable intercept="0.3"><NumericPredictor name="a" coefficient="0.9"/>
    <NumericPredictor name="b" coefficient="-0.6"/></RegressionTable>
</RegressionModel></PMML>""",
    # a TreeModel with no prediction where no child is TRUE: the priors stand in; display values of the label
    "targets_tree_priors_display": HEAD
    + """<DataDictionary>
  <DataField name="a" optype="continuous" dataType="double"/>
  <DataField name="y" optype="categorical" dataType="string"><Value value="lo"/><Value value="hi"/><Value value="mid"/>
    </DataField>
</DataDictionary>
<TreeModel functionName="classification" missingValueStrategy="none" noTrueChildStrategy="returnNullPrediction">
  <MiningSchema><MiningField name="a"/><MiningField name="y" usageType="target"/></MiningSchema>
  <Output>
    <OutputField name="label" optype="categorical" dataType="string" feature="predictedValue"/>
    <OutputField name="shown" optype="categorical" dataType="string" feature="predictedDisplayValue"/>
    <OutputField name="p_lo" optype="continuous" dataType="double" feature="probability" value="lo"/>
    <OutputField name="p_hi" optype="continuous" dataType="double" feature="probability" value="hi"/>
    <OutputField name="p_mid" optype="continuous" dataType="double" feature="probability" value="mid"/>
  </Output>
  <Targets><Target field="y">
    <TargetValue value="lo" priorProbability="0.2" displayValue="Low"/>
    <TargetValue value="hi" priorProbability="0.3" displayValue="High"/>
    <TargetValue value="mid" priorProbability="0.5" displayValue="Middle"/>
  </Target></Targets>
  <Node id="n0" score="lo"><True/>
    <Node id="n1" score="lo"><SimplePredicate field="a" operator="lessThan" value="-1"/>
      <ScoreDistribution value="lo" recordCount="5"/><ScoreDistribution value="hi" recordCount="1"/>
        <ScoreDistribution value="mid" recordCount="2"/></Node>
    <Node id="n2" score="hi"><SimplePredicate field="a" operator="greaterThan" value="2"/>
      <ScoreDistribution value="lo" recordCount="1"/><ScoreDistribution value="hi" recordCount="6"/>
        <ScoreDistribution value="mid" recordCount="1"/></Node>
  </Node>
</TreeModel></PMML>""",
    # a modelChain passing a category's probability and an expression over it to a regression
    "chain_probability_expression": HEAD
    + """<DataDictionary>
  <DataField name="a" optype="continuous" dataType="double"/><DataField name="b" optype="continuous" dataType="double"/>
  <DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
<MiningModel functionName="regression">
  <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="y" usageType="target"/></MiningSchema>
  <Output><OutputField name="yhat" optype="continuous" dataType="double" feature="predictedValue"/></Output>
  <Segmentation multipleModelMethod="modelChain">
    <Segment><SimplePredicate field="b" operator="greaterThan" value="-3"/>
      <RegressionModel functionName="classification" normalizationMethod="logit">
        <MiningSchema><MiningField name="a"/></MiningSchema>
        <Output>
          <OutputField name="p_yes" optype="continuous" dataType="double" feature="probability" value="yes"/>
          <OutputField name="z" optype="continuous" dataType="double" feature="transformedValue">
            <Apply function="-"><Apply function="*"><FieldRef field="p_yes"/><Constant>2</Constant></Apply>
              <Constant>1</Constant></Apply>
          </OutputField>
        </Output>
        <RegressionTable intercept="0.2" targetCategory="yes"><NumericPredictor name="a" coefficient="0.7"/></RegressionTable>
        <RegressionTable intercept="0" targetCategory="no"/>
      </RegressionModel>
    </Segment>
    <Segment><True/>
      <RegressionModel functionName="regression">
        <MiningSchema><MiningField name="z"/><MiningField name="p_yes"/><MiningField name="b"/></MiningSchema>
        <RegressionTable intercept="1"><NumericPredictor name="z" coefficient="3"/>
          <NumericPredictor name="p_yes" coefficient="-0.5"/>
          <NumericPredictor name="b" coefficient="0.25"/></RegressionTable>
      </RegressionModel>
    </Segment>
  </Segmentation>
</MiningModel></PMML>""",
}
STEPS = {"targets_ceiling": Targeted, "targets_tree_priors_display": Targeted, "chain_probability_expression": Chain}
GOLDEN = Path(__file__).parents[1] / "conformance"


def _lifted(data: bytes) -> interchange.Lifted:
    lifted = quiet_lift(data)
    assert lifted.ok and lifted.graph is not None, lifted.reasons
    return lifted


def _model(graph: Graph) -> object:
    return graph.model.model if isinstance(graph.model, Reported) else graph.model


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_documents_lift_into_the_steps(name: str) -> None:
    graph = _lifted(DOCUMENTS[name].encode()).graph
    assert graph is not None and isinstance(_model(graph), STEPS[name])


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx"])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_written_document_converts(name: str, target: str) -> None:
    source = interchange.load(DOCUMENTS[name].encode())
    converted = convert_document(source, target, pmml_engine=jpmml_engine)
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_generated_python_agrees_with_the_ir(name: str) -> None:
    lifted = _lifted(DOCUMENTS[name].encode())
    assert lifted.graph is not None
    module = load_python(codegen(lifted.graph, "python").source)
    cases = synthetic_rows(lifted, 200)
    compare(lifted.signature, ir_outputs(lifted.graph, cases), python_outputs(module, lifted.signature, cases), IR_TOLERANCE)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_agrees_with_the_ir(tmp_path: Path) -> None:
    from tests.unit.codegen.java.maven import from_graph, run_junit

    written = []
    for i, name in enumerate(sorted(DOCUMENTS)):
        lifted = _lifted(DOCUMENTS[name].encode())
        assert lifted.graph is not None
        cases = {k: v[:50] for k, v in synthetic_rows(lifted, 50).items()}
        written.append(from_graph(lifted.graph, f"Wtargets{i}", cases))
    assert len(run_junit(tmp_path, written)) == len(written)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pfa", "onnx"])
def test_written_iforest_computes_the_ir_score(target: str) -> None:
    """convert refuses the golden iforest document to PFA / ONNX (pypmml's Euler constant, JPMML takes no
    AnomalyDetectionModel); the written documents' engines agree with the IR, which follows PMML 4.4."""
    lifted = _lifted((GOLDEN / "pmml_general" / "anomaly_iforest.pmml").read_bytes())
    assert lifted.graph is not None and isinstance(_model(lifted.graph), AnomalyScore)
    model = written_model(lifted, target)
    X = frame(synthetic_rows(lifted, 200))
    assert not disagreements(lifted, model, X)


@pytest.mark.filterwarnings("ignore")
def test_residual_is_read_from_the_target_given_as_an_input() -> None:
    """The written PMML makes the residual's input its target field, as the source had it: the input is
    the MiningField usageType="target", not an active one, and no other target is declared."""
    from lxml import etree

    lifted = _lifted((GOLDEN / "pmml_general" / "output_residual_classification.pmml").read_bytes())
    assert lifted.graph is not None and isinstance(_model(lifted.graph), Residual)
    root = etree.fromstring(_writer("pmml")(lifted.graph))
    fields = [(mf.get("name"), mf.get("usageType", "active")) for mf in root.iter("{*}MiningField")]
    assert ("y", "target") in fields and ("y", "active") not in fields and ("target", "target") not in fields
    assert [of.get("feature") for of in root.iter("{*}OutputField") if of.get("name") == "resid"] == ["residual"]
