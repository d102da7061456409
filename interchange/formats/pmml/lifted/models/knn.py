"""NearestNeighborModel on the fast path: the lift's IR NearestNeighbors (formats/pmml/lift/models/knn.py
parses the element) with PMML's edges added here.

A row with a missing KNNInput has no prediction and no neighbours (pypmml: every output
missing). OutputField entityId with rank r names the r-th nearest instance. Probability
outputs are each class's share of the k neighbours' (weighted) votes, scikit-learn's
predict_proba: PMML 4.4 does not define them for k-NN, pypmml 1.5.8 returns them missing and
JPMML-Evaluator 1.6 refuses such an OutputField (TypeCheckException: an AffinityDistribution
has no probability). A batch where training points of different categories tie at the k-th
distance goes to pypmml. weightedAverage / weightedMajorityVote weigh a neighbour by
1 / (distance + threshold), as PMML 4.4 and JPMML-Evaluator (pypmml divides by k once more).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import _check_schema, compiler
from interchange.formats.pmml.fast.outputs import ENTITY
from interchange.formats.pmml.lift.models.knn import instance_ids, lift_knn
from interchange.formats.pmml.lifted.step import lifted
from interchange.formats.pmml.parse import Defer, child, children
from interchange.ir.distances import distances
from interchange.ir.graph import Env, ModelStep, Prediction, Step, matrix
from interchange.ir.models.neighbors import NearestNeighbors

__all__: list[str] = []


@compiler("NearestNeighborModel")
def _knn(model: etree._Element, steps: list[Step]) -> ModelStep:
    _check_schema(model)
    on = lifted(model, lift_knn)
    knn = on.model
    assert isinstance(knn, NearestNeighbors)
    out = child(model, "Output")
    shares = any(f.get("feature") == "probability" for f in children(out, "OutputField")) if out is not None else False
    return replace(on, model=_Neighbours(knn.inputs, knn, instance_ids(model, knn.k), shares and knn.classes is not None))


@dataclass(frozen=True)
class _Neighbours(ModelStep):
    """The IR neighbours with PMML's missing inputs (no prediction) and neighbour ids."""

    inputs: tuple[str, ...]
    step: NearestNeighbors
    ids: tuple[str, ...] = ()  # instance ids, for OutputField entityId; empty: not asked for
    shares: bool = False  # probability outputs asked for

    def predict(self, env: Env) -> Prediction:
        knn = self.step
        X = matrix(env, self.inputs)
        bad = np.isnan(X).any(axis=1)
        if self.shares and len(knn.points) > knn.k:
            # which of several training points at the k-th distance are neighbours is not fixed,
            # and the vote shares depend on it: such a batch goes to pypmml
            d = distances(np.where(bad[:, None], 0.0, X)[:, None, :], np.asarray(knn.points)[None, :, :], knn.metric, knn.p)
            kth = np.partition(d, knn.k - 1, axis=1)[:, knn.k - 1 : knn.k]
            tied = d == kth
            t = np.asarray(knn.targets, dtype=np.float64)
            ambiguous = ((d < kth).sum(axis=1) + tied.sum(axis=1) > knn.k) & (
                np.where(tied, t, np.inf).min(axis=1) != np.where(tied, t, -np.inf).max(axis=1)
            )
            if (ambiguous & ~bad).any():
                raise Defer("training points of different categories tied at the k-th neighbour's distance")
        pred = knn.predict({n: np.where(bad, 0.0, X[:, j]) for j, n in enumerate(self.inputs)})
        if self.ids:
            idx, _ = knn.neighbours(np.where(bad[:, None], 0.0, X))
            found = np.asarray(self.ids, dtype=object)[idx]
            found[bad] = None
            pred = replace(pred, extra={**pred.extra, ENTITY: found})
        return pred.blank(bad)
