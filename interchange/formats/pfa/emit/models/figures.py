"""Output figures beside a prediction in PFA: rule confidences, neighbour ids, SVM vote shares and
cluster affinities, each the IR's computation (``ir/models/rules.py``, ``ir/models/neighbors.py``,
``ir/models/svm.py``, ``ir/models/cluster.py``) over the family writer's bindings.

RuleConfidence: each rule's firing bound once; firstHit / weightedMax pick the rule index with
an if-chain (weightedMax over the rules by descending weight, ties in document order), its score
and confidence read from cells; weightedSum reuses the RuleSet writer's per-score totals, the
confidence being the winning total over the number of fired rules. NeighborIds: a second
``model.neighbor.nearestK`` over the same points carrying their ids (the same metric and points,
so the same neighbours in the same order). VoteShares: the SVM writer's votes over the number of
machines. CenterAffinities: the distance matrix of the measured k-means writer, read by cluster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from interchange.formats.pfa.emit.functions import NAN
from interchange.formats.pfa.emit.models.compared import compared_center
from interchange.formats.pfa.emit.models.families import _clustering_measured, _distance, _fcn, _knn, _svm
from interchange.formats.pfa.emit.models.scoring import _chain, _fold, _ruleset
from interchange.formats.pfa.emit.predicates import truth
from interchange.ir.models.cluster import CenterAffinities
from interchange.ir.models.compared import ComparedCenter
from interchange.ir.models.neighbors import NeighborIds
from interchange.ir.models.rules import RuleConfidence
from interchange.ir.models.svm import VoteShares
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["FIGURE_WRITERS"]

ARRAY = {"type": "array", "items": "double"}


def _fires(w: _Writer, step: RuleConfidence) -> list[Any]:
    """One boolean binding (or a constant) per rule: every predicate TRUE."""
    out: list[Any] = []
    for i, rule in enumerate(step.rules.rules):
        tests = [truth(w, p)[0] for p in rule.predicates]
        tests = [t for t in tests if t is not True]
        if any(t is False for t in tests):
            out.append(False)
        elif not tests:
            out.append(True)
        else:
            w.bind(f"rule_fires_{i}", _fold("&&", tests[0], tests[1:]), "boolean")
            out.append(f"rule_fires_{i}")
    return out


def _rule_confidence(w: _Writer, step: RuleConfidence, sig: Signature) -> dict[str, Any]:
    rules = step.rules
    fires = _fires(w, step)
    default_conf: Any = NAN if rules.default_confidence is None else float(rules.default_confidence)
    if rules.criterion == "weightedSum":
        parts = _ruleset(w, rules, sig)
        count = _fold("+", 0.0, [{"if": f, "then": 1.0, "else": 0.0} for f in fires if f is not False])
        w.bind("rule_fired", count)
        some = {">": [{"a.sum": "rule_totals"}, 0.0]}
        confidence = {"if": some, "then": {"/": [{"a.max": "rule_totals"}, "rule_fired"]}, "else": default_conf}
    else:
        order = list(range(len(rules.rules)))
        if rules.criterion == "weightedMax":
            order.sort(key=lambda i: -rules.rules[i].weight)  # stable: equal weights keep document order
        w.bind("rule_taken", _chain([(fires[i], i) for i in order if fires[i] is not False], -1), "int")
        w.cells["rule_labels"] = {"type": {"type": "array", "items": "string"}, "init": [str(r.score) for r in rules.rules]}
        w.cells["rule_confidences"] = {"type": ARRAY, "init": [float(r.confidence) for r in rules.rules]}
        none = {"==": ["rule_taken", -1]}
        default = {"string": str(rules.default)} if rules.default is not None else None
        label = {"if": none, "then": default, "else": {"attr": {"cell": "rule_labels"}, "path": ["rule_taken"]}}
        parts = {"label": label, **({"nullable:label": True} if default is None else {})}
        confidence = {"if": none, "then": default_conf, "else": {"attr": {"cell": "rule_confidences"}, "path": ["rule_taken"]}}
    w.bind("rule_confidence", confidence)
    return {**parts, **{f"extra:{name}": "rule_confidence" for name in step.names}}


def _neighbor_ids(w: _Writer, step: NeighborIds, sig: Signature) -> dict[str, Any]:
    knn = step.model
    parts = _knn(w, knn, sig)
    fields = [{"name": "point", "type": ARRAY}, {"name": "id", "type": "string"}]
    point = {"type": "record", "name": "KnnIdPoint", "fields": fields}
    rows = np.asarray(knn.points, dtype=float)
    init = [{"point": [float(v) for v in row], "id": str(i)} for row, i in zip(rows, step.ids, strict=True)]
    w.cells["knn_id_points"] = {"type": {"type": "array", "items": point}, "init": init}
    metric = _fcn({"q": ARRAY, "p": "KnnIdPoint"}, "double", _distance(knn, "q", "p.point"))
    near = {"model.neighbor.nearestK": [int(knn.k), "knn_x", {"cell": "knn_id_points"}, metric]}
    w.bind("knn_ids", {"a.map": [near, _fcn({"p": "KnnIdPoint"}, "string", "p.id")]}, "array")
    return {**parts, **{f"extra:{name}": {"attr": "knn_ids", "path": [r - 1]} for name, r in step.ranks}}


def _vote_shares(w: _Writer, step: VoteShares, sig: Signature) -> dict[str, Any]:
    parts = _svm(w, step.model, sig)
    machines = float(len(np.asarray(step.model.pairs)))
    share = _fcn({"v": "double"}, "double", {"/": ["v", machines]})  # votes / machines, as the IR divides
    w.bind("probs", {"a.map": ["svm_votes", share]}, "array")
    return {k: v for k, v in parts.items() if k == "label"}


def _center_affinities(w: _Writer, step: CenterAffinities, sig: Signature) -> dict[str, Any]:
    if isinstance(step.model, ComparedCenter):
        parts = compared_center(w, step.model, sig)
    else:
        parts = _clustering_measured(w, step.model, sig)
    known = [str(i) for i in step.model.ids]
    own: Any = {"attr": "km_dists", "path": [{"a.argmin": "km_dists"}]}
    if step.model.missing_weights is not None:  # no present input: no cluster, no affinity
        own = {"if": {"==": ["km_present", 0.0]}, "then": NAN, "else": own}
    extra = {
        f"extra:{name}": own if cluster is None else {"attr": "km_dists", "path": [known.index(str(cluster))]}
        for name, cluster in step.wanted
    }
    return {**parts, **extra}


FIGURE_WRITERS: dict[type, Any] = {
    RuleConfidence: _rule_confidence,
    NeighborIds: _neighbor_ids,
    VoteShares: _vote_shares,
    CenterAffinities: _center_affinities,
}
