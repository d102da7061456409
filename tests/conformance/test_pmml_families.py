"""SVM, k-NN, naive Bayes, neural network and clustering documents from other writers.

Two sources: nyoka (a third-party sklearn -> PMML converter) and minimal documents written by
hand from the PMML 4.4 specification (``pmml_spec/{svm,knn,naivebayes,neural,clustering}_*``).
Each must run on the fast path and agree with pypmml on every row within TOL.

Where pypmml 1.5.8 and the specification part ways the fast path does not guess: it declines
(NotCovered, then pypmml runs the document). (k-NN weightedAverage / weightedMajorityVote, where
pypmml divides the weighted sum by k again, run on the fast path as PMML 4.4 and JPMML-Evaluator
read them: test_pmml_jpmml.py.) Probability outputs of SVMs and of k-NN majorityVote, which
PMML 4.4 does not define, are vote shares (pypmml: the same for SVMs, none for k-NN;
JPMML-Evaluator 1.6 refuses a k-NN probability OutputField; k-NN shares are checked against
scikit-learn's predict_proba, the same vote shares for uniform weights; a batch where training
points tie at the k-th distance goes to pypmml). OneAgainstOne SVMs over three or more
categories run on the fast path, except that a batch
holding a vote tie goes to pypmml: PMML 4.4 resolves a tie to "the first category with maximal
number of votes" without fixing the order, and pypmml 1.5.8 uses hash-map order
(svm_ovo_rbf.pmml: pypmml gives "maybe", the last DataField value, on 1-1-1 ties).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC, SVR

import interchange
from interchange.verification import Tolerance, compare
from tests.conformance.nyoka_data import iris, nyoka_document, regression

TOL = Tolerance(1e-9, 1e-9, "double precision; the same formulas in another summation order")
SPEC = Path(__file__).parent / "pmml_spec"
FAMILIES = ("svm_", "knn_", "naivebayes_", "neural_", "clustering_")


NYOKA = {
    "SVC_rbf": (iris, lambda: SVC()),
    "SVC_linear": (iris, lambda: SVC(kernel="linear")),
    "SVR_rbf": (regression, lambda: SVR()),
    "KNeighborsClassifier": (iris, lambda: KNeighborsClassifier()),
    "KNeighborsRegressor": (regression, lambda: KNeighborsRegressor()),
    "GaussianNB": (iris, lambda: GaussianNB()),
    "MLPClassifier": (iris, lambda: MLPClassifier(hidden_layer_sizes=(8,), max_iter=400, random_state=0)),
    "MLPRegressor": (regression, lambda: MLPRegressor(hidden_layer_sizes=(8,), max_iter=400, random_state=0)),
    "KMeans": (iris, lambda: KMeans(3, n_init=3, random_state=0)),
}


# Documents the fast path declines on purpose (then pypmml runs them), with the reason it gives.
DECLINED: dict[str, str] = {}
VOTE_SHARES = {"KNeighborsClassifier"}  # pypmml gives no k-NN probabilities: compared with predict_proba


def _agree(document: bytes, X: pd.DataFrame, name: str = "", estimator: Any = None) -> Any:
    reference = interchange.load(document, engine="reference")
    auto = interchange.load(document)
    if name in DECLINED:
        assert auto.info.engine == "pypmml" and DECLINED[name] in auto.info.reason, auto.info.reason
        return auto  # both engines are pypmml (its k-NN probabilities are NaN: nothing to compare)
    else:
        assert auto.info.engine == "interchange-fast", auto.info.reason
    expected, actual = reference.predict(X), auto.predict(X)
    for f in reference.signature.outputs:
        e, a = expected[f.name], actual[f.name]
        if name in VOTE_SHARES and f.kind == "probability":
            assert np.isnan(np.asarray(e, float)).all(), "pypmml gives no k-NN probabilities"
            column = [str(c) for c in estimator.classes_].index(str(f.target))
            want = estimator.predict_proba(X)[:, column]
            np.testing.assert_allclose(np.asarray(a, float), want, rtol=TOL.rtol, atol=TOL.atol, err_msg=f.name)
            expected[f.name] = actual[f.name]  # checked here; compare() below checks the rest
            continue
        if f.kind in ("probability", "value", "decision", "score") and np.asarray(e).dtype.kind in "fiu":
            e, a = np.asarray(e, float), np.asarray(a, float)
            assert np.all(np.abs(a - e) <= TOL.atol + TOL.rtol * np.abs(e)), f"{f.name}: {np.max(np.abs(a - e))}"
        else:
            assert [str(v) for v in e] == [str(v) for v in a], f.name
    compare(reference.signature, expected, actual, TOL, format="pmml")
    return auto


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", list(NYOKA), ids=[f"{n}-pmml-nyoka" for n in NYOKA])
def test_nyoka_document_runs_fast_and_agrees_with_pypmml(name: str, tmp_path: Path) -> None:
    data, factory = NYOKA[name]
    X, y = data()
    pipe = Pipeline([("model", factory())]).fit(X, y)
    document = nyoka_document(pipe, X, tmp_path)
    if name in VOTE_SHARES:  # off the training points: no rows with neighbours tied at the k-th distance
        X = X + np.random.default_rng(0).normal(0.0, 1e-3, X.shape)
    model = _agree(document, X, name, pipe)
    if name in VOTE_SHARES:
        assert model._reference is None, "no batch went to pypmml"  # type: ignore[attr-defined]
        fresh = interchange.load(document)  # on the training points (iris repeats some) the tie sends the batch to pypmml
        assert np.isnan(fresh.predict(data()[0])["probability_0"]).all()
        assert fresh._reference is not None  # type: ignore[attr-defined]


def _grid(names: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({n: rng.uniform(-2.5, 2.5, 300) for n in names})


@pytest.mark.parametrize(
    "path", sorted(p for p in SPEC.glob("*.pmml") if p.name.startswith(FAMILIES)), ids=lambda p: f"{p.stem}-pmml-spec"
)
def test_spec_document_runs_fast_and_agrees_with_pypmml(path: Path) -> None:
    document = path.read_bytes()
    names = [f.name for f in interchange.load(document, engine="reference").signature.inputs]
    _agree(document, _grid(names), path.stem)


def test_spec_svm_votes_follow_thresholds_and_targets() -> None:
    """svm_ovo_rbf: machine 2 has its own threshold (0.2); "maybe" is never a targetCategory."""
    X = _grid(["x1", "x2"])
    labels = set(interchange.load((SPEC / "svm_ovo_rbf.pmml").read_bytes()).predict(X)["label"])
    assert labels <= {"no", "yes", "maybe"} and len(labels) >= 2


def test_svm_vote_ties_defer_the_batch_to_pypmml() -> None:
    """svm_ovo_rbf over three categories: batches without a tie are answered by the fast path,
    a batch with a tie by pypmml (whose tie order PMML 4.4 does not fix)."""
    document = (SPEC / "svm_ovo_rbf.pmml").read_bytes()
    model, reference = interchange.load(document), interchange.load(document, engine="reference")
    X = _grid(["x1", "x2"])
    svm = model._program.model.inner.model.step  # type: ignore[attr-defined]  # the lift's IR machines
    votes = svm.votes(svm.machine_values(X.to_numpy()))
    tied = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) > 1
    assert tied.any() and not tied.all()
    clear = X[~tied].reset_index(drop=True)
    assert list(model.predict(clear)["label"]) == list(reference.predict(clear)["label"])
    assert model._reference is None, "a batch without ties stays on the fast path"  # type: ignore[attr-defined]
    assert list(model.predict(X)["label"]) == list(reference.predict(X)["label"])
    assert model._reference is not None, "the batch with ties went to pypmml"  # type: ignore[attr-defined]


def test_clustering_ids_default_to_one_based_index() -> None:
    """PMML 4.4 §Clustering: a Cluster without id is named by its 1-based position."""
    model = interchange.load((SPEC / "clustering_euclidean.pmml").read_bytes())
    out = model.predict(pd.DataFrame({"x1": [-1.0, 0.0, 1.5], "x2": [-1.0, 0.5, 1.0]}))
    assert [str(v) for v in out["cluster"]] == ["1", "7", "3"]


MISSING_INPUT_DOCUMENTS = [
    "knn_regression_transformed",
    "knn_regression_cityblock",
    "clustering_kmeans_affinity",
    "svm_binary_coefficients",
    "svm_regression_poly",
    "svm_ovo_rbf",
]


@pytest.mark.parametrize("name", MISSING_INPUT_DOCUMENTS)
def test_spec_document_agrees_with_pypmml_on_missing_inputs(name: str) -> None:
    """k-NN: a row with a missing KNNInput has no prediction and no neighbours (pypmml);
    clustering: distances and affinities scaled by MissingValueWeights (PMML 4.4); SVM: a row
    with a missing input has no prediction (pypmml)."""
    document = (SPEC / f"{name}.pmml").read_bytes()
    names = [f.name for f in interchange.load(document, engine="reference").signature.inputs]
    X = _grid(names).astype(object)
    rng = np.random.default_rng(1)
    for n in names:
        X.loc[rng.random(len(X)) < 0.2, n] = None
    assert X.isna().any(axis=1).sum() > 50
    reference, auto = interchange.load(document, engine="reference"), interchange.load(document)
    assert auto.info.engine == "interchange-fast", auto.info.reason
    expected, actual = reference.predict(X), auto.predict(X)
    for f in reference.signature.outputs:
        for e, a in zip(expected[f.name].tolist(), actual[f.name].tolist(), strict=True):
            if isinstance(e, float) and isinstance(a, float):
                assert (e != e and a != a) or abs(a - e) <= TOL.atol + TOL.rtol * abs(e), (f.name, e, a)
            else:
                assert str(e) == str(a), (f.name, e, a)
