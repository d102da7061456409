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
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import interchange
from tests.conformance.lifting import disagreements, lifted_outputs, record
from tests.conformance.test_lift_pmml import _untied
from tests.conformance.third_party import Case, Refused, cases, document, rows

CASES = [c for c in cases() if c.tool != "titus2"]


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
    X = X[keep].reset_index(drop=True)
    bad = disagreements(lifted, interchange.load(data), X)
    record(case.tool, "pmml", case.id, lifted, not bad)
    assert not bad, bad
