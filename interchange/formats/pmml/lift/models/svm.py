"""PMML 4.4 SupportVectorMachineModel lifted into the IR's kernel machines (ir.svm).

The one parser of the element: the lift uses it and the fast path evaluates what it builds
(fast/models/svm.py adds PMML's edges: missing inputs, vote ties). A CategoricalPredictor of
VectorFields becomes a Derive step (coefficient where the field equals the value, else 0).
maxWins="false" (a machine votes for targetCategory when f < threshold) with zero thresholds is
written in libsvm's orientation (-f > 0), in which the IR also gives scikit-learn's decision values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast.engine import _check_schema
from interchange.formats.pmml.lift.models.families import SCOPED, array, classes_of, elements, num, only
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.derive.expressions import Call, Const, Indicator, Ref
from interchange.ir.models.svm import SupportVectorMachine, VoteShares

if TYPE_CHECKING:
    from interchange.formats.pmml.lift.models.elements import LiftContext

__all__ = ["lift_svm", "lift_svm_outputs"]

_KERNEL_DEFAULTS = {  # PMML 4.4 §SVM kernel types: gamma, coef0, degree default to 1
    "LinearKernelType": ("linear", False, False, False),
    "PolynomialKernelType": ("poly", True, True, True),
    "RadialBasisKernelType": ("rbf", True, False, False),
    "SigmoidKernelType": ("sigmoid", True, True, False),
}


def _vector_fields(dictionary: etree._Element | None, lc: LiftContext) -> tuple[str, ...]:
    fields_el = child(dictionary, "VectorFields") if dictionary is not None else None
    if fields_el is None:
        raise NotCovered("SupportVectorMachineModel without VectorFields")
    only(fields_el, {"FieldRef", "CategoricalPredictor"})
    names = []
    for f in elements(fields_el):
        if local(f) == "FieldRef":
            if f.get("mapMissingTo") is not None:
                raise NotCovered("VectorFields FieldRef with mapMissingTo")
            names.append(f.get("field"))
            continue
        name, value, coefficient = f.get("name"), f.get("value"), f.get("coefficient", "1")
        if name is None or value is None:
            raise NotCovered("CategoricalPredictor without name or value")
        typed: Any = float(value) if lc.ctx.numeric(name) else value
        expr = Call("*", (Indicator(Ref(name), typed), Const(num(f, "coefficient", 1.0))))
        names.append(lc.derive(f"{name}=={value}*{coefficient}", expr))
    return tuple(names)


def _machines(model: etree._Element, dictionary: etree._Element, inputs: tuple[str, ...], kernel: str) -> dict[str, Any]:
    """Support vectors and each machine's coefficients over them, intercepts and thresholds."""
    representation = model.get("svmRepresentation", "SupportVectors")
    ids: list[str] = []
    vectors = []
    for vi in children(dictionary, "VectorInstance"):
        arrays = elements(vi)
        if len(arrays) != 1:
            raise NotCovered("VectorInstance without exactly one array")
        ids.append(vi.get("id"))
        vectors.append(array(arrays[0]))
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
    thresholds = np.full(len(machines), num(model, "threshold", 0.0))
    position = {v: i for i, v in enumerate(ids)}
    for p, m in enumerate(machines):
        only(m, {"SupportVectors", "Coefficients"})
        coefficients = child(m, "Coefficients")
        values = [num(c, "value", 0.0) for c in children(coefficients, "Coefficient")]
        intercept[p] = num(coefficients, "absoluteValue", 0.0)
        if representation == "Coefficients":
            refs = ids
        else:
            refs = [sv.get("vectorId") for sv in children(child(m, "SupportVectors"), "SupportVector")]
        if len(refs) != len(values) or any(r not in position for r in refs):
            raise NotCovered("SupportVectors and Coefficients that do not pair up")
        for r, v in zip(refs, values, strict=True):
            coef[p, position[r]] += v
        thresholds[p] = num(m, "threshold", thresholds[p])
    return {"vectors": np.array(vectors), "coef": coef, "intercept": intercept, "threshold": thresholds}


def lift_svm_outputs(model: etree._Element, lc: LiftContext) -> SupportVectorMachine | VoteShares:
    """:func:`lift_svm`, with vote shares as the probabilities a classifier's OutputFields ask for."""
    svm = lift_svm(model, lc)
    out = child(model, "Output")
    asked = any(of.get("feature") == "probability" for of in children(out, "OutputField")) if out is not None else False
    return VoteShares(svm) if asked and svm.classes is not None else svm


def lift_svm(model: etree._Element, lc: LiftContext) -> SupportVectorMachine:
    """PMML 4.4 §SVM: f(x) = sum a_i K(x, x_i) + b per machine; OneAgainstOne voting (a binary
    model's one machine names the other category implicitly)."""
    _check_schema(model)
    only(model, SCOPED | {*_KERNEL_DEFAULTS, "VectorDictionary", "SupportVectorMachine"})
    kernel_el = next((c for c in elements(model) if local(c) in _KERNEL_DEFAULTS), None)
    if kernel_el is None:
        raise NotCovered("SupportVectorMachineModel without a kernel type")
    kernel, has_gamma, has_coef0, has_degree = _KERNEL_DEFAULTS[local(kernel_el)]
    params = {
        "gamma": num(kernel_el, "gamma", 1.0) if has_gamma else 1.0,
        "coef0": num(kernel_el, "coef0", 1.0) if has_coef0 else 0.0,
        "degree": num(kernel_el, "degree", 1.0) if has_degree else 1.0,
    }
    dictionary = child(model, "VectorDictionary")
    inputs = _vector_fields(dictionary, lc)
    step = _machines(model, dictionary, inputs, kernel)
    thresholds = step.pop("threshold")
    machines = children(model, "SupportVectorMachine")
    if model.get("functionName") == "regression":
        if len(machines) != 1:
            raise NotCovered("regression with several SupportVectorMachine elements")
        return SupportVectorMachine(inputs, kernel, **step, **params)  # type: ignore[arg-type]
    if model.get("functionName") != "classification":
        raise NotCovered(f"SupportVectorMachineModel functionName={model.get('functionName')}")
    classes = classes_of(model)
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
    voting: dict[str, Any] = {"classes": tuple(classes), "pairs": np.array(pairs)}
    voting.update(threshold=thresholds, first_when=first_when)
    if first_when == "<" and not np.any(thresholds):  # f < 0 is -f > 0: libsvm's orientation
        step.update(coef=-step["coef"], intercept=-step["intercept"])
        voting.update(threshold=None, first_when=">")
    return SupportVectorMachine(inputs, kernel, **step, **params, **voting)  # type: ignore[arg-type]
