"""ComparedCenter to PFA: clustering measured field by field, each center's distance written out.

Per field, ``c = f(x, y)`` by its compare function (absDiff ``m.abs``, gaussSim ``m.exp``, delta /
equal a comparison), raised to the measure's inner power and multiplied by the field weight, a
missing field giving 0; the terms are folded left to right from 0 with ``+`` (``max`` for
chebychev) and the fold scaled and rooted: the order of ``ir.models.compared.compared_distances``
and ``ir.distances.finish``. The closest cluster is read as families.py reads k-means' distances.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from interchange.formats.pfa.emit.document import ARRAY, ModelWriter, _Writer
from interchange.formats.pfa.emit.functions import isnan, number_ref
from interchange.formats.pfa.emit.models.families import _sum, closest_cluster, finished
from interchange.ir.models.compared import _POWERS, ComparedCenter
from interchange.signature import Signature

__all__ = ["COMPARED_WRITERS", "compared_center"]


def _comparison(x: Any, y: float, function: str, scale: float) -> Any:
    """PMML 4.4 §ComparisonMeasure: one field's c(x, y) (``ir.models.compared._compare_field``)."""
    if function == "absDiff":
        return {"m.abs": {"-": [x, y]}}
    if function == "gaussSim":
        z = {"-": [x, y]}
        return {"m.exp": {"/": [{"*": [{"*": [-math.log(2.0), z]}, z]}, scale * scale]}}
    same = {"==": [x, y]}
    return {"if": same, "then": 0.0 if function == "delta" else 1.0, "else": 1.0 if function == "delta" else 0.0}


def _fold(terms: list[Any], chebychev: bool) -> Any:
    if not chebychev:
        return _sum([0.0, *terms])
    expr: Any = 0.0
    for t in terms:
        expr = {"max": [expr, t]}
    return expr


def compared_center(w: _Writer, step: ComparedCenter, sig: Signature) -> dict[str, Any]:
    """Bind ``km_present`` and ``km_dists`` (``ComparedCenter.distance_matrix``); the first closest cluster,
    none where no field is present."""
    n = len(step.inputs)
    fw = np.ones(n) if step.field_weights is None else np.asarray(step.field_weights, dtype=float)
    q = np.ones(n) if step.missing_weights is None else np.asarray(step.missing_weights, dtype=float)
    inner = float(step.p) if step.metric == "minkowski" else _POWERS[step.metric]
    xs = [number_ref(w, name) for name in step.inputs]
    w.bind("km_present", _sum([0.0, *({"if": isnan(x), "then": 0.0, "else": float(s)} for x, s in zip(xs, q, strict=True))]))
    for j, x in enumerate(xs):
        w.bind(f"cc_x{j}", {"if": isnan(x), "then": 0.0, "else": x})
    total_weight = 0.0
    for s in q:
        total_weight += float(s)  # (summed in the IR's order)
    dists = []
    for center in np.asarray(step.centers, dtype=float):
        terms = []
        for j, x in enumerate(xs):
            c = _comparison(f"cc_x{j}", float(center[j]), step.compare[j], float(step.scales[j]))
            if inner == 2.0:
                c = {"*": [c, c]}
            elif inner != 1.0:
                c = {"**": [c, inner]}
            if fw[j] != 1.0:
                c = {"*": [c, float(fw[j])]}
            terms.append({"if": isnan(x), "then": 0.0, "else": c})
        dists.append(finished(_fold(terms, step.metric == "chebychev"), total_weight, step.metric, float(step.p)))
    w.bind("km_dists", {"new": dists, "type": ARRAY}, "array")
    return closest_cluster(w, step, sig, True)


COMPARED_WRITERS: dict[type, ModelWriter] = {ComparedCenter: compared_center}
