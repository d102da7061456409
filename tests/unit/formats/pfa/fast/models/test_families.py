"""``model.reg.linear``, ``model.cluster.*``, ``model.neighbor.nearestK``, ``model.neural.simpleLayers`` and
``model.naive.gaussian`` on the fast path (fast.models.families): numpy / by hand, and titus2."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interchange.formats.pfa.fast.models.families import arg_lowest
from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import DOUBLES, MATRIX, constant, document, fast, not_covered, vector

FIELDS = {"a": "double", "b": "double"}
ROWS = {"a": np.array([1.0, -2.0, 0.5, 3.0]), "b": np.array([0.0, 2.0, 0.5, -1.0])}
X = np.column_stack([ROWS["a"], ROWS["b"]])
LINEAR = {"type": "record", "name": "L", "fields": [{"name": "coeff", "type": DOUBLES}, {"name": "const", "type": "double"}]}
CLUSTER = {"type": "record", "name": "C", "fields": [{"name": "center", "type": DOUBLES}, {"name": "id", "type": "string"}]}
CENTERS = [[0.0, 0.0], [2.0, -1.0], [-2.0, 2.5]]
CLUSTERS = constant([{"center": c, "id": f"c{i}"} for i, c in enumerate(CENTERS)], {"type": "array", "items": CLUSTER})


def test_arg_lowest_is_a_stable_ascending_sort() -> None:
    assert arg_lowest(np.array([[3.0, 1.0, 1.0, 0.5]]), 3).tolist() == [[3, 1, 2]]


def test_linear_by_hand() -> None:
    """2 a - b + 0.5."""
    doc = document(
        {"model.reg.linear": [vector("input.a", "input.b"), constant({"coeff": [2.0, -1.0], "const": 0.5}, LINEAR)]},
        fields=FIELDS,
    )  # noqa: E501
    assert fast(doc, ROWS)[0].tolist() == (2 * ROWS["a"] - ROWS["b"] + 0.5).tolist()
    _compare(doc, ROWS)


def test_linear_misaligned_fails_the_records() -> None:
    doc = document(
        {"model.reg.linear": [vector("input.a"), constant({"coeff": [2.0, -1.0], "const": 0.5}, LINEAR)]}, fields=FIELDS
    )  # noqa: E501
    assert fast(doc, ROWS)[1] == {0, 1, 2, 3}


def test_closest_cluster_against_numpy() -> None:
    doc = document(
        {"attr": {"model.cluster.closest": [vector("input.a", "input.b"), CLUSTERS]}, "path": [{"string": "id"}]},
        fields=FIELDS,
        output="string",
    )  # noqa: E501
    nearest = ((X[:, None, :] - np.array(CENTERS)[None]) ** 2).sum(-1).argmin(1)
    assert fast(doc, ROWS)[0].tolist() == [f"c{i}" for i in nearest]
    _compare(doc, ROWS)


def test_closest_n_and_nearest_k_agree_with_titus2() -> None:
    ids = {
        "a.map": [
            {"model.cluster.closestN": [2, vector("input.a", "input.b"), CLUSTERS]},
            {"params": [{"c": "C"}], "ret": "string", "do": "c.id"},
        ]
    }  # noqa: E501
    _compare(document({"s.join": [ids, {"string": ","}]}, fields=FIELDS, output="string"), ROWS)
    near = {"model.neighbor.nearestK": [2, vector("input.a", "input.b"), constant(CENTERS, MATRIX)]}
    for k in (0, 1):  # the coordinates of the nearest and the second nearest centre
        _compare(document({"a.sum": {"attr": near, "path": [k]}}, fields=FIELDS), ROWS)


def test_simple_layers_against_numpy() -> None:
    layer = {
        "type": "record",
        "name": "Layer",
        "fields": [{"name": "weights", "type": MATRIX}, {"name": "bias", "type": DOUBLES}],
    }  # noqa: E501
    w1, b1, w2, b2 = [[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]], [0.1, 0.0, -0.2], [[1.0, 2.0, -1.0]], [0.3]
    cells = {
        "layers": {"type": {"type": "array", "items": layer}, "init": [{"weights": w1, "bias": b1}, {"weights": w2, "bias": b2}]}
    }  # noqa: E501
    # an inline activation: titus2 1.2.0 fails on {"fcn": "m.link.logit"} here ("name 'Sigs' is not defined")
    act = {"params": [{"x": "double"}], "ret": "double", "do": {"m.link.logit": "x"}}
    doc = document(
        {"a.sum": {"model.neural.simpleLayers": [vector("input.a", "input.b"), {"cell": "layers"}, act]}},
        fields=FIELDS,
        cells=cells,
    )  # noqa: E501
    hidden = 1 / (1 + np.exp(-(X @ np.array(w1).T + b1)))
    expected = hidden @ np.array(w2).T + b2  # PFA: the activation follows every layer but the last
    np.testing.assert_allclose(fast(doc, ROWS)[0], expected[:, 0], rtol=1e-12)
    _compare(doc, ROWS)


def test_naive_gaussian_by_hand() -> None:
    """sum over inputs of the normal log density: -(x - m)^2 / 2v - log(2 pi v) / 2."""
    gauss = {
        "type": "record",
        "name": "G",
        "fields": [{"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}],
    }  # noqa: E501
    model = constant([{"mean": 0.0, "variance": 1.0}, {"mean": 1.0, "variance": 4.0}], {"type": "array", "items": gauss})
    doc = document({"model.naive.gaussian": [vector("input.a", "input.b"), model]}, fields=FIELDS)
    a, b = ROWS["a"], ROWS["b"]
    expected = -(a**2) / 2 - math.log(2 * math.pi) / 2 - (b - 1) ** 2 / 8 - math.log(8 * math.pi) / 2
    np.testing.assert_allclose(fast(doc, ROWS)[0], expected, rtol=1e-12)
    _compare(doc, ROWS)


@pytest.mark.parametrize(
    ("expr", "named"),
    [
        (
            {
                "model.naive.gaussian": [
                    {"new": {"a": "input.a"}, "type": {"type": "map", "values": "double"}},
                    constant(
                        {"a": {"mean": 0.0, "variance": 1.0}},
                        {
                            "type": "map",
                            "values": {
                                "type": "record",
                                "name": "G",
                                "fields": [{"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}],
                            },
                        },
                    ),
                ]
            },
            "model.naive.gaussian on maps",
        ),  # noqa: E501
    ],
    ids=["gaussian-maps"],
)
def test_what_the_fast_path_lacks_is_left_to_titus2_by_name(expr: dict, named: str) -> None:
    assert named in not_covered(document(expr, fields=FIELDS))
