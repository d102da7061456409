"""One helper for the estimator × format matrix: convert, reload, compare on held-out rows."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

import interchange
from interchange.batch import to_columns
from interchange.source import reference_outputs
from interchange.verification import compare

RESULTS = Path(os.environ.get("INTERCHANGE_ROUNDTRIP_RESULTS", Path(__file__).parent / ".results" / "results.jsonl"))


def record(**row: Any) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as out:
        out.write(json.dumps(row, default=str) + "\n")


def assert_export_equivalent(
    estimator: Any, X_fit: Any, X_test: Any, fmt: str, *, cell: str, dataset: str, labels: Any = None
) -> float:
    """Convert (verified on ``X_fit``), reload from bytes, and check ``X_test`` against the estimator.

    Both the format's reference runtime and the engine ``load`` picks (the fast path where there
    is one) must agree with the estimator within the conversion's stated tolerance. Returns the
    worst absolute difference seen; records the cell for the coverage table.
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
    for engine in ("reference", "auto"):
        model = interchange.load(converted.document.data, format=fmt, engine=engine)
        result = compare(signature, expected, model.predict(columns), converted.verification.tolerance, format=fmt)
        worst = max(worst, result.max_diff)
        engines.append(model.info.engine)
    tol = converted.verification.tolerance
    record(
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
    )
    assert np.isfinite(worst)
    return worst
