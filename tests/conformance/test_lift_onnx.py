"""ONNX documents our converter writes (skl2onnx / onnxmltools graphs) lifted into the IR, against onnxruntime.

For each family of the round-trip matrix (numbers only, and a pipeline over text and numbers
with missing values), the document either lifts and agrees with onnxruntime on the held-out
rows, or says which node has no IR form. Tolerance: rtol 1e-4 / atol 1e-5, labels equal. The
graphs compute in float32: the IR rounds inputs and every elementwise result to float32
exactly as onnxruntime does, but sums of many terms (MatMul, linear scores, tree leaf sums)
run in double in the IR and in float32 in onnxruntime, whose error is a few float32 ulps of
the largest term, not of the result (measured: 3e-5 relative on a Ridge whose terms cancel).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import interchange
from tests.conformance.lifting import lifted_outputs, record
from tests.roundtrip.test_matrix import CASES, _data, _wrap

RTOL, ATOL = 1e-4, 1e-5
# families whose ONNX graphs do not lift yet, and the reason they give
NOT_YET = {
    "SVC_rbf": "SVMClassifier",
    "SVC_linear": "SVMClassifier",
    "SVC_poly_probability": "SVMClassifier",
    "SVR_rbf": "SVMRegressor",
    "KNeighborsClassifier": "Scan",
    "KNeighborsRegressor": "Scan",
    "GaussianNB": "Reshape",
    "KMeans": "ReduceSumSquare",
    "IsolationForest": "LabelEncoder",
    "Normalizer+PolynomialFeatures+PCA+LogisticRegression": "ReduceProd",
    "KBinsDiscretizer+LogisticRegression": "Less",
    "Binarizer+LogisticRegression": "Less|Binarizer",
}


def _cases() -> list[tuple[str, str, object, str]]:
    return [(name, kind, factory, ds) for name, kind, factory in CASES for ds in ("numeric", "mixed")]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name,kind,factory,dataset", _cases(), ids=[f"{c[0]}-{c[3]}-onnx" for c in _cases()])
def test_our_onnx_lifts_and_agrees_with_onnxruntime(name: str, kind: str, factory, dataset: str) -> None:  # noqa: ANN001
    X, y = _data(kind, dataset)
    est = _wrap(factory(), dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X) if name in ("KMeans", "IsolationForest") else est.fit(X, y)
        try:
            data = interchange.convert(est, "onnx", sample=X.iloc[:50]).document.data
        except interchange.ConversionError as exc:
            pytest.skip(f"our ONNX export refuses it: {exc.message[:80]}")
    lifted = interchange.lift(data)
    if name in NOT_YET and dataset == "numeric" or (name in NOT_YET and not lifted.ok):
        record("interchange", "onnx", f"{name}-{dataset}", lifted, None)
        assert not lifted.ok and any(re.search(NOT_YET[name], str(r)) for r in lifted.reasons), lifted.report()
        return
    assert lifted.ok, lifted.report()
    rows = X.iloc[200:].reset_index(drop=True)
    want = interchange.load(data).predict(rows)
    got = lifted_outputs(lifted, rows)
    bad = []
    for f in lifted.signature.outputs:
        e, a = np.asarray(want[f.name]), np.asarray(got[f.name])
        if f.kind in ("label", "cluster"):
            wrong = [i for i, (u, v) in enumerate(zip(e.tolist(), a.tolist(), strict=True)) if str(u) != str(v)]
        else:
            e, a = e.astype(float), a.astype(float)
            over = np.abs(a - e) - (ATOL + RTOL * np.abs(e))
            wrong = np.flatnonzero(np.where(np.isnan(e) & np.isnan(a), -1.0, np.nan_to_num(over, nan=1.0)) > 0).tolist()
        if wrong:
            bad.append(f"{f.name}: {len(wrong)} rows, e.g. row {wrong[0]}: onnxruntime {e[wrong[0]]!r}, IR {a[wrong[0]]!r}")
    record("interchange", "onnx", f"{name}-{dataset}", lifted, not bad)
    assert not bad, bad
