"""Fast-path compiler for SupportVectorMachineModel (PMML 4.4) into the IR's kernel machines.

Strict like the rest of the fast path: an attribute value, child element or semantics not
implemented exactly here raises NotCovered and the document runs on pypmml instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from lxml import etree

from interchange.batch import category_key, missing_mask
from interchange.formats.pmml.fast.engine import _check_schema, compiler
from interchange.formats.pmml.fast.models.families import _array, _classes, _elements, _num, _only, _root, _target
from interchange.formats.pmml.parse import Defer, NotCovered, child, children, local
from interchange.ir.graph import ModelStep, Prediction, Step, matrix
from interchange.ir.svm import SupportVectorMachine

__all__: list[str] = []

_KERNEL_DEFAULTS = {  # PMML 4.4 §SVM kernel types: gamma, coef0, degree default to 1
    "LinearKernelType": ("linear", False, False, False),
    "PolynomialKernelType": ("poly", True, True, True),
    "RadialBasisKernelType": ("rbf", True, False, False),
    "SigmoidKernelType": ("sigmoid", True, True, False),
}


@compiler("SupportVectorMachineModel")
def _svm(model: etree._Element, steps: list[Step]) -> ModelStep:
    """PMML 4.4 §SVM: f(x) = sum a_i K(x, x_i) + b per machine; OneAgainstOne voting.

    maxWins="false": a machine votes for targetCategory when f < threshold, else for
    alternateTargetCategory ("true": when f > threshold). Probabilities are vote shares. With three or more categories a batch
    holding a vote tie is deferred to pypmml (see _PMMLSVM).
    """
    _check_schema(model)
    _only(
        model,
        {
            "MiningSchema",
            "LocalTransformations",
            "Output",
            "ModelVerification",
            "ModelStats",
            "ModelExplanation",
            *_KERNEL_DEFAULTS,
            "VectorDictionary",
            "SupportVectorMachine",
        },
    )
    kernel_el = next((c for c in _elements(model) if local(c) in _KERNEL_DEFAULTS), None)
    if kernel_el is None:
        raise NotCovered("SupportVectorMachineModel without a kernel type")
    kernel, has_gamma, has_coef0, has_degree = _KERNEL_DEFAULTS[local(kernel_el)]
    params = {
        "gamma": _num(kernel_el, "gamma", 1.0) if has_gamma else 1.0,
        "coef0": _num(kernel_el, "coef0", 1.0) if has_coef0 else 0.0,
        "degree": _num(kernel_el, "degree", 1.0) if has_degree else 1.0,
    }
    dictionary = child(model, "VectorDictionary")
    fields_el = child(dictionary, "VectorFields") if dictionary is not None else None
    if fields_el is None:
        raise NotCovered("SupportVectorMachineModel without VectorFields")
    _only(fields_el, {"FieldRef", "CategoricalPredictor"})
    names, computed = [], {}
    for f in _elements(fields_el):
        if local(f) == "FieldRef":
            if f.get("mapMissingTo") is not None:
                raise NotCovered("VectorFields FieldRef with mapMissingTo")
            names.append(f.get("field"))
        else:  # PMML 4.4: an indicator, coefficient where the field equals value, else 0
            names.append(f"\0svm indicator {len(names)}")
            computed[names[-1]] = _indicator(f.get("name"), f.get("value"), _num(f, "coefficient", 1.0))
    inputs = tuple(names)
    representation = model.get("svmRepresentation", "SupportVectors")
    ids: list[str] = []
    vectors = []
    for vi in children(dictionary, "VectorInstance"):
        arrays = _elements(vi)
        if len(arrays) != 1:
            raise NotCovered("VectorInstance without exactly one array")
        ids.append(vi.get("id"))
        vectors.append(_array(arrays[0]))
    machines = children(model, "SupportVectorMachine")
    if representation == "Coefficients":
        if kernel != "linear":
            raise NotCovered("svmRepresentation=Coefficients with a non-linear kernel")
        ids, vectors = [str(j) for j in range(len(inputs))], list(np.eye(len(inputs)))
    elif representation != "SupportVectors":
        raise NotCovered(f"svmRepresentation={representation}")
    if any(len(v) != len(inputs) for v in vectors) or not machines:
        raise NotCovered("support vectors whose length differs from VectorFields")
    coef = np.zeros((len(machines), len(vectors)))
    intercept = np.zeros(len(machines))
    thresholds = np.full(len(machines), _num(model, "threshold", 0.0))
    position = {v: i for i, v in enumerate(ids)}
    for p, m in enumerate(machines):
        _only(m, {"SupportVectors", "Coefficients"})
        coefficients = child(m, "Coefficients")
        values = [_num(c, "value", 0.0) for c in children(coefficients, "Coefficient")]
        intercept[p] = _num(coefficients, "absoluteValue", 0.0)
        if representation == "Coefficients":
            refs = ids
        else:
            refs = [sv.get("vectorId") for sv in children(child(m, "SupportVectors"), "SupportVector")]
        if len(refs) != len(values) or any(r not in position for r in refs):
            raise NotCovered("SupportVectors and Coefficients that do not pair up")
        for r, v in zip(refs, values, strict=True):
            coef[p, position[r]] += v
        thresholds[p] = _num(m, "threshold", thresholds[p])
    step: dict[str, Any] = {"kernel": kernel, "vectors": np.array(vectors), "coef": coef, "intercept": intercept, **params}
    if model.get("functionName") == "regression":
        if len(machines) != 1:
            raise NotCovered("regression with several SupportVectorMachine elements")
        return _PMMLSVM(inputs, computed=computed, **step)
    if model.get("functionName") != "classification":
        raise NotCovered(f"SupportVectorMachineModel functionName={model.get('functionName')}")
    classes = _classes(model, _root(model), _target(model))
    method = model.get("classificationMethod", "OneAgainstAll")
    pairs = []
    for m in machines:
        first, second = m.get("targetCategory"), m.get("alternateTargetCategory")
        if first is None:
            raise NotCovered("SupportVectorMachine without targetCategory")
        if second is None and len(machines) == 1 and len(classes) == 2 and first in classes:
            second = classes[1] if classes[0] == first else classes[0]  # binary: the other category
        if second is None or (method != "OneAgainstOne" and len(machines) != 1):
            raise NotCovered("OneAgainstAll classification (winner by machine value) is not covered")
        for c in (first, second):
            if c not in classes:
                classes.append(c)
        pairs.append((classes.index(first), classes.index(second)))
    first_when: Literal[">", "<"] = ">" if model.get("maxWins", "false") == "true" else "<"
    return _PMMLSVM(
        inputs,
        computed=computed,
        classes=tuple(classes),
        pairs=np.array(pairs),
        threshold=thresholds,
        first_when=first_when,
        **step,
    )


def _indicator(name: str | None, value: str | None, coefficient: float) -> Any:
    """A CategoricalPredictor of VectorFields as a column; a batch where the field is missing
    goes to pypmml (PMML 4.4 leaves that case open)."""
    if name is None or value is None:
        raise NotCovered("CategoricalPredictor without name or value")

    def column(s: Any) -> np.ndarray:
        values = s[name]
        if missing_mask(np.asarray(values)).any():
            raise Defer("a missing value in an SVM's CategoricalPredictor")
        return np.array([coefficient if category_key(v) == value else 0.0 for v in values.tolist()])

    return column


@dataclass(frozen=True)
class _PMMLSVM(SupportVectorMachine):
    """The IR machines with PMML's edges: a row with a missing input has no prediction (as
    pypmml gives), and with three or more categories a batch holding a one-vs-one vote tie goes
    to pypmml (Defer): PMML 4.4 gives a tie to "the first category with maximal number of
    votes", an order it does not pin down, and pypmml 1.5.8 takes its hash-map order
    (svm_ovo_rbf: "maybe", the last category, on 1-1-1 ties)."""

    computed: dict[str, Any] = field(default_factory=dict)  # indicator columns of CategoricalPredictors

    def predict(self, env: Any) -> Prediction:
        X = matrix(env.child(self.computed) if self.computed else env, self.inputs)
        missing = np.isnan(X).any(axis=1)
        f = self.machine_values(np.where(missing[:, None], 0.0, X))
        if self.classes is None:
            return Prediction(value=f[:, 0]).blank(missing)
        votes = self.votes(f)
        tied = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) > 1
        if len(self.classes) > 2 and (tied & ~missing).any():
            raise Defer("one-vs-one vote tie")
        label = np.asarray(self.classes, dtype=object)[np.argmax(votes, axis=1)]
        # probability outputs: each category's share of the machines' votes, as JPMML-Evaluator and
        # pypmml 1.5.8 give them (PMML 4.4 does not define probabilities for SVMs)
        assert self.pairs is not None  # a classifier's machines always name their class pairs
        return Prediction(classes=self.classes, label=label, probabilities=votes / len(self.pairs)).blank(missing)
