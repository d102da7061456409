"""Foreign documents: what other tools write that our own corpus never produces.

Generated at test time by the real producers (sklearn2pmml / JPMML-SkLearn with its decorators
and transformers, nyoka's XGBoost and LightGBM exporters, onnxmltools and skl2onnx with their
options), plus hand-written documents in the style of the PMML 4.4 and PFA 0.8.1 specification
pages (``pmml_foreign/``, ``pfa_foreign/``). Each case gives the document's bytes, the rows it is
checked on (held-out rows, missing values, unseen categories and values outside the fitted range)
and the fitted estimator where there is one. A producer that refuses a case raises
:class:`tests.conformance.third_party.Refused` with the producer's own message.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tests.conformance.third_party import Refused, _stamped_190

__all__ = ["Doc", "FOREIGN", "build"]

HERE = Path(__file__).parent


@dataclass
class Doc:
    data: bytes
    fmt: str  # "pmml", "onnx", "pfa"
    rows: Any  # a DataFrame (PMML, ONNX) or column dict (PFA)
    estimator: Any = None
    onnx_input: str = ""  # ONNX: the graph's single tensor input, fed the rows' columns in order


def _frame(n: int = 300, seed: int = 0, kind: str = "binary") -> tuple[pd.DataFrame, np.ndarray]:
    from sklearn.datasets import make_classification, make_regression

    if kind == "regression":
        X, y = make_regression(n, 4, noise=3.0, random_state=seed)
    else:
        X, y = make_classification(
            n, 4, n_informative=3, n_redundant=0, n_classes=3 if kind == "multiclass" else 2, random_state=seed
        )
    frame = pd.DataFrame(X, columns=["x1", "x2", "x3", "x4"])
    frame["colour"] = np.where(X[:, 0] > 0.3, "red", np.where(X[:, 1] > 0, "green", "blue")).astype(object)
    return frame, y


def _probe_rows(frame: pd.DataFrame, missing: bool = True, unseen: bool = True, outliers: bool = True) -> pd.DataFrame:
    """Held-out rows, then copies with a missing number / colour, an unseen colour, values outside the fitted range."""
    held = frame.iloc[200:].reset_index(drop=True)
    parts = [held]
    numbers = [c for c in frame.columns if frame[c].dtype != object]
    if missing:
        holes = held.iloc[: 6 * len(numbers)].copy().reset_index(drop=True)
        for i, col in enumerate(numbers * 6):
            holes.loc[i, col] = np.nan
        if "colour" in holes:
            holes.loc[holes.index[::4], "colour"] = None
        parts.append(holes)
    if unseen and "colour" in frame:
        odd = held.iloc[24:34].copy()
        odd["colour"] = "purple"
        parts.append(odd)
    if outliers:
        far = held.iloc[34:44].copy()
        for col in numbers:
            far[col] = far[col] * 10
        parts.append(far)
    return pd.concat(parts, ignore_index=True)


def _quiet() -> Any:
    return contextlib.ExitStack()


def _s2p(pipeline: Any, X: pd.DataFrame, y: Any, tmp: Path) -> bytes:
    from sklearn2pmml import sklearn2pmml

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.fit(X, y)
    path = tmp / "s2p.pmml"
    try:
        with _stamped_190(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            sklearn2pmml(pipeline, str(path))
    except Exception as exc:  # JPMML-SkLearn refuses: its Java message
        text = str(exc).strip()
        raise Refused(f"sklearn2pmml: {text.splitlines()[-1][:200] if text else type(exc).__name__}") from exc
    return path.read_bytes()


# sklearn2pmml ------------------------------------------------------------------------------------


def _numbers_text(numbers: Any, text: Any) -> Any:
    from sklearn.compose import ColumnTransformer

    return ColumnTransformer([("num", numbers, ["x1", "x2", "x3", "x4"]), ("cat", text, ["colour"])])


def s2p_domains_logistic(tmp: Path) -> Doc:
    """ContinuousDomain (missing replaced, outliers as extreme values) and CategoricalDomain
    (unseen categories as missing, missing replaced) before a scaler / one-hot / logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn2pmml.decoration import CategoricalDomain, ContinuousDomain
    from sklearn2pmml.pipeline import PMMLPipeline

    X, y = _frame()
    numbers = make_pipeline(
        ContinuousDomain(
            missing_value_replacement=0.0,
            missing_value_treatment="as_value",
            outlier_treatment="as_extreme_values",
            low_value=-2.5,
            high_value=2.5,
            invalid_value_treatment="as_is",
        ),
        StandardScaler(),
    )
    text = make_pipeline(
        CategoricalDomain(
            invalid_value_treatment="as_missing", missing_value_replacement="blue", missing_value_treatment="as_value"
        ),
        OneHotEncoder(),
    )
    pipe = PMMLPipeline([("prep", _numbers_text(numbers, text)), ("model", LogisticRegression(max_iter=500))])
    return Doc(_s2p(pipe, X.iloc[:200], y[:200], tmp), "pmml", _probe_rows(X), pipe)


def s2p_domains_invalid_asis_tree(tmp: Path) -> Doc:
    """CategoricalDomain(invalid asIs) + ContinuousDomain(outliers as missing) before a decision tree."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.tree import DecisionTreeClassifier
    from sklearn2pmml.decoration import CategoricalDomain, ContinuousDomain
    from sklearn2pmml.pipeline import PMMLPipeline

    X, y = _frame(kind="multiclass")
    numbers = ContinuousDomain(
        outlier_treatment="as_missing_values",
        low_value=-3.0,
        high_value=3.0,
        missing_value_replacement=0.5,
        missing_value_treatment="as_value",
    )
    text = make_pipeline(
        CategoricalDomain(invalid_value_treatment="as_is", missing_value_replacement="red", missing_value_treatment="as_value"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    pipe = PMMLPipeline([("prep", _numbers_text(numbers, text)), ("model", DecisionTreeClassifier(max_depth=5, random_state=0))])
    return Doc(_s2p(pipe, X.iloc[:200], y[:200], tmp), "pmml", _probe_rows(X), pipe)


def s2p_expression_cut_lookup(tmp: Path) -> Doc:
    """ExpressionTransformer, CutTransformer (+ one-hot) into a linear regression. (LookupTransformer and string
    ExpressionTransformers return 1-D arrays inside a ColumnTransformer here, which scikit-learn refuses: the
    hand-written MapValues documents cover look-ups.)"""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn2pmml.decoration import CategoricalDomain, ContinuousDomain
    from sklearn2pmml.pipeline import PMMLPipeline
    from sklearn2pmml.preprocessing import CutTransformer, ExpressionTransformer

    X, y = _frame(kind="regression")
    route = ColumnTransformer(
        [
            (
                "prod",
                make_pipeline(ContinuousDomain(), ExpressionTransformer("X[0] * X[1] + numpy.exp(X[2] / 4.0)")),
                ["x1", "x2", "x3"],
            ),
            (
                "cut",
                make_pipeline(
                    ContinuousDomain(),
                    CutTransformer(bins=[-10.0, -1.0, 0.0, 1.0, 10.0], labels=["a", "b", "c", "d"]),
                    OneHotEncoder(),
                ),
                ["x4"],
            ),
            ("cat", make_pipeline(CategoricalDomain(invalid_value_treatment="as_missing"), OneHotEncoder()), ["colour"]),
        ]
    )
    pipe = PMMLPipeline([("prep", route), ("model", LinearRegression())])
    return Doc(_s2p(pipe, X.iloc[:200], y[:200], tmp), "pmml", _probe_rows(X, outliers=False), pipe)


def s2p_minmax_binarizer_sgd(tmp: Path) -> Doc:
    """MinMaxScaler and Binarizer side by side into a linear SVM-style classifier."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import Binarizer, MinMaxScaler, OneHotEncoder
    from sklearn2pmml.pipeline import PMMLPipeline

    X, y = _frame()
    route = ColumnTransformer(
        [
            ("mm", MinMaxScaler(), ["x1", "x2"]),
            ("bin", Binarizer(threshold=0.1), ["x3", "x4"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
        ]
    )
    pipe = PMMLPipeline([("prep", route), ("model", LogisticRegression(max_iter=500))])
    return Doc(_s2p(pipe, X.iloc[:200], y[:200], tmp), "pmml", _probe_rows(X, missing=False), pipe)


def _xgb_lgbm(kind: str, lib: str) -> Any:
    if lib == "xgboost":
        import xgboost

        cls = xgboost.XGBRegressor if kind == "regression" else xgboost.XGBClassifier
        return cls(n_estimators=15, max_depth=3, random_state=0)
    import lightgbm

    cls = lightgbm.LGBMRegressor if kind == "regression" else lightgbm.LGBMClassifier
    return cls(n_estimators=15, num_leaves=8, verbose=-1, random_state=0)


def _s2p_boosted(lib: str, kind: str) -> Callable[[Path], Doc]:
    def build(tmp: Path) -> Doc:
        from sklearn.compose import ColumnTransformer
        from sklearn.preprocessing import OrdinalEncoder
        from sklearn2pmml.decoration import CategoricalDomain, ContinuousDomain
        from sklearn2pmml.pipeline import PMMLPipeline

        X, y = _frame(kind=kind)
        route = ColumnTransformer(
            [
                ("num", ContinuousDomain(), ["x1", "x2", "x3", "x4"]),
                ("cat", _chain(CategoricalDomain(), OrdinalEncoder()), ["colour"]),
            ]
        )
        pipe = PMMLPipeline([("prep", route), ("model", _xgb_lgbm(kind, lib))])
        return Doc(_s2p(pipe, X.iloc[:200], y[:200], tmp), "pmml", _probe_rows(X, unseen=False), pipe)

    build.__doc__ = f"sklearn2pmml: {lib} {kind} behind domains and an ordinal encoder"
    return build


def _chain(*steps: Any) -> Any:
    from sklearn.pipeline import make_pipeline

    return make_pipeline(*steps)


def s2p_gbdt_lr(tmp: Path) -> Doc:
    """sklearn2pmml's GBDTLRClassifier: a gradient-boosted forest's leaves one-hot into a logistic regression."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn2pmml.ensemble import GBDTLRClassifier
    from sklearn2pmml.pipeline import PMMLPipeline

    X, y = _frame()
    X = X.drop(columns=["colour"])
    model = GBDTLRClassifier(
        GradientBoostingClassifier(n_estimators=8, max_depth=2, random_state=0), LogisticRegression(max_iter=500)
    )
    pipe = PMMLPipeline([("model", model)])
    return Doc(_s2p(pipe, X.iloc[:200], y[:200], tmp), "pmml", _probe_rows(X, unseen=False), pipe)


def s2p_calibrated(tmp: Path) -> Doc:
    """CalibratedClassifierCV (sigmoid) over a linear SVM."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC
    from sklearn2pmml.pipeline import PMMLPipeline

    X, y = _frame()
    X = X.drop(columns=["colour"])
    pipe = PMMLPipeline([("model", CalibratedClassifierCV(LinearSVC(), method="sigmoid", cv=3))])
    return Doc(_s2p(pipe, X.iloc[:200], y[:200], tmp), "pmml", _probe_rows(X, missing=False), pipe)


def s2p_multioutput(tmp: Path) -> Doc:
    """A two-target linear regression (one RegressionModel per target in a multi-target MiningModel)."""
    from sklearn.linear_model import LinearRegression
    from sklearn2pmml.pipeline import PMMLPipeline

    X, y = _frame(kind="regression")
    X = X.drop(columns=["colour"])
    Y = np.column_stack([y, 2 * y - X["x1"].to_numpy()])
    pipe = PMMLPipeline([("model", LinearRegression())])
    return Doc(_s2p(pipe, X.iloc[:200], Y[:200], tmp), "pmml", _probe_rows(X, missing=False), pipe)


def s2p_multioutput_tree(tmp: Path) -> Doc:
    """A MultiOutputRegressor of decision trees over two targets (one TreeModel per target in a multi-target
    MiningModel, x-multiModelChain), with missing values (the trees' nullPrediction)."""
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.tree import DecisionTreeRegressor
    from sklearn2pmml.pipeline import PMMLPipeline

    X, y = _frame(kind="regression")
    X = X.drop(columns=["colour"])
    Y = np.column_stack([y, 2 * y - X["x1"].to_numpy()])
    pipe = PMMLPipeline([("model", MultiOutputRegressor(DecisionTreeRegressor(max_depth=3, random_state=0)))])
    return Doc(_s2p(pipe, X.iloc[:200], Y[:200], tmp), "pmml", _probe_rows(X), pipe)


def s2p_regressor_chain(tmp: Path) -> Doc:
    """A RegressorChain of linear regressions over two targets (x-multiModelChain whose first segment passes its
    prediction on to the second through an OutputField)."""
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import RegressorChain
    from sklearn2pmml.pipeline import PMMLPipeline

    X, y = _frame(kind="regression")
    X = X.drop(columns=["colour"])
    Y = np.column_stack([y, 2 * y - X["x1"].to_numpy()])
    pipe = PMMLPipeline([("model", RegressorChain(LinearRegression()))])
    return Doc(_s2p(pipe, X.iloc[:200], Y[:200], tmp), "pmml", _probe_rows(X), pipe)


# nyoka -------------------------------------------------------------------------------------------


def _nyoka_boosted(lib: str, kind: str) -> Callable[[Path], Doc]:
    def build(tmp: Path) -> Doc:
        from sklearn.pipeline import Pipeline

        X, y = _frame(kind=kind)
        X = X.drop(columns=["colour"])
        pipe = Pipeline([("model", _xgb_lgbm(kind, lib))])
        target = tmp / "nyoka.pmml"
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                pipe.fit(X.iloc[:200], y[:200] if kind == "regression" else y[:200])
                if lib == "xgboost":
                    from nyoka import xgboost_to_pmml

                    xgboost_to_pmml(pipe, list(X.columns), "target", str(target))
                else:
                    from nyoka import lgb_to_pmml

                    lgb_to_pmml(pipe, list(X.columns), "target", str(target))
        except Exception as exc:  # nyoka raises assorted errors for what it does not support
            raise Refused(f"nyoka: {type(exc).__name__}: {str(exc)[:200]}") from exc
        return Doc(target.read_bytes(), "pmml", _probe_rows(X, unseen=False), pipe)

    build.__doc__ = f"nyoka: {lib} {kind}"
    return build


# ONNX --------------------------------------------------------------------------------------------


def _onnx_boosted(lib: str, kind: str, zipmap: bool) -> Callable[[Path], Doc]:
    def build(tmp: Path) -> Doc:
        import onnxmltools
        from onnxmltools.convert.common.data_types import FloatTensorType

        X, y = _frame(kind=kind)
        X = X.drop(columns=["colour"]).astype(np.float32)
        est = _xgb_lgbm(kind, lib).fit(X.iloc[:200].to_numpy(), y[:200])
        convert = onnxmltools.convert_xgboost if lib == "xgboost" else onnxmltools.convert_lightgbm
        options = {} if kind == "regression" or lib == "xgboost" else {"zipmap": zipmap}
        try:
            model = convert(est, initial_types=[("input", FloatTensorType([None, 4]))], target_opset=15, **options)
        except Exception as exc:
            raise Refused(f"onnxmltools: {type(exc).__name__}: {str(exc)[:200]}") from exc
        return Doc(model.SerializeToString(), "onnx", _probe_rows(X, missing=lib != "xgboost", unseen=False), est, "input")

    build.__doc__ = f"onnxmltools: {lib} {kind} ({'zipmap' if zipmap else 'tensor'})"
    return build


def _skl2onnx(factory: Callable[[], Any], kind: str, options: dict[str, Any], double: bool = False) -> Callable[[Path], Doc]:
    def build(tmp: Path) -> Doc:
        from skl2onnx import to_onnx

        X, y = _frame(kind="regression" if kind == "two-targets" else kind)
        if kind == "two-targets":  # a 2-D y: skl2onnx writes one [N, 2] output
            y = np.column_stack([y, 2 * y - X["x1"].to_numpy()])
        X = X.drop(columns=["colour"]).astype(np.float64 if double else np.float32)
        est = factory()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X.iloc[:200].to_numpy(), y[:200]) if kind != "none" else est.fit(X.iloc[:200].to_numpy())
        try:
            model = to_onnx(
                est,
                X.iloc[:1].to_numpy(),
                options={id(est): options} if options else None,
                target_opset={"": 17, "ai.onnx.ml": 3},
            )
        except Exception as exc:
            raise Refused(f"skl2onnx: {type(exc).__name__}: {str(exc)[:200]}") from exc
        return Doc(model.SerializeToString(), "onnx", _probe_rows(X, missing=False, unseen=False), est, "X")

    build.__doc__ = f"skl2onnx: {factory.__name__ if hasattr(factory, '__name__') else factory} {options} double={double}"
    return build


def _est(name: str, **kw: Any) -> Callable[[], Any]:
    def make() -> Any:
        import sklearn.cluster as clu
        import sklearn.ensemble as ens
        import sklearn.linear_model as lin
        import sklearn.neighbors as nb
        import sklearn.svm as svm
        import sklearn.tree as tree

        for mod in (ens, lin, nb, svm, tree, clu):
            if hasattr(mod, name):
                return getattr(mod, name)(**kw)
        raise KeyError(name)

    make.__name__ = name
    return make


# hand-written documents -------------------------------------------------------------------------


def _files(folder: str, fmt: str) -> dict[str, Callable[[Path], Doc]]:
    out: dict[str, Callable[[Path], Doc]] = {}
    for path in sorted((HERE / folder).glob(f"*.{fmt}")):

        def build(tmp: Path, path: Path = path) -> Doc:
            from tests.conformance.foreign_rows import rows_for

            return Doc(path.read_bytes(), fmt, rows_for(path))

        out[f"{folder}/{path.stem}"] = build
    return out


FOREIGN: dict[str, tuple[str, Callable[[Path], Doc]]] = {
    "domains_logistic": ("sklearn2pmml", s2p_domains_logistic),
    "domains_invalid_asis_tree": ("sklearn2pmml", s2p_domains_invalid_asis_tree),
    "expression_cut_lookup": ("sklearn2pmml", s2p_expression_cut_lookup),
    "minmax_binarizer_onehot": ("sklearn2pmml", s2p_minmax_binarizer_sgd),
    "xgboost_classifier": ("sklearn2pmml", _s2p_boosted("xgboost", "binary")),
    "xgboost_multiclass": ("sklearn2pmml", _s2p_boosted("xgboost", "multiclass")),
    "xgboost_regressor": ("sklearn2pmml", _s2p_boosted("xgboost", "regression")),
    "lightgbm_classifier": ("sklearn2pmml", _s2p_boosted("lightgbm", "binary")),
    "lightgbm_multiclass": ("sklearn2pmml", _s2p_boosted("lightgbm", "multiclass")),
    "lightgbm_regressor": ("sklearn2pmml", _s2p_boosted("lightgbm", "regression")),
    "gbdt_lr": ("sklearn2pmml", s2p_gbdt_lr),
    "calibrated_linearsvc": ("sklearn2pmml", s2p_calibrated),
    "multioutput_linear": ("sklearn2pmml", s2p_multioutput),
    "multioutput_tree": ("sklearn2pmml", s2p_multioutput_tree),
    "regressor_chain": ("sklearn2pmml", s2p_regressor_chain),
    "nyoka_xgboost_classifier": ("nyoka", _nyoka_boosted("xgboost", "binary")),
    "nyoka_xgboost_multiclass": ("nyoka", _nyoka_boosted("xgboost", "multiclass")),
    "nyoka_xgboost_regressor": ("nyoka", _nyoka_boosted("xgboost", "regression")),
    "nyoka_lightgbm_classifier": ("nyoka", _nyoka_boosted("lightgbm", "binary")),
    "nyoka_lightgbm_multiclass": ("nyoka", _nyoka_boosted("lightgbm", "multiclass")),
    "nyoka_lightgbm_regressor": ("nyoka", _nyoka_boosted("lightgbm", "regression")),
    "onnx_xgboost_classifier": ("onnxmltools", _onnx_boosted("xgboost", "binary", True)),
    "onnx_xgboost_multiclass": ("onnxmltools", _onnx_boosted("xgboost", "multiclass", True)),
    "onnx_xgboost_regressor": ("onnxmltools", _onnx_boosted("xgboost", "regression", True)),
    "onnx_lightgbm_classifier_zipmap": ("onnxmltools", _onnx_boosted("lightgbm", "binary", True)),
    "onnx_lightgbm_classifier_tensor": ("onnxmltools", _onnx_boosted("lightgbm", "multiclass", False)),
    "onnx_lightgbm_regressor": ("onnxmltools", _onnx_boosted("lightgbm", "regression", True)),
    "skl2onnx_logistic_nozipmap": (
        "skl2onnx",
        _skl2onnx(_est("LogisticRegression", max_iter=500), "multiclass", {"zipmap": False}),
    ),
    "skl2onnx_logistic_raw_scores": (
        "skl2onnx",
        _skl2onnx(_est("LogisticRegression", max_iter=500), "binary", {"raw_scores": True, "zipmap": False}),
    ),
    "skl2onnx_tree_nocl": ("skl2onnx", _skl2onnx(_est("DecisionTreeClassifier", max_depth=5), "multiclass", {"nocl": True})),
    "skl2onnx_linear_double": ("skl2onnx", _skl2onnx(_est("LinearRegression"), "regression", {}, double=True)),
    "skl2onnx_logistic_double": (
        "skl2onnx",
        _skl2onnx(_est("LogisticRegression", max_iter=500), "multiclass", {"zipmap": False}, double=True),
    ),
    "skl2onnx_knn_classifier": (
        "skl2onnx",
        _skl2onnx(_est("KNeighborsClassifier", n_neighbors=3), "multiclass", {"zipmap": False}),
    ),
    "skl2onnx_knn_regressor": ("skl2onnx", _skl2onnx(_est("KNeighborsRegressor", n_neighbors=4), "regression", {})),
    # libsvm's Platt probabilities coupled pairwise (onnxruntime's SVMClassifier prob_a / prob_b)
    "skl2onnx_svc_probability_multiclass": (
        "skl2onnx",
        _skl2onnx(_est("SVC", probability=True, random_state=0), "multiclass", {"zipmap": False}),
    ),
    "skl2onnx_svc_probability_binary": (
        "skl2onnx",
        _skl2onnx(_est("SVC", kernel="linear", probability=True, random_state=0), "binary", {}),
    ),
    "skl2onnx_isolation_forest": ("skl2onnx", _skl2onnx(_est("IsolationForest", n_estimators=6, random_state=0), "none", {})),
    # multi-target regressors (a 2-D y): one [N, 2] output, lifted as one output per target
    "skl2onnx_linear_two_targets": ("skl2onnx", _skl2onnx(_est("LinearRegression"), "two-targets", {})),
    "skl2onnx_forest_two_targets": (
        "skl2onnx",
        _skl2onnx(_est("RandomForestRegressor", n_estimators=5, max_depth=4, random_state=0), "two-targets", {}),
    ),
    "skl2onnx_knn_two_targets": ("skl2onnx", _skl2onnx(_est("KNeighborsRegressor", n_neighbors=4), "two-targets", {})),
    # KMeans: the label and the Euclidean distances to each center ("scores", sklearn's transform)
    "skl2onnx_kmeans": ("skl2onnx", _skl2onnx(_est("KMeans", n_clusters=3, n_init=3, random_state=0), "none", {})),
    **{k: ("spec", v) for k, v in _files("pmml_foreign", "pmml").items()},
    **{k: ("spec", v) for k, v in _files("pfa_foreign", "pfa").items()},
    **{k: ("spec", v) for k, v in _files("pfa_spec", "pfa").items()},
}


def build(name: str, tmp: Path) -> Doc:
    return FOREIGN[name][1](tmp)
