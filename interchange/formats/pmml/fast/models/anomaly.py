"""PMML 4.4 §AnomalyDetectionModel on the fast path: algorithmType="iforest".

The element wraps one model (a MiningModel averaging isolation trees' path lengths, as the DMG
example and isolation-forest writers give it) whose predicted value is the mean path length
``h``; the anomaly score is ``2 ** (-h / c(n))`` with ``n`` the sampleDataSize and
``c(n) = 2 H(n - 1) - 2 (n - 1) / n``, ``H(i) ~ ln(i) + Euler's constant`` (Liu et al.; PMML 4.4
states the same approximation). pypmml 1.5.8 writes the constant as 0.57721566, which moves a
score by about 1e-9 relative; the specification's value is used here (test_pmml_spec_jpmml.py
states the tolerance). A missing mean path length gives a missing score.

Declined: ocsvm and clusterMeanDist (the model's own score, and mean distances per cluster),
other algorithm types, sampleDataSize missing or below 2, a wrapped model that is not a regression.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from lxml import etree

from interchange.batch import num_rows as env_rows
from interchange.formats.pmml.fast.engine import INERT, Scoped, compile_model, compiler
from interchange.formats.pmml.parse import NotCovered, local
from interchange.formats.pmml.read.compile import elements
from interchange.ir.graph import Env, ModelStep, Prediction, Step
from interchange.ir.models.outlier import anomaly_score

__all__ = ["average_path_length", "iforest"]

EULER = 0.5772156649015329  # Euler-Mascheroni constant


def average_path_length(n: float) -> float:
    """c(n): the average path length of an unsuccessful search in a binary search tree of n points."""
    if n <= 1:
        return 0.0
    if n == 2:
        return 1.0
    return 2.0 * (math.log(n - 1.0) + EULER) - 2.0 * (n - 1.0) / n


@dataclass(frozen=True)
class _IsolationScore(ModelStep):
    """The wrapped model's mean path length turned into the iforest anomaly score."""

    inner: Scoped
    normaliser: float
    inputs: tuple[str, ...] = ()

    def predict(self, env: Env) -> Prediction:
        h = self.inner.predict(env).value  # a regression (checked when compiled)
        mean_path = np.full(env_rows(env), np.nan) if h is None else np.asarray(h, dtype=np.float64)
        return Prediction(value=anomaly_score(mean_path, self.normaliser))


@compiler("AnomalyDetectionModel")
def _anomaly(model: etree._Element, steps: list[Step]) -> ModelStep:
    inner, normaliser = iforest(model)
    return _IsolationScore(compile_model(inner), normaliser)


def iforest(model: etree._Element) -> tuple[etree._Element, float]:
    """An iforest AnomalyDetectionModel's wrapped regression model and c(sampleDataSize); NotCovered otherwise."""
    if model.get("algorithmType") != "iforest":
        raise NotCovered(f"AnomalyDetectionModel algorithmType={model.get('algorithmType')}")
    if model.get("functionName") != "regression":
        raise NotCovered(f"AnomalyDetectionModel functionName={model.get('functionName')}")
    try:
        n = float(model.get("sampleDataSize", ""))
    except ValueError:
        raise NotCovered("AnomalyDetectionModel iforest without a sampleDataSize") from None
    if not n >= 2:
        raise NotCovered(f"AnomalyDetectionModel sampleDataSize={n}")
    inner = [el for el in elements(model) if local(el) not in INERT | {"MeanClusterDistances"}]
    if len(inner) != 1 or inner[0].get("functionName") != "regression":
        raise NotCovered("AnomalyDetectionModel without exactly one regression model inside")
    return inner[0], average_path_length(n)
