"""ONNX documents our converter writes lifted into the IR, against onnxruntime.

Both writers' graphs: the double IR writer's (what ``convert`` writes when the IR holds the
estimator) and skl2onnx / onnxmltools graphs (forced here by refusing the IR writer, as the
converter falls back for what the IR does not hold). For each family of the round-trip matrix
(numbers only, and a pipeline over text and numbers with missing values), the document either
lifts and agrees with onnxruntime on the held-out rows, or says which node has no IR form.
Labels equal; the IR writer's graphs compute in double: rtol 1e-9 / atol 1e-12 (onnxruntime's
exp / log differ from numpy's in the last bit). skl2onnx tolerance: rtol 1e-4 / atol 1e-5. Its
graphs compute in float32: the IR rounds inputs and every elementwise result to float32
exactly as onnxruntime does, but sums of many terms (MatMul, linear scores, tree leaf sums)
run in double in the IR and in float32 in onnxruntime, whose error is a few float32 ulps of
the largest term, not of the result (measured: 3e-5 relative on a Ridge whose terms cancel).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.formats.onnx.meta import IR_WRITER
from tests.conformance import lifting
from tests.conformance.lifting import lifted_outputs, record
from tests.roundtrip.test_matrix import CASES, _data, _wrap

RTOL, ATOL = 1e-4, 1e-5
# families whose double IR writer graphs do not lift yet, and the reason they give
NOT_YET_IR: dict[str, str] = {}
# families whose skl2onnx graphs do not lift yet, and the reason they give
NOT_YET_SKL2ONNX: dict[str, str] = {}


def _cases() -> list[tuple[str, str, object, str, str]]:
    writers = ("ir", "skl2onnx")
    return [(name, kind, factory, ds, w) for w in writers for name, kind, factory in CASES for ds in ("numeric", "mixed")]


def _refuse_ir(*args: object, **kwargs: object) -> None:
    raise interchange.UnsupportedModelError("forced: skl2onnx graph wanted", format="onnx")


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name,kind,factory,dataset,writer", _cases(), ids=[f"{c[0]}-{c[3]}-onnx-{c[4]}" for c in _cases()])
def test_our_onnx_lifts_and_agrees_with_onnxruntime(
    name: str,
    kind: str,
    factory,  # noqa: ANN001
    dataset: str,
    writer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = _data(kind, dataset)
    est = _wrap(factory(), dataset)
    if writer == "skl2onnx":
        monkeypatch.setattr("interchange.formats.onnx.ir_writer.export_ir", _refuse_ir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X) if name in ("KMeans", "IsolationForest") else est.fit(X, y)
        try:
            data = interchange.convert(est, "onnx", sample=X.iloc[:50]).document.data
        except interchange.ConversionError as exc:
            pytest.skip(f"our ONNX export refuses it: {exc.message[:80]}")
    made_by = interchange.load(data).info.details.get("writer")
    if writer == "ir" and made_by != IR_WRITER:
        pytest.skip(f"the IR writer does not take it ({made_by} wrote it; its graph is the skl2onnx case)")
    NOT_YET = NOT_YET_IR if writer == "ir" else NOT_YET_SKL2ONNX
    rtol, atol = (1e-9, 1e-12) if writer == "ir" else (RTOL, ATOL)
    lifted = interchange.lift(data)
    reason = NOT_YET.get(f"{name}-{dataset}", NOT_YET.get(name))  # a family's, or one data set's only
    if reason and (dataset == "numeric" or f"{name}-{dataset}" in NOT_YET or not lifted.ok):
        record("interchange", "onnx", f"{name}-{dataset}-{writer}", lifted, None)
        assert not lifted.ok and any(re.search(reason, str(r)) for r in lifted.reasons), lifted.report()
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
            over = np.abs(a - e) - (atol + rtol * np.abs(e))
            wrong = np.flatnonzero(np.where(np.isnan(e) & np.isnan(a), -1.0, np.nan_to_num(over, nan=1.0)) > 0).tolist()
        if wrong:
            bad.append(f"{f.name}: {len(wrong)} rows, e.g. row {wrong[0]}: onnxruntime {e[wrong[0]]!r}, IR {a[wrong[0]]!r}")
    record("interchange", "onnx", f"{name}-{dataset}-{writer}", lifted, not bad)
    assert not bad, bad


@pytest.mark.filterwarnings("ignore")
def test_multinomial_naive_bayes_as_skl2onnx_writes_it_lifts_and_agrees() -> None:
    """skl2onnx's MultinomialNB (the IR holds no such step: convert falls back to skl2onnx):
    ``exp(jll - ReduceLogSumExp(jll))`` over an affine map lifts as a softmax linear model."""
    from sklearn.naive_bayes import MultinomialNB

    X, y = _data("multiclass", "numeric")
    X = X.abs()
    data = interchange.convert(MultinomialNB().fit(X.iloc[:200], y[:200]), "onnx", sample=X.iloc[:50]).document.data
    assert interchange.load(data).info.details.get("writer") != IR_WRITER
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    rows = X.iloc[200:].reset_index(drop=True)
    want, got = interchange.load(data).predict(rows), lifted_outputs(lifted, rows)
    assert [str(v) for v in want["label"]] == [str(v) for v in got["label"]]
    for c in range(3):
        np.testing.assert_allclose(got[f"probability_{c}"], want[f"probability_{c}"], rtol=1e-9, atol=1e-12)  # a double graph
    record("interchange", "onnx", "MultinomialNB-numeric-skl2onnx", lifted, True)


# --- documents other tools write (onnx_foreign/): stacking, voting, bagging, links over a model's value ---

FOREIGN_DIR = Path(__file__).parent / "onnx_foreign"
# documents that do not lift yet, and the reason they give (a named refusal, never a crash)
# (none now: skl2onnx KMeans' "scores", the distances to each center, lift as affinities, lift/models/affinity.py)
NOT_YET_FOREIGN: dict[str, str] = {}
# documents whose graphs give NaN scores or probabilities for a row with a missing number: onnxruntime's
# label is then the first class (or the argmax of what is left), the IR's missing (a linear classifier's, as
# in every lifted ONNX linear model; an SVM gives no prediction for a missing input; k-NN: a row's NaN distances
# leave onnxruntime's TopK picking neighbours by NaN order, the IR's nearest neighbours give no prediction)
NO_MISSING_ROWS = {
    "skl2onnx_perceptron",
    "skl2onnx_voting_soft",
    "skl2onnx_normalizer_logistic",
    "skl2onnx_nusvc_decision",
    "skl2onnx_multioutput_knn",
}
# documents whose output named as probabilities holds decision values ([-s, s]): the IR gives decision
# values, compared with those columns (how outputs are named is read elsewhere: onnx/runtime.py)
DECISIONS_AS_PROBABILITIES = {"skl2onnx_perceptron"}


def _foreign_rows(name: str) -> pd.DataFrame:
    """The data the document's model was fitted on (sklearn's data sets; gen2.py / gen3.py of the outside
    corpus), then the same rows with one value missing in turn."""
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

    if "categorical" in name:  # LightGBM's categorical codes 0..2 and 0..3, three numbers
        rng = np.random.default_rng(3)
        n = 300
        X = np.column_stack(
            [rng.integers(0, 3, n), rng.integers(0, 4, n), rng.normal(size=n), rng.normal(size=n) * 3, rng.uniform(0, 10, n)]
        )
    elif "multioutput" in name:  # gen5.py's x1, x2, x3 (normal, 3 x normal, uniform 0..10; two targets)
        rng = np.random.default_rng(5)
        X = np.column_stack([rng.normal(size=400), rng.normal(size=400) * 3, rng.uniform(0, 10, 400)])
    elif "perceptron" in name:
        X = load_breast_cancer().data[:, :6]
    elif "voting" in name or "kbins_onehot" in name:
        X = load_iris().data
    else:
        X = load_diabetes().data
    X = np.asarray(X, dtype=np.float64)
    holes = X[: 3 * X.shape[1]].copy()
    for i in range(len(holes)):
        holes[i, i % X.shape[1]] = np.nan
    if "kbins" in name:  # the first input NaN or infinite turns each column's top bin into bin 0 (see op_ArgMax)
        infinite = np.vstack([X[: X.shape[1]].copy(), X[: X.shape[1]].copy()])
        for i in range(len(infinite)):
            infinite[i, i % X.shape[1]] = np.inf if i < X.shape[1] else -np.inf
        holes = np.vstack([holes, infinite])
    return pd.DataFrame(np.vstack([X, holes]))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", sorted(FOREIGN_DIR.glob("*.onnx")), ids=lambda p: p.stem)
def test_foreign_onnx_document_lifts_and_agrees_with_onnxruntime(path: Path) -> None:
    """skl2onnx / onnxmltools documents whose graphs combine models (stacking, soft voting, bagging), put a
    link on a model's value (Poisson's exp) or split on categories lift, and agree with onnxruntime on the
    rows the model was fitted on and rows with a missing value. The graphs compute in float32 and the IR
    in double: rtol 1e-4 / atol 1e-5 (see the module docstring); labels equal."""
    data = path.read_bytes()
    lifted = interchange.lift(data)
    source = f"{path.stem.split('_')[0]} (outside)"  # the producer: the file name's prefix
    reason = NOT_YET_FOREIGN.get(path.stem)
    if reason:
        record(source, "onnx", path.stem, lifted, None)
        assert not lifted.ok and any(re.search(reason, str(r)) for r in lifted.reasons), lifted.report()
        return
    assert lifted.ok, lifted.report()
    model = interchange.load(data)
    X = _foreign_rows(path.stem)
    if path.stem in NO_MISSING_ROWS:
        X = X.dropna().reset_index(drop=True)
    frame = pd.DataFrame({f.name: X[i] for i, f in enumerate(model.signature.inputs)})
    if path.stem in DECISIONS_AS_PROBABILITIES:
        _agrees_as_decisions(lifted, model.predict(frame), frame)
        record(source, "onnx", path.stem, lifted, True)
        return
    old = lifting.RTOL, lifting.ATOL
    lifting.RTOL, lifting.ATOL = RTOL, ATOL
    try:
        bad = lifting.disagreements(lifted, model, frame)
    finally:
        lifting.RTOL, lifting.ATOL = old
    record(source, "onnx", path.stem, lifted, not bad)
    assert not bad, bad


def _agrees_as_decisions(lifted: object, want: dict[str, np.ndarray], frame: pd.DataFrame) -> None:
    """The IR model's decision values against onnxruntime's ``[-s, s]`` columns, and its label. The
    score is a float32 dot product in onnxruntime whose terms cancel (Perceptron's weights reach 1e4
    on inputs up to 2,500): its error bound is Higham's ``n u sum |terms|`` (u = 2^-24, n terms plus the
    bias), not a relative error of the result; the IR's sum is in double."""
    from interchange.batch import to_columns

    graph = lifted.graph  # type: ignore[attr-defined]
    env = dict(to_columns(frame, lifted.signature))  # type: ignore[attr-defined]
    for step in graph.steps:
        step.apply(env)
    pred = graph.model.predict(env).finish()
    s = np.asarray(pred.decision, dtype=np.float64)[:, -1]
    m = graph.model
    terms = np.abs(np.column_stack([np.asarray(env[c], dtype=np.float64) for c in m.inputs]) * m.coef[-1]).sum(axis=1)
    bound = (len(m.inputs) + 1) * 2.0**-24 * (terms + abs(float(m.intercept[-1])))
    for got, name in ((s, "output_probability_1"), (-s, "output_probability_0")):
        over = np.abs(got - want[name]) - (ATOL + RTOL * np.abs(want[name]) + bound)
        assert not np.any(over > 0), f"{name}: row {int(np.argmax(over))} off by {float(np.max(over))} over the bound"
    assert [str(v) for v in pred.label] == [str(v) for v in want["output_label"]]
