"""libsvm's coupled Platt probabilities in the IR against scikit-learn's own (libsvm, in double)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.svm import SVC

from interchange.convert import infer_signature
from interchange.extract import to_graph
from interchange.ir.graph import evaluate
from interchange.ir.models.svm_probability import couple, pairwise_probabilities

CASES = [(2, "poly"), (2, "rbf"), (3, "rbf"), (4, "linear"), (5, "sigmoid")]


@pytest.mark.parametrize("k,kernel", CASES, ids=[f"{k}-{kern}" for k, kern in CASES])
def test_svc_probabilities_equal_scikit_learns(k: int, kernel: str) -> None:
    X, y = make_classification(400, 6, n_informative=4, n_classes=k, random_state=1)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn 1.9 deprecates probability=True
        est = SVC(kernel=kernel, probability=True, random_state=0).fit(frame.iloc[:200], y[:200])
        want = est.predict_proba(frame.iloc[200:])
        graph = to_graph(est, infer_signature(est, frame))
    got = evaluate(graph, {c: frame[c].to_numpy()[200:] for c in frame.columns})
    mine = np.column_stack([got[f"probability_{c}"] for c in est.classes_])
    np.testing.assert_allclose(mine, want, rtol=1e-9, atol=1e-12)
    assert [str(v) for v in got["label"]] == [str(v) for v in est.predict(frame.iloc[200:])]  # votes, not argmax


def test_coupling_of_consistent_pairs_gives_the_distribution_back() -> None:
    """Pairwise probabilities p_i / (p_i + p_j) of a distribution couple back into it (to libsvm's stopping accuracy)."""
    p = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    r = p[:, :, None] / (p[:, :, None] + p[:, None, :])
    np.testing.assert_allclose(couple(r), p, atol=5e-3)


def test_pairwise_probabilities_are_clipped_as_libsvm_clips_them() -> None:
    r = pairwise_probabilities(np.array([[-1e3], [1e3]]), np.array([[0, 1]]), np.array([1.0]), np.array([0.0]), 2)
    assert r[0, 0, 1] == 1 - 1e-7 and r[1, 0, 1] == 1e-7
    assert r[0, 1, 0] == pytest.approx(1e-7) and r[1, 1, 0] == 1 - 1e-7
