"""One identity-linked classification tree over a base (skl2onnx's binary DecisionTreeClassifier: leaves
``[-p, p]`` over ``[1, 0]``, lifted as they are) is written as a TreeModel of the probabilities ``[1 - p, p]``:
it was written as two summed scores under a softmax (probability 1 came out as sigmoid(1) = 0.731)."""

from __future__ import annotations

import numpy as np

import interchange
from interchange.formats.pmml.emit.document import write_graph
from interchange.ir.graph import Graph, evaluate
from interchange.ir.models.linear import Link
from interchange.ir.trees.ensemble import Tree, TreeEnsemble
from interchange.signature import InputField, OutputField, Signature


def test_a_binary_tree_over_a_base_is_written_as_its_probabilities() -> None:
    stump = Tree(
        feature=np.array([0, -1, -1]),
        threshold=np.array([0.5, 0.0, 0.0]),
        left=np.array([1, -1, -1]),
        right=np.array([2, -1, -1]),
        value=np.array([[0.0, 0.0], [-0.25, 0.25], [-1.0, 1.0]]),
        missing_left=np.array([True, False, False]),
    )
    model = TreeEnsemble(("x",), (stump,), "sum", np.array([1.0, 0.0]), Link.IDENTITY, (0, 1))
    outputs = (
        OutputField("label", "label", "integer"),
        OutputField("probability_0", "probability", "double", 0),
        OutputField("probability_1", "probability", "double", 1),
    )
    graph = Graph(Signature((InputField("x", "double"),), outputs, (0, 1), "classification"), (), model)
    data = write_graph(graph)
    assert b"normalizationMethod" not in data
    rows = {"x": np.array([0.0, 1.0, 0.5])}
    want = evaluate(graph, rows)
    for engine in ("auto", "reference"):
        got = interchange.load(data, engine=engine).predict(rows)
        np.testing.assert_allclose(np.asarray(got["probability_0"], dtype=float), [0.75, 0.0, 0.75], rtol=1e-12)
        np.testing.assert_allclose(np.asarray(got["probability_1"], dtype=float), want["probability_1"], rtol=1e-12)
        assert [int(v) for v in got["label"]] == [0, 1, 0]
