"""Model functions unrolled into expressions (the lifter's second reading), against titus2:
candidates ranked by distance with ties to the earlier one, networks, naive Bayes and kernels."""

from __future__ import annotations

import numpy as np

from interchange.ir.columns import Columns
from tests.unit.formats.pfa.lift.helpers import agrees, doc

ARRAY = {"type": "array", "items": "double"}
X = {"let": {"x": {"new": ["input.a", "input.b"], "type": ARRAY}}}
FIELDS = {"a": "double", "b": "double"}
COLUMNS = {"a": np.array([0.0, 0.5, 1.0, -1.0, 2.0, 0.25]), "b": np.array([0.0, 0.5, 1.0, 2.0, -1.0, 0.75])}
CLUSTER = {"type": "record", "name": "C", "fields": [{"name": "center", "type": ARRAY}, {"name": "id", "type": "string"}]}
# two clusters share a center: the earlier one ranks first (titus2's argLowestN)
CENTERS = [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [-1.0, 2.0]]
CELLS = {
    "c": {"type": {"type": "array", "items": CLUSTER}, "init": [{"center": c, "id": f"k{i}"} for i, c in enumerate(CENTERS)]},
    "book": {"type": {"type": "array", "items": ARRAY}, "init": CENTERS},
    "stats": {
        "type": {
            "type": "array",
            "items": {
                "type": "record",
                "name": "S",
                "fields": [{"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}],
            },
        },
        "init": [{"mean": 0.5, "variance": 2.0}, {"mean": -0.5, "variance": 0.5}],
    },
}


def test_ranked_candidates_networks_naive_bayes_and_kernels_become_columns() -> None:
    absdiff = {"params": [{"u": "double"}, {"w": "double"}], "ret": "double", "do": {"metric.absDiff": ["u", "w"]}}
    metric = {"params": [{"p": ARRAY}, {"q": ARRAY}], "ret": "double", "do": {"metric.euclidean": [absdiff, "p", "q"]}}
    fields = {
        "first": {"attr": {"model.cluster.closestN": [3, "x", {"cell": "c"}]}, "path": [0, {"string": "id"}]},
        "second": {"attr": {"model.cluster.closestN": [3, "x", {"cell": "c"}, metric]}, "path": [1, {"string": "id"}]},
        "near": {
            "a.sum": {
                "a.map": [
                    {"model.neighbor.nearestK": [2, "x", {"cell": "book"}]},
                    {"params": [{"p": ARRAY}], "ret": "double", "do": {"a.max": "p"}},
                ]
            }
        },
        "bayes": {"model.naive.gaussian": ["x", {"cell": "stats"}]},
        "rbf": {"m.kernel.rbf": ["x", {"attr": {"cell": "book"}, "path": [1]}, 0.7]},
        "poly": {"m.kernel.poly": ["x", {"attr": {"cell": "book"}, "path": [3]}, 0.5, 1.0, 2.0]},
    }
    out = {
        "type": "record",
        "name": "Output",
        "fields": [{"name": n, "type": "string" if n in ("first", "second") else "double"} for n in fields],
    }
    lifted = agrees(doc(FIELDS, [X, {"new": fields, "type": "Output"}], out, CELLS), COLUMNS)
    assert isinstance(lifted.graph.model, Columns)
