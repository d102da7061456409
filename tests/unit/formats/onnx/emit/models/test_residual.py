"""A regression's residual written to ONNX: where the target's actual value is missing the residual
alone is missing (NaN), and the row keeps its prediction.

Before, the residual's NaN made the ONNX runtime read the whole row as "no prediction" (the scorer
dead-lettered it), where the IR, PMML 4.4 and pypmml leave only the residual missing. The writer now
names the outputs whose NaN is their own (``interchange.missing_alone``), which the runtime leaves out
of its no-prediction rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pandas as pd

import interchange
from interchange.formats.onnx.ir_writer import write_document

GOLDEN = Path(__file__).parents[5] / "conformance" / "pmml_general" / "output_residual_regression.pmml"


def _rows() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x1, x2, y = rng.normal(size=40), rng.normal(size=40), rng.normal(size=40)
    y[::4] = np.nan  # the actual value missing: the residual alone is missing
    x1[1::8] = np.nan  # an input missing: no prediction, in the IR and in the document
    return pd.DataFrame({"x1": x1, "x2": x2, "y": y})


def test_missing_actual_value_leaves_the_prediction() -> None:
    lifted = interchange.lift(GOLDEN.read_bytes())
    assert lifted.ok and lifted.graph is not None, lifted.report()
    data = write_document(lifted.graph)
    rows = _rows()
    scored = interchange.load(data).score(rows)
    want = lifted.predict(rows)
    no_value = np.flatnonzero(np.isnan(want["yhat"])).tolist()
    assert no_value == list(range(1, 40, 8))  # (the IR's own no-prediction rows)
    assert sorted(scored.refused) == no_value  # rows 0, 4, 8, ... keep their prediction
    np.testing.assert_allclose(scored.outputs["yhat"], want["yhat"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scored.outputs["resid"], want["resid"], rtol=1e-9, atol=1e-12)
    assert np.isnan(scored.outputs["resid"][0]) and not np.isnan(scored.outputs["yhat"][0])


def test_the_document_names_the_residual() -> None:
    lifted = interchange.lift(GOLDEN.read_bytes())
    assert lifted.graph is not None
    meta = {p.key: p.value for p in onnx.load_model_from_string(write_document(lifted.graph)).metadata_props}
    assert json.loads(meta["interchange.missing_alone"]) == ["resid"]


def test_a_missing_prediction_is_still_refused() -> None:
    """The rule stays for the prediction: a NaN value is no prediction, whatever the residual."""
    lifted = interchange.lift(GOLDEN.read_bytes())
    assert lifted.graph is not None
    scored = interchange.load(write_document(lifted.graph)).score(pd.DataFrame({"x1": [np.nan], "x2": [1.0], "y": [2.0]}))
    assert list(scored.refused) == [0] and "no prediction" in str(scored.refused[0])
