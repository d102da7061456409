"""Python emitter for ComparedCenter: clustering measured field by field with the IR's own kernel.

The generated module carries interchange.ir.models.compared.compared_distances (and the
interchange.ir.distances.finish it calls) by source, so it runs ComparedCenter.distance_matrix's
own code; the closest center is picked as NearestCenter.nearest picks it.
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.registry import emitter
from interchange.ir.models.compared import ComparedCenter

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


@emitter("python", ComparedCenter)
def _compared(step: ComparedCenter, out: PyWriter) -> Emitted:
    """``d`` (rows x clusters) and the first closest cluster; a row with no present field gets none."""
    out.need("compared_distances")
    n = len(step.inputs)
    centers = out.const("CENTERS", np.asarray(step.centers, dtype=np.float64))
    ids = out.const("CLUSTER_IDS", np.asarray(step.ids, dtype=object))
    fw = np.ones(n) if step.field_weights is None else np.asarray(step.field_weights, dtype=np.float64)
    q = np.ones(n) if step.missing_weights is None else np.asarray(step.missing_weights, dtype=np.float64)
    field_weights = out.const("FIELD_WEIGHTS", fw)
    missing_weights = out.const("MISSING_WEIGHTS", q)
    scales = literal(tuple(float(s) for s in step.scales))
    measure = f"{step.metric!r}, {literal(float(step.p))}, {literal(tuple(step.compare))}, {scales}"
    return [
        f"X = _matrix(env, {literal(step.inputs)}, n)",
        f"d = compared_distances(X[:, None, :], {centers}[None, :, :], {measure}, {field_weights}, {missing_weights})",
        f"cluster = {ids}[np.argmin(np.nan_to_num(d, nan=np.inf), axis=1)]",
        "cluster[np.isnan(d).all(axis=1)] = None",
    ], {"cluster": "cluster"}
