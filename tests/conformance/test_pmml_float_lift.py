"""sklearn2pmml's XGBoost documents (``x-mathContext="float"``, float DataFields), lifted, against JPMML-Evaluator
far outside the training range.

JPMML-Evaluator reads a float field's value as a float32 and, under ``x-mathContext="float"``, adds the trees'
scores and applies the link in float32 (``FloatValue``: ``value += (float) x``, ``1f / (1f + (float) exp(-x))``).
A typed input equal to a split value's short decimal (``-3.4``) lies one double ulp beside the float32 split
(-3.4000000953674316) and takes the other branch unless it is rounded first: the PMML lift rounds each float input
(an IR ``Derive`` of type float), so the IR takes JPMML's branches. The lift marks the tree sum and the link
``precision="float"`` (formats/pmml/lift/models/precision.py): leaves as float32, added tree by tree in document
order in float32, the Target's rescaleConstant added in float32 after them, the logit / exp / softmax in JPMML's
float form (its exp is ``(float) Math.pow(2.7182817d, x)``), so the IR and the fast path (which evaluates these
models through the lift) give JPMML's float32 values: compared at the double tolerance, rtol 1e-9 / atol 1e-12.
Before the lift rounded inputs, 60 to 74 of these 600 rows differed by up to 0.93; with inputs rounded but the sum
in double, by up to 5.7e-7 (poisson), 9.3e-8 (logistic), 1.1e-7 (softmax); now by 0.0 (measured on each document).

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
RTOL, ATOL = 1e-9, 1e-12  # JPMML's float32 arithmetic, which the IR's float precision repeats


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
    model = lifted.graph.model
    steps = [s.model for s in model.segments] if hasattr(model, "segments") else [model]
    assert all(getattr(s, "precision", None) == "float" for s in steps), steps
    assert interchange.load(data).info.engine == "interchange-fast"
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


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_float_sums_are_written_back_and_generated_in_float(path: Path) -> None:
    """The PMML writer writes x-mathContext="float" back (JPMML-Evaluator on the written document gives the IR's
    values, rtol 1e-9 / atol 1e-12); generated Python computes in np.float32 and agrees with the IR as closely;
    the ONNX and PFA writers refuse the float arithmetic by name."""
    from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
    from interchange.formats.onnx.emit import write_graph as write_onnx
    from interchange.formats.pfa.emit.document import write_graph as write_pfa
    from interchange.formats.pmml.emit.document import write_graph as write_pmml
    from interchange.verification import compare

    data = path.read_bytes()
    lifted = interchange.lift(data)
    assert lifted.graph is not None
    sig = lifted.signature
    X = _rows(data, list(sig.input_names), n=300)
    cases = to_columns(X, sig)
    ir = ir_outputs(lifted.graph, cases)
    written = write_pmml(lifted.graph)
    assert b'x-mathContext="float"' in written
    want = jpmml_outputs(written, cases, sig, verify=False)
    for f in sig.outputs:
        if f.kind in ("probability", "value"):
            e, a = np.asarray(want[f.name], dtype=np.float64), np.asarray(ir[f.name], dtype=np.float64)
            close = (np.abs(a - e) <= ATOL + RTOL * np.abs(e)) | (np.isnan(a) & np.isnan(e))
            assert close.all(), f"{f.name}: JPMML on the written document differs at rows {np.flatnonzero(~close)[:5]}"
    module = load_python(codegen(lifted.graph, "python").source)
    compare(sig, ir, python_outputs(module, sig, cases), IR_TOLERANCE, format="generated python")
    for write in (write_onnx, write_pfa):
        with pytest.raises(interchange.UnsupportedModelError, match='x-mathContext="float"'):
            write(lifted.graph)


@pytest.mark.filterwarnings("ignore")
def test_float_sums_generated_in_java(tmp_path: Path) -> None:
    import shutil

    if shutil.which("mvn") is None or shutil.which("java") is None:
        pytest.skip("needs Maven (mvn) and a JDK (java)")
    from tests.unit.codegen.java.maven import from_graph, run_junit

    written = []
    for i, path in enumerate(DOCUMENTS):
        lifted = interchange.lift(path.read_bytes())
        assert lifted.graph is not None
        X = _rows(path.read_bytes(), list(lifted.signature.input_names), n=100)
        written.append(from_graph(lifted.graph, f"FloatTrees{i}", to_columns(X, lifted.signature)))
    assert len(run_junit(tmp_path, written)) == len(written)
