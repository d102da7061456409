"""Our PFA writer's SVC(probability=True) documents lifted back into the IR SVM's Platt coupling
(lift/models/platt.py), against titus2 (rtol 1e-9 / atol 1e-12: both compute in double).

The statements are matched up to the names they bind (a document whose symbols are renamed throughout
still lifts); a coupling whose constants or statements differ from libsvm's is refused with the JSON
pointer of the first statement that parts and what differs.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.svm import SVC

import interchange
from tests.conformance.lifting import assert_libsvm_platt, differing_outputs, lifted_outputs


def _document(kernel: str, k: int) -> tuple[SVC, pd.DataFrame, dict[str, Any]]:
    X, y = make_classification(200, 4, n_informative=3, n_redundant=0, n_classes=k, n_clusters_per_class=1, random_state=k)
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(4)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (scikit-learn 1.9 deprecates probability=True)
        est = SVC(kernel=kernel, probability=True, random_state=0).fit(X, np.array(["a", "b", "c", "d"])[y])
        data = interchange.convert(est, "pfa", sample=X.iloc[:50]).document.data
    return est, X, json.loads(data)


def _held_out(X: pd.DataFrame) -> pd.DataFrame:
    """Rows without missing values: the writer's document refuses a missing input (impute.errorOnNull)."""
    return X.iloc[:60].reset_index(drop=True)


def _agrees_with_titus(doc: dict[str, Any], rows: pd.DataFrame) -> interchange.Lifted:
    data = json.dumps(doc).encode()
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    bad = differing_outputs(lifted, interchange.load(data, engine="reference").predict(rows), lifted_outputs(lifted, rows))
    assert not bad, bad
    return lifted


@pytest.mark.parametrize("kernel,k", [("rbf", 3), ("poly", 2), ("linear", 4)])
def test_writer_coupling_lifts_and_agrees_with_titus(kernel: str, k: int) -> None:
    est, X, doc = _document(kernel, k)
    lifted = _agrees_with_titus(doc, _held_out(X))
    assert_libsvm_platt(lifted, est, kernel)
    assert any(kind == "Platt coupling" for _, kind in lifted.lifted)


def test_renamed_symbols_still_lift() -> None:
    """Structure, not names: every ``platt_*`` symbol renamed throughout."""
    _, X, doc = _document("rbf", 3)
    text = re.sub(r'"platt_(\w+)"', r'"coupling_\1_v"', json.dumps(doc))
    text = text.replace('"probs"', '"class_probabilities"')
    assert "platt_" not in text
    _agrees_with_titus(json.loads(text), _held_out(X))


def _while(doc: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return next((i, s) for i, s in enumerate(doc["action"]) if isinstance(s, dict) and "while" in s)


def test_another_stopping_rule_is_refused_with_its_pointer() -> None:
    _, _, doc = _document("rbf", 3)
    i, loop = _while(doc)
    text = json.dumps(loop).replace(repr(0.005 / 3), "0.001")  # libsvm stops at 0.005 / k
    doc["action"][i] = json.loads(text)
    lifted = interchange.lift(json.dumps(doc).encode())
    assert not lifted.ok
    why = str(lifted.reasons[0])
    assert "coupled other than as libsvm does" in why and f"/action/{i}/do/" in why and "0.001" in why, why


def test_a_fixed_number_of_sweeps_is_refused() -> None:
    """Sweeps that do not stop row by row (the counter alone) move rows libsvm has stopped: not the IR's coupling."""
    _, _, doc = _document("poly", 2)
    i, loop = _while(doc)
    loop["while"] = loop["while"]["&&"][1]
    lifted = interchange.lift(json.dumps(doc).encode())
    assert not lifted.ok
    assert any("coupled other than as libsvm does" in str(r) and f"/action/{i}/while" in str(r) for r in lifted.reasons), (
        lifted.report()
    )


def test_a_sigmoid_over_other_than_machine_values_keeps_its_refusal() -> None:
    """The coupling starts at f[m] * A + B over the SVM's machine values; a sigmoid of another machine's
    value in its place is refused, naming the statement."""
    _, _, doc = _document("rbf", 3)
    i = next(i for i, s in enumerate(doc["action"]) if isinstance(s, dict) and "platt_z_1" in s.get("let", {}))
    doc["action"][i]["let"]["platt_z_1"]["+"][0]["*"][0]["path"] = [2]
    lifted = interchange.lift(json.dumps(doc).encode())
    assert not lifted.ok
    assert any(f"/action/{i}" in str(r) and "machine 1's Platt sigmoid" in str(r) for r in lifted.reasons), lifted.report()
