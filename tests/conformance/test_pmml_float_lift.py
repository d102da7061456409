"""sklearn2pmml's XGBoost documents (``x-mathContext="float"``, float DataFields), lifted, against JPMML-Evaluator
far outside the training range.

JPMML-Evaluator reads a float field's value as a float32 and, under ``x-mathContext="float"``, adds the trees'
scores and applies the link in float32 (``FloatValue``: ``value += (float) x``, ``1f / (1f + (float) exp(-x))``).
A typed input equal to a split value's short decimal (``-3.4``) lies one double ulp beside the float32 split
(-3.4000000953674316) and takes the other branch unless it is rounded first: the PMML lift rounds each float input
(an IR ``Derive`` of type float), so the IR takes JPMML's branches. The IR adds in double where JPMML adds in float32,
so the figures agree within the float32 tolerance these documents are checked at elsewhere (test_foreign.py,
foreign_scan.py: rtol 1e-5 / atol 1e-4), not bit for bit. Before the lift rounded inputs, 60 to 74 of these 600 rows
differed by up to 0.93 (measured on each document below).

The rows: every split value of the document as the shortest decimal of its float32, times 1, -1, 10 or 100 (so both
on the splits and far outside the training range).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.batch import to_columns
from tests.conformance import lifting
from tests.roundtrip.helpers import jpmml_outputs

HERE = Path(__file__).parent
DOCUMENTS = (
    HERE / "pmml_xgb_links" / "sklearn2pmml_xgb_logistic_reg.pmml",
    HERE / "pmml_xgb_links" / "sklearn2pmml_xgb_poisson.pmml",
    HERE / "pmml_crossformat" / "s2p_xgboost_nan_missing_value.pmml",
)
RTOL, ATOL = 1e-5, 1e-4  # float32 arithmetic (JPMML) against double (the IR) over the same branches


def _rows(data: bytes, names: list[str], n: int = 600) -> pd.DataFrame:
    splits = sorted({float(str(np.float32(float(v)))) for v in re.findall(rb'value="(-?[0-9.eE+-]+)"', data)})
    rng = np.random.default_rng(1)
    return pd.DataFrame({name: rng.choice(splits, n) * rng.choice([1.0, 1.0, 1.0, -1.0, 10.0, 100.0], n) for name in names})


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_lifted_float_xgboost_takes_jpmml_branches_far_outside_training(path: Path) -> None:
    data = path.read_bytes()
    assert b'x-mathContext="float"' in data and b'dataType="float"' in data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift(data)
    assert lifted.ok and lifted.graph is not None, lifted.reasons
    sig = lifted.signature
    X = _rows(data, list(sig.input_names))
    want = jpmml_outputs(data, to_columns(X, sig), sig, verify=False)
    got = lifting.lifted_outputs(lifted, X)
    fast = interchange.load(data).predict(X)
    numeric = [f.name for f in sig.outputs if f.kind in ("probability", "value")]
    assert numeric
    for name in numeric:
        e = np.asarray(want[name], dtype=np.float64)
        for engine, out in (("IR", got), ("fast path", fast)):
            a = np.asarray(out[name], dtype=np.float64)
            close = (np.abs(a - e) <= ATOL + RTOL * np.abs(e)) | (np.isnan(a) & np.isnan(e))
            assert close.all(), f"{name}: the {engine} differs from JPMML-Evaluator at rows {np.flatnonzero(~close)[:5]}"
    for f in sig.outputs:
        if f.kind == "label":
            assert [str(v) for v in got[f.name]] == [str(v) for v in want[f.name]]  # (JPMML gives integer labels)
