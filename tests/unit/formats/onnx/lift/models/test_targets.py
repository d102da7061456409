"""A multi-target regressor's [N, k] output lifts as one output per target (formats/onnx/lift/models/targets.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from onnx import TensorProto, helper

import interchange
from interchange.batch import to_columns
from interchange.ir.graph import evaluate


def _document(node: object, declared: int, extra: bool = False) -> bytes:
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, declared])]
    nodes = [node]
    if extra:  # a second output beside the targets
        nodes.append(helper.make_node("Identity", ["x"], ["copy"], name="copy"))
        outputs.append(helper.make_tensor_value_info("copy", TensorProto.FLOAT, [None, 2]))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])], outputs)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=8).SerializeToString()


def _linear() -> object:
    return helper.make_node(
        "LinearRegressor",
        ["x"],
        ["y"],
        domain="ai.onnx.ml",
        name="lr",
        targets=2,
        coefficients=[1.0, 2.0, -0.5, 3.0],
        intercepts=[0.25, -1.0],
    )


def _tree() -> object:
    """One stump on x_0 <= 0.5 with a weight per target on each leaf, declared [N, 1] as skl2onnx does."""
    return helper.make_node(
        "TreeEnsembleRegressor",
        ["x"],
        ["y"],
        domain="ai.onnx.ml",
        name="tree",
        n_targets=2,
        nodes_treeids=[0, 0, 0],
        nodes_nodeids=[0, 1, 2],
        nodes_featureids=[0, 0, 0],
        nodes_values=[0.5, 0.0, 0.0],
        nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"],
        nodes_truenodeids=[1, 0, 0],
        nodes_falsenodeids=[2, 0, 0],
        target_treeids=[0, 0, 0, 0],
        target_nodeids=[1, 1, 2, 2],
        target_ids=[0, 1, 0, 1],
        target_weights=[1.0, 10.0, 2.0, 20.0],
        base_values=[0.5, -0.5],
    )


@pytest.mark.parametrize(("node", "declared"), [(_linear(), 2), (_tree(), 1)], ids=["linear", "tree-declared-1"])
def test_each_target_is_an_output_agreeing_with_onnxruntime(node: object, declared: int) -> None:
    data = _document(node, declared)
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.reasons
    assert [(f.name, f.kind) for f in lifted.signature.outputs] == [("y_0", "score"), ("y_1", "score")]
    rows = pd.DataFrame({"x_0": [-1.0, 0.5, 0.75, 3.0], "x_1": [2.0, -1.0, 0.0, 1.5]})
    want = interchange.load(data).predict(rows)
    assert lifted.graph is not None
    got = evaluate(lifted.graph, to_columns(rows, lifted.signature))
    for name in ("y_0", "y_1"):
        np.testing.assert_allclose(got[name], want[name], rtol=1e-4, atol=1e-5)


def test_targets_beside_another_output_are_refused_by_name() -> None:
    lifted = interchange.lift(_document(_linear(), 2, extra=True))
    assert not lifted.ok and "beside other outputs" in str(lifted.reasons[0])
