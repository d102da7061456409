"""One check for the extractor tests: the IR extracted from a fitted estimator gives the estimator's own outputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.batch import to_columns
from interchange.convert import infer_signature
from interchange.extract import to_graph
from interchange.ir.graph import Graph, evaluate
from interchange.source import reference_outputs


def assert_extracts(est: Any, X: np.ndarray, *, rtol: float = 1e-9, atol: float = 1e-12) -> Any:
    """Extract ``est``, evaluate the IR on ``X`` and compare every output field with scikit-learn's own.

    Returns the Graph (typed Any: the tests read fields of its particular model step)."""
    sig = infer_signature(est, X)
    columns = to_columns(X, sig)
    graph: Graph = to_graph(est, sig)
    got, want = evaluate(graph, columns), reference_outputs(est, columns, sig)
    assert sorted(got) == sorted(want)
    for name, expected in want.items():
        if expected.dtype.kind in "fc":
            np.testing.assert_allclose(np.asarray(got[name], dtype=np.float64), expected, rtol=rtol, atol=atol, err_msg=name)
        else:
            assert np.asarray(got[name]).tolist() == expected.tolist(), name
    return graph
