"""Hand-built ONNX graphs the lifter reads as combined models (lift.ensembles) and equality splits
(lift.trees), against onnxruntime.

Leaf values and constants are exact in float32, so a tree's value equals onnxruntime's; a link
(Exp) computed in float32 by onnxruntime and in double by the IR agrees to float32 precision
(rtol 1e-6). Equality splits are checked on values equal to the category, one float32 ulp either
side, and missing, with ``missing_value_tracks_true`` both ways.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
import pytest
from onnx import TensorProto, helper, numpy_helper

from interchange.ir.combine.chain import Chain
from interchange.ir.models.general import GeneralizedLinear
from interchange.ir.trees.ensemble import TreeEnsemble
from interchange.lift import lift
from tests.conformance.lifting import lifted_outputs

_F2 = np.float32(2)
X0 = np.array([2.0, 1.0, 3.0, np.nan, np.nextafter(_F2, np.float32(3)), np.nextafter(_F2, np.float32(0)), 0.0])
X1 = np.array([0.0, 1.0, 0.5, 0.25, 0.75, np.nan, -1.0])


def _tree_node(tracks: int) -> onnx.NodeProto:
    """x0 == 2 ? 1.0 : (x1 <= 0.5 ? 2.0 : 3.0)."""
    return helper.make_node(
        "TreeEnsembleRegressor",
        ["X"],
        ["tree"],
        domain="ai.onnx.ml",
        n_targets=1,
        nodes_treeids=[0, 0, 0, 0, 0],
        nodes_nodeids=[0, 1, 2, 3, 4],
        nodes_featureids=[0, 0, 1, 0, 0],
        nodes_values=[2.0, 0.0, 0.5, 0.0, 0.0],
        nodes_modes=["BRANCH_EQ", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF"],
        nodes_truenodeids=[1, 0, 3, 0, 0],
        nodes_falsenodeids=[2, 0, 4, 0, 0],
        nodes_missing_value_tracks_true=[tracks, 0, 0, 0, 0],
        target_treeids=[0, 0, 0],
        target_nodeids=[1, 3, 4],
        target_ids=[0, 0, 0],
        target_weights=[1.0, 2.0, 3.0],
    )


def _document(nodes: list[onnx.NodeProto], out: str, inits: list[onnx.TensorProto] = ()) -> bytes:  # type: ignore[assignment]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, [None, 1])],
        initializer=list(inits),
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)])
    return model.SerializeToString()


def _both(data: bytes, out: str) -> tuple[np.ndarray, np.ndarray, object]:
    X = np.column_stack([X0, X1]).astype(np.float32)
    want = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run([out], {"X": X})[0].reshape(-1)
    lifted = lift(data)
    assert lifted.ok, lifted.report()
    frame = pd.DataFrame({f.name: X[:, i].astype(np.float64) for i, f in enumerate(lifted.signature.inputs)})
    got = lifted_outputs(lifted, frame)
    return np.asarray(got[lifted.signature.outputs[0].name], dtype=np.float64), want.astype(np.float64), lifted


@pytest.mark.parametrize("tracks", [0, 1])
def test_equality_split_lifts_as_two_comparisons_equal_to_onnxruntime(tracks: int) -> None:
    got, want, lifted = _both(_document([_tree_node(tracks)], "tree"), "tree")
    assert isinstance(lifted.graph.model, TreeEnsemble)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(got, want)


def test_exp_of_a_tree_sum_times_a_constant_is_a_chain() -> None:
    """onnxmltools' XGBoost count:poisson: ``Exp(tree) * c``."""
    nodes = [_tree_node(0), helper.make_node("Exp", ["tree"], ["e"]), helper.make_node("Mul", ["e", "c"], ["y"])]
    c = numpy_helper.from_array(np.array([1.25], dtype=np.float32), "c")
    got, want, lifted = _both(_document(nodes, "y", [c]), "y")
    assert isinstance(lifted.graph.model, Chain)  # type: ignore[attr-defined]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_exp_of_a_linear_regressor_is_the_log_link() -> None:
    nodes = [
        helper.make_node("LinearRegressor", ["X"], ["s"], domain="ai.onnx.ml", coefficients=[0.5, -0.25], intercepts=[0.125]),
        helper.make_node("Exp", ["s"], ["y"]),
    ]
    got, want, lifted = _both(_document(nodes, "y"), "y")
    assert isinstance(lifted.graph.model, GeneralizedLinear)  # type: ignore[attr-defined]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_a_regressions_value_times_a_column_is_refused_by_name() -> None:
    nodes = [_tree_node(0), helper.make_node("Mul", ["tree", "X"], ["y"])]
    lifted = lift(_document(nodes, "y"))
    assert not lifted.ok
    assert "Mul of a regression's value and other than one constant" in str(lifted.reasons[0])
