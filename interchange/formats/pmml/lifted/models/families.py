"""NaiveBayesModel, NeuralNetwork and ClusteringModel on the fast path: the lift's IR steps
(formats/pmml/lift/models/families.py parses the elements) with PMML's edges added here.

A network's row with a missing input has no prediction (pypmml; PMML 4.4 defines no value for
it); a clustering model predicts the cluster id also as the value (a document without our
signature says "value") and keeps every cluster's distance for OutputField affinity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import compiler
from interchange.formats.pmml.fast.outputs import AFFINITY
from interchange.formats.pmml.lift.models.families import lift_clustering, lift_naive_bayes, lift_neural
from interchange.formats.pmml.lifted.step import lifted
from interchange.ir.graph import Env, ModelStep, Prediction, Step, matrix
from interchange.ir.models.cluster import NearestCenter

__all__: list[str] = []


@compiler("NaiveBayesModel")
def _naive_bayes(model: etree._Element, steps: list[Step]) -> ModelStep:
    return lifted(model, lift_naive_bayes)


@compiler("NeuralNetwork")
def _neural(model: etree._Element, steps: list[Step]) -> ModelStep:
    on = lifted(model, lift_neural)
    return replace(on, model=_Blanked(on.model.inputs, on.model))


@compiler("ClusteringModel")
def _clustering(model: etree._Element, steps: list[Step]) -> ModelStep:
    on = lifted(model, lift_clustering)
    assert isinstance(on.model, NearestCenter)
    return replace(on, model=_Clusters(on.model.inputs, on.model))


@dataclass(frozen=True)
class _Blanked(ModelStep):
    """The IR step's prediction with none on rows where an input is missing."""

    inputs: tuple[str, ...]
    step: ModelStep

    def predict(self, env: Env) -> Prediction:
        bad = np.isnan(matrix(env, self.inputs)).any(axis=1)
        return self.step.predict(env).finish().blank(bad)  # the label now, to blank it on those rows


@dataclass(frozen=True)
class _Clusters(ModelStep):
    """The nearest center's id as cluster and value, and every cluster's distance."""

    inputs: tuple[str, ...]
    step: NearestCenter

    def predict(self, env: Env) -> Any:
        d = self.step.distance_matrix(matrix(env, self.inputs))
        label = self.step.nearest(d).cluster
        return Prediction(cluster=label, value=label, extra={AFFINITY: (self.step.ids, d)})
