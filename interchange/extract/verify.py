"""The extracted IR, evaluated, must reproduce its estimator: checked before a writer is trusted.

PMML and PFA documents are written from the IR graph. Evaluating that graph on the
verification cases (``interchange.ir.evaluate``) tells an extractor bug (the IR already
disagrees with the estimator) from a writer or runtime bug (the IR agrees, the document does
not), which the document's own verification alone cannot.
"""

from __future__ import annotations

from interchange.batch import Columns
from interchange.errors import VerificationError
from interchange.ir.graph import Graph, evaluate
from interchange.verification import Tolerance, VerificationResult, compare

__all__ = ["check_graph"]


def check_graph(graph: Graph, sample: Columns, expected: Columns, tolerance: Tolerance, *, source: str) -> VerificationResult:
    """Compare the IR evaluator's outputs for ``sample`` with ``expected`` (the estimator's).

    Raises VerificationError naming ``source`` (the estimator) when the IR disagrees beyond
    ``tolerance``. Example: ``check_graph(to_graph(est, sig), cases, expected, tol, source="Ridge")``.
    """
    try:
        return compare(graph.signature, expected, evaluate(graph, sample), tolerance, format="IR")
    except VerificationError as exc:
        raise VerificationError(
            f"the IR extracted from {source} disagrees with it before any document is written "
            f"(an extractor or IR evaluator bug): {exc.message}",
            **exc.context,
        ) from exc
