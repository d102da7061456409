"""Output figures beside a prediction in double ONNX: rule confidences, neighbour ids, SVM vote
shares and cluster affinities, each computed as the IR does (``ir/models/rules.py``, ``ir/models/neighbors.py``,
``ir/models/svm.py``, ``ir/models/cluster.py``) and given as ``[N, 1]`` figure outputs (``Emitted.extra``).

RuleConfidence: firstHit / weightedMax select a rule index with a Where chain (weightedMax over
the rules by descending weight, ties in document order) and gather its score and confidence;
weightedSum keeps the RuleSet emitter's label, the confidence being the winning total over the
number of fired rules (the totals summed in rule order, as the IR). NeighborIds: the ids of the
TopK neighbours (equal distances: the earlier point, as the IR), a string ``[N, 1]`` per rank.
VoteShares: the machines' votes over their number. CenterAffinities: columns of the center
distances; the own cluster's by GatherElements at the ArgMin.
"""

from __future__ import annotations

import numpy as np

from interchange.formats.onnx.emit.builder import INT64, STRING, Builder, refuse
from interchange.formats.onnx.emit.missing import blank_rows, missing_rows
from interchange.formats.onnx.emit.models.compared import compared_distances
from interchange.formats.onnx.emit.models.distance import (
    center_distances,
    distances,
    machine_values,
    machine_votes,
    nearest_center_of,
    nearest_neighbors,
    support_vector_machine,
)
from interchange.formats.onnx.emit.models.linear import column
from interchange.formats.onnx.emit.models.scoring import _anchor, ruleset
from interchange.formats.onnx.emit.predicates import AND, Mask, masks, tensor
from interchange.formats.onnx.emit.registry import Emitted, emitter, labels
from interchange.ir.models.cluster import CenterAffinities
from interchange.ir.models.compared import ComparedCenter
from interchange.ir.models.neighbors import NeighborIds
from interchange.ir.models.rules import Rule, RuleConfidence
from interchange.ir.models.svm import VoteShares

__all__: list[str] = []


def _fires(b: Builder, rule: Rule) -> Mask:
    m: Mask = True
    for p in rule.predicates:
        m = AND(b, m, masks(b, p)[0])
    return m


@emitter(RuleConfidence)
def rule_confidence(step: RuleConfidence, b: Builder) -> Emitted:
    rules = step.rules
    like = _anchor(b, list(rules.inputs))
    if rules.default_confidence is None:  # (weightedSum: the default's, where no rule fires)
        raise refuse(
            "a rule confidence without a defaultConfidence: where no rule fires the label is the defaultScore and "
            "the confidence missing, and a NaN figure makes the ONNX runtime drop the whole row's prediction"
        )
    default_confidence = float(rules.default_confidence)
    if rules.criterion in ("firstHit", "weightedMax"):
        if rules.default is None:
            raise refuse("a RuleSet without a defaultScore (no rule firing is a missing label)")
        order = list(range(len(rules.rules)))
        if rules.criterion == "weightedMax":
            order.sort(key=lambda i: -rules.rules[i].weight)  # stable: equal weights keep document order
        index = b.const(np.array([[len(rules.rules)]], dtype=np.int64), np.int64, "i")
        for i in reversed(order):
            index = b.op("Where", [tensor(b, _fires(b, rules.rules[i]), like), b.const(np.array([[i]]), np.int64, "i"), index])
        flat = b.op("Reshape", [b.op("Cast", [index], to=INT64), b.const([-1], np.int64, "shape")])
        label = labels(b, (*(str(r.score) for r in rules.rules), str(rules.default)), flat)
        table = b.const(np.array([*(float(r.confidence) for r in rules.rules), default_confidence]))
        confidence = b.op("Gather", [table, index], axis=0)  # [N, 1]
        out = Emitted(label=label)
    else:
        out = ruleset(rules, b)
        scores = list(dict.fromkeys(str(r.score) for r in rules.rules))
        zero = b.op("Expand", [b.const(np.array([[0.0]])), b.op("Shape", [like])])  # (like * 0 is NaN where like is missing)
        totals = [zero for _ in scores]
        fired = zero
        for r in rules.rules:
            hit = tensor(b, _fires(b, r), like)
            s = scores.index(str(r.score))
            totals[s] = b.op("Add", [totals[s], b.op("Where", [hit, b.const(float(r.weight)), b.const(0.0)])])
            fired = b.op("Add", [fired, b.op("Where", [hit, b.const(1.0), b.const(0.0)])])
        matrix = b.op("Concat", totals, "totals", axis=1)
        axes = b.const([1], np.int64, "axes")
        some = b.op("Greater", [b.op("ReduceSum", [matrix, axes], keepdims=1), b.const(0.0)])
        share = b.op("Div", [b.op("ReduceMax", [matrix, axes], keepdims=1), fired])
        confidence = b.op("Where", [some, share, b.const(default_confidence)])
    b.declare(confidence, 1)
    out.extra.update(dict.fromkeys(step.names, confidence))
    return out


@emitter(NeighborIds)
def neighbor_ids(step: NeighborIds, b: Builder) -> Emitted:
    knn = step.model
    out = nearest_neighbors(knn, b)
    d = distances(b, knn.inputs, knn.points, knn.metric, knn.p)
    _, index = b.ops("TopK", [d, b.const([int(knn.k)], np.int64, "k")], 2, axis=1, largest=0, sorted=1)
    found = b.op("Gather", [b.const(np.array([str(i) for i in step.ids], dtype=object), object, "ids"), index], axis=0)
    gone = missing_rows(b, knn.inputs)
    for name, r in step.ranks:
        ids = blank_rows(b, column(b, found, r - 1), gone, STRING)
        b.declare(ids, 1, STRING)
        out.extra[name] = ids
    return out


@emitter(VoteShares)
def vote_shares(step: VoteShares, b: Builder) -> Emitted:
    svm = step.model
    out = support_vector_machine(svm, b)
    votes = machine_votes(b, svm, machine_values(b, svm))
    shares = b.op("Div", [votes, b.const(float(len(np.asarray(svm.pairs))))], "probabilities")
    out.probabilities = blank_rows(b, shares, missing_rows(b, svm.inputs))
    return out


@emitter(CenterAffinities)
def center_affinities(step: CenterAffinities, b: Builder) -> Emitted:
    d = compared_distances(b, step.model) if isinstance(step.model, ComparedCenter) else center_distances(b, step.model)
    cluster, index = nearest_center_of(step.model, b, d)
    out = Emitted(cluster=cluster)
    known = [str(i) for i in step.model.ids]
    for name, wanted in step.wanted:
        if wanted is None:
            own = b.op("Unsqueeze", [index, b.const([1], np.int64, "axes")])
            value = b.op("GatherElements", [d, own], axis=1)
        else:
            value = column(b, d, known.index(str(wanted)))
        b.declare(value, 1)
        out.extra[name] = value
    return out
