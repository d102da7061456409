"""Hand-written IR graphs holding ComparedCenter, VariableWeights and AllSegments, and the check that a
written document's reference engine (or generated code) answers as the IR does (shared by the writer
unit tests under tests/unit and test_wcompare_writers.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

import interchange
from interchange.batch import Columns
from interchange.document import Document
from interchange.ir.combine.select_all import AllSegments, SegmentPart
from interchange.ir.combine.variable_weight import VariableWeights
from interchange.ir.derive.predicates import Compare
from interchange.ir.graph import Graph
from interchange.ir.models.compared import ComparedCenter
from interchange.ir.models.linear import Link, Regression
from interchange.model import get_format
from interchange.signature import InputField, OutputField, Signature
from tests.conformance.lifting import differing_outputs

METRICS = ("euclidean", "squaredEuclidean", "manhattan", "minkowski", "chebychev")
CENTERS = np.array([[0.0, 0.0, 1.0, 0.0], [1.0, 2.0, 2.0, 1.0], [-2.0, 1.0, 3.0, 2.0]])

# a: gaussSim, b: absDiff, k: delta, m: equal; rows on a center, between them, with missing fields and none
COMPARED_ROWS: Columns = {
    "a": np.array([0.0, 1.0, -2.0, 0.4, np.nan, 2.5, np.nan, -1.0, 0.3]),
    "b": np.array([0.0, 2.0, 1.0, 1.1, 1.5, np.nan, np.nan, 4.0, -0.7]),
    "k": np.array([1.0, 2.0, 3.0, 2.0, 3.0, 1.0, np.nan, 5.0, np.nan]),
    "m": np.array([0.0, 1.0, 2.0, 0.0, np.nan, 1.0, np.nan, 2.0, 1.0]),
}


def compared_graph(metric: str) -> Graph:
    """ComparedCenter over a, b, k, m with every compare function, field weights and missing-value weights."""
    step = ComparedCenter(
        ("a", "b", "k", "m"),
        CENTERS,
        ("c1", "c2", "c3"),
        metric,
        3.0,
        np.array([1.0, 2.0, 1.0, 0.5]),
        ("gaussSim", "absDiff", "delta", "equal"),
        (1.5, 1.0, 1.0, 1.0),
        np.array([1.0, 0.25, 3.0, 1.0]),
    )
    inputs = (InputField("a"), InputField("b"), InputField("k"), InputField("m"))
    sig = Signature(inputs, (OutputField("cluster", "cluster", "string"),), None, "clustering", {"target": None})
    return Graph(sig, (), step)


# w weighs the first segment; the second fires where x > 0 with its constant weight
WEIGHED_ROWS: Columns = {"x": np.array([4.0, -1.0, 0.5, 2.0, -3.0]), "w": np.array([3.0, 0.5, 1.0, 0.25, 2.0])}
# the first segment fires with a weight that is not positive (0, missing): the IR refuses those rows
REFUSED_ROWS: Columns = {"x": np.array([1.0, 2.0, 3.0]), "w": np.array([0.0, np.nan, 1.5])}


def weighed_graph() -> Graph:
    """VariableWeights: weightedAverage of x (weighed by w) and 10 (weight 2, where x > 0)."""
    one = Regression(("x",), np.array([[1.0]]), np.array([0.0]))
    two = Regression(("x",), np.array([[0.0]]), np.array([10.0]))
    fired = (Compare("x", "greaterThan", -100.0), Compare("x", "greaterThan", 0.0))
    step = VariableWeights("weightedAverage", fired, (1.0, 2.0), (one, two), None, variable=("w", None))
    sig = Signature(
        (InputField("x"), InputField("w")), (OutputField("y", "value", "double"),), None, "regression", {"target": "y"}
    )
    return Graph(sig, (), step)


SELECT_ROWS: Columns = {"x": np.array([1.0, 3.0, -1.0, 0.0, 1.9, np.nan])}


def select_graph(classification: bool, unknown: bool = True, label: bool = True) -> Graph:
    """AllSegments: two segments (x > 0, x < 2); their values, or (with ``label``) a label and probabilities (with
    ``unknown``, one of a category the second segment does not know)."""
    fired = (Compare("x", "greaterThan", 0.0), Compare("x", "lessThan", 2.0))
    if not classification:
        one = Regression(("x",), np.array([[2.0]]), np.array([1.0]))
        two = Regression(("x",), np.array([[0.5]]), np.array([-5.0]))
        wanted = (SegmentPart("s1", 0, "value"), SegmentPart("s2", 1, "value"))
        step = AllSegments(fired, (one, two), wanted)
        outputs = (OutputField("s1", "score", "double"), OutputField("s2", "score", "double"))
        sig = Signature((InputField("x"),), outputs, None, "regression", {"target": "y"})
        return Graph(sig, (), step)
    one = Regression(("x",), np.array([[1.0]]), np.array([-0.5]), Link.LOGISTIC, ("no", "yes"))
    two = Regression(("x",), np.array([[-2.0]]), np.array([0.25]), Link.LOGISTIC, ("no", "yes"))
    wanted = (
        SegmentPart("label1", 0, "label"),
        SegmentPart("yes1", 0, "probability", "yes"),
        SegmentPart("yes2", 1, "probability", "yes"),
        SegmentPart("maybe2", 1, "probability", "maybe"),
    )
    outputs = (
        OutputField("label1", "score", "string"),
        OutputField("yes1", "score", "double"),
        OutputField("yes2", "score", "double"),
        OutputField("maybe2", "score", "double"),
    )
    classes: tuple[str, ...] = ("no", "yes", "maybe")
    if not unknown:
        wanted, outputs, classes = wanted[:3], outputs[:3], ("no", "yes")
    if not label:
        wanted, outputs = wanted[1:], outputs[1:]
    step = AllSegments(fired, (one, two), wanted, classes)
    sig = Signature((InputField("x"),), outputs, classes, "classification", {"target": "y"})
    return Graph(sig, (), step)


def reference_outputs(fmt: str, data: bytes, rows: Columns) -> dict[str, Any]:
    """The outputs of the written document ``data`` by its format's reference engine (``predict``)."""
    model = interchange.load(Document(fmt, data, get_format(fmt).media_type), engine="reference")
    got = model.predict({k: [None if v != v else float(v) for v in col] for k, col in rows.items()})
    if fmt == "onnx":  # an ONNX string tensor has no null: a missing cluster is the empty string
        got = {k: np.array([None if v == "" else v for v in np.asarray(c, dtype=object)], dtype=object) for k, c in got.items()}
    return got


def same_outputs(graph: Graph, got: dict[str, Any], rows: Columns) -> None:
    """``got`` equals the IR's outputs on ``rows`` (rtol 1e-9 / atol 1e-12, labels and ids equal); a row the IR
    refuses has every output missing."""
    from interchange.codegen.api import ir_outputs

    lifted = interchange.Lifted("pmml", graph.signature, graph, (), ())
    bad = differing_outputs(lifted, got, ir_outputs(graph, rows))
    assert not bad, bad
