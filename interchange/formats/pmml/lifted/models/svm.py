"""SupportVectorMachineModel on the fast path: the lift's IR machines (formats/pmml/lift/models/svm.py
parses the element) with PMML's edges added here.

A row with a missing input has no prediction (as pypmml gives); a batch where a
CategoricalPredictor's field is missing goes to pypmml (PMML 4.4 leaves that case open); with
three or more categories a batch holding a one-vs-one vote tie goes to pypmml: PMML 4.4 gives a
tie to "the first category with maximal number of votes", an order it does not pin down, and
pypmml 1.5.8 takes its hash-map order (svm_ovo_rbf: "maybe", the last category, on 1-1-1 ties).
Probabilities are vote shares, as JPMML-Evaluator and pypmml 1.5.8 give them (PMML 4.4 does not
define probabilities for SVMs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from lxml import etree

from interchange.batch import missing_mask
from interchange.formats.pmml.fast.engine import compiler
from interchange.formats.pmml.lift.models.svm import lift_svm
from interchange.formats.pmml.lifted.step import lifted
from interchange.formats.pmml.parse import Defer
from interchange.ir.graph import Env, ModelStep, Prediction, Step, matrix
from interchange.ir.models.svm import SupportVectorMachine

__all__: list[str] = []


@compiler("SupportVectorMachineModel")
def _svm(model: etree._Element, steps: list[Step]) -> ModelStep:
    on = lifted(model, lift_svm)
    assert isinstance(on.model, SupportVectorMachine)
    categorical = tuple(dict.fromkeys(name for s in on.steps for name in s.inputs))  # the indicators' fields
    return replace(on, model=_PMMLSVM(on.model.inputs, on.model, categorical))


@dataclass(frozen=True)
class _PMMLSVM(ModelStep):
    """The IR machines' votes with PMML's edges."""

    inputs: tuple[str, ...]
    step: SupportVectorMachine
    categorical: tuple[str, ...]

    def predict(self, env: Env) -> Prediction:
        for name in self.categorical:
            if missing_mask(np.asarray(env[name])).any():
                raise Defer("a missing value in an SVM's CategoricalPredictor")
        svm = self.step
        X = matrix(env, self.inputs)
        missing = np.isnan(X).any(axis=1)
        f = svm.machine_values(np.where(missing[:, None], 0.0, X))
        if svm.classes is None:
            return Prediction(value=f[:, 0]).blank(missing)
        votes = svm.votes(f)
        tied = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) > 1
        if len(svm.classes) > 2 and (tied & ~missing).any():
            raise Defer("one-vs-one vote tie")
        label = np.asarray(svm.classes, dtype=object)[np.argmax(votes, axis=1)]
        assert svm.pairs is not None  # a classifier's machines always name their class pairs
        return Prediction(classes=svm.classes, label=label, probabilities=votes / len(svm.pairs)).blank(missing)
