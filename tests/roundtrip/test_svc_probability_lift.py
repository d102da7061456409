"""SVC(probability=True) documents lifted and written again: ONNX -> PFA, PFA -> ONNX, ONNX -> Python.

The double ONNX writer's Platt coupling (a ``Loop``) and the PFA writer's (a ``while`` loop) lift into the
IR SVM's ``prob_a`` / ``prob_b`` (``formats/*/lift/models/platt.py``); the lifted graph is written by the
other format's writer, which writes the coupling again. ``interchange.convert`` verifies each conversion by
replaying rows through the source's reference engine and the target's (onnxruntime, titus2) at rtol 1e-9 /
atol 1e-12; the generated Python is checked against the IR (1e-12, ``codegen``'s own check) and against
onnxruntime on the source document (rtol 1e-9 / atol 1e-12).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import onnx
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.svm import SVC

import interchange
from interchange.codegen.api import codegen, load_python, python_outputs
from interchange.formats.onnx.meta import IR_WRITER
from interchange.ir.models.svm import SupportVectorMachine

CASES = [("poly", 2), ("rbf", 3)]


def _documents(kernel: str, k: int) -> tuple[pd.DataFrame, bytes, bytes]:
    X, y = make_classification(240, 4, n_informative=3, n_redundant=0, n_classes=k, n_clusters_per_class=1, random_state=k)
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(4)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (scikit-learn 1.9 deprecates probability=True)
        est = SVC(kernel=kernel, probability=True, random_state=0).fit(X.iloc[:200], np.array(["a", "b", "c"])[y[:200]])
        onnx_doc = interchange.convert(est, "onnx", sample=X.iloc[:50]).document.data
        pfa_doc = interchange.convert(est, "pfa", sample=X.iloc[:50]).document.data
    assert interchange.load(onnx_doc).info.details.get("writer") == IR_WRITER
    return X.iloc[200:].reset_index(drop=True), onnx_doc, pfa_doc


def _coupled(data: bytes) -> None:
    """The document lifts into an SVM with libsvm's Platt parameters."""
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    assert lifted.graph is not None
    model = lifted.graph.model
    assert isinstance(model, SupportVectorMachine) and model.prob_a is not None and model.prob_b is not None


def _rewritten(fmt: str, data: bytes) -> bool:
    """The target wrote the coupling again: a ``while`` in PFA, a ``Loop`` in ONNX."""
    if fmt == "pfa":
        return any("while" in s for s in json.loads(data)["action"] if isinstance(s, dict))
    return any(n.op_type == "Loop" for n in onnx.load_from_string(data).graph.node)


ROUTES = [(kernel, k, source, target) for kernel, k in CASES for source, target in (("onnx", "pfa"), ("pfa", "onnx"))]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("kernel,k,source,target", ROUTES, ids=[f"{r[2]}-to-{r[3]}-{r[0]}-{r[1]}classes" for r in ROUTES])
def test_lifted_document_converts_to_the_other_format(kernel: str, k: int, source: str, target: str) -> None:
    rows, onnx_doc, pfa_doc = _documents(kernel, k)
    data = onnx_doc if source == "onnx" else pfa_doc
    _coupled(data)
    out = interchange.convert(interchange.load(data), target, sample=rows)
    assert out.verification is not None and out.verification.result is not None
    assert out.verification.tolerance.rtol == 1e-9 and out.verification.result.rows == len(rows)
    assert _rewritten(target, out.document.data)
    _coupled(out.document.data)  # and it lifts back


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("kernel,k", CASES, ids=[f"{c[0]}-{c[1]}classes" for c in CASES])
def test_onnx_to_python(kernel: str, k: int) -> None:
    rows, onnx_doc, _ = _documents(kernel, k)
    generated = codegen(interchange.lift(onnx_doc), "python", sample=rows)
    assert generated.result is not None and generated.result.rows == len(rows)  # against the IR at 1e-12
    sig = interchange.load(onnx_doc).signature
    columns = {f.name: rows[f.name].to_numpy() for f in sig.inputs}
    got = python_outputs(load_python(generated.source), sig, columns)
    want = interchange.load(onnx_doc).predict(rows)
    for f in sig.outputs:
        if f.kind == "label":
            assert [str(v) for v in got[f.name]] == [str(v) for v in want[f.name]]
        else:
            np.testing.assert_allclose(np.asarray(got[f.name], dtype=float), want[f.name], rtol=1e-9, atol=1e-12)
