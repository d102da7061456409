"""The vectorised PFA fast path against titus2 (the reference runtime), row by row.

Documents come from our writer (``interchange.convert``) and from the PFA specification
(hand-written files in ``pfa_spec/``); documents made by titus2's own producers (cart, k-means,
chain) are in ``test_pfa_titus_producers.py``, tree tests operator by operator in
``test_pfa_tree_tests.py``.

Tolerance: rtol 1e-9, atol 1e-12. Both engines evaluate the same IEEE-754 double operations;
only summation order differs (numpy's matrix products and reductions vs Python's left-to-right
sums), which moves results by a few ulps, far inside this bound. Labels must be equal.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import interchange
from interchange.errors import DocumentError, RecordError

RTOL, ATOL = 1e-9, 1e-12
SPEC = Path(__file__).parent / "pfa_spec"
# documents that once fell back: the loop and the write-only pool now run fast; the counter goes to titus2 unless asked
FORMER_FALLBACKS = ["fallback_counter.pfa", "fallback_pool.pfa", "fallback_while.pfa"]
FALLBACKS = {  # what the fast path still leaves to titus2, and the reason load gives
    "begin": {"input": "double", "output": "double", "cells": {"c": {"type": "double", "init": 0.0}},
              "begin": [{"cell": "c", "to": 2.0}], "action": [{"*": ["input", {"cell": "c"}]}]},
    "pool-del": {"input": "double", "output": "double", "pools": {"p": {"type": "double", "init": {"a": 1.0}}},
                 "action": [{"pool": "p", "del": {"string": "a"}}, "input"]},
}  # fmt: skip


def _agree(fast: dict[str, np.ndarray], ref: dict[str, np.ndarray]) -> None:
    assert set(fast) == set(ref)
    for name in ref:
        a, b = fast[name], ref[name]
        if b.dtype == np.float64:
            assert a.dtype == np.float64, name
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=name)
        else:
            assert a.tolist() == b.tolist(), name
            assert [type(x) for x in a.tolist()] == [type(x) for x in b.tolist()], name


def _frame(rows: int, seed: int, missing: bool = False) -> pd.DataFrame:
    X, _ = make_classification(rows, 5, n_informative=3, random_state=seed)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    if missing:
        rng = np.random.default_rng(seed)
        frame["colour"] = rng.choice(np.array(["red", "green", "blue"], dtype=object), rows)
        for col in frame.columns:
            frame.loc[rng.random(rows) < 0.1, col] = None if frame[col].dtype == object else np.nan
    return frame


def _mixed_pipeline() -> Any:
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    text = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
    route = ColumnTransformer([("num", numbers, [f"x{i}" for i in range(5)]), ("cat", text, ["colour"])])
    return make_pipeline(route, LogisticRegression(max_iter=500))


WRITER_CASES = [
    ("logistic_binary", lambda: LogisticRegression(max_iter=500), 2, False),
    ("logistic_multiclass", lambda: LogisticRegression(max_iter=500), 3, False),
    ("pipeline_mixed", _mixed_pipeline, 2, True),
    ("random_forest", lambda: RandomForestClassifier(20, max_depth=6, random_state=0), 3, False),
    ("gradient_boosting", lambda: GradientBoostingClassifier(n_estimators=20, random_state=0), 3, False),
]


@pytest.mark.parametrize("name,factory,classes,missing", WRITER_CASES, ids=[c[0] for c in WRITER_CASES])
def test_writer_documents_run_fast_and_agree(name: str, factory: Any, classes: int, missing: bool) -> None:
    X, y = make_classification(400, 5, n_informative=3, n_classes=classes, random_state=1)
    frame = _frame(400, 1, missing)
    estimator = factory().fit(frame.iloc[:300], y[:300])
    converted = interchange.convert(estimator, "pfa", sample=frame.iloc[:300])
    fast = interchange.load(converted.document)
    ref = interchange.load(converted.document, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    assert ref.info.engine == "titus2"
    rng = np.random.default_rng(7)
    rows = frame.iloc[300:].copy()
    rows[[f"x{i}" for i in range(5)]] += rng.normal(0, 0.5, (100, 5))  # unseen rows
    _agree(fast.predict(rows), ref.predict(rows))


NETWORKS = ["classifier", "regressor"]


@pytest.mark.parametrize("task", NETWORKS)
def test_networks_with_layers_of_different_widths_run_fast_and_agree(task: str) -> None:
    """Our MLP writer's ``model.neural.simpleLayers``: an array of layers whose weight matrices differ in shape."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    X, y = make_classification(400, 5, n_informative=3, n_classes=3, random_state=4)
    frame = _frame(400, 4)
    if task == "classifier":
        estimator: Any = MLPClassifier(hidden_layer_sizes=(9, 4), max_iter=300, random_state=0)
        target = y
    else:
        estimator = MLPRegressor(hidden_layer_sizes=(7, 3), max_iter=300, random_state=0)
        target = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + np.sin(X[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a short fit is enough: the layers only need shapes
        estimator.fit(frame.iloc[:300], target[:300])
    converted = interchange.convert(estimator, "pfa", sample=frame.iloc[:300])
    layers = json.loads(converted.document.data)["cells"]["nn_layers"]["init"]
    shapes = [(len(layer["weights"]), len(layer["weights"][0])) for layer in layers]
    assert len(shapes) == 3 and len(set(shapes)) == 3, shapes
    fast = interchange.load(converted.document)
    ref = interchange.load(converted.document, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    rows = frame.iloc[300:].copy()
    rows[[f"x{i}" for i in range(5)]] += np.random.default_rng(3).normal(0, 0.5, (100, 5))
    _agree(fast.predict(rows), ref.predict(rows))


def test_forest_with_missing_values_follows_missing_left() -> None:
    """Trees that learnt where missing values go (HistGradientBoosting) route NaN like titus2."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    frame = _frame(400, 3)
    frame.loc[frame.index[::4], "x1"] = np.nan
    y = (frame["x0"].fillna(0) + frame["x2"] > 0).astype(int).to_numpy()
    estimator = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(frame.iloc[:300], y[:300])
    converted = interchange.convert(estimator, "pfa", sample=frame.iloc[:300])
    fast, ref = interchange.load(converted.document), interchange.load(converted.document, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    rows = frame.iloc[300:]
    assert rows["x1"].isna().any()
    _agree(fast.predict(rows), ref.predict(rows))


def _random_inputs(model: interchange.Model, rows: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {}
    for f in model.signature.inputs:
        if f.type == "string":
            columns[f.name] = np.array([rng.choice(["red", "blue", "green"]) for _ in range(rows)], dtype=object)
            columns[f.name][rng.random(rows) < 0.2] = None
        else:
            columns[f.name] = rng.normal(0.0, 1.5, rows)
    return columns


def _nullable_inputs(doc: dict[str, Any]) -> set[str]:
    fields = doc["input"].get("fields", []) if isinstance(doc["input"], dict) else []
    return {f["name"] for f in fields if isinstance(f["type"], list) and "null" in f["type"]}


SPEC_FILES = sorted(p.name for p in SPEC.glob("*.pfa"))


@pytest.mark.parametrize("filename", [f for f in SPEC_FILES if f not in FALLBACKS])
def test_spec_documents_run_fast_and_agree(filename: str) -> None:
    data = (SPEC / filename).read_bytes()
    fast = interchange.load(data, engine="fast")
    ref = interchange.load(data, engine="reference")
    assert fast.info.engine == "interchange-fast"
    columns = _random_inputs(ref, 500, seed=len(filename))
    rng = np.random.default_rng(11)
    nullable = _nullable_inputs(json.loads(data))
    for name in nullable:
        if columns[name].dtype == np.float64:
            columns[name][rng.random(500) < 0.2] = np.nan  # nulls where the type allows them
    for name, col in columns.items():  # and only there (a plain string field refuses every record with a null)
        if col.dtype == object and name not in nullable:
            col[[v is None for v in col.tolist()]] = "red"
    _agree(fast.predict(columns), ref.predict(columns))


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_documents_outside_the_fast_path_fall_back_to_titus(name: str) -> None:
    data = json.dumps(FALLBACKS[name]).encode()
    model = interchange.load(data)
    assert model.info.engine == "titus2"
    assert name in model.info.reason
    with pytest.raises(DocumentError, match="fast path does not cover"):
        interchange.load(data, engine="fast")
    ref = interchange.load(data, engine="reference")
    columns = {"input": np.random.default_rng(5).normal(0, 1, 50)}
    _agree(model.predict(columns), ref.predict(columns))


@pytest.mark.parametrize("filename", FORMER_FALLBACKS)
def test_state_and_loop_documents_run_fast_and_agree_batch_after_batch(filename: str) -> None:
    data = (SPEC / filename).read_bytes()
    auto = interchange.load(data)
    # the counter is state with a prefix-sum form (fast.scan: on the fast path by default); the pool is written
    # and never read, so its write goes (fast.cells) and the loop runs fast
    assert auto.info.engine == "interchange-fast", auto.info.reason
    model, ref = interchange.load(data, engine="fast"), interchange.load(data, engine="reference")
    assert model.info.engine == "interchange-fast", model.info.reason
    for seed in (5, 6):  # the second batch starts from the state the first left
        columns = {"input": np.random.default_rng(seed).normal(0, 1, 50)}
        _agree(model.predict(columns), ref.predict(columns))


def test_a_null_the_model_cannot_take_fails_the_record_on_both_engines() -> None:
    """impute.errorOnNull: titus2 raises for the record, the fast path names the row and field."""
    frame = _frame(300, 2)
    y = (frame["x0"] > 0).astype(int).to_numpy()
    converted = interchange.convert(LogisticRegression().fit(frame, y), "pfa", sample=frame)
    fast, ref = interchange.load(converted.document), interchange.load(converted.document, engine="reference")
    assert fast.info.engine == "interchange-fast"
    rows = frame.iloc[:10].copy()
    rows.loc[rows.index[6], "x3"] = np.nan
    with pytest.raises(RecordError):
        ref.predict(rows)
    with pytest.raises(RecordError) as caught:
        fast.predict(rows)
    assert caught.value.context["row"] == 6 and caught.value.context["field"] == "x3"
    _agree(fast.predict(rows.iloc[:6]), ref.predict(rows.iloc[:6]))


def test_errors_in_an_untaken_branch_do_not_fail_the_record() -> None:
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": ["null", "double"]}]},
        "output": "double",
        "action": [
            {"if": {"<": [{"impute.defaultOnNull": ["input.x", 0.0]}, 100.0]}, "then": 1.0, "else": {"error": "too large"}},
            {"ifnotnull": {"v": "input.x"}, "then": {"m.link.logit": "v"}, "else": -1.0},
        ],
    }
    data = json.dumps(doc).encode()
    fast, ref = interchange.load(data, engine="fast"), interchange.load(data, engine="reference")
    ok = {"x": np.array([0.5, np.nan, -3.0, 99.0])}
    _agree(fast.predict(ok), ref.predict(ok))
    for bad in (np.array([0.5, 150.0]), np.array([0.5, -1000.0])):  # the error form; math.exp overflow in logit
        with pytest.raises(RecordError):
            ref.predict({"x": bad})
        with pytest.raises(RecordError) as caught:
            fast.predict({"x": bad})
        assert caught.value.context["row"] == 1


def test_batches_with_cases_titus_orders_its_own_way_are_deferred_to_titus() -> None:
    """A NaN in m.link.softmax (titus2 picks its shift with Python's max over NaN): that batch runs on titus2."""
    doc = {
        "input": "double",
        "output": "double",
        "action": [
            {"let": {"nan": {"/": [{"-": ["input", "input"]}, 0.0]}}},
            {
                "let": {
                    "p": {
                        "m.link.softmax": {
                            "new": ["input", {"if": {">": ["input", 1.0]}, "then": "nan", "else": 0.5}],
                            "type": {"type": "array", "items": "double"},
                        }
                    }
                }
            },
            {"attr": "p", "path": [1]},
        ],
    }
    data = json.dumps(doc).encode()
    fast, ref = interchange.load(data, engine="fast"), interchange.load(data, engine="reference")
    plain = {"input": np.array([0.1, -0.3, 0.9])}
    _agree(fast.predict(plain), ref.predict(plain))
    assert fast.deferred == 0
    odd = {"input": np.array([0.1, 2.0, 0.9])}
    _agree(fast.predict(odd), ref.predict(odd))
    assert fast.deferred == 1
