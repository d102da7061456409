"""Every estimator × every format, on a numeric dataset and a mixed one.

The mixed dataset has text categories and about 10% missing values in numbers and text; it is
fed through ColumnTransformer(imputer + scaler for numbers, imputer + one-hot for text).

A cell either verifies (reference runtime and fast path agree with the estimator on held-out
rows within the stated tolerance) or is refused with UnsupportedModelError naming the
estimator and the format; both outcomes are recorded for docs/coverage.md. Each cell's outcome
must equal the committed one in baseline.json (see tests/roundtrip/baseline.py to update it).

ONNX cells must verify, and at double tolerance (1e-9 relative, 1e-12 absolute) through the
IR's double-precision writer, except where named below: skl2onnx's float32 used to flip
tree branches and refuse XGBoost on the mixed data, and a cell that slides back fails here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge, SGDClassifier, SGDRegressor
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    Binarizer,
    KBinsDiscretizer,
    LabelEncoder,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    StandardScaler,
)
from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from xgboost import XGBClassifier, XGBRegressor

from interchange.errors import UnsupportedModelError, VerificationError
from tests.roundtrip import baseline
from tests.roundtrip.helpers import assert_export_equivalent, record

FORMATS = ["onnx", "pmml", "pfa"]
BASELINE = baseline.load()
# (none: libsvm's Platt probabilities with pairwise coupling are written in double too, emit/platt.py's Loop)
ONNX_THROUGH_SKL2ONNX: set[str] = set()
# XGBoost itself sums leaves in float32: the same widened tolerance as its PMML and PFA documents
ONNX_SOURCE_ROUNDS = {"XGBClassifier", "XGBRegressor"}


def _frame(X: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _data(kind: str, dataset: str) -> tuple[pd.DataFrame, np.ndarray]:
    if kind == "binary":
        X, y = make_classification(300, 6, n_informative=4, random_state=1)
    elif kind == "multiclass":
        X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    else:
        X, y = make_regression(300, 6, noise=5.0, random_state=0)
    frame = _frame(X)
    if dataset == "mixed":
        rng = np.random.default_rng(0)
        frame["colour"] = np.where(X[:, 0] > 0, "red", np.where(X[:, 1] > 0, "green", "blue")).astype(object)
        frame["size"] = np.where(X[:, 2] > 0.5, "L", "S").astype(object)
        frame = frame.drop(columns=["x0"])
        for col in frame.columns:
            frame.loc[rng.random(len(frame)) < 0.1, col] = None if frame[col].dtype == object else np.nan
    return frame, y


def _wrap(est: Any, dataset: str) -> Any:
    if dataset != "mixed":
        return est
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    text = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore"))
    route = ColumnTransformer([("num", numbers, [f"x{i}" for i in range(1, 6)]), ("cat", text, ["colour", "size"])])
    return make_pipeline(route, est)


CASES: list[tuple[str, str, Any]] = [
    ("LinearRegression", "regression", lambda: LinearRegression()),
    ("Ridge", "regression", lambda: Ridge()),
    ("Lasso", "regression", lambda: Lasso(alpha=0.1)),
    ("ElasticNet", "regression", lambda: ElasticNet(alpha=0.1)),
    ("LogisticRegression_binary", "binary", lambda: LogisticRegression(max_iter=500)),
    ("LogisticRegression_multinomial", "multiclass", lambda: LogisticRegression(max_iter=500)),
    (
        "StandardScaler+LogisticRegression",
        "multiclass",
        lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
    ),
    ("MinMaxScaler+Ridge", "regression", lambda: make_pipeline(MinMaxScaler(), Ridge())),
    (
        "MaxAbsScaler+RobustScaler+LinearRegression",
        "regression",
        lambda: make_pipeline(MaxAbsScaler(), RobustScaler(), LinearRegression()),
    ),
    ("DecisionTreeClassifier", "binary", lambda: DecisionTreeClassifier(max_depth=6, random_state=0)),
    ("DecisionTreeRegressor", "regression", lambda: DecisionTreeRegressor(max_depth=6, random_state=0)),
    ("RandomForestClassifier", "multiclass", lambda: RandomForestClassifier(10, max_depth=6, random_state=0)),
    ("RandomForestRegressor", "regression", lambda: RandomForestRegressor(10, max_depth=6, random_state=0)),
    ("ExtraTreesClassifier", "binary", lambda: ExtraTreesClassifier(10, max_depth=6, random_state=0)),
    ("ExtraTreesRegressor", "regression", lambda: ExtraTreesRegressor(10, max_depth=6, random_state=0)),
    ("GradientBoostingClassifier_binary", "binary", lambda: GradientBoostingClassifier(n_estimators=10, random_state=0)),
    ("GradientBoostingClassifier_multiclass", "multiclass", lambda: GradientBoostingClassifier(n_estimators=10, random_state=0)),
    ("GradientBoostingRegressor", "regression", lambda: GradientBoostingRegressor(n_estimators=10, random_state=0)),
    ("HistGradientBoostingClassifier", "binary", lambda: HistGradientBoostingClassifier(max_iter=10, random_state=0)),
    ("HistGradientBoostingRegressor", "regression", lambda: HistGradientBoostingRegressor(max_iter=10, random_state=0)),
    ("SVC_rbf", "multiclass", lambda: SVC()),
    ("SVC_poly_probability", "binary", lambda: SVC(kernel="poly", probability=True, random_state=0)),
    ("SVC_linear", "binary", lambda: SVC(kernel="linear")),
    ("SVR_rbf", "regression", lambda: SVR()),
    ("LinearSVC", "binary", lambda: LinearSVC()),
    ("LinearSVR", "regression", lambda: LinearSVR()),
    ("SGDClassifier", "multiclass", lambda: SGDClassifier(random_state=0)),
    ("SGDRegressor", "regression", lambda: SGDRegressor(random_state=0)),
    ("KNeighborsClassifier", "multiclass", lambda: KNeighborsClassifier()),
    ("KNeighborsRegressor", "regression", lambda: KNeighborsRegressor()),
    ("GaussianNB", "multiclass", lambda: GaussianNB()),
    ("MLPClassifier", "multiclass", lambda: MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0)),
    ("MLPRegressor", "regression", lambda: MLPRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=0)),
    ("KMeans", "multiclass", lambda: KMeans(3, n_init=3, random_state=0)),
    ("IsolationForest", "multiclass", lambda: IsolationForest(n_estimators=10, random_state=0)),
    ("XGBClassifier", "multiclass", lambda: XGBClassifier(n_estimators=10, max_depth=3)),
    ("XGBRegressor", "regression", lambda: XGBRegressor(n_estimators=10, max_depth=3)),
    ("LGBMClassifier", "binary", lambda: LGBMClassifier(n_estimators=10, verbose=-1)),
    ("LGBMRegressor", "regression", lambda: LGBMRegressor(n_estimators=10, verbose=-1)),
    (
        "Normalizer+PolynomialFeatures+PCA+LogisticRegression",
        "binary",
        lambda: make_pipeline(Normalizer(), PolynomialFeatures(2), PCA(4), LogisticRegression(max_iter=300)),
    ),
    (
        "KBinsDiscretizer+LogisticRegression",
        "binary",
        lambda: make_pipeline(
            KBinsDiscretizer(4, encode="onehot-dense", quantile_method="averaged_inverted_cdf"), LogisticRegression(max_iter=300)
        ),
    ),
    ("Binarizer+LogisticRegression", "binary", lambda: make_pipeline(Binarizer(), LogisticRegression(max_iter=300))),
]

PARAMS = [
    pytest.param(name, kind, factory, fmt, dataset, id=f"{name}-{fmt}-{dataset}")
    for name, kind, factory in CASES
    for fmt in FORMATS
    for dataset in ("numeric", "mixed")
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
# SVC_poly_probability: sklearn 1.9 deprecates SVC(probability=True) (at fit, and skl2onnx reads probA_ / probB_);
# users still hold such models, so the matrix keeps converting one
@pytest.mark.filterwarnings("ignore:The `probability` parameter was deprecated:FutureWarning")
@pytest.mark.filterwarnings("ignore:Attribute `prob[AB]_` was deprecated:FutureWarning")
@pytest.mark.parametrize("name,kind,factory,fmt,dataset", PARAMS)
def test_export_equivalent(name: str, kind: str, factory: Any, fmt: str, dataset: str) -> None:
    X, y = _data(kind, dataset)
    estimator = _wrap(factory(), dataset).fit(X.iloc[:200], y[:200])
    _check(estimator, X, name, fmt, dataset)


def test_baseline_holds_exactly_the_cells_of_the_matrix() -> None:
    cells = {f"{name}-{fmt}-{dataset}" for name, _, _ in CASES for fmt in FORMATS for dataset in ("numeric", "mixed")}
    cells |= {f"OrdinalEncoder+HistGradientBoostingClassifier-{fmt}-mixed" for fmt in FORMATS}
    cells |= {f"LabelEncoder(target)+LogisticRegression-{fmt}-{d}" for fmt in FORMATS for d in ("numeric", "mixed")}
    assert not cells - set(BASELINE), f"cells missing from the baseline; run `{baseline.UPDATE}`"
    assert not set(BASELINE) - cells, f"baseline cells the matrix no longer has; run `{baseline.UPDATE}`"


def test_a_cell_must_end_as_its_baseline_says() -> None:
    held = {"A-onnx-numeric": {"status": "verified"}, "B-pfa-mixed": {"status": "refused", "reason": "float32 split"}}
    baseline.check("A-onnx-numeric", "verified", None, held)
    baseline.check("B-pfa-mixed", "refused", "another row differs", held)  # only the status is compared
    with pytest.raises(AssertionError, match="baseline 'verified', this run 'unsupported: no writer'"):
        baseline.check("A-onnx-numeric", "unsupported", "no writer", held)
    with pytest.raises(AssertionError, match="it verifies now: update the baseline"):
        baseline.check("B-pfa-mixed", "verified", None, held)
    with pytest.raises(AssertionError, match="not in baseline.json"):
        baseline.check("C-pmml-numeric", "verified", None, held)


@pytest.mark.parametrize("fmt", FORMATS)
def test_ordinal_encoded_text(fmt: str) -> None:
    """Text through OrdinalEncoder (unseen -> -1, missing stays missing) into trees that take NaN."""
    X, y = _data("binary", "mixed")
    numbers = [f"x{i}" for i in range(1, 6)]
    ordinal = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    route = ColumnTransformer([("num", "passthrough", numbers), ("cat", ordinal, ["colour", "size"])])
    estimator = make_pipeline(route, HistGradientBoostingClassifier(max_iter=10, random_state=0)).fit(X.iloc[:200], y[:200])
    X_test = X.iloc[200:].copy()
    X_test.loc[X_test.index[:5], "colour"] = "purple"  # unseen category
    _check(estimator, pd.concat([X.iloc[:200], X_test]), "OrdinalEncoder+HistGradientBoostingClassifier", fmt, "mixed")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dataset", ["numeric", "mixed"])
def test_label_encoded_target(fmt: str, dataset: str) -> None:
    """Text labels through a LabelEncoder: the document predicts the original labels."""
    X, y = _data("multiclass", dataset)
    labels = LabelEncoder().fit(np.array(["ant", "bee", "cat"])[y])
    estimator = _wrap(LogisticRegression(max_iter=500), dataset).fit(
        X.iloc[:200], labels.transform(np.array(["ant", "bee", "cat"])[y[:200]])
    )
    _check(estimator, X, "LabelEncoder(target)+LogisticRegression", fmt, dataset, labels)


def _check(estimator: Any, X: pd.DataFrame, name: str, fmt: str, dataset: str, labels: Any = None) -> None:
    cell = f"{name}-{fmt}-{dataset}"
    status, reason = "verified", None
    try:
        row = assert_export_equivalent(estimator, X.iloc[:200], X.iloc[200:], fmt, cell=cell, dataset=dataset, labels=labels)
        if fmt == "onnx":
            _assert_onnx_in_double(name, row)
    except UnsupportedModelError as exc:
        assert exc.context.get("format") == fmt, exc.message
        status, reason = "unsupported", exc.message
        record(cell=cell, estimator=name, format=fmt, dataset=dataset, status=status, reason=reason)
    except VerificationError as exc:
        # convert refused a document that disagrees with the estimator (e.g. float32 thresholds):
        # the designed outcome, recorded as such, with the worst row named.
        assert exc.context.get("row") is not None and exc.context.get("output"), exc.message
        status, reason = "refused", exc.message
        record(cell=cell, estimator=name, format=fmt, dataset=dataset, status=status, reason=reason)
    baseline.check(cell, status, reason, BASELINE)


def _assert_onnx_in_double(name: str, row: dict[str, Any]) -> None:
    """The cell's ONNX document came from the IR writer at double tolerance (unless named above)."""
    if name in ONNX_THROUGH_SKL2ONNX:
        assert row["writer"] == "skl2onnx", row
        return
    assert row["writer"] == "interchange IR, double precision", row
    assert (row["rtol"], row["atol"]) == ((1e-5, 1e-6) if name in ONNX_SOURCE_ROUNDS else (1e-9, 1e-12)), row
