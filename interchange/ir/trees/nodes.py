"""Figures of the tree node a row ends in, reported beside a tree's prediction.

PMML 4.4 §Output ``feature="entityId"`` of a TreeModel is the id of the Node that gave the
prediction, ``feature="confidence"`` that Node's ScoreDistribution confidence of the predicted
category. The lift keeps, per node of the IR's binary tree, the PMML Node it stands for (a leaf,
or the Node whose score a missing value or a failed test leaves a row with); a row ending in no
prediction has no entity id and no confidence (missing, as JPMML-Evaluator gives them; pypmml
1.5.8 gives the empty text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.ir.graph import Env, ModelStep, Prediction, matrix
from interchange.ir.trees.ensemble import TreeEnsemble

__all__ = ["NodeFigures"]


@dataclass(frozen=True)
class NodeFigures(ModelStep):
    """``model``'s prediction (a one-tree ensemble) with, per row, figures of the node it ends in.

    ``ids`` and ``confidences`` hold one entry per node of ``model.trees[0]`` (None / NaN: no
    figure there); ``entity`` and ``confidence`` name the outputs that report them.
    """

    model: TreeEnsemble
    ids: tuple[Any, ...]
    confidences: tuple[float, ...]
    entity: tuple[str, ...] = ()
    confidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.model.trees) != 1:
            raise ValueError("node figures are those of one tree")
        nodes = len(self.model.trees[0].feature)
        if len(self.ids) != nodes or len(self.confidences) != nodes:
            raise ValueError(f"node figures need one id and one confidence per node ({nodes})")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.model.inputs

    @property
    def classes(self) -> tuple[Any, ...] | None:
        """The tree's classes (None: a regression), as writers read them off a model step."""
        return self.model.classes

    @property
    def figures(self) -> tuple[str, ...]:
        """The output fields this step gives beside the model's prediction."""
        return (*self.entity, *self.confidence)

    def predict(self, env: Env) -> Prediction:
        X = matrix(env, self.model.inputs)
        pred = self.model.predict_matrix(X)
        node = self.model.leaves(X)[:, 0]
        ids = np.asarray(self.ids, dtype=object)[node]
        confidence = np.asarray(self.confidences, dtype=np.float64)[node]
        for name in self.entity:
            pred.extra[name] = ids
        for name in self.confidence:
            pred.extra[name] = confidence
        return pred
