"""Helpers copied into generated Python for the scorecard and rule-set steps: readers of their
data (predicates as nested tuples) doing the IR's arithmetic in the IR's order.

They stay codegen's own: interchange.ir.models.scorecard.Scorecard and interchange.ir.models.rules.RuleSet walk
their dataclasses inline, in modules this package does not own; moving those loops into plain
kernels (interchange.ir.kernels) would let these go too. The generalized-linear kernels are the
IR's, copied by source (interchange.codegen.python.kernels).
"""

from __future__ import annotations

__all__ = ["GENERAL_HELPERS"]

GENERAL_HELPERS: dict[str, str] = {
    "_scorecard": '''
def _scorecard(env, n, card, reasons):
    """(score, {output: ranked reason code}) of a scorecard (interchange.ir.models.scorecard.Scorecard)."""
    initial, characteristics, codes, below, use_codes = card
    k = len(codes)
    total = np.full(n, float(initial))
    points = np.zeros((n, k))
    first = np.full((n, k), len(characteristics))
    for i, (attributes, baseline) in enumerate(characteristics):
        todo = np.ones(n, dtype=bool)
        partial = np.full(n, np.nan)
        code = np.full(n, -1)
        for predicate, score, reason in attributes:
            hit = todo & _truth(predicate, env, n)[0]
            value = np.asarray(env[score], dtype=np.float64) if isinstance(score, str) else np.full(n, score)
            partial = np.where(hit, value, partial)
            if reason is not None:
                code = np.where(hit, codes.index(reason), code)
            todo &= ~hit
        total = total + partial
        if use_codes and baseline is not None:
            diff = (baseline - partial) if below else (partial - baseline)
            for j in range(k):
                points[:, j] += np.where(code == j, diff, 0.0)
                first[:, j] = np.where(code == j, np.minimum(first[:, j], i), first[:, j])
    none = np.full(n, None, dtype=object)
    extra = {name: none for name, _ in reasons}
    if use_codes and reasons:
        order = np.lexsort((first, -points), axis=-1)
        ranked = np.asarray(codes, dtype=object)[order]
        ranked[~(np.take_along_axis(points, order, axis=1) > 0)] = None
        ranked[np.isnan(total)] = None
        extra = {name: ranked[:, r] if r < k else none for name, r in reasons}
    return total, extra
''',
    "_ruleset": '''
def _ruleset(env, n, rules, criterion, default):
    """The label a rule set selects (interchange.ir.models.rules.RuleSet)."""
    def fires(predicates):
        out = np.ones(n, dtype=bool)
        for p in predicates:
            out &= _truth(p, env, n)[0]
        return out

    label = np.full(n, default, dtype=object)
    if criterion == "firstHit":
        taken = np.zeros(n, dtype=bool)
        for predicates, score, _ in rules:
            hit = fires(predicates) & ~taken
            label[hit] = score
            taken |= hit
    elif criterion == "weightedMax":
        best = np.full(n, -np.inf)
        for predicates, score, weight in rules:
            hit = fires(predicates) & (weight > best)
            label[hit] = score
            best = np.where(hit, weight, best)
    else:
        scores = list(dict.fromkeys(score for _, score, _ in rules))
        totals = np.zeros((n, len(scores)))
        for predicates, score, weight in rules:
            totals[:, scores.index(score)] += np.where(fires(predicates), weight, 0.0)
        winner = np.asarray(scores, dtype=object)[np.argmax(totals, axis=1)] if scores else label
        label = np.where(totals.sum(axis=1) > 0, winner, label)
    return label
''',
}
