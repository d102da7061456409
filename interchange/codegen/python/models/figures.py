"""Python emitters for the figures beside a prediction: RuleConfidence, NeighborIds, VoteShares and
CenterAffinities, each the model's own emitter followed by the IR's figure arithmetic
(``ir/models/rules.py``, ``ir/models/neighbors.py``, ``ir/models/svm.py``, ``ir/models/cluster.py``) over its locals.

The rule confidence is the second result of the rule set's own call (interchange.ir.kernels.rules.select_rule).
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.models.families import _neighbors, _svm
from interchange.codegen.python.models.general import select_call
from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.registry import emitter, lookup
from interchange.ir.models.cluster import CenterAffinities
from interchange.ir.models.neighbors import NeighborIds
from interchange.ir.models.rules import RuleConfidence
from interchange.ir.models.svm import VoteShares

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


@emitter("python", RuleConfidence)
def _rule_confidence(step: RuleConfidence, out: PyWriter) -> Emitted:
    figures = {f"extra:{name}": "confidence" for name in step.names}
    return [f"label, confidence = {select_call(step.rules, out)}"], {"label": "label", **figures}


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
