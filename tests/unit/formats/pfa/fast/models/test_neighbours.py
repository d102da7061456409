"""``model.neighbor.ballR`` and ``model.neighbor.mean`` on the fast path (fast.models.neighbours): by hand and titus2."""

from __future__ import annotations

import numpy as np

from tests.conformance.test_pfa_library import _compare
from tests.unit.formats.pfa.fast._documents import MATRIX, constant, document, fast, not_covered, vector

FIELDS = {"a": "double", "b": "double"}
ROWS = {"a": np.array([0.0, 2.0, 10.0]), "b": np.array([0.0, 1.0, 10.0])}
POINTS = [[0.0, 0.0], [1.0, 1.0], [3.0, 1.0], [0.0, 2.0]]


def test_ball_r_counts_points_within_the_radius_by_hand() -> None:
    """Radius 1.5 around (0, 0): (0, 0) and (1, 1) (distance 1.414); around (2, 1): (1, 1) and (3, 1); (10, 10): none."""
    ball = {"model.neighbor.ballR": [1.5, vector("input.a", "input.b"), constant(POINTS, MATRIX)]}
    doc = document({"a.len": ball}, fields=FIELDS, output="int")
    assert fast(doc, ROWS)[0].tolist() == [2, 2, 0]
    _compare(doc, ROWS)
    _compare(document({"a.sum": {"attr": ball, "path": [0]}}, fields=FIELDS), {k: v[:2] for k, v in ROWS.items()})


def test_ball_r_with_a_metric_agrees_with_titus2() -> None:
    metric = {
        "params": [{"x": MATRIX["items"]}, {"y": MATRIX["items"]}],
        "ret": "double",
        "do": {"metric.simpleEuclidean": ["x", "y"]},
    }  # noqa: E501
    ball = {"model.neighbor.ballR": [2.0, vector("input.a", "input.b"), constant(POINTS, MATRIX), metric]}
    _compare(document({"a.len": ball}, fields=FIELDS, output="int"), ROWS)


def test_mean_by_hand_and_weighted() -> None:
    """The plain mean of the points: (1, 1); weighted by 1 + first coordinate: (0 + 2 + 12, 0 + 2 + 4 + 2) / 8."""
    points = {"new": [vector("input.a", "input.b"), vector(1.0, 1.0)], "type": MATRIX}
    doc = document({"a.sum": {"model.neighbor.mean": [constant(POINTS, MATRIX)]}}, fields=FIELDS)
    assert fast(doc, ROWS)[0].tolist() == [2.0, 2.0, 2.0]
    weight = {"params": [{"p": MATRIX["items"]}], "ret": "double", "do": {"+": [1.0, {"attr": "p", "path": [0]}]}}
    doc = document({"a.sum": {"model.neighbor.mean": [constant(POINTS, MATRIX), weight]}}, fields=FIELDS)
    assert fast(doc, ROWS)[0].tolist() == [(14.0 + 8.0) / 8.0] * 3
    _compare(document({"a.sum": {"model.neighbor.mean": [points, weight]}}, fields=FIELDS), ROWS)


def test_mean_of_no_points_fails_the_record() -> None:
    points = {"new": [vector("input.a", "input.b")], "type": MATRIX}
    doc = document({"a.sum": {"model.neighbor.mean": [{"a.subseq": [points, 0, 0]}]}}, fields=FIELDS)
    assert fast(doc, ROWS)[1] == {0, 1, 2}
    _compare(doc, ROWS)


def test_mean_of_records_is_left_to_titus2_by_name() -> None:
    doc = document(
        {"a.sum": {"model.neighbor.mean": [constant([[1]], {"type": "array", "items": {"type": "array", "items": "int"}})]}}
    )  # noqa: E501
    assert "model.neighbor.mean on" in not_covered(doc)
