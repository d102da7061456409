"""Hand-written IR graphs holding NodeFigures / MultiwayTreeModel, and the check that a written document's
reference engine answers as the IR does (shared by the writer unit tests and test_wtrees_writers.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

import interchange
from interchange.batch import Columns
from interchange.document import Document
from interchange.ir.graph import Graph, evaluate
from interchange.ir.trees.ensemble import Tree, TreeEnsemble
from interchange.ir.trees.nodes import NodeFigures
from interchange.model import get_format
from interchange.signature import InputField, OutputField, Signature
from tests.conformance.lifting import differing_outputs

# x: left leaf, middle leaf, right leaf, missing (left at the root), left (x <= 0)
ROWS: Columns = {"x": np.array([-1.0, 1.5, 3.0, np.nan, 0.0])}
CLASSES = ("a", "b")


def figures_graph(null_leaf: bool) -> Graph:
    """x <= 0 -> L (a 0.8 / b 0.2); 0 < x <= 2 -> M (0.3 / 0.7); x > 2 -> no prediction, or H (0.6 / 0.4)
    whose confidence is 0.6; a missing x goes to L. Outputs: label, probabilities, node id, confidence."""
    right = [np.nan, np.nan] if null_leaf else [0.6, 0.4]
    tree = Tree(
        np.array([0, -1, 0, -1, -1]),
        np.array([0.0, 0.0, 2.0, 0.0, 0.0]),
        np.array([1, -1, 3, -1, -1]),
        np.array([2, -1, 4, -1, -1]),
        np.array([[0.0, 0.0], [0.8, 0.2], [0.0, 0.0], [0.3, 0.7], right]),
        np.array([True, True, False, True, True]),
    )
    model = TreeEnsemble(("x",), (tree,), "sum", classes=CLASSES)
    ids = (None, "L", None, "M", None if null_leaf else "H")
    step = NodeFigures(model, ids, (np.nan, 0.8, np.nan, 0.7, np.nan if null_leaf else 0.6), ("node",), ("conf",))
    outputs = (
        OutputField("label", "label", "string"),
        OutputField("p_a", "probability", "double", "a"),
        OutputField("p_b", "probability", "double", "b"),
        OutputField("node", "cluster", "string"),
        OutputField("conf", "score", "double"),
    )
    sig = Signature((InputField("x"),), outputs, CLASSES, "classification", {"target": "y"})
    return Graph(sig, (), step)


def reference_outputs(graph: Graph, fmt: str, data: bytes, rows: Columns) -> dict[str, Any]:
    """The outputs of the written document ``data`` by its format's reference engine (``predict``)."""
    model = interchange.load(Document(fmt, data, get_format(fmt).media_type), engine="reference")
    return model.predict({k: list(v) for k, v in rows.items()})


def same_outputs(graph: Graph, got: dict[str, Any], rows: Columns = ROWS) -> None:
    """``got`` equals the IR's outputs on ``rows`` (rtol 1e-9 / atol 1e-12, labels and ids equal)."""
    lifted = interchange.Lifted("pmml", graph.signature, graph, (), ())
    bad = differing_outputs(lifted, got, evaluate(graph, rows))
    assert not bad, bad
