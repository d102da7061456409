"""SVC(probability=True) graphs lifted back into the IR SVM's Platt coupling (lift/models/platt.py), against
onnxruntime.

The double IR writer's graphs (machine values, Platt sigmoids and libsvm's coupling as a ``Loop``) agree at
rtol 1e-9 / atol 1e-12; skl2onnx's (one SVMClassifier with ``prob_a`` / ``prob_b``, float32) at rtol 1e-4 /
atol 1e-5. A coupling whose constants or shape differ from libsvm's, an inner tensor read elsewhere, and a
``Loop`` of any other kind are refused with the node and why.
"""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import pandas as pd
import pytest
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import make_classification
from sklearn.svm import SVC

import interchange
from interchange.formats.onnx.meta import IR_WRITER
from interchange.ir.models.svm import SupportVectorMachine
from tests.conformance.lifting import assert_libsvm_platt, differing_outputs, lifted_outputs


def _rows(k: int) -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_classification(200, 4, n_informative=3, n_redundant=0, n_classes=k, n_clusters_per_class=1, random_state=k)
    # text classes: the writer leaves a numeric label of a row without a prediction as it is (emit/missing.py)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(4)]), np.array(["a", "b", "c", "d"])[y]


def _held_out(X: pd.DataFrame) -> pd.DataFrame:
    """The first rows, then the same rows with one value missing in turn."""
    holes = X.iloc[:8].copy().reset_index(drop=True)
    for i in range(len(holes)):
        holes.iloc[i, i % 4] = np.nan
    return pd.concat([X.iloc[:60], holes], ignore_index=True)


def _fitted(kernel: str, k: int, probability: bool = True) -> tuple[SVC, pd.DataFrame]:
    X, y = _rows(k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (scikit-learn 1.9 deprecates probability=True)
        return SVC(kernel=kernel, degree=2, coef0=0.5, probability=probability, random_state=0).fit(X, y), X


def _ir_document(est: SVC, X: pd.DataFrame) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = interchange.convert(est, "onnx", sample=X.iloc[:50]).document.data
    assert interchange.load(data).info.details.get("writer") == IR_WRITER
    return data


def _agree(data: bytes, rows: pd.DataFrame, rtol: float, atol: float) -> interchange.Lifted:
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    import tests.conformance.lifting as lifting

    old = lifting.RTOL, lifting.ATOL
    lifting.RTOL, lifting.ATOL = rtol, atol
    try:
        want = dict(interchange.load(data).predict(rows))
        for f in lifted.signature.outputs:  # "": no label (emit/missing.py)
            if f.kind == "label":
                want[f.name] = np.array([None if v == "" else v for v in want[f.name]], dtype=object)
        bad = differing_outputs(lifted, want, lifted_outputs(lifted, rows))
    finally:
        lifting.RTOL, lifting.ATOL = old
    assert not bad, bad
    return lifted


@pytest.mark.parametrize("kernel,k", [("rbf", 3), ("poly", 3), ("linear", 4), ("rbf", 2), ("poly", 2), ("sigmoid", 3)])
def test_ir_writer_coupling_lifts_and_agrees_with_onnxruntime(kernel: str, k: int) -> None:
    est, X = _fitted(kernel, k)
    lifted = _agree(_ir_document(est, X), _held_out(X), 1e-9, 1e-12)
    assert_libsvm_platt(lifted, est, kernel)
    assert any(kind == "Loop" for _, kind in lifted.lifted)


@pytest.mark.parametrize("kernel,k", [("poly", 2), ("poly", 3), ("sigmoid", 2), ("sigmoid", 3)])
def test_poly_and_sigmoid_machines_lift_as_their_kernel(kernel: str, k: int) -> None:
    """The writer's kernel columns ``pow(x @ (gamma V)^T + c0, d)`` / ``tanh(...)`` read as the SVM's kernel
    (gamma folded into the vectors), without probabilities too."""
    est, X = _fitted(kernel, k, probability=False)
    lifted = _agree(_ir_document(est, X), _held_out(X), 1e-9, 1e-12)
    assert lifted.graph is not None
    model = lifted.graph.model
    assert isinstance(model, SupportVectorMachine) and model.kernel == kernel and model.coef0 == 0.5
    assert model.kernel == "sigmoid" or model.degree == 2.0


def _initializer(graph: onnx.GraphProto, value: float) -> onnx.TensorProto:
    return next(t for t in graph.initializer if numpy_helper.to_array(t).shape == () and numpy_helper.to_array(t) == value)


def test_a_coupling_with_another_stopping_rule_is_refused_naming_the_node() -> None:
    est, X = _fitted("rbf", 3)
    proto = onnx.load_from_string(_ir_document(est, X))
    loop = next(n for n in proto.graph.node if n.op_type == "Loop")
    body = next(a.g for a in loop.attribute if a.name == "body")
    eps = _initializer(body, 0.005 / 3)
    eps.CopyFrom(numpy_helper.from_array(np.array(0.001), eps.name))  # libsvm stops at 0.005 / k
    lifted = interchange.lift(proto.SerializeToString())
    assert not lifted.ok
    why = str(lifted.reasons[0])
    assert "coupled other than as libsvm does" in why and "Less(" in why, why


def test_an_inner_tensor_read_outside_the_coupling_is_refused() -> None:
    est, X = _fitted("rbf", 2)
    proto = onnx.load_from_string(_ir_document(est, X))
    loop = next(n for n in proto.graph.node if n.op_type == "Loop")
    proto.graph.node.append(helper.make_node("Identity", [loop.input[2]], ["start_copy"], name="start_copy"))
    proto.graph.output.append(helper.make_tensor_value_info("start_copy", TensorProto.DOUBLE, [None, 1]))
    lifted = interchange.lift(proto.SerializeToString())
    assert not lifted.ok
    assert any("inside libsvm's probability coupling" in str(r) for r in lifted.reasons), lifted.report()


def test_another_loop_is_refused_by_name() -> None:
    """A Loop adding 1 three times to a column: no IR form (the IR holds libsvm's coupling only)."""
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Add", ["acc_in", "one"], ["acc_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("acc_in", TensorProto.DOUBLE, [None, 1]),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("acc_out", TensorProto.DOUBLE, [None, 1]),
        ],
        [numpy_helper.from_array(np.array(1.0), "one")],
    )
    graph = helper.make_graph(
        [helper.make_node("Loop", ["trips", "go", "X"], ["Y"], name="adder", body=body)],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.DOUBLE, [None, 1])],
        [helper.make_tensor_value_info("Y", TensorProto.DOUBLE, [None, 1])],
        [numpy_helper.from_array(np.array(3, dtype=np.int64), "trips"), numpy_helper.from_array(np.array(True), "go")],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    lifted = interchange.lift(proto.SerializeToString())
    assert not lifted.ok
    assert any("a Loop other than libsvm's probability coupling" in str(r) for r in lifted.reasons), lifted.report()


@pytest.mark.parametrize("k", [2, 3])
def test_skl2onnx_svc_probability_lifts_and_agrees_with_onnxruntime(k: int) -> None:
    """skl2onnx writes SVC(probability=True) as one SVMClassifier with prob_a / prob_b (float32)."""
    from skl2onnx import to_onnx

    est, X = _fitted("rbf", k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = to_onnx(est, X.to_numpy(np.float32)[:1], target_opset={"": 17, "ai.onnx.ml": 3}).SerializeToString()
    rows = X.iloc[:60].reset_index(drop=True)
    rows = pd.DataFrame({f.name: rows[f"x{i}"] for i, f in enumerate(interchange.load(data).signature.inputs)})
    lifted = _agree(data, rows, 1e-4, 1e-5)
    assert lifted.graph is not None
    model = lifted.graph.model
    assert isinstance(model, SupportVectorMachine) and model.prob_a is not None
