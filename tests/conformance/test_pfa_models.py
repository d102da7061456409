"""The rest of PFA's ``model.*`` library on the fast path against titus2, row by row.

Hand-written documents, one per family: regression diagnostics (``model.reg.*``), compound and
surrogate tree tests, class scores (``model.svm.score``, ``model.naive.multinomial`` /
``bernoulli``) and neighbours (``model.neighbor.ballR`` / ``mean``). Rows are random plus edge
cases (zero variance, ties on a threshold or a radius, repeated words, nulls); records titus2
rejects must fail the same first row on the fast path. Tolerance as in ``test_pfa_fast.py``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

import interchange
from interchange.errors import RecordError

RTOL, ATOL = 1e-9, 1e-12
VEC = {"type": "array", "items": "double"}
MAT = {"type": "array", "items": VEC}
STRINGS = {"type": "array", "items": "string"}


def _record(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": [{"name": k, "type": t} for k, t in fields.items()]}


def _load(doc: dict[str, Any]) -> tuple[interchange.Model, interchange.Model]:
    data = json.dumps(doc).encode()
    fast, ref = interchange.load(data), interchange.load(data, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    return fast, ref


def _agree(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert set(got) == set(want)
    for name, b in want.items():
        a = got[name]
        if b.dtype == np.float64:
            assert a.dtype == np.float64, name
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=name)
        else:
            assert a.tolist() == b.tolist(), name


def _fails_at(doc: dict[str, Any], rows: dict[str, Any], row: int) -> None:
    fast, ref = _load(doc)
    with pytest.raises(RecordError):
        ref.predict(rows)
    with pytest.raises(RecordError) as caught:
        fast.predict(rows)
    assert caught.value.context["row"] == row
    before = {k: v[:row] for k, v in rows.items()}
    if row:
        _agree(fast.predict(before), ref.predict(before))


def _doc(inputs: dict[str, Any], outputs: dict[str, Any], cells: dict[str, Any], lets: list[Any] | None = None) -> dict[str, Any]:
    """A document whose output record has one field per expression (strings where the output is a test)."""
    out_t = {k: ("string" if isinstance(e, dict) and "if" in e else "double") for k, e in outputs.items()}
    return {
        "input": _record("In", inputs),
        "output": _record("Out", out_t),
        "cells": {k: {"type": t, "init": v} for k, (t, v) in cells.items()},
        "action": (lets or []) + [{"type": "Out", "new": outputs}],
    }


def _label(test: Any) -> dict[str, Any]:
    return {"if": test, "then": {"string": "T"}, "else": {"string": "F"}}


# --- model.reg.* ------------------------------------------------------------------------------

STATE = _record("State", {"chi2": "double", "DOF": "int"})
REG_CELLS = {
    "cov": (MAT, [[1.5, 0.4], [0.4, 0.8]]),
    "indefinite": (MAT, [[1.0, 2.0], [2.0, 1.0]]),  # x'C^-1x < 0 for some rows: sqrt gives NaN on both engines
}
REG_IN = {"a": "double", "b": "double", "c": "double", "v": VEC}
X = {"let": {"x": {"type": VEC, "new": ["input.a", "input.b"]}}}


def _reg_rows(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    a, b, c = rng.normal(0, 1.5, n), rng.normal(0, 1.5, n), rng.normal(0, 1.5, n)
    v = rng.normal(0, 1.5, (n, 2))
    b[:3] = a[:3]  # zero residual and pull
    v[3:6] = np.stack([a[3:6], b[3:6]], axis=1)  # observation == prediction: Mahalanobis distance 0
    a[6], b[6] = 0.0, 0.0  # a zero datum
    return {"a": a, "b": b, "c": c, "v": v}


def test_regression_functions_agree_with_titus() -> None:
    outputs = {
        "res": {"model.reg.residual": ["input.a", "input.b"]},
        "resArr": {"a.sum": {"model.reg.residual": ["input.v", {"type": VEC, "new": ["input.a", "input.b", "input.c"]}]}},
        "pull": {"model.reg.pull": ["input.a", "input.b", 2.5]},
        "pullArr": {"attr": {"model.reg.pull": ["input.v", "x", {"type": VEC, "value": [1.5, 0.5]}]}, "path": [1]},
        "maha": {"model.reg.mahalanobis": ["input.v", "x", {"cell": "cov"}]},
        "mahaIndef": {"model.reg.mahalanobis": ["input.v", "x", {"cell": "indefinite"}]},
        "chi": {"model.reg.reducedChi2": [{"type": STATE, "new": {"chi2": "input.c", "DOF": 3}}]},
    }
    fast, ref = _load(_doc(REG_IN, outputs, REG_CELLS, [X]))
    rows = _reg_rows(300, 1)
    want = ref.predict(rows)
    _agree(fast.predict(rows), want)
    assert np.isnan(want["mahaIndef"]).any() and not np.isnan(want["mahaIndef"]).all()
    assert (want["maha"][3:6] == 0.0).all() and (want["res"][:3] == 0.0).all()
    assert fast.deferred == 0


REG_FAILURES = [
    ("pull by zero", {"model.reg.pull": ["input.a", "input.b", "input.c"]}, 4),
    ("pull arrays by zero", {"a.sum": {"model.reg.pull": ["input.v", "x", {"type": VEC, "new": [1.0, "input.c"]}]}}, 4),
    ("pull misaligned", {"a.sum": {"model.reg.pull": ["input.v", "x", {"type": VEC, "value": [1.0]}]}}, 0),
    ("mahalanobis singular", {"model.reg.mahalanobis": ["input.v", "x", {"type": MAT, "value": [[1.0, 1.0], [1.0, 1.0]]}]}, 0),
    (
        "mahalanobis empty",
        {"model.reg.mahalanobis": [{"type": VEC, "value": []}, {"type": VEC, "value": []}, {"cell": "cov"}]},
        0,
    ),
    ("chi2 no DOF", {"model.reg.reducedChi2": [{"type": STATE, "new": {"chi2": "input.c", "DOF": 0}}]}, 0),
]


@pytest.mark.parametrize("expr,row", [(e, r) for _, e, r in REG_FAILURES], ids=[i for i, _, _ in REG_FAILURES])
def test_regression_records_titus_rejects_fail_the_same_row(expr: Any, row: int) -> None:
    rows = _reg_rows(10, 2)
    rows["c"][4] = 0.0
    _fails_at(_doc(REG_IN, {"out": expr}, REG_CELLS, [X]), rows, row)


def test_map_forms_are_left_to_titus() -> None:
    """Maps cannot vary per row on the fast path: those signatures load on titus2, naming why."""
    m = {"type": "map", "values": "double"}
    outputs = {
        "maha": {
            "model.reg.mahalanobis": [
                {"type": m, "value": {"a": 1.0, "b": 0.5}},
                {"type": m, "value": {"a": 0.25, "b": -0.5}},
                {"type": {"type": "map", "values": m}, "value": {"a": {"a": 2.0, "b": 0.1}, "b": {"a": 0.1, "b": 1.0}}},
            ]
        },
        "nb": {
            "model.naive.multinomial": [{"type": m, "value": {"a": 1.0, "b": 2.0}}, {"type": m, "value": {"a": 0.5, "b": 0.25}}]
        },
    }
    for name, expr in outputs.items():
        data = json.dumps(_doc({"a": "double"}, {name: expr}, {})).encode()
        model, ref = interchange.load(data), interchange.load(data, engine="reference")
        assert model.info.engine == "titus2" and "on maps" in model.info.reason
        rows = {"a": np.array([0.5, 1.0])}
        _agree(model.predict(rows), ref.predict(rows))


def test_linear_variance_is_left_to_titus_which_fails_it_on_numpy_2() -> None:
    """titus2 1.2.0 converts a 1x1 numpy.matrix with float(): a TypeError on NumPy 2 for every record."""
    var = _record("Var", {"covar": MAT})
    expr = {
        "model.reg.linearVariance": ["x", {"type": var, "value": {"covar": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]}}]
    }
    data = json.dumps(_doc(REG_IN, {"lv": expr}, {}, [X])).encode()
    model = interchange.load(data)
    assert model.info.engine == "titus2" and "NumPy 2" in model.info.reason
    with pytest.raises(RecordError, match="TypeError"):
        model.predict(_reg_rows(10, 0))


# --- model.tree.compoundTest / surrogateTest ---------------------------------------------------

FIELDS = {"type": "enum", "name": "Fields", "symbols": ["x", "y", "n", "m", "op"]}  # titus: exactly the datum fields
NODE = _record("Node", {"field": FIELDS, "operator": "string", "value": "double"})
TREE_IN = {"x": ["null", "double"], "y": ["null", "double"], "n": "double", "m": "double", "op": "string"}
TESTS = [
    {"field": "n", "operator": "<=", "value": 0.0},
    {"field": "m", "operator": ">", "value": 0.5},
    {"field": "n", "operator": "<", "value": -1.0},
]
SURROGATES = [{"field": "x", "operator": "<=", "value": 0.0}, {"field": "y", "operator": ">", "value": 0.0}]
TREE_CELLS = {
    "tests": ({"type": "array", "items": NODE}, TESTS),
    "surrogates": ({"type": "array", "items": "Node"}, SURROGATES),
    "backstop": ({"type": "array", "items": "Node"}, SURROGATES + [{"field": "n", "operator": "<", "value": 0.0}]),
    "broken": ({"type": "array", "items": "Node"}, [TESTS[0], {"field": "m", "operator": "~", "value": 0.0}]),
}
SIMPLE = {"params": [{"d": "In"}, {"t": "Node"}], "ret": "boolean", "do": {"model.tree.simpleTest": ["d", "t"]}}
MISSING = {"params": [{"d": "In"}, {"t": "Node"}], "ret": ["null", "boolean"], "do": {"model.tree.missingTest": ["d", "t"]}}


def _tree_rows(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 1, n), rng.normal(0, 1, n)
    x[rng.random(n) < 0.3], y[rng.random(n) < 0.3] = np.nan, np.nan
    x[::7] = 0.0
    return {
        "x": x,
        "y": y,
        "n": np.where(rng.random(n) < 0.5, rng.choice(np.array([0.0, 1.0]), n), rng.normal(0, 1, n)),  # ties with the nodes
        "m": np.where(rng.random(n) < 0.3, 0.5, rng.normal(0.5, 1, n)),
        "op": rng.choice(np.array(["and", "or", "xor"], dtype=object), n),
    }


def test_compound_and_surrogate_tests_agree_with_titus() -> None:
    outputs = {
        "perRow": _label({"model.tree.compoundTest": ["input", "input.op", {"cell": "tests"}, SIMPLE]}),
        "and": _label({"model.tree.compoundTest": ["input", {"string": "and"}, {"cell": "tests"}, SIMPLE]}),
        "or": _label({"model.tree.compoundTest": ["input", {"string": "or"}, {"cell": "tests"}, SIMPLE]}),
        "xor": _label({"model.tree.compoundTest": ["input", {"string": "xor"}, {"cell": "tests"}, SIMPLE]}),
        "surrogate": _label({"model.tree.surrogateTest": ["input", {"cell": "backstop"}, MISSING]}),
    }
    fast, ref = _load(_doc(TREE_IN, outputs, TREE_CELLS))
    rows = _tree_rows(400, 3)
    want = ref.predict(rows)
    _agree(fast.predict(rows), want)
    assert all(set(v.tolist()) == {"T", "F"} for v in want.values())


def test_short_circuits_decide_which_records_fail() -> None:
    """``and`` stops at the first False, ``or`` at the first True: the broken second node fails only the other rows."""
    rows = _tree_rows(12, 4)
    for op, usual, odd in (("and", 0.5, -1.0), ("or", -1.0, 0.5)):
        rows["n"][:] = usual  # and: the first node fails (stop); or: it holds (stop)
        rows["n"][5] = odd  # only this row reaches the broken node
        doc = _doc(
            TREE_IN, {"t": _label({"model.tree.compoundTest": ["input", {"string": op}, {"cell": "broken"}, SIMPLE]})}, TREE_CELLS
        )
        _fails_at(doc, rows, 5)


def test_tree_records_titus_rejects_fail_the_same_row() -> None:
    rows = _tree_rows(10, 5)
    rows["op"][3] = "nand"
    _fails_at(
        _doc(TREE_IN, {"t": _label({"model.tree.compoundTest": ["input", "input.op", {"cell": "tests"}, SIMPLE]})}, TREE_CELLS),
        rows,
        3,
    )
    rows = _tree_rows(10, 6)
    rows["x"][:] = 1.0
    rows["x"][6], rows["y"][6] = np.nan, np.nan  # no surrogate answers
    _fails_at(
        _doc(TREE_IN, {"t": _label({"model.tree.surrogateTest": ["input", {"cell": "surrogates"}, MISSING]})}, TREE_CELLS),
        rows,
        6,
    )


# --- model.svm.score, model.naive.multinomial / bernoulli --------------------------------------

SV = _record("SV", {"supVec": VEC, "coeff": "double"})
SVM = _record(
    "SVM", {"const": "double", "posClass": {"type": "array", "items": SV}, "negClass": {"type": "array", "items": "SV"}}
)
SVM_INIT = {
    "const": -0.25,
    "posClass": [{"supVec": [1.0, 0.5], "coeff": 0.8}, {"supVec": [-0.5, 2.0], "coeff": 0.3}],
    "negClass": [{"supVec": [0.0, -1.0], "coeff": -0.6}, {"supVec": [1.5, 1.5], "coeff": -0.1}],
}
DMAP = {"type": "map", "values": "double"}
SCORE_CELLS = {
    "svm": (SVM, SVM_INIT),
    "multi": (VEC, [2.0, 1.0, 0.5]),
    "multiRec": (_record("Multi", {"values": VEC}), {"values": [1.0, 1.0, 3.0]}),
    "bern": (DMAP, {"red": 0.3, "blue": 0.6, "green": 0.05}),
    "bernRec": (_record("Bern", {"values": DMAP}), {"values": {"red": 0.5, "zz": 0.9}}),
}
SCORE_IN = {"a": "double", "b": "double", "c": "double", "w1": "string", "w2": "string", "w3": "string"}
WORDS = {
    "let": {
        "words": {"type": STRINGS, "new": ["input.w1", "input.w2", "input.w3"]},
        "x3": {"type": VEC, "new": ["input.a", "input.b", "input.c"]},
    }
}
RBF = {"params": [{"p": VEC}, {"q": VEC}], "ret": "double", "do": {"m.kernel.rbf": ["p", "q", 0.5]}}


def _score_rows(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    vocab = np.array(["red", "blue", "green", "zz", "other"], dtype=object)
    rows: dict[str, Any] = {k: rng.normal(0, 1.5, n) for k in ("a", "b", "c")}
    rows["a"][:5] = 0.0  # zero counts
    rows.update({k: rng.choice(vocab, n) for k in ("w1", "w2", "w3")})
    rows["w2"][:20] = rows["w1"][:20]  # repeated words count twice
    return rows


def test_class_scores_agree_with_titus() -> None:
    x = {"type": VEC, "new": ["input.a", "input.b"]}
    outputs = {
        "svmLinear": {"model.svm.score": [x, {"cell": "svm"}, {"fcn": "m.kernel.linear"}]},
        "svmRbf": {"model.svm.score": [x, {"cell": "svm"}, RBF]},
        "multi": {"model.naive.multinomial": ["x3", {"cell": "multi"}]},
        "multiRec": {"model.naive.multinomial": ["x3", {"cell": "multiRec"}]},
        "multiRow": {"model.naive.multinomial": [x, {"type": VEC, "new": [{"m.abs": "input.c"}, 1.0]}]},
        "bern": {"model.naive.bernoulli": ["words", {"cell": "bern"}]},
        "bernRec": {"model.naive.bernoulli": ["words", {"cell": "bernRec"}]},
    }
    fast, ref = _load(_doc(SCORE_IN, outputs, SCORE_CELLS, [WORDS]))
    rows = _score_rows(300, 7)
    _agree(fast.predict(rows), ref.predict(rows))
    assert fast.deferred == 0


SCORE_FAILURES = [
    (
        "multinomial not positive",
        {"model.naive.multinomial": [{"type": VEC, "new": ["input.b", "input.c"]}, {"type": VEC, "new": [1.0, "input.a"]}]},
        2,
    ),
    ("multinomial misaligned", {"model.naive.multinomial": [{"type": VEC, "new": ["input.b"]}, {"cell": "multi"}]}, 0),
    ("bernoulli probability 1", {"model.naive.bernoulli": ["words", {"type": DMAP, "value": {"red": 0.5, "blue": 1.0}}]}, 0),
    ("svm length", {"model.svm.score": [{"type": VEC, "new": ["input.a"]}, {"cell": "svm"}, {"fcn": "m.kernel.linear"}]}, 0),
]


@pytest.mark.parametrize("expr,row", [(e, r) for _, e, r in SCORE_FAILURES], ids=[i for i, _, _ in SCORE_FAILURES])
def test_score_records_titus_rejects_fail_the_same_row(expr: Any, row: int) -> None:
    rows = _score_rows(8, 8)
    rows["a"][:] = np.abs(rows["a"]) + 0.5
    rows["a"][2] = 0.0
    _fails_at(_doc(SCORE_IN, {"out": expr}, SCORE_CELLS, [WORDS]), rows, row)


# --- model.neighbor.ballR / mean ---------------------------------------------------------------

POINTS = [[0.0, 0.0], [0.5, 0.5], [2.0, -1.0], [-1.5, 1.0], [1.0, 2.0], [-0.5, -0.75]]
NEIGHBOUR_CELLS = {
    "points": (MAT, POINTS),
    "points3": (MAT, [p + [float(i)] for i, p in enumerate(POINTS)]),  # titus zips datum and point: the third coordinate is cut
}
NEIGHBOUR_IN = {"a": "double", "b": "double", "r": "double"}
SUM = {"params": [{"p": VEC}], "ret": "double", "do": {"a.sum": "p"}}
WEIGHT = {"params": [{"p": VEC}], "ret": "double", "do": {"m.exp": {"a.sum": "p"}}}
XY = {"let": {"x": {"type": VEC, "new": ["input.a", "input.b"]}}}


def _radius_rows(n: int, seed: int, keep: int) -> dict[str, Any]:
    """Rows whose radius keeps exactly ``keep`` points: halfway to the next point, or exactly on it (strict <)."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1.5, n), rng.normal(0, 1.5, n)
    r = np.empty(n)
    for i in range(n):
        dist = sorted(math.sqrt(sum((d - x) ** 2 for d, x in zip((a[i], b[i]), p, strict=True))) for p in POINTS)
        r[i] = dist[keep] if i % 3 == 0 else (dist[keep - 1] + dist[keep]) / 2 if keep else dist[0] / 2
    return {"a": a, "b": b, "r": r}


def _neighbour_doc() -> dict[str, Any]:
    ball = {"model.neighbor.ballR": ["input.r", "x", {"cell": "points"}]}
    near = {"model.neighbor.nearestK": [3, "x", {"cell": "points"}]}
    metric = {"params": [{"p": VEC}, {"q": VEC}], "ret": "double", "do": {"metric.simpleEuclidean": ["p", "q"]}}
    outputs = {
        "ballSum": {"a.sum": {"a.map": [ball, SUM]}},
        "ballMean": {"attr": {"model.neighbor.mean": [ball]}, "path": [0]},
        "ball3": {"a.sum": {"a.map": [{"model.neighbor.ballR": ["input.r", "x", {"cell": "points3"}]}, SUM]}},
        "ballMetric": {"a.sum": {"a.map": [{"model.neighbor.ballR": ["input.r", "x", {"cell": "points"}, metric]}, SUM]}},
        "knnMean": {"attr": {"model.neighbor.mean": [near]}, "path": [1]},
        "knnWeighted": {"attr": {"model.neighbor.mean": [near, WEIGHT]}, "path": [0]},
    }
    return _doc(NEIGHBOUR_IN, outputs, NEIGHBOUR_CELLS, [XY])


def test_neighbours_agree_with_titus() -> None:
    fast, ref = _load(_neighbour_doc())
    rows = _radius_rows(300, 9, keep=2)
    _agree(fast.predict(rows), ref.predict(rows))
    assert fast.deferred == 0


def test_balls_of_different_sizes_defer_the_batch_to_titus() -> None:
    fast, ref = _load(_neighbour_doc())
    rows = _radius_rows(50, 10, keep=2)
    rows["r"][7] = 100.0  # every point inside for this row only
    _agree(fast.predict(rows), ref.predict(rows))
    assert fast.deferred == 1


def test_empty_balls_run_fast_and_their_mean_fails() -> None:
    doc = _doc(
        NEIGHBOUR_IN,
        {"n": {"a.sum": {"a.map": [{"model.neighbor.ballR": ["input.r", "x", {"cell": "points"}]}, SUM]}}},
        NEIGHBOUR_CELLS,
        [XY],
    )
    fast, ref = _load(doc)
    rows = _radius_rows(40, 11, keep=0)
    _agree(fast.predict(rows), ref.predict(rows))
    assert fast.deferred == 0
    _fails_at(
        _doc(
            NEIGHBOUR_IN,
            {
                "m": {
                    "attr": {"model.neighbor.mean": [{"model.neighbor.ballR": ["input.r", "x", {"cell": "points"}]}]},
                    "path": [0],
                }
            },
            NEIGHBOUR_CELLS,
            [XY],
        ),
        rows,
        0,
    )


def test_weights_adding_up_to_zero_fail_the_record() -> None:
    zero = {"params": [{"p": VEC}], "ret": "double", "do": {"-": [{"attr": "p", "path": [0]}, {"attr": "p", "path": [0]}]}}
    rows = _radius_rows(5, 12, keep=2)
    near = {"model.neighbor.nearestK": [2, "x", {"cell": "points"}]}
    _fails_at(
        _doc(NEIGHBOUR_IN, {"m": {"attr": {"model.neighbor.mean": [near, zero]}, "path": [0]}}, NEIGHBOUR_CELLS, [XY]), rows, 0
    )
