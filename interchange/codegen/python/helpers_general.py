"""Helpers copied into generated Python for the general linear, scorecard and rule-set steps: the
IR's own arithmetic (interchange.ir.general, links, scorecard, rules) in the IR's order."""

from __future__ import annotations

__all__ = ["GENERAL_HELPERS"]

GENERAL_HELPERS: dict[str, str] = {
    "_inverse_link": '''
def _inverse_link(e, name, parameter=0.0):
    """mu = g^-1(eta) for PMML 4.4 linkFunction ``name`` (interchange.ir.general.inverse_link)."""
    import math

    with np.errstate(all="ignore"):
        if name == "identity":
            return e
        if name == "log":
            return np.exp(e)
        if name == "logc":
            return 1.0 - np.exp(e)
        if name == "logit":
            return 1.0 / (1.0 + np.exp(-e))
        if name == "probit":
            y = np.asarray(e, dtype=np.float64)
            return np.asarray(np.frompyfunc(math.erfc, 1, 1)(-y / math.sqrt(2.0)), dtype=np.float64) * 0.5
        if name == "cloglog":
            return 1.0 - np.exp(-np.exp(e))
        if name == "loglog":
            return np.exp(-np.exp(-e))
        if name == "cauchit":
            return 0.5 + np.arctan(e) / np.pi
        if name == "exp":
            return np.exp(e)
        if name == "negbin":
            return 1.0 / (parameter * (np.exp(-e) - 1.0))
        if name == "power":
            return np.power(e, 1.0 / parameter) if parameter != 0 else np.exp(e)
        if name == "oddspower":
            if parameter == 0:
                return 1.0 / (1.0 + np.exp(-e))
            return 1.0 / (1.0 + np.power(1.0 + parameter * e, -1.0 / parameter))
    raise ValueError("unknown link %r" % (name,))
''',
    "_cumulative": '''
def _cumulative(eta, link):
    """Ordinal probabilities: differences of neighbouring cumulative probabilities."""
    cumulative = _inverse_link(eta, link)
    n = len(cumulative)
    probs = np.diff(np.column_stack([np.zeros(n), cumulative, np.ones(n)]), axis=1)
    probs[np.isnan(cumulative).any(axis=1)] = np.nan
    return probs
''',
    "_normalized": '''
def _normalized(y, normalization):
    """PMML 4.4 classification normalisations (interchange.ir.general.NormalizedClassifier)."""
    with np.errstate(all="ignore"):
        if normalization == "simplemax":
            probs = y / y.sum(axis=1, keepdims=True)
        else:
            head = y[:, :-1] if normalization == "none" else _inverse_link(y[:, :-1], normalization)
            if normalization == "none" and y.shape[1] == 2:  # clamped, as the IR (and the PMML engines)
                head = np.clip(head, 0.0, 1.0)
            probs = np.column_stack([head, 1.0 - head.sum(axis=1)])
    probs[np.isnan(y).any(axis=1)] = np.nan
    return probs
''',
    "_scorecard": '''
def _scorecard(env, n, card, reasons):
    """(score, {output: ranked reason code}) of a scorecard (interchange.ir.scorecard.Scorecard)."""
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
    """The label a rule set selects (interchange.ir.rules.RuleSet)."""
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
