"""Foreign ONNX graphs whose inputs are not a free ``[N, k]`` tensor, written by hand in the form of
the ONNX-ML operator specs (the onnx backend tests' LabelEncoder / TreeEnsemble cases, older
skl2onnx trees with ``[N, ?]`` inputs, ``[1, k]`` exports):

* an ``[N]`` input (one value per row) is fed a column, not an ``[N, 1]`` matrix;
* an ``[N, ?]`` input is as wide as the ai.onnx.ml operator reading it says;
* a graph exported for a fixed batch size runs in batches of that size, any number of rows;
* inputs of three dimensions, or with different fixed batch sizes, are refused at load with a
  DocumentError naming them.

Reference: onnxruntime on the same tensors (for a fixed batch, one run per batch of rows it
accepts); outputs bit-equal.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

import interchange

ML = helper.make_opsetid("ai.onnx.ml", 3)
CORE = helper.make_opsetid("", 17)


def _model(nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto], outputs: list[onnx.ValueInfoProto]) -> bytes:
    graph = helper.make_graph(nodes, "foreign", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[CORE, ML], producer_name="hand")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _session(data: bytes) -> ort.InferenceSession:
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def label_encoder_rows() -> bytes:
    """LabelEncoder (ai.onnx.ml 2+) on an [N] string input, an [N] int64 output."""
    node = helper.make_node(
        "LabelEncoder",
        ["colour"],
        ["code"],
        domain="ai.onnx.ml",
        keys_strings=["red", "green", "blue"],
        values_int64s=[1, 2, 3],
        default_int64=-1,
    )
    return _model(
        [node],
        [helper.make_tensor_value_info("colour", TensorProto.STRING, ["N"])],
        [helper.make_tensor_value_info("code", TensorProto.INT64, ["N"])],
    )


def tree_open_width() -> bytes:
    """TreeEnsembleRegressor on an [N, ?] input reading features 0 and 2: three columns wide."""
    node = helper.make_node(
        "TreeEnsembleRegressor",
        ["X"],
        ["Y"],
        domain="ai.onnx.ml",
        n_targets=1,
        nodes_treeids=[0, 0, 0, 0, 0],
        nodes_nodeids=[0, 1, 2, 3, 4],
        nodes_featureids=[0, 2, 0, 0, 0],
        nodes_values=[0.5, -1.25, 0.0, 0.0, 0.0],
        nodes_modes=["BRANCH_LEQ", "BRANCH_LT", "LEAF", "LEAF", "LEAF"],
        nodes_truenodeids=[1, 2, 0, 0, 0],
        nodes_falsenodeids=[4, 3, 0, 0, 0],
        target_treeids=[0, 0, 0],
        target_nodeids=[2, 3, 4],
        target_ids=[0, 0, 0],
        target_weights=[-3.0, 1.5, 7.25],
    )
    return _model(
        [node],
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", None])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 1])],
    )


def linear_fixed_batch() -> bytes:
    """LinearRegressor exported for a batch of exactly one row ([1, 3] in, [1, 1] out)."""
    node = helper.make_node(
        "LinearRegressor", ["X"], ["Y"], domain="ai.onnx.ml", coefficients=[0.5, -2.0, 1.25], intercepts=[0.75]
    )
    return _model(
        [node],
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 1])],
    )


def _numbers(n: int, k: int) -> np.ndarray:
    return np.round(np.random.default_rng(3).normal(0.0, 2.0, (n, k)), 3).astype(np.float32)


def test_rank_one_input_is_fed_a_column() -> None:
    data = label_encoder_rows()
    model = interchange.load(data)
    assert [f.name for f in model.signature.inputs] == ["colour"]
    values = np.array(["red", "blue", "purple", "green", "", "red", "Blue"], dtype=object)
    got = model.predict({"colour": values})
    (want,) = _session(data).run(None, {"colour": values})
    np.testing.assert_array_equal(np.asarray(got["code"]).astype(np.int64), want)
    assert want.tolist() == [1, 3, -1, 2, -1, 1, -1]


def test_open_width_input_is_as_wide_as_its_tree_reads() -> None:
    data = tree_open_width()
    model = interchange.load(data)
    assert [f.name for f in model.signature.inputs] == ["X_0", "X_1", "X_2"]
    X = _numbers(300, 3)
    X[::7, 0] = 0.5  # on the threshold
    got = model.predict({f"X_{j}": X[:, j].astype(np.float64) for j in range(3)})
    (want,) = _session(data).run(None, {"X": X})
    np.testing.assert_array_equal(got["Y"], want.reshape(-1).astype(np.float64))


@pytest.mark.parametrize("n", [1, 2, 5, 64])
def test_fixed_batch_graph_scores_any_number_of_rows(n: int) -> None:
    data = linear_fixed_batch()
    model = interchange.load(data)
    X = _numbers(n, 3)
    got = model.predict({f"X_{j}": X[:, j].astype(np.float64) for j in range(3)})
    session = _session(data)
    want = np.concatenate([session.run(None, {"X": X[i : i + 1]})[0] for i in range(n)])  # the graph's own batch: one row
    np.testing.assert_array_equal(got["Y"], want.reshape(-1).astype(np.float64))


def test_zipmap_fixed_batch_keeps_rows_in_order() -> None:
    """A fixed-batch classifier whose probabilities come as ZipMap's sequence of maps."""
    linear = helper.make_node(
        "LinearClassifier",
        ["X"],
        ["label", "scores"],
        domain="ai.onnx.ml",
        classlabels_ints=[0, 1, 2],
        coefficients=[1.0, -1.0, 0.5, 0.25, -0.5, 2.0],
        intercepts=[0.1, -0.2, 0.3],
        post_transform="SOFTMAX",
    )
    zipmap = helper.make_node("ZipMap", ["scores"], ["probabilities"], domain="ai.onnx.ml", classlabels_int64s=[0, 1, 2])
    maps = onnx.ValueInfoProto()
    maps.name = "probabilities"
    maps.type.sequence_type.elem_type.map_type.key_type = TensorProto.INT64
    maps.type.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    data = _model(
        [linear, zipmap],
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 2])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [2]), maps],
    )
    model = interchange.load(data)
    X = _numbers(7, 2)
    got = model.predict({"X_0": X[:, 0].astype(np.float64), "X_1": X[:, 1].astype(np.float64)})
    session = _session(data)
    runs = [session.run(None, {"X": X[i : i + 2]}) for i in range(0, 6, 2)]
    labels = np.concatenate([r[0] for r in runs])
    np.testing.assert_array_equal(np.asarray(got["label"])[:6].astype(np.int64), labels)
    for c in (0, 1, 2):
        want = np.array([m[c] for r in runs for m in r[1]], dtype=np.float64)
        np.testing.assert_array_equal(got[f"probabilities_{c}"][:6], want)
    last = session.run(None, {"X": X[[6, 6]]})  # the padded last batch: row 6 twice
    assert got["probabilities_1"][6] == np.float64(last[1][0][1])


def test_three_dimensional_input_is_refused_by_name() -> None:
    node = helper.make_node("Binarizer", ["X"], ["Y"], domain="ai.onnx.ml", threshold=0.5)
    data = _model(
        [node],
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [3, 4, 5])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [3, 4, 5])],
    )
    with pytest.raises(interchange.DocumentError, match="'X' has 3 dimensions"):
        interchange.load(data)


def test_open_width_nobody_reads_is_refused_by_name() -> None:
    node = helper.make_node("Identity", ["X"], ["Y"])
    data = _model(
        [node],
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", None])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", None])],
    )
    with pytest.raises(interchange.DocumentError, match=r"'X' is \[N, \?\]"):
        interchange.load(data)
