"""Foreign documents (``foreign.py``): load, predict, agree with the reference engine; lift and agree.

For every document another tool writes (or the specification pages show) that our own corpus never
produces: ``interchange.load(data).predict(rows)`` must agree with the format's reference engine on
the probe rows (held-out rows, missing values, unseen categories, values outside the fitted range):

* PMML: pypmml fed full-precision JSON records, rtol 1e-9 / atol 1e-12, labels equal (the stated
  exceptions of test_fast_coverage.py apply: JPMML's x-mathContext="float" documents are checked
  against the estimator at float32 tolerance, rtol 1e-5 / atol 1e-4, since pypmml computes them in
  double);
* ONNX: a plain onnxruntime session, bit-equal (same runtime), and the source estimator at float32
  tolerance (rtol 1e-4 / atol 1e-5) where the graph computes in float32;
* PFA: titus2, rtol 1e-9 / atol 1e-12.

Then the document is lifted; a lifted document's IR must agree with the engine ``load`` picked
(rtol 1e-9 / atol 1e-12; float32 graphs 1e-4 / 1e-5); a PMML document marked x-mathContext="float"
(JPMML's extension: JPMML-Evaluator and the fast path give float32 results) is compared with JPMML-Evaluator
where the lift holds its float32 arithmetic (lift/models/precision.py), else (the IR computes in double, as
pypmml does) with pypmml. Engines and lift results go to
``.results/fast_coverage.jsonl`` / ``.results/lift.jsonl`` for the coverage tables. A producer's own
refusal skips the case with its message.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.codegen.registry import nodes
from tests.conformance.foreign import FOREIGN, Doc, build
from tests.conformance.lifting import record as record_lift
from tests.conformance.test_fast_coverage import RESULTS as FAST_RESULTS
from tests.conformance.third_party import Refused

NAMES = sorted(FOREIGN)


# documents both engines refuse, and the clear error interchange gives (not fixed; see the report)
# (none now: JPMML-SkLearn's multi-target x-multiModelChain, which pypmml cannot load, is evaluated by the
# fast path through its lift and checked against JPMML-Evaluator, see _check_pmml)
REFUSED_BY_BOTH: dict[str, str] = {}


def _record_engine(name: str, fmt: str, engine: str, reason: str = "", agrees: bool | None = None) -> None:
    import json

    FAST_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tool = FOREIGN[name][0]
    with FAST_RESULTS.open("a") as out:
        row = {"tool": f"{tool} (foreign)", "family": name, "shape": "foreign", "format": fmt, "engine": engine, "reason": reason}
        out.write(json.dumps({**row, "agrees": agrees}) + "\n")


def _doc(name: str, tmp_path: Path) -> Doc:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return build(name, tmp_path)
    except Refused as exc:
        _record_engine(name, "", "refused", str(exc))
        pytest.skip(str(exc))


def _inputs(doc: Doc, model: Any) -> Any:
    if doc.fmt != "onnx":
        return doc.rows
    X = doc.rows.to_numpy()
    return {f.name: X[:, i] for i, f in enumerate(model.signature.inputs)}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", NAMES)
def test_foreign_document_agrees_with_its_reference(name: str, tmp_path: Path) -> None:
    doc = _doc(name, tmp_path)
    if name in REFUSED_BY_BOTH:
        with pytest.raises(interchange.DocumentError, match=REFUSED_BY_BOTH[name]):
            interchange.load(doc.data)
        _record_engine(name, doc.fmt, "failed", f"both engines refuse: {REFUSED_BY_BOTH[name]}", agrees=False)
        return
    model = interchange.load(doc.data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = model.predict(_inputs(doc, model))
            if doc.fmt == "onnx":
                _check_onnx(doc, model, got)
            elif doc.fmt == "pfa":
                from tests.conformance.test_pfa_fast import _agree

                _agree(got, interchange.load(doc.data, engine="reference").predict(doc.rows))
            else:
                _check_pmml(doc, model, got)
    except BaseException:
        _record_engine(name, doc.fmt, model.info.engine, model.info.reason, agrees=False)
        raise
    _record_engine(name, doc.fmt, model.info.engine, model.info.reason, agrees=True)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", NAMES)
def test_foreign_document_lifts_or_says_why(name: str, tmp_path: Path) -> None:
    doc = _doc(name, tmp_path)
    source = FOREIGN[name][0]
    lifted = interchange.lift(doc.data)
    if not lifted.ok:
        record_lift(f"{source} (foreign)", doc.fmt, name, lifted, None)
        assert lifted.reasons and all(str(r) for r in lifted.reasons)
        pytest.skip(f"not lifted: {lifted.reasons[0]}")
    from interchange.formats.onnx.precision import computes_in_float32
    from tests.conformance import lifting

    in_float = any(getattr(n, "precision", None) == "float" for n in nodes(lifted.graph))
    # a PMML document marked x-mathContext="float" the lift holds in double: pypmml computes it in double too
    single = doc.fmt == "pmml" and b'x-mathContext="float"' in doc.data and not in_float
    model = interchange.load(doc.data, engine="reference" if single else "auto")
    rows = doc.rows if doc.fmt != "onnx" else pd.DataFrame(_inputs(doc, model))
    old = lifting.RTOL, lifting.ATOL
    if doc.fmt == "onnx" and computes_in_float32(doc.data):
        lifting.RTOL, lifting.ATOL = 1e-4, 1e-5
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if in_float:
                # the lift holds x-mathContext="float" (JPMML-Evaluator's float32 arithmetic; pypmml computes in double)
                from interchange.batch import to_columns
                from tests.roundtrip.helpers import jpmml_outputs

                want = jpmml_outputs(doc.data, to_columns(rows, model.signature), model.signature, verify=False)
                bad = lifting.differing_outputs(lifted, want, lifting.lifted_outputs(lifted, rows))
            else:
                bad = lifting.disagreements(lifted, model, rows)
    finally:
        lifting.RTOL, lifting.ATOL = old
    record_lift(f"{source} (foreign)", doc.fmt, name, lifted, not bad)
    assert not bad, bad


def _check_pmml(doc: Doc, model: Any, got: dict[str, Any]) -> None:
    from tests.conformance.test_pmml_spec import _same

    if b'multipleModelMethod="x-multiModelChain"' in doc.data:
        _check_jpmml(doc, model, got)
        return
    reference = interchange.load(doc.data, engine="reference")
    if b'x-mathContext="float"' in doc.data:  # pypmml computes these in double: JPMML-Evaluator, float32 tolerance
        from interchange.batch import to_columns
        from tests.conformance.test_pmml_float import _close
        from tests.roundtrip.helpers import jpmml_outputs

        theirs = jpmml_outputs(doc.data, to_columns(doc.rows, model.signature), model.signature, verify=False)
        for f in model.signature.outputs:
            if f.kind == "label":
                assert [None if v is None or v != v else str(v) for v in got[f.name]] == [
                    None if v is None or v != v else str(v) for v in theirs[f.name]
                ], f.name
            else:
                close = _close(got[f.name], theirs[f.name])
                assert close.all(), f"{f.name}: rows {np.flatnonzero(~close)[:5]} differ from JPMML-Evaluator"
        return
    want = reference.predict(doc.rows)
    assert set(got) >= set(want), f"outputs: fast {sorted(got)}, pypmml {sorted(want)}"
    differ: set[int] = set()
    ranks = _reason_ranks(doc.data)
    for f in reference.signature.outputs:
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        bad = _same(np.asarray(want[f.name]), np.asarray(got[f.name]), numeric)
        if f.name in ranks and ranks[f.name] > 1:  # stated: pypmml repeats the last code past the positive ones,
            before = next(n for n, r in ranks.items() if r == ranks[f.name] - 1)  # the fast path leaves those ranks missing
            bad = [i for i in bad if not (got[f.name][i] is None and want[f.name][i] == want[before][i])]
        differ.update(bad)
    if not differ:
        return
    # where pypmml departs from PMML 4.4 (a first UNKNOWN child under lastPrediction, ...), the rows it
    # answers otherwise must be JPMML-Evaluator's answers
    from interchange.batch import to_columns
    from tests.roundtrip.helpers import jpmml_outputs

    rows = doc.rows.iloc[sorted(differ)].reset_index(drop=True)
    theirs = jpmml_outputs(doc.data, to_columns(rows, model.signature), model.signature, verify=False)
    for f in model.signature.outputs:
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        e, a = np.asarray(theirs[f.name]), np.asarray(got[f.name])[sorted(differ)]
        bad = _same(e, a, numeric)
        assert not bad, (
            f"{f.name}: {len(bad)} of the {len(differ)} rows pypmml answers otherwise differ from JPMML-Evaluator too, "
            f"e.g. {rows.iloc[bad[0]].to_dict()}: JPMML {e[bad[0]]!r}, fast {a[bad[0]]!r}"
        )


def _check_jpmml(doc: Doc, model: Any, got: dict[str, Any]) -> None:
    """JPMML-SkLearn's multi-target MiningModel (x-multiModelChain): pypmml cannot load it (a named pypmml
    departure, formats/pmml/departures.py), so every target is compared with JPMML-Evaluator's answer."""
    from interchange.batch import to_columns
    from tests.roundtrip.helpers import jpmml_outputs

    assert len(model.signature.outputs) > 1 and all(f.kind == "score" for f in model.signature.outputs)
    theirs = jpmml_outputs(doc.data, to_columns(doc.rows, model.signature), model.signature, verify=False)
    for f in model.signature.outputs:
        np.testing.assert_allclose(got[f.name], theirs[f.name], rtol=1e-9, atol=1e-12, err_msg=f.name)


def _check_onnx(doc: Doc, model: Any, got: dict[str, Any]) -> None:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    session = ort.InferenceSession(doc.data, opts, providers=["CPUExecutionProvider"])
    X = doc.rows.to_numpy()
    plain = dict(zip([o.name for o in session.get_outputs()], session.run(None, {doc.onnx_input: X}), strict=True))
    est = doc.estimator
    for f in model.signature.outputs:
        a = np.asarray(got[f.name])
        if f.kind == "probability" and f.target is not None:
            source = plain.get(f.name.rsplit("_", 1)[0]) if f.name not in plain else plain[f.name]
            if source is None:
                continue
            if isinstance(source, list):
                direct = np.array([row[f.target] for row in source])
            else:
                direct = np.asarray(source)[:, list(est.classes_).index(f.target)]
            np.testing.assert_array_equal(a, direct.astype(np.float64), err_msg=f.name)
        elif f.name in plain:
            np.testing.assert_array_equal(a.reshape(-1), np.asarray(plain[f.name]).reshape(-1).astype(a.dtype), err_msg=f.name)
    sig = model.signature
    if sig.output("probability"):
        probs = sig.output("probability")
        mine = np.column_stack([got[p.name] for p in probs])
        order = [list(est.classes_).index(p.target) for p in probs]
        np.testing.assert_allclose(mine, est.predict_proba(X)[:, order], rtol=1e-4, atol=1e-5)
    elif sig.output("decision"):
        decisions = sig.output("decision")
        scores = np.column_stack([got[p.name] for p in decisions])
        expected = est.decision_function(X)
        if expected.ndim == 1:  # binary: the positive class's column is sklearn's decision function
            scores = scores[:, [i for i, p in enumerate(decisions) if p.target == est.classes_[-1]]].reshape(-1)
        np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-5)
    elif type(est).__name__ == "IsolationForest":  # label -1 / 1 and the decision function
        np.testing.assert_allclose(got["scores"], est.decision_function(X), rtol=1e-4, atol=1e-5)
    elif hasattr(est, "predict_proba"):  # a classifier whose graph names no classes (k-NN's Scan): columns in class order
        mine = np.column_stack([got[f.name] for f in sig.outputs if f.kind == "value"])
        np.testing.assert_allclose(mine, est.predict_proba(X), rtol=1e-4, atol=1e-5)
    elif type(est).__name__ == "KMeans":  # the distances to each center (sklearn's transform), then the label below
        distances = np.column_stack([got[f.name] for f in sig.outputs if f.name != "label"])
        np.testing.assert_allclose(distances, est.transform(X), rtol=1e-4, atol=1e-5)
    else:
        values = sig.output("value") or sig.output("score")  # (a multi-target regressor: one per target)
        y = np.asarray(est.predict(X)).reshape(len(X), -1)
        assert len(values) == y.shape[1], [f.name for f in values]
        mine = np.column_stack([got[f.name] for f in values])
        np.testing.assert_allclose(mine, y, rtol=1e-4, atol=1e-5 * max(1.0, float(np.abs(y).max())))
    labels = sig.output("label")
    if labels and hasattr(est, "predict"):
        expected_labels = est.predict(X)
        agree = np.mean(np.asarray(got[labels[0].name]).reshape(-1).astype(str) == expected_labels.astype(str))
        assert agree > 0.97, f"{labels[0].name}: {agree:.1%} of labels equal the estimator's"


def _reason_ranks(data: bytes) -> dict[str, int]:
    """OutputField name -> rank of a Scorecard's reasonCode outputs."""
    from lxml import etree

    root = etree.fromstring(data)
    return {el.get("name"): int(el.get("rank", "1")) for el in root.iter("{*}OutputField") if el.get("feature") == "reasonCode"}
