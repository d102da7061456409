"""Helpers copied into generated Python for the scorecard step: a reader of its data (predicates as
nested tuples) doing the IR's arithmetic in the IR's order.

It stays codegen's own: interchange.ir.models.scorecard.Scorecard walks its dataclasses inline;
moving that loop into a plain kernel (interchange.ir.kernels) would let it go too, as the rule
set's did (interchange.ir.kernels.rules.select_rule, copied by source like the generalized-linear
kernels: interchange.codegen.python.kernels).
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
}
