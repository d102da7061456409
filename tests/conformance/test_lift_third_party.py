"""Third-party PMML documents (sklearn2pmml, nyoka over the round-trip families) lifted into the IR.

Each case of ``third_party.cases()`` either lifts and agrees with ``interchange.load(document)``
on the case's rows (held-out rows, rows with a missing number, unseen categories) within
rtol 1e-9 / atol 1e-12, labels equal; or it does not lift and names the elements and why.
Outcomes go to tests/conformance/.results/lift.jsonl (``benchmarks/lift_coverage_table.py``).

Stated exceptions, as in test_fast_coverage.py:

* trees JPMML-SkLearn writes with missingValueStrategy="nullPrediction": where a row's path
  tests a missing input PMML 4.4 gives no prediction, which the IR gives; pypmml (and the fast
  path, held to it) the last node's. On rows with a missing input, the rows where the IR gives
  a prediction are compared; the others are left out.
* SVM one-vs-one vote ties (see test_lift_pmml.py).
* a value outside a DataField's valid Values, kept by invalidValueTreatment="asIs", that reaches
  a predicate (JPMML-SkLearn's XGBoost trees split on categories with notEqual): PMML 4.4 does not
  say how it compares; the IR compares it as the text it is, as JPMML-Evaluator does (checked on
  XGBRegressor-pipeline: an unseen colour is notEqual "red"); pypmml 1.5.8 compares it its own
  way and the fast path defers such a batch to pypmml. Those rows are left out, and the
  others compared with pypmml.
* documents pypmml 1.5.8 fails on and the fast path declines (PYPMML_FAILS: a k-NN pipeline
  with a missingValueReplacement): the IR is compared with JPMML-Evaluator on the same rows.
* JPMML-SkLearn's x-mathContext="float" (XGBoost, LightGBM; JPMML's extension, no PMML 4.4
  attribute): JPMML-Evaluator computes such a document in float32. Where the lift marks its steps
  ``precision="float"`` (formats/pmml/lift/models/precision.py) the IR computes what JPMML computes
  and is judged by JPMML-Evaluator; elsewhere it computes in double, as pypmml 1.5.8 does, and is
  compared with pypmml.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lxml import etree

import interchange
from interchange.batch import to_columns
from tests.conformance.lifting import differing_outputs, disagreements, lifted_outputs, record
from tests.conformance.test_lift_pmml import _untied
from tests.conformance.third_party import Case, Refused, cases, document, rows
from tests.roundtrip.helpers import jpmml_outputs

CASES = [c for c in cases() if c.tool != "titus2"]
# documents pypmml 1.5.8 cannot score and the fast path declines: the IR is judged by JPMML-Evaluator
PYPMML_FAILS = {
    "KNeighborsClassifier-pipeline-sklearn2pmml": "pypmml fails every record (NoSuchElementException: key not found: y)",
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", CASES, ids=[f"{c.id}-lift" for c in CASES])
def test_third_party_document_lifts_and_agrees_or_says_why(case: Case, tmp_path: Path) -> None:
    try:
        data, _ = document(case, tmp_path)
    except Refused as exc:
        pytest.skip(str(exc))
    lifted = interchange.lift(data)
    if not lifted.ok:
        record(case.tool, "pmml", case.id, lifted, None)
        assert lifted.reasons and all(r.why for r in lifted.reasons)
        return
    X = rows(case)
    keep = _untied(lifted, X)
    if b'missingValueStrategy="nullPrediction"' in data:  # rows with a hole: the IR may give no prediction
        numbers = [f.name for f in lifted.signature.inputs if f.type != "string"]
        holes = X[numbers].isna().any(axis=1).to_numpy() & keep
        part = X[holes].reset_index(drop=True)
        got, want = lifted_outputs(lifted, part), interchange.load(data).predict(part)
        for f in lifted.signature.outputs:
            ir = np.asarray(got[f.name], dtype=object)
            given = np.array([not (v is None or v != v) for v in ir.tolist()], dtype=bool)
            if given.any():
                sub = part[given].reset_index(drop=True)
                assert not disagreements(lifted, interchange.load(data), sub), f.name
            assert len(want[f.name]) == len(ir)
        keep &= ~holes
    invalid = _invalid_as_is_in_predicates(data, lifted, X)
    single = b'x-mathContext="float"' in data  # the IR computes in double, as pypmml does (see above)
    engine = "reference" if invalid.any() or single else "auto"  # (the fast path defers such batches to pypmml)
    X = X[keep & ~invalid].reset_index(drop=True)
    if case.id in PYPMML_FAILS or _in_float(lifted):  # judged by JPMML-Evaluator (see the module docstring)
        want = jpmml_outputs(data, to_columns(X, lifted.signature), lifted.signature, verify=False)
        bad = differing_outputs(lifted, want, lifted_outputs(lifted, X), ("JPMML", "IR"))
        record(case.tool, "pmml", case.id, lifted, not bad)
        assert not bad, bad
        return
    bad = disagreements(lifted, interchange.load(data, engine=engine), X)
    record(case.tool, "pmml", case.id, lifted, not bad)
    assert not bad, bad


def _in_float(lifted: interchange.Lifted) -> bool:
    """The lifted model (or a step of its chain) computes JPMML-Evaluator's x-mathContext="float" arithmetic."""
    model = lifted.graph.model if lifted.graph is not None else None
    steps = [s.model for s in getattr(model, "segments", ())] + [model]
    return any(getattr(s, "precision", "double") == "float" for s in steps)


def _invalid_as_is_in_predicates(data: bytes, lifted: interchange.Lifted, X) -> np.ndarray:  # noqa: ANN001
    """Rows holding, in a field some predicate reads, a category outside its valid Values kept asIs."""
    out = np.zeros(len(X), dtype=bool)
    root = etree.fromstring(data)
    read = {p.get("field") for tag in ("SimplePredicate", "SimpleSetPredicate") for p in root.iter(f"{{*}}{tag}")}
    as_is = {mf.get("name") for mf in root.iter("{*}MiningField") if mf.get("invalidValueTreatment") == "asIs"}
    for f in lifted.signature.inputs:
        if f.values and f.name in read & as_is:
            out |= np.array([v is not None and v == v and str(v) not in f.values for v in X[f.name].tolist()], dtype=bool)
    return out
