"""Python emitters for the figures beside a prediction: RuleConfidence, NeighborIds, VoteShares and
CenterAffinities, each the model's own emitter followed by the IR's figure arithmetic
(``ir/models/rules.py``, ``ir/models/neighbors.py``, ``ir/models/svm.py``, ``ir/models/cluster.py``) over its locals.

The rule confidence reads the rule data the way ``_ruleset`` does, with each rule's confidence
(``_rule_confidence``, a reader of that data in RuleSet.select's order, codegen's own as
``_ruleset`` is).
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.expressions import predicate_data
from interchange.codegen.python.models.families import _neighbors, _svm
from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.python.runtime import HELPERS
from interchange.codegen.registry import emitter, lookup
from interchange.ir.models.cluster import CenterAffinities
from interchange.ir.models.neighbors import NeighborIds
from interchange.ir.models.rules import RuleConfidence
from interchange.ir.models.svm import VoteShares

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]

HELPERS["_rule_confidence"] = '''
def _rule_confidence(env, n, rules, criterion, default, default_confidence):
    """(label, confidence) a rule set selects (interchange.ir.models.rules.RuleSet.select)."""
    def fires(predicates):
        out = np.ones(n, dtype=bool)
        for p in predicates:
            out &= _truth(p, env, n)[0]
        return out

    label = np.full(n, default, dtype=object)
    confidence = np.full(n, np.nan if default_confidence is None else float(default_confidence))
    if criterion == "firstHit":
        taken = np.zeros(n, dtype=bool)
        for predicates, score, _, conf in rules:
            hit = fires(predicates) & ~taken
            label[hit] = score
            confidence[hit] = conf
            taken |= hit
    elif criterion == "weightedMax":
        best = np.full(n, -np.inf)
        for predicates, score, weight, conf in rules:
            hit = fires(predicates) & (weight > best)
            label[hit] = score
            confidence[hit] = conf
            best = np.where(hit, weight, best)
    else:
        scores = list(dict.fromkeys(score for _, score, _, _ in rules))
        totals = np.zeros((n, len(scores)))
        fired = np.zeros(n)
        for predicates, score, weight, _ in rules:
            hit = fires(predicates)
            totals[:, scores.index(score)] += np.where(hit, weight, 0.0)
            fired += hit
        winner = np.asarray(scores, dtype=object)[np.argmax(totals, axis=1)] if scores else label
        some = totals.sum(axis=1) > 0
        label = np.where(some, winner, label)
        with np.errstate(all="ignore"):
            confidence = np.where(some, totals.max(axis=1, initial=0.0) / fired, confidence)
    return label, confidence
'''


@emitter("python", RuleConfidence)
def _rule_confidence(step: RuleConfidence, out: PyWriter) -> Emitted:
    out.need("_rule_confidence")
    rs = step.rules
    rules = tuple(
        (tuple(predicate_data(p) for p in r.predicates), r.score, float(r.weight), float(r.confidence)) for r in rs.rules
    )
    data = out.const("RULES", rules)
    default_confidence = literal(None if rs.default_confidence is None else float(rs.default_confidence))
    call = f"_rule_confidence(env, n, {data}, {rs.criterion!r}, {literal(rs.default)}, {default_confidence})"
    return [f"label, confidence = {call}"], {"label": "label", **{f"extra:{name}": "confidence" for name in step.names}}


@emitter("python", NeighborIds)
def _neighbor_ids(step: NeighborIds, out: PyWriter) -> Emitted:
    lines, parts = _neighbors(step.model, out)
    ids = out.const("NEIGHBOR_IDS", np.asarray(step.ids, dtype=object))
    lines += [  # (``missing``: the rows with a missing input, which have no neighbours)
        f"found = {ids}[idx]",
        "found[missing] = None",
    ]
    return lines, {**parts, **{f"extra:{name}": f"found[:, {r - 1}]" for name, r in step.ranks}}


@emitter("python", VoteShares)
def _vote_shares(step: VoteShares, out: PyWriter) -> Emitted:
    lines, parts = _svm(step.model, out)
    machines = float(len(np.asarray(step.model.pairs)))
    lines += [  # (``missing``: the rows with a missing input)
        f"probabilities = np.where(missing[:, None], np.nan, votes / {literal(machines)})",
    ]
    return lines, {**parts, "probabilities": "probabilities"}


@emitter("python", CenterAffinities)
def _center_affinities(step: CenterAffinities, out: PyWriter) -> Emitted:
    lines, parts = lookup("python", step.model)(step.model, out)  # NearestCenter or ComparedCenter: both bind d
    known = [str(i) for i in step.model.ids]
    lines += [
        f"own = np.array([{literal(known)}.index(str(c)) if c is not None else -1 for c in cluster], dtype=np.int64)",
        "own_distance = np.where(own >= 0, d[np.arange(len(own)), np.maximum(own, 0)], np.nan)",
    ]
    figures = {
        f"extra:{name}": "own_distance" if cluster is None else f"d[:, {known.index(str(cluster))}]"
        for name, cluster in step.wanted
    }
    return lines, {**parts, **figures}
