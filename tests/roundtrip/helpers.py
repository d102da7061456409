"""One helper for the estimator × format matrix: convert, reload, compare on held-out rows."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import interchange
from interchange.batch import Columns, to_columns
from interchange.errors import UnsupportedModelError
from interchange.extract import to_graph
from interchange.ir import evaluate
from interchange.signature import Signature
from interchange.source import reference_outputs
from interchange.verification import Tolerance, compare

# the IR evaluates in float64 like the estimator: PMML's and PFA's double-precision bound
IR_TOLERANCE = Tolerance(1e-9, 1e-12, "the IR evaluator in double precision")

RESULTS = Path(os.environ.get("INTERCHANGE_ROUNDTRIP_RESULTS", Path(__file__).parent / ".results" / "results.jsonl"))


def record(**row: Any) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as out:
        out.write(json.dumps(row, default=str) + "\n")


def assert_export_equivalent(
    estimator: Any, X_fit: Any, X_test: Any, fmt: str, *, cell: str, dataset: str, labels: Any = None
) -> dict[str, Any]:
    """Convert (verified on ``X_fit``), reload from bytes, and check ``X_test`` against the estimator.

    Both the format's reference runtime and the engine ``load`` picks (the fast path where there
    is one) must agree with the estimator within the conversion's stated tolerance. Records the
    cell for the coverage table and returns its row (worst absolute difference, tolerance, writer).
    """
    converted = interchange.convert(estimator, fmt, sample=X_fit, labels=labels)
    if fmt == "pmml":
        from interchange.formats.pmml.xsd import validate

        validate(converted.document.data)  # every generated PMML document is valid PMML 4.4
    signature = converted.signature
    columns = to_columns(X_test, signature)
    expected = reference_outputs(estimator, columns, signature, labels)
    worst = 0.0
    engines = []
    writers = set()
    for engine in ("reference", "auto"):
        model = interchange.load(converted.document.data, format=fmt, engine=engine)
        writers.add(model.info.details.get("writer"))
        result = compare(signature, expected, model.predict(columns), converted.verification.tolerance, format=fmt)
        worst = max(worst, result.max_diff)
        engines.append(model.info.engine)
    if fmt == "pmml":  # the second PMML reference: JPMML-Evaluator, after its own ModelVerification check
        answers = jpmml_outputs(converted.document.data, columns, signature)
        result = compare(signature, expected, answers, converted.verification.tolerance, format="pmml (JPMML-Evaluator)")
        worst = max(worst, result.max_diff)
        engines.append("jpmml-evaluator")
    ir = assert_ir_equivalent(estimator, signature, columns, expected)
    tol = converted.verification.tolerance
    row = dict(
        cell=cell,
        estimator=cell.split("-")[0],
        format=fmt,
        dataset=dataset,
        status="verified",
        max_diff=worst,
        rtol=tol.rtol,
        atol=tol.atol,
        engines=sorted(set(engines)),
        rows=len(next(iter(expected.values()))),
        **({"writer": writers.pop()} if writers != {None} else {}),
        ir=ir,
    )
    record(**row)
    assert np.isfinite(worst)
    return row


def assert_ir_equivalent(estimator: Any, signature: Signature, columns: Columns, expected: Columns) -> str:
    """The IR evaluator (``interchange.ir.evaluate``) on the estimator's extracted graph agrees with
    the estimator itself, whatever format the cell writes: an extractor or IR step that
    disagrees is a bug before any writer runs. Returns "verified", or why the IR cannot hold
    the estimator (no extractor: the cell goes through skl2onnx only)."""
    try:
        graph = to_graph(estimator, signature)
    except UnsupportedModelError as exc:
        return f"no IR: {exc.message}"
    tolerance = IR_TOLERANCE.for_source(getattr(graph.model, "source_rounding", None))
    compare(signature, expected, evaluate(graph, columns), tolerance, format="IR")
    return "verified"


def jpmml_outputs(document: bytes, columns: Columns, signature: Signature, *, verify: bool = True) -> Columns:
    """JPMML-Evaluator's answers for ``columns``, one array per output of ``signature``.

    JPMML-Evaluator (``jpmml-evaluator`` on PyPI, the engine behind Openscoring and the Spark /
    Flink PMML evaluators) is a test-time reference only (AGPL-3.0, an in-process JVM through
    jpype). With ``verify``, the document's ModelVerification cases are checked first by
    JPMML's own ``verify()``, which raises on any mismatch. A row JPMML refuses (an invalid
    value under returnInvalid) comes back missing in every output.
    """
    from jpmml_evaluator import make_evaluator

    with tempfile.NamedTemporaryFile(suffix=".pmml") as tmp:
        tmp.write(document)
        tmp.flush()
        evaluator = make_evaluator(tmp.name, backend="jpype")
    if verify:
        evaluator.verify()
    frame = pd.DataFrame({f.name: columns[f.name] for f in signature.inputs})
    result = evaluator.evaluateAll(frame)
    errors = result["errors"].notna().to_numpy() if "errors" in result else np.zeros(len(frame), dtype=bool)
    target = signature.meta.get("target") or "target"
    out: Columns = {}
    for f in signature.outputs:
        name = f.name if f.name in result else target  # a predicted value JPMML names by the target field
        values = np.array(result[name].to_numpy(), dtype=object)  # a copy: pandas may lend a read-only view
        values[errors] = None
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        if numeric:
            out[f.name] = np.array([np.nan if v is None or v != v else v for v in values], dtype=np.float64)
        else:  # a label column holding a missing value comes back as floats: 2.0 is the integer label 2
            whole = f.type == "integer"
            out[f.name] = np.array(
                [None if v is None or v != v else int(v) if whole and isinstance(v, float) else v for v in values], dtype=object
            )
    return out
