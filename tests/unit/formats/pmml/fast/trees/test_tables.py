"""The bulk TreeModel reader (fast_tree_tables) against the Node-by-Node walk it shortcuts.

Every TreeModel of every conformance document, and of forests our writer produces, is compiled
both ways: where the bulk reader answers, its flat tree, categories, missing-value routing and
deferred general evaluator must equal what the walk builds; where it declines, the walk decides
as before. Hand-made variants check that irregular trees are declined, not misread.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier

import interchange
from interchange.formats.pmml.fast.engine import FastPMMLModel, current
from interchange.formats.pmml.fast.trees import model as fast_trees
from interchange.formats.pmml.parse import NotCovered, parse

CONFORMANCE = Path(__file__).resolve().parents[5] / "conformance"
DOCUMENTS = sorted(CONFORMANCE.glob("pmml_*/*.pmml"))


def _compare(monkeypatch: pytest.MonkeyPatch, data: bytes) -> dict[str, int]:
    """Compile ``data`` with every TreeModel read both ways; counts of bulk reads and walks."""
    seen = {"tables": 0, "walk": 0}
    bulk = fast_trees._from_tables

    def both(model: Any, strategy: str, no_true: str, penalty: float) -> Any:
        new = bulk(model, strategy, no_true, penalty)
        if new is None:
            seen["walk"] += 1
            return None
        seen["tables"] += 1
        binary = model.get("splitCharacteristic", "multiSplit") == "binarySplit"
        general = fast_trees._general_tree(model, strategy, no_true, binary, penalty, current().ctx)
        old = fast_trees._flat(list(general.nodes), strategy, general.classes)
        assert old is not None, "the walk finds no flat form where the bulk reader made one"
        a, b = old[0], new.flat
        assert (a.inputs, a.classes, old[1]) == (b.inputs, b.classes, new.needs_general_for_missing)
        ta, tb = a.trees[0], b.trees[0]
        assert ta.op == tb.op
        for name in ("feature", "threshold", "left", "right", "value", "missing_left"):
            assert np.array_equal(getattr(ta, name), getattr(tb, name)), name
        deferred = new.general.tree
        assert (deferred.classes, deferred.ids, deferred.defaults) == (general.classes, general.ids, general.defaults)
        assert len(deferred.nodes) == len(general.nodes)
        return new

    monkeypatch.setattr(fast_trees, "_from_tables", both)
    try:
        FastPMMLModel(None, parse(data))  # type: ignore[arg-type]
    except NotCovered:
        pass
    finally:
        monkeypatch.undo()
    return seen


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_conformance_trees_read_in_bulk_equal_the_walk(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    _compare(monkeypatch, path.read_bytes())


def _forest_document() -> bytes:
    X, y = make_classification(400, 5, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    est = RandomForestClassifier(5, max_depth=4, random_state=0).fit(frame, y)
    return interchange.convert(est, "pmml", sample=frame.iloc[:20]).document.data


def test_written_forest_and_boosting_are_read_in_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _compare(monkeypatch, _forest_document()) == {"tables": 5, "walk": 0}
    X, y = make_regression(300, 4, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(4)])
    est = GradientBoostingRegressor(n_estimators=4, max_depth=2, random_state=0).fit(frame, y)
    data = interchange.convert(est, "pmml", sample=frame.iloc[:20]).document.data
    assert _compare(monkeypatch, data) == {"tables": data.count(b"<TreeModel "), "walk": 0}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (r'<SimplePredicate field="x', r'<Extension name="e" value="v"/><SimplePredicate field="x'),  # an Extension
        (r'recordCount="', r'count="'),  # ScoreDistribution without recordCount (the walk declines it)
        (r"(<Node [^>]*>\s*)<True/>", r"\1<False/>"),  # a root that is not True
        (r'operator="lessOrEqual"', r'operator="lessThan"'),  # halves no longer complementary
    ],
    ids=["extension", "no-record-count", "false-root", "not-complementary"],
)
def test_irregular_trees_are_left_to_the_walk(monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    text = _forest_document().decode()
    changed = re.sub(old, new, text, count=1)
    assert changed != text
    seen = _compare(monkeypatch, changed.encode())
    assert seen["walk"] >= 1


def test_missing_values_take_the_deferred_general_evaluator() -> None:
    """A written forest routes missing values by defaultChild; with that strategy replaced by
    nullPrediction a batch with a missing value builds the general evaluator on demand."""
    text = _forest_document().decode().replace('missingValueStrategy="defaultChild"', 'missingValueStrategy="nullPrediction"')
    model = interchange.load(text.encode())
    assert model.info.engine == "interchange-fast"
    rows = pd.DataFrame({f"x{i}": [0.1, np.nan] for i in range(5)})
    fast = model.predict(rows)
    reference = interchange.load(text.encode(), engine="reference").predict(rows.iloc[:1])
    for name, column in fast.items():
        if np.asarray(column).dtype.kind == "f":
            assert np.isclose(column[0], reference[name][0], rtol=1e-9, atol=1e-12)
            assert np.isnan(column[1])  # PMML 4.4 nullPrediction: no prediction
