"""titus2's CART producer documents converted to PFA and PMML on their probe rows.

Their text tests lift into Lookup / Indicator columns of nullable inputs (the tree routes a
missing one as missing): the PFA writer writes them as if-chains that are null where an input is
null, and the PMML writer as MapValues / NormDiscrete. Probe rows (``sample=``) sit on every
threshold and take every category a split lists; titus2's string inputs are not nullable, so
the synthetic rows convert draws by itself (with missing strings) are not used.

ONNX: the probe rows that differ are exactly those whose text is the empty string. The IR and
titus2 read "" as a category (absent from every split's list); the ONNX runtime feeds a missing
text as "" (a string tensor has no null), so the written graph reads "" as missing and the tree
sends the row the missing way. Neither float32 nor the missing-value direction is involved: on
the other probe rows (thresholds and an ulp either side) the written ONNX agrees exactly. A fix
needs another encoding of a missing text between the ONNX runtime and the writer.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import interchange

CART = [(task, subset) for task in ("classification", "regression") for subset in (None, 1)]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pfa", "pmml"])
@pytest.mark.parametrize("task,subset", CART, ids=[f"{t}-subset{s}" for t, s in CART])
def test_cart_document_converts(task: str, subset: int | None, target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from interchange.formats.pfa.titus import engine_class
    from tests.conformance.test_pfa_titus_producers import _probe_columns, _rows, _tree_document

    engine_class()
    if not hasattr(np, "in1d"):  # the producer's numpy 1 name (test-only shim, as in test_pfa_titus_producers)
        monkeypatch.setattr(np, "in1d", np.isin, raising=False)
    regression = task == "regression"
    doc = _tree_document(_rows(300, 5, regression), 5, subset)
    columns = _probe_columns(_rows(150, 105, regression), doc["cells"]["tree"]["init"])
    converted = interchange.convert(interchange.load(json.dumps(doc).encode()), target, sample=columns)
    assert converted.verification.result is not None and converted.verification.result.rows == len(columns["x"])


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("task,subset", CART, ids=[f"{t}-subset{s}" for t, s in CART])
def test_cart_to_onnx_differs_only_where_a_text_is_empty(task: str, subset: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    from interchange.formats.pfa.titus import engine_class
    from tests.conformance.lifting import disagreements, frame, written_model
    from tests.conformance.test_pfa_titus_producers import _probe_columns, _rows, _tree_document

    engine_class()
    if not hasattr(np, "in1d"):
        monkeypatch.setattr(np, "in1d", np.isin, raising=False)
    regression = task == "regression"
    doc = _tree_document(_rows(300, 5, regression), 5, subset)
    columns = _probe_columns(_rows(150, 105, regression), doc["cells"]["tree"]["init"])
    lifted = interchange.lift(json.dumps(doc).encode())
    assert lifted.graph is not None
    model = written_model(lifted, "onnx")
    X = frame(columns)
    empty = (X["colour"] == "") | (X["shape"] == "")
    assert empty.any() and (~empty).sum() > 100
    assert not disagreements(lifted, model, X[~empty].reset_index(drop=True))
    assert disagreements(lifted, model, X[empty].reset_index(drop=True)), "ONNX now agrees on empty texts: drop this exception"
