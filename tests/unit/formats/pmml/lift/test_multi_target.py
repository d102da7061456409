"""JPMML-SkLearn's multi-target MiningModel (Segmentation multipleModelMethod="x-multiModelChain", one segment
per target): the signature gives one output per target, the lift an AllSegments with ``targets``, the fast path
and generated Python / Java the same answers, the PMML writer x-multiModelChain back; what has no IR form yet
(a classification's per-target probabilities, a segment's OutputField other than a predicted value) is refused
by name; a RegressorChain's segments pass their predictions on (ir.chain). Agreement with JPMML-Evaluator on
sklearn2pmml's own documents: tests/conformance/test_foreign.py (multioutput_linear, multioutput_tree,
regressor_chain) and tests/roundtrip/test_foreign_crossformat.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.codegen.api import codegen, load_python, python_outputs
from interchange.formats.pmml.parse import parse
from interchange.ir.combine.chain import Chain
from interchange.ir.combine.select_all import AllSegments
from interchange.model import get_format

DOCS = Path(__file__).parents[4] / "conformance" / "pmml_crossformat"
LINEAR = (DOCS / "s2p_multioutput_linear.pmml").read_bytes()
TREE = (DOCS / "s2p_multioutput_tree.pmml").read_bytes()
CHAIN = (DOCS / "s2p_regressor_chain.pmml").read_bytes()
ROWS = {
    "x1": np.array([0.1, -1.2, np.nan, 2.0]),
    "x2": np.array([0.2, 0.3, 0.1, -0.5]),
    "x3": np.array([0.3, 0.1, 0.2, 1.5]),
    "x4": np.array([0.5, -0.7, 0.5, np.nan]),
}


def test_the_signature_has_one_output_per_target() -> None:
    sig = parse(LINEAR).signature
    assert sig.output_names == ["y1", "y2"] and {f.kind for f in sig.outputs} == {"score"}
    assert sig.meta["targets"] == ["y1", "y2"] and sig.meta["target"] is None
    assert [f["name"] for f in sig.output_schema("m")["fields"][:2]] == ["y1", "y2"]


def test_a_single_target_signature_keeps_its_shape() -> None:
    second = b'<MiningField name="y2" usageType="target"/>\n\t\t\t<MiningField name="x1"/>'
    one = LINEAR.replace(second, b'<MiningField name="x1"/>', 1)
    sig = parse(one).signature
    assert sig.meta == {"pmml_version": "4.4", "target": "y1"} and sig.output_names == ["y1"]


@pytest.mark.parametrize("data", [LINEAR, TREE, CHAIN], ids=["linear", "tree", "chain"])
def test_lifted_fast_and_generated_python_agree(data: bytes) -> None:
    lifted = interchange.lift(data)
    assert lifted.ok and isinstance(lifted.graph.model, AllSegments) and lifted.graph.model.targets  # type: ignore[union-attr]
    ir = lifted.predict(ROWS)
    fast = interchange.load(data)
    assert fast.info.engine == "interchange-fast"
    got = fast.predict(ROWS)
    module = load_python(codegen(lifted, "python").source)
    py = python_outputs(module, lifted.signature, ROWS)
    for name in ("y1", "y2"):
        np.testing.assert_allclose(got[name], ir[name], rtol=1e-12, atol=0)
        np.testing.assert_allclose(np.asarray(py[name], dtype=float), ir[name], rtol=1e-12, atol=1e-12)
    assert np.isnan(ir["y1"][2]) and not np.isnan(ir["y1"][0])


def test_the_pmml_writer_gives_x_multimodelchain_back() -> None:
    lifted = interchange.lift(LINEAR)
    written = get_format("pmml").write_graph(lifted.graph)  # type: ignore[arg-type]
    assert b'multipleModelMethod="x-multiModelChain"' in written
    root = parse(written).root
    names = {df.get("name") for df in root.iter("{*}DataField")}
    assert {"y1", "y2"} <= names and "target" not in names
    again = interchange.lift(written)
    assert again.ok
    for name in ("y1", "y2"):
        np.testing.assert_allclose(again.predict(ROWS)[name], lifted.predict(ROWS)[name], rtol=1e-12)


def test_a_chain_passes_its_predictions_on() -> None:
    lifted = interchange.lift(CHAIN)
    assert lifted.ok and isinstance(lifted.graph.model.models[1], Chain)  # type: ignore[union-attr]
    ir = lifted.predict(ROWS)
    assert np.isnan(ir["y2"][2]) and not np.isnan(ir["y2"][0])  # (x1 missing: no y1 to pass on, no y2)
    written = get_format("pmml").write_graph(lifted.graph)  # type: ignore[arg-type]
    assert written.count(b'isFinalResult="false"') == 1 and b'<MiningField name="predict(y1)"/>' in written
    np.testing.assert_allclose(interchange.load(written).predict(ROWS)["y2"], ir["y2"], rtol=1e-12)


def test_what_has_no_ir_form_is_refused_by_name() -> None:
    residual = CHAIN.replace(b'isFinalResult="false"', b'feature="residual"', 1)
    lifted = interchange.lift(residual)
    assert not lifted.ok and "feature=residual" in str(lifted.reasons[0])
    assert "x-multiModelChain" in str(pytest.raises(interchange.DocumentError, interchange.load, residual).value)
    classified = LINEAR.replace(b'MiningModel functionName="regression"', b'MiningModel functionName="classification"')
    assert "x-multiModelChain for classification" in str(interchange.lift(classified).reasons[0])


@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_gives_every_target(tmp_path: Path) -> None:
    from tests.unit.codegen.java.maven import from_graph, run_junit

    graph = interchange.lift(TREE).graph
    assert graph is not None
    assert len(run_junit(tmp_path, [from_graph(graph, "MultiTarget", ROWS)])) == 1
