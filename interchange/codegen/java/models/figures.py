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
from interchange.codegen.java.models.rules import _ruleset
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
    rules = step.rules
    lines, parts = _ruleset(rules, out)
    default = jdouble(np.nan if rules.default_confidence is None else float(rules.default_confidence))
    m = len(rules.rules)
    lines = [*lines, f"double confidence = {default};"]
    if m:
        conf = out.array("rule_confidences", [float(r.confidence) for r in rules.rules])
        weights = out.array("rule_confidence_weights", [float(r.weight) for r in rules.rules])
        if rules.criterion == "firstHit":
            lines.append(f"for (int i = 0; i < {m}; i++) {{ if (fired[i]) {{ confidence = {conf}[i]; break; }} }}")
        elif rules.criterion == "weightedMax":
            lines += [
                "double heaviest = Double.NEGATIVE_INFINITY;",
                f"for (int i = 0; i < {m}; i++) {{",
                f"    if (fired[i] && {weights}[i] > heaviest) {{ confidence = {conf}[i]; heaviest = {weights}[i]; }}",
                "}",
            ]
        else:  # the winning total over the number of fired rules (totals and sum: the RuleSet emitter's)
            lines += [
                "double count = 0.0;",
                f"for (int i = 0; i < {m}; i++) {{ if (fired[i]) {{ count += 1.0; }} }}",
                "double most = 0.0;",
                "for (double t : totals) { most = Math.max(most, t); }",
                "if (sum > 0) { confidence = most / count; }",
            ]
    return lines, {**parts, **{f"num:{name}": "confidence" for name in step.names}}


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
