"""Java emitters for the figures beside a prediction: RuleConfidence, NeighborIds, VoteShares and
CenterAffinities, each the model's own emitter followed by the IR's figure arithmetic
(``ir/models/rules.py``, ``ir/models/neighbors.py``, ``ir/models/svm.py``, ``ir/models/cluster.py``) over its locals.

A numeric figure is a ``num:<name>`` part; a neighbour id is an index into the stored ids
(``extra:<name>``, values in ``out.extra_values``; -1 for none: a row with a missing input, ``missing``
in the model's emitter).
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.java.models.compared import compared_center
from interchange.codegen.java.models.families import _center, _neighbors, _svm
from interchange.codegen.java.models.rules import select_rule
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.ir.models.cluster import CenterAffinities
from interchange.ir.models.compared import ComparedCenter
from interchange.ir.models.neighbors import NeighborIds
from interchange.ir.models.rules import RuleConfidence
from interchange.ir.models.svm import VoteShares

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


@emitter("java", RuleConfidence)
def _rule_confidence(step: RuleConfidence, out: JavaWriter) -> Emitted:
    figures = {f"num:{name}": "confidence" for name in step.names}
    return select_rule(step.rules, out), {"label": "label", **figures}


@emitter("java", NeighborIds)
def _neighbor_ids(step: NeighborIds, out: JavaWriter) -> Emitted:
    lines, parts = _neighbors(step.model, out)
    for j, (name, r) in enumerate(step.ranks):
        lines.append(f"int neighbor{j} = missing ? -1 : near[{r - 1}];")
        parts[f"extra:{name}"] = f"neighbor{j}"
        out.extra_values[name] = tuple(step.ids)
    return lines, parts


@emitter("java", VoteShares)
def _vote_shares(step: VoteShares, out: JavaWriter) -> Emitted:
    lines, parts = _svm(step.model, out)
    k = len(step.model.classes or ())
    machines = jdouble(float(len(np.asarray(step.model.pairs))))
    lines = [
        *lines,
        f"double[] probabilities = new double[{k}];",
        f"for (int c = 0; c < {k}; c++) {{ probabilities[c] = missing ? Double.NaN : votes[c] / {machines}; }}",
    ]
    return lines, {**parts, "probabilities": "probabilities"}


@emitter("java", CenterAffinities)
def _center_affinities(step: CenterAffinities, out: JavaWriter) -> Emitted:
    model = step.model
    if isinstance(model, ComparedCenter):
        lines, parts = compared_center(model, out)  # (it binds dists)
    else:
        lines, parts = _center(model, out)
        centers = np.asarray(model.centers, dtype=np.float64)
        C = out.array("affinity_centers", centers)
        weights = "" if model.missing_weights is None else ", " + out.array("affinity_weights", np.asarray(model.missing_weights))
        metric = f"{jstring(model.metric)}, {jdouble(model.p)}"
        lines = [
            *lines,
            f"double[] dists = new double[{centers.shape[0]}];",
            f"for (int i = 0; i < {centers.shape[0]}; i++) {{ dists[i] = distance(x, {C}, i, {metric}{weights}); }}",
        ]
    known = [str(i) for i in model.ids]
    for name, cluster in step.wanted:
        parts[f"num:{name}"] = (
            "(cluster < 0 ? Double.NaN : dists[cluster])" if cluster is None else f"dists[{known.index(str(cluster))}]"
        )
    return lines, parts
