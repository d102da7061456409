"""PFA ``model.tree.simpleWalk`` on the shared flat kernel (``interchange.ir.trees.ensemble.FlatForest``)
against titus2, on the edge cases the kernel must not blur: missing values (missingLeft), a
present NaN (fails ``<=``, unlike a missing value) and a node reading past the end of its input
array (titus2 fails the record; the fast path hands that batch to titus2).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import interchange
from interchange.errors import RecordError
from interchange.formats.pfa.emit.document import TREE_POINT, tree_node_type, tree_test

NODE = tree_node_type("double")


def _leaf(v: float) -> dict[str, float]:
    return {"double": v}


def _node(feature: int, threshold: float, missing_left: bool, yes: Any, no: Any) -> dict[str, Any]:
    return {"feature": feature, "threshold": threshold, "missingLeft": missing_left, "pass": yes, "fail": no}


def _document(trees: list[dict[str, Any]], nan_missing: bool = False) -> bytes:
    test = tree_test("<=")  # our writer's: if (impute.isnan(tv)) missingLeft else tv <= threshold
    if not nan_missing:  # without its NaN check: a present NaN fails the comparison
        test = {**test, "do": {**test["do"], "then": {"<=": ["tv", "tn.threshold"]}}}
    # x[1]: b, a present NaN (0/0) where b > 5, null where b is null
    nan = {"/": [{"-": ["v", "v"]}, 0.0]}
    b = {"ifnotnull": {"v": "input.b"}, "then": {"if": {">": ["v", 5.0]}, "then": nan, "else": "v"}, "else": None}
    point = {"new": {"x": {"new": ["input.a", b], "type": TREE_POINT["fields"][0]["type"]}}, "type": TREE_POINT}
    doc = {
        "input": {
            "type": "record",
            "name": "Input",
            "fields": [{"name": "a", "type": ["null", "double"]}, {"name": "b", "type": ["null", "double"]}],
        },
        "output": {
            "type": "record",
            "name": "Output",
            "fields": [{"name": "t0", "type": "double"}, {"name": "t1", "type": "double"}],
        },
        "cells": {"trees": {"type": {"type": "array", "items": NODE}, "init": trees}},
        "action": [
            {"let": {"p": point}},
            {
                "let": {
                    "leaves": {
                        "a.map": [
                            {"cell": "trees"},
                            {"params": [{"t": "TreeNode"}], "ret": "double", "do": {"model.tree.simpleWalk": ["p", "t", test]}},
                        ]
                    }
                }
            },
            {
                "new": {
                    "t0": {"attr": "leaves", "path": [0]},
                    "t1": {"attr": "leaves", "path": [{"-": [{"a.len": "leaves"}, 1]}]},
                },
                "type": "Output",
            },
        ],
    }
    return json.dumps(doc).encode()


FOREST = [
    _node(0, 0.0, True, {"TreeNode": _node(1, 1.0, False, _leaf(1.0), _leaf(2.0))}, _leaf(3.0)),
    _node(1, -1.0, True, _leaf(4.0), {"TreeNode": _node(0, 2.0, False, _leaf(5.0), _leaf(6.0))}),
]


def _rows() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    a = rng.normal(0, 2, 200)
    b = rng.normal(0, 4, 200)  # about a tenth above 5: a present NaN in x[1]
    a[::7] = np.nan
    b[::5] = np.nan
    return {"a": a, "b": b}


@pytest.mark.parametrize("nan_missing", [False, True], ids=["nan-fails-test", "nan-is-missing"])
def test_missing_values_and_present_nan_route_as_titus2_does(nan_missing: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from interchange.formats.pfa.fast.trees import walk

    flat_walks = []
    split_walk = walk._split_walk
    monkeypatch.setattr(walk, "_split_walk", lambda *a: flat_walks.append(a[3]) or split_walk(*a))
    data = _document(FOREST, nan_missing)
    fast, ref = interchange.load(data, engine="fast"), interchange.load(data, engine="reference")
    rows = _rows()
    got, want = fast.predict(rows), ref.predict(rows)
    assert list(got) == list(want)
    for name in want:
        np.testing.assert_array_equal(got[name], want[name])
    assert [s.nan_missing for s in flat_walks] == [nan_missing], "both test forms run on the flat kernel"


def test_a_node_past_the_end_of_the_input_fails_the_record_on_both_engines() -> None:
    forest = [_node(0, 0.0, True, {"TreeNode": _node(2, 1.0, False, _leaf(1.0), _leaf(2.0))}, _leaf(3.0))]
    data = _document(forest)
    fast, ref = interchange.load(data, engine="fast"), interchange.load(data, engine="reference")
    rows = {"a": np.array([1.0, -1.0]), "b": np.array([0.5, 0.5])}  # the second row reaches feature 2
    with pytest.raises(RecordError):
        ref.predict(rows)
    with pytest.raises(RecordError):
        fast.predict(rows)
    ok = {"a": np.array([1.0, 2.0]), "b": np.array([0.5, 0.5])}
    got, want = fast.predict(ok), ref.predict(ok)
    for name in want:
        np.testing.assert_array_equal(got[name], want[name])


def test_large_batches_run_in_chunks_with_the_same_results_and_error_rows() -> None:
    """A batch larger than CHUNK_ROWS runs chunk by chunk: the same outputs as small batches,
    and a record error names its row in the whole batch."""
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier

    from interchange.formats.pfa.fast.engine import CHUNK_ROWS

    rng = np.random.default_rng(5)
    n = 2 * CHUNK_ROWS + 123
    frame = pd.DataFrame(rng.normal(0, 1, (n, 4)), columns=["a", "b", "c", "d"])
    y = (frame["a"] + frame["b"] > 0).astype(int).to_numpy()
    converted = interchange.convert(
        RandomForestClassifier(5, max_depth=4, random_state=0).fit(frame.iloc[:500], y[:500]), "pfa", sample=frame.iloc[:200]
    )
    model = interchange.load(converted.document, engine="fast")
    whole = model.predict(frame)
    pieces = [model.predict(frame.iloc[i : i + 1000]) for i in range(0, n, 1000)]
    for name in whole:
        np.testing.assert_array_equal(whole[name], np.concatenate([p[name] for p in pieces]))
    from sklearn.linear_model import LogisticRegression

    linear = interchange.convert(LogisticRegression().fit(frame.iloc[:500], y[:500]), "pfa", sample=frame.iloc[:200])
    broken = frame.copy()
    broken.loc[CHUNK_ROWS + 7, "c"] = np.nan  # the writer's linear document refuses a null input (impute.errorOnNull)
    with pytest.raises(RecordError) as caught:
        interchange.load(linear.document, engine="fast").predict(broken)
    assert caught.value.context["row"] == CHUNK_ROWS + 7
    assert f"row {CHUNK_ROWS + 7}:" in caught.value.message


@pytest.mark.parametrize("kind", ["forest", "boosting"])
def test_our_writers_tree_ensembles_run_on_the_flat_kernel(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the PFA writer emits for sklearn's ensembles must stay on the shared flat kernel: the
    per-node compiled walk gives the same answers, ~4x slower (a writer change once moved it there)."""
    import pandas as pd
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier

    from interchange.formats.pfa.fast.trees import walk

    flat_walks = []
    split_walk = walk._split_walk
    monkeypatch.setattr(walk, "_split_walk", lambda *a: flat_walks.append(a[3]) or split_walk(*a))
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.normal(0, 1, (300, 3)), columns=["a", "b", "c"])
    y = frame["a"] - frame["b"]
    est = (
        RandomForestClassifier(4, max_depth=3, random_state=0).fit(frame, y > 0)
        if kind == "forest"
        else (GradientBoostingRegressor(n_estimators=4, max_depth=2, random_state=0).fit(frame, y))
    )
    model = interchange.load(interchange.convert(est, "pfa", sample=frame.iloc[:50]).document, engine="fast")
    frame.iloc[::9, 1] = np.nan
    model.predict(frame)
    assert flat_walks, "the writer's tree test was not recognised by the flat kernel"
