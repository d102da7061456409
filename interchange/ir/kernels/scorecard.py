"""The IR's scorecard kernel (PMML 4.4 §Scorecard): interchange.ir.models.scorecard.Scorecard's arithmetic
on plain data, copied verbatim into generated Python.

Per characteristic, the partial score of its first attribute whose predicate is TRUE (a number, or
a column computed by an expression); no attribute TRUE makes the score missing. Reason codes rank
each code's points below (or above) the characteristic's baseline, most points first; equal points
keep document order; a code some characteristic gave is listed unless its points are negative (a code at
exactly 0 points is listed, as JPMML-Evaluator's createReasonCodeRanking reads PMML 4.4; pypmml lists only
positive points: formats/pmml/departures.py), a code no characteristic gave is not, and a missing score
has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["score_card"]


def score_card(
    card: tuple[float, Sequence[tuple[Sequence[tuple[Any, float | str, str | None]], float | None]], Sequence[str], bool, bool],
    truth: Callable[[Any], np.ndarray],
    env: Mapping[str, Any],
    n: int,
    reasons: Sequence[tuple[str, int]],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(score, {output: ranked reason code}) of the scorecard ``card``: (initial score, characteristics:
    (attributes: (predicate, partial score: a number or a column of ``env``, code), baseline) each,
    codes, ``below``: points are the baseline minus the partial score, whether to rank codes);
    ``reasons``: (output, rank) each; ``truth(p)``: where predicate ``p`` is TRUE."""
    initial, characteristics, codes, below, use_codes = card
    k = len(codes)
    total = np.full(n, float(initial))
    points = np.zeros((n, k))
    first = np.full((n, k), len(characteristics))  # the first characteristic giving a code points
    for i, (attributes, baseline) in enumerate(characteristics):
        todo = np.ones(n, dtype=bool)
        partial = np.full(n, np.nan)
        code = np.full(n, -1)
        for predicate, score, reason in attributes:
            hit = todo & truth(predicate)
            value = np.asarray(env[score], dtype=np.float64) if isinstance(score, str) else np.full(n, score)
            partial = np.where(hit, value, partial)
            if reason is not None:
                code = np.where(hit, list(codes).index(reason), code)
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
        given = np.take_along_axis(first, order, axis=1) < len(characteristics)
        ranked[~(given & (np.take_along_axis(points, order, axis=1) >= 0))] = None
        ranked[np.isnan(total)] = None
        extra = {name: ranked[:, r] if r < k else none for name, r in reasons}
    return total, extra
