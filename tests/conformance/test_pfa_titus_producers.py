"""Documents written by titus2's own producers run on the fast path and agree with titus2.

``titus.producer.cart`` (classification and regression trees over numeric and string fields:
``<=`` on numbers, ``in`` / ``==`` on strings, a ``value`` of union type), ``titus.producer.kmeans``
(``model.cluster.closest`` on an ``array(double)`` input) and ``titus.producer.chain`` (documents
chained through user functions, with bookkeeping cells nothing reads). The documents are made
at test time; ``titus.producer.expression`` is Python 2 only (``ast.Print``) and is not used.

Probe rows include values exactly on every split threshold (and one ulp either side), every
category a split lists and categories no split lists, cluster centers and midpoints between
them. Tolerance as in test_pfa_fast: rtol 1e-9, atol 1e-12 (labels and leaf values must be equal).
"""

from __future__ import annotations

import json
import random
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import interchange
from interchange.errors import DocumentError
from interchange.formats.pfa.titus import engine_class
from tests.conformance.test_pfa_fast import _agree

COLOURS = ["red", "green", "blue", "amber", "violet"]
SHAPES = ["round", "square", "flat"]
UNSEEN = ["teal", ""]  # categories no split lists
DATUM = {
    "type": "record",
    "name": "Datum",
    "fields": [
        {"name": "x", "type": "double"},
        {"name": "y", "type": "double"},
        {"name": "colour", "type": "string"},
        {"name": "shape", "type": "string"},
    ],
}


@pytest.fixture(autouse=True)
def _producers(monkeypatch: pytest.MonkeyPatch) -> None:
    """titus is imported after ``engine_class()`` (its numpy/inspect aliases); the cart producer
    splits categories with ``numpy.in1d``, gone from numpy 2.x: give it ``isin`` (test-only shim,
    the same function under its new name)."""
    engine_class()
    if not hasattr(np, "in1d"):
        monkeypatch.setattr(np, "in1d", np.isin, raising=False)


def _load_both(doc: dict[str, Any]) -> tuple[interchange.Model, interchange.Model]:
    data = json.dumps(doc).encode()
    fast, ref = interchange.load(data), interchange.load(data, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    assert ref.info.engine == "titus2"
    return fast, ref


# --- trees --------------------------------------------------------------------------------------


def _rows(n: int, seed: int, regression: bool) -> list[tuple[Any, ...]]:
    """Mixed rows: the predictand depends on both numbers and categories, so both get split."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        x, y = round(float(rng.normal()), 1), float(rng.normal())  # x rounded: thresholds fall on data values
        colour, shape = str(rng.choice(COLOURS[:4])), str(rng.choice(SHAPES))
        if regression:
            target = 2.0 * x + (1.5 if colour in ("red", "blue") else -1.0) + (0.7 if shape == "flat" else 0.0) + 0.1 * y
        else:
            warm = colour in ("red", "amber")
            target = "yes" if (x > 0.2 and warm) or y > 1.2 else ("maybe" if shape == "square" else "no")
        rows.append((x, y, colour, shape, target))
    return rows


def _tree_document(rows: list[tuple[Any, ...]], depth: int, max_subset: int | None) -> dict[str, Any]:
    from titus.producer.cart import Dataset, TreeNode

    dataset = Dataset.fromIterable(rows, names=["x", "y", "colour", "shape", "target"])
    tree = TreeNode.fromWholeDataset(dataset, "target", maxSubsetSize=max_subset)
    with np.errstate(divide="ignore", invalid="ignore"):  # the producer takes log2(0) for empty subsets
        tree.splitMaxDepth(depth)
    return tree.pfaDocument(DATUM, "TreeNode")


def _nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for branch in ("pass", "fail"):
            ((tag, value),) = node[branch].items()
            if tag == "TreeNode":
                stack.append(value)


def _untag(value: Any) -> Any:
    return next(iter(value.values())) if isinstance(value, dict) and len(value) == 1 else value


def _probe_columns(rows: list[tuple[Any, ...]], tree: dict[str, Any]) -> dict[str, np.ndarray]:
    """Test rows, then copies with one field set exactly on (and an ulp off) each split value."""
    probes = [list(r[:4]) for r in rows]
    names = ["x", "y", "colour", "shape"]
    for i, node in enumerate(_nodes(tree)):
        at, value = names.index(node["field"]), _untag(node["value"])
        if isinstance(value, list) or isinstance(value, str):
            values = (value if isinstance(value, list) else [value]) + COLOURS + SHAPES + UNSEEN
        else:
            values = [value, np.nextafter(value, np.inf), np.nextafter(value, -np.inf)]
        for j, v in enumerate(values):
            base = list(rows[(7 * i + j) % len(rows)][:4])
            base[at] = float(v) if at < 2 else v
            probes.append(base)
    return {
        "x": np.array([p[0] for p in probes], dtype=np.float64),
        "y": np.array([p[1] for p in probes], dtype=np.float64),
        "colour": np.array([p[2] for p in probes], dtype=object),
        "shape": np.array([p[3] for p in probes], dtype=object),
    }


TREE_CASES = [
    (task, depth, subset)
    for task in ("classification", "regression")
    for depth in (3, 5, 8)
    for subset in (None, 1)  # None: "in" a subset of categories; 1: "==" one category
]


@pytest.mark.parametrize("task,depth,subset", TREE_CASES, ids=[f"{t}-depth{d}-subset{s}" for t, d, s in TREE_CASES])
def test_cart_trees_run_fast_and_agree(task: str, depth: int, subset: int | None) -> None:
    regression = task == "regression"
    doc = _tree_document(_rows(400, depth, regression), depth, subset)
    tree = doc["cells"]["tree"]["init"]
    operators = {node["operator"] for node in _nodes(tree)}
    assert "<=" in operators and ("==" if subset == 1 else "in") in operators  # numbers and strings are both split
    fast, ref = _load_both(doc)
    columns = _probe_columns(_rows(150, 100 + depth, regression), tree)
    got, want = fast.predict(columns), ref.predict(columns)
    _agree(got, want)
    assert len(set(want["output"].tolist())) > 1
    assert fast.deferred == 0


# --- k-means ------------------------------------------------------------------------------------


def _kmeans_document(k: int, dims: int, similarity: str, seed: int) -> tuple[dict[str, Any], np.ndarray]:
    from titus.producer.kmeans import AbsDiff, Euclidean, GaussianSimilarity, KMeans, maxIterations

    # only Euclidean: titus2 1.2.0's producer writes SquaredEuclidean, Chebyshev, Taxicab and
    # Minkowski with the undefined symbols "metricX"/"metricY" (a producer bug; titus2 refuses them)
    metric = Euclidean(GaussianSimilarity(1.5) if similarity == "gaussian" else AbsDiff())
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 3.0, (k, dims))
    data = np.concatenate([c + rng.normal(0.0, 1.0, (60, dims)) for c in centers])
    random.seed(seed)  # the producer picks its starting centers with the random module
    kmeans = KMeans(k, data, metric=metric)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):  # titus re-seeds a cluster left empty (mean of no rows)
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        kmeans.optimize(maxIterations(20))
    return kmeans.pfaDocument("Cluster", [f"cluster{i}" for i in range(k)]), data


KMEANS_CASES = [(2, 2, "absdiff"), (3, 4, "gaussian"), (5, 3, "absdiff"), (4, 1, "gaussian")]


@pytest.mark.parametrize("k,dims,similarity", KMEANS_CASES, ids=[f"k{k}-d{d}-{s}" for k, d, s in KMEANS_CASES])
def test_kmeans_documents_on_array_inputs_run_fast_and_agree(k: int, dims: int, similarity: str) -> None:
    doc, data = _kmeans_document(k, dims, similarity, seed=k * 10 + dims)
    assert doc["input"] == {"type": "array", "items": "double"}
    fast, ref = _load_both(doc)
    centers = np.array([c["center"] for c in doc["cells"]["clusters"]["init"]])
    mids = [(a + b) / 2.0 for i, a in enumerate(centers) for b in centers[i + 1 :]]
    rng = np.random.default_rng(k)
    points = np.concatenate([data[::7], centers, np.array(mids), rng.normal(0.0, 50.0, (20, dims))])
    columns = {"input": [list(p) for p in points]}
    got, want = fast.predict(columns), ref.predict(columns)
    _agree(got, want)
    assert len(set(want["output"].tolist())) > 1  # (a Gaussian similarity saturates far away: ties, first cluster wins)
    assert fast.deferred == 0


def test_array_rows_of_different_lengths_are_deferred_to_titus() -> None:
    """No (n, k) layout for them: titus2 takes the batch, and fails the row whose length is wrong."""
    doc, _ = _kmeans_document(2, 2, "absdiff", seed=3)
    fast, ref = _load_both(doc)
    good = {"input": [[0.5, 1.0], [-2.0, 0.0]]}
    _agree(fast.predict(good), ref.predict(good))
    assert fast.deferred == 0
    ragged = {"input": [[0.5, 1.0], [1.0, 2.0, 3.0]]}
    with pytest.raises(interchange.RecordError):
        ref.predict(ragged)
    with pytest.raises(interchange.RecordError):
        fast.predict(ragged)
    assert fast.deferred == 1


# --- chains -------------------------------------------------------------------------------------


def _prepare() -> dict[str, Any]:
    import titus.prettypfa

    return titus.prettypfa.jsonNode(
        """
input: record(Raw, a: double, b: double, colour: string, shape: string)
output: record(Datum, x: double, y: double, colour: string, shape: string)
action:
  new(Datum, x: input.a - input.b, y: input.a * input.b, colour: input.colour, shape: input.shape)
"""
    )


def _scalar() -> dict[str, Any]:
    import titus.prettypfa

    return titus.prettypfa.jsonNode(
        """
input: record(Datum, x: double, y: double, colour: string, shape: string)
output: double
action:
  if (input.colour == "red") m.exp(input.x) else input.y / 2.0
"""
    )


def _raw_columns(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "a": rng.normal(0.0, 1.0, n),
        "b": rng.normal(0.0, 1.0, n),
        "colour": np.array(rng.choice(COLOURS + UNSEEN, n), dtype=object),
        "shape": np.array(rng.choice(SHAPES, n), dtype=object),
    }


@pytest.mark.parametrize("second", ["tree", "scalar"])
def test_chained_documents_run_fast_and_agree(second: str) -> None:
    import titus.producer.chain as chain

    then = _tree_document(_rows(300, 5, False), 4, None) if second == "tree" else _scalar()
    doc = json.loads(chain.json([_prepare(), then], lineNumbers=False))
    assert doc["begin"] and doc["end"] and "actionsStarted" in doc["cells"]  # the bookkeeping the fast path drops
    fast, ref = _load_both(doc)
    columns = _raw_columns(300, 9)
    _agree(fast.predict(columns), ref.predict(columns))
    assert fast.deferred == 0


WRITES = [  # (why, the write, what the action reads, the engine load picks)
    ("a cell the action also reads", {"cell": "seen", "to": "actionsStarted"}, {"cell": "seen"}, "titus2"),
    ("a computed value", {"cell": "seen", "to": {"+": ["actionsStarted", 1]}}, 0.0, "titus2"),
    (
        "an updater function",
        {"cell": "seen", "to": {"params": [{"old": "long"}], "ret": "long", "do": {"+": ["old", 2]}}},
        {"cell": "seen"},
        "interchange-fast",  # state written while scoring, a running sum: prefix sums over each batch (fast.scan)
    ),
]


@pytest.mark.parametrize("why,write,read,engine", WRITES, ids=[w[0] for w in WRITES])
def test_cell_writes_that_may_matter_are_kept(why: str, write: Any, read: Any, engine: str) -> None:
    """Only writes of an engine symbol or a literal to a cell nothing reads are dropped; others are
    evaluated (record by record on the fast path) or left to titus2 (``actionsStarted``, an engine
    symbol the fast path does not define), never dropped."""
    doc = {
        "input": "double",
        "output": "double",
        "cells": {"seen": {"type": "long", "init": 0}},
        "action": [write, {"+": ["input", {"cast.double": read} if isinstance(read, dict) else read]}],
    }
    model = interchange.load(json.dumps(doc).encode())
    assert model.info.engine == engine, model.info.reason
    symbol = "actionsStarted" in json.dumps(write)
    if engine == "titus2":
        assert ("actionsStarted" if symbol else "written while scoring") in model.info.reason
    ref = interchange.load(json.dumps(doc).encode(), engine="reference")
    if not symbol:  # the fast path, asked for, evaluates it record by record
        model = interchange.load(json.dumps(doc).encode(), engine="fast")
    for seed in (1, 2):
        columns = {"input": np.random.default_rng(seed).normal(0.0, 1.0, 20)}
        _agree(model.predict(columns), ref.predict(columns))


def test_a_write_titus_refuses_is_not_dropped() -> None:
    """A string symbol written to a long cell: the fast path keeps it (and declines), titus2 refuses the document."""
    doc = {"input": "double", "output": "double", "cells": {"seen": {"type": "long", "init": 0}}}
    doc["action"] = [{"cell": "seen", "to": "name"}, "input"]
    with pytest.raises(DocumentError, match="titus2 cannot load"):
        interchange.load(json.dumps(doc).encode())
