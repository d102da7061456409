"""sklearn2pmml's XGBoost reg:logistic / count:poisson (``pmml_xgb_links/``): a modelChain whose last
RegressionModel puts a logit / exp normalisation on the boosted sum lifts as a Chain (the folded
ensemble's value, then the one-column GeneralizedLinear link), against JPMML-Evaluator.

The documents declare float DataFields and x-mathContext="float": JPMML-Evaluator reads each input
as a float32 and computes in float32, the IR in double, so the rows are float32 values (the data
sets rounded, some missing) and the tolerance is float32's, rtol 1e-5 / atol 1e-4 (as
test_foreign.py states for x-mathContext="float" documents).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.batch import to_columns
from interchange.ir.combine.chain import Chain
from interchange.ir.models.general import GeneralizedLinear
from tests.conformance.lifting import lifted_outputs, record

HERE = Path(__file__).parent / "pmml_xgb_links"
RTOL, ATOL = 1e-5, 1e-4


def _rows(name: str) -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer, load_diabetes

    if "logistic" in name:
        X = load_breast_cancer(as_frame=True).data.iloc[:, :6].copy()
        X.columns = [f"f{i}" for i in range(6)]
    else:
        X = load_diabetes(as_frame=True).data
    X = X.reset_index(drop=True).astype(np.float32).astype(np.float64)
    X.iloc[::7, 2] = np.nan
    return X


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", sorted(HERE.glob("*.pmml")), ids=lambda p: p.stem)
def test_xgboost_link_chain_lifts_and_agrees_with_jpmml(path: Path) -> None:
    from tests.roundtrip.helpers import jpmml_outputs

    data = path.read_bytes()
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    model = lifted.graph.model  # type: ignore[union-attr]
    assert isinstance(model, Chain) and isinstance(model.segments[-1].model, GeneralizedLinear)
    X = _rows(path.stem)
    want = jpmml_outputs(data, to_columns(X, lifted.signature), lifted.signature, verify=False)
    got = lifted_outputs(lifted, X)
    name = lifted.signature.outputs[0].name
    np.testing.assert_allclose(np.asarray(got[name], dtype=np.float64), want[name], rtol=RTOL, atol=ATOL)
    record("sklearn2pmml (outside)", "pmml", path.stem, lifted, True)
