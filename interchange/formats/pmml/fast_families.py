"""Fast-path compilers for SupportVectorMachineModel, NaiveBayesModel, NeuralNetwork and
ClusteringModel (PMML 4.4), into the IR model steps of each family (NearestNeighborModel: fast_knn).

Strict like the rest of the fast path: an attribute value, child element or semantics not
implemented exactly here raises NotCovered and the document runs on pypmml instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast import _check_schema, compiler
from interchange.formats.pmml.fast_outputs import AFFINITY
from interchange.formats.pmml.parse import Defer, NotCovered, child, children, local
from interchange.ir.cluster import NearestCenter
from interchange.ir.graph import ModelStep, Prediction, Step, matrix
from interchange.ir.naive_bayes import GaussianNaiveBayes
from interchange.ir.neural import NeuralNetwork
from interchange.ir.svm import SupportVectorMachine

__all__: list[str] = []


def _elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and local(c) != "Extension"]


def _only(el: etree._Element, allowed: set[str]) -> None:
    for c in _elements(el):
        if local(c) not in allowed:
            raise NotCovered(f"<{local(c)}> in <{local(el)}>")


def _num(el: etree._Element, attr: str, default: float | None = None) -> float:
    value = el.get(attr)
    if value is None:
        if default is None:
            raise NotCovered(f"<{local(el)}> without {attr}")
        return default
    return float(value)


def _array(el: etree._Element) -> np.ndarray:
    """PMML 4.4 §Array (type real/int) or REAL-SparseArray (1-based Indices) as float64."""
    if local(el) == "Array":
        if el.get("type") not in ("real", "int"):
            raise NotCovered(f"Array type={el.get('type')}")
        values = np.array([float(v) for v in (el.text or "").split()])
        if el.get("n") is not None and int(el.get("n")) != len(values):
            raise NotCovered("Array whose n differs from its length")
        return values
    if local(el) in ("REAL-SparseArray", "INT-SparseArray"):
        out = np.full(int(el.get("n")), float(el.get("defaultValue", "0")))
        idx = child(el, "Indices")
        vals = child(el, "REAL-Entries") if child(el, "REAL-Entries") is not None else child(el, "INT-Entries")
        if (idx is None) != (vals is None):
            raise NotCovered("a sparse array with indices but no entries, or entries but no indices")
        if idx is not None and vals is not None:  # (an element without children is falsy in lxml)
            out[np.array([int(i) for i in (idx.text or "").split()]) - 1] = [float(v) for v in (vals.text or "").split()]
        return out
    raise NotCovered(f"array <{local(el)}>")


def _classes(model: etree._Element, root: etree._Element, target: str | None) -> list[str]:
    """The target's valid values in DataDictionary order (empty when it lists none)."""
    dd = child(root, "DataDictionary")
    for f in children(dd, "DataField") if dd is not None else []:
        if f.get("name") == target:
            return [v.get("value") for v in children(f, "Value") if v.get("property", "valid") == "valid"]
    return []


def _target(model: etree._Element) -> str | None:
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            return mf.get("name")
    return None


def _no_probability_outputs(model: etree._Element) -> None:
    out = child(model, "Output")
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature") == "probability":
            raise NotCovered(f"probability outputs of <{local(model)}> (not defined by PMML 4.4 for it)")


# --- SupportVectorMachineModel ------------------------------------------------------------

_KERNEL_DEFAULTS = {  # PMML 4.4 §SVM kernel types: gamma, coef0, degree default to 1
    "LinearKernelType": ("linear", False, False, False),
    "PolynomialKernelType": ("poly", True, True, True),
    "RadialBasisKernelType": ("rbf", True, False, False),
    "SigmoidKernelType": ("sigmoid", True, True, False),
}


_BASE = frozenset({"MiningSchema", "Output", "ModelStats", "ModelExplanation", "ModelVerification"})


@compiler("SupportVectorMachineModel")
def _svm(model: etree._Element, steps: list[Step]) -> ModelStep:
    """PMML 4.4 §SVM: f(x) = sum a_i K(x, x_i) + b per machine; OneAgainstOne voting.

    maxWins="false": a machine votes for targetCategory when f < threshold, else for
    alternateTargetCategory ("true": when f > threshold). With three or more categories a batch
    holding a vote tie is deferred to pypmml (see _PMMLSVM).
    """
    _check_schema(model)
    _no_probability_outputs(model)
    _only(
        model,
        {
            "MiningSchema",
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
    _only(fields_el, {"FieldRef"})
    inputs = tuple(f.get("field") for f in children(fields_el, "FieldRef"))
    if any(f.get("mapMissingTo") is not None for f in children(fields_el, "FieldRef")):
        raise NotCovered("VectorFields FieldRef with mapMissingTo")
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
        return _PMMLSVM(inputs, **step)
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
    first_when = ">" if model.get("maxWins", "false") == "true" else "<"
    return _PMMLSVM(inputs, classes=tuple(classes), pairs=np.array(pairs), threshold=thresholds, first_when=first_when, **step)


class _PMMLSVM(SupportVectorMachine):
    """The IR machines with PMML's edges: a row with a missing input has no prediction (as
    pypmml gives), and with three or more categories a batch holding a one-vs-one vote tie goes
    to pypmml (Defer): PMML 4.4 gives a tie to "the first category with maximal number of
    votes", an order it does not pin down, and pypmml 1.5.8 takes its hash-map order
    (svm_ovo_rbf: "maybe", the last category, on 1-1-1 ties)."""

    def predict(self, env: Any) -> Prediction:
        X = matrix(env, self.inputs)
        missing = np.isnan(X).any(axis=1)
        f = self.machine_values(np.where(missing[:, None], 0.0, X))
        if self.classes is None:
            return Prediction(value=np.where(missing, np.nan, f[:, 0]))
        votes = self.votes(f)
        tied = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) > 1
        if len(self.classes) > 2 and (tied & ~missing).any():
            raise Defer("one-vs-one vote tie")
        label = np.asarray(self.classes, dtype=object)[np.argmax(votes, axis=1)]
        label[missing] = None
        return Prediction(classes=self.classes, label=label)


def _root(el: etree._Element) -> etree._Element:
    while el.getparent() is not None:
        el = el.getparent()
    return el


# --- NearestNeighborModel -----------------------------------------------------------------

_MEASURES = {"euclidean": "euclidean", "squaredEuclidean": "squaredEuclidean", "cityBlock": "manhattan", "minkowski": "minkowski"}


def _measure(el: etree._Element | None) -> tuple[str, float]:
    """PMML 4.4 §ComparisonMeasure: distance kind, absDiff, one of four measures."""
    if el is None or el.get("kind") != "distance" or el.get("compareFunction", "absDiff") != "absDiff":
        raise NotCovered("ComparisonMeasure other than a distance with absDiff")
    if el.get("minimum") is not None or el.get("maximum") is not None:
        raise NotCovered("ComparisonMeasure minimum/maximum")
    measures = _elements(el)
    if len(measures) != 1 or local(measures[0]) not in _MEASURES:
        raise NotCovered(f"comparison measure {[local(m) for m in measures]}")
    p = _num(measures[0], "p-parameter") if local(measures[0]) == "minkowski" else 2.0
    return _MEASURES[local(measures[0])], p


# (the NearestNeighborModel compiler is in fast_knn)


# --- NaiveBayesModel ----------------------------------------------------------------------


@compiler("NaiveBayesModel")
def _naive_bayes(model: etree._Element, steps: list[Step]) -> ModelStep:
    """PMML 4.4 §NaiveBayes with Gaussian inputs: log count + sum log max(threshold, density);
    a missing input is left out."""
    _check_schema(model)
    _only(model, _BASE | {"BayesInputs", "BayesOutput"})
    counts_el = child(child(model, "BayesOutput"), "TargetValueCounts")
    counts = {c.get("value"): _num(c, "count") for c in children(counts_el, "TargetValueCount")}
    classes = _classes(model, _root(model), _target(model)) or list(counts)
    inputs, means, variances = [], [], []
    for bi in children(child(model, "BayesInputs"), "BayesInput"):
        _only(bi, {"TargetValueStats"})
        stats = {}
        for s in children(child(bi, "TargetValueStats"), "TargetValueStat"):
            dists = _elements(s)
            if len(dists) != 1 or local(dists[0]) != "GaussianDistribution":
                raise NotCovered("BayesInput with a distribution other than Gaussian")
            stats[s.get("value")] = (_num(dists[0], "mean"), _num(dists[0], "variance"))
        if set(stats) != set(classes):
            raise NotCovered("TargetValueStats that do not cover every target category")
        inputs.append(bi.get("fieldName"))
        means.append([stats[c][0] for c in classes])
        variances.append([stats[c][1] for c in classes])
    with np.errstate(divide="ignore"):
        log_prior = np.log(np.array([counts.get(c, 0.0) for c in classes]))
    return GaussianNaiveBayes(
        tuple(inputs), tuple(classes), np.array(means).T, np.array(variances).T, log_prior, floor=_num(model, "threshold")
    )


# --- NeuralNetwork ------------------------------------------------------------------------

_ACTIVATIONS = {"identity": "identity", "logistic": "logistic", "tanh": "tanh", "rectifier": "relu"}


@compiler("NeuralNetwork")
def _neural(model: etree._Element, steps: list[Step]) -> ModelStep:
    """PMML 4.4 §NeuralNetwork: layers fed only by the layer before; identity / logistic /
    tanh / rectifier; softmax (or none) normalisation on the last layer only."""
    _check_schema(model)
    _only(
        model,
        _BASE
        | {
            "NeuralInputs",
            "NeuralLayer",
            "NeuralOutputs",
        },
    )
    default_act = model.get("activationFunction")
    default_norm = model.get("normalizationMethod", "none")
    inputs, previous = [], []
    for ni in children(child(model, "NeuralInputs"), "NeuralInput"):
        body = _elements(child(ni, "DerivedField")) if child(ni, "DerivedField") is not None else []
        if len(body) != 1 or local(body[0]) != "FieldRef" or body[0].get("mapMissingTo") is not None:
            raise NotCovered("NeuralInput other than a plain FieldRef")
        inputs.append(body[0].get("field"))
        previous.append(ni.get("id"))
    layers = children(model, "NeuralLayer")
    weights, biases, activations = [], [], []
    for n, layer in enumerate(layers):
        act = layer.get("activationFunction", default_act)
        norm = layer.get("normalizationMethod", default_norm)
        if act not in _ACTIVATIONS:
            raise NotCovered(f"activationFunction={act}")
        if norm not in ("none", "softmax") or (norm == "softmax" and n != len(layers) - 1):
            raise NotCovered(f"normalizationMethod={norm} on layer {n}")
        neurons = children(layer, "Neuron")
        W = np.zeros((len(previous), len(neurons)))
        for u, neuron in enumerate(neurons):
            for con in children(neuron, "Con"):
                if con.get("from") not in previous:
                    raise NotCovered("a connection skipping a layer")
                W[previous.index(con.get("from")), u] += _num(con, "weight")
        weights.append(W)
        biases.append(np.array([_num(neuron, "bias", 0.0) for neuron in neurons]))
        activations.append(_ACTIVATIONS[act])
        previous = [neuron.get("id") for neuron in neurons]
    if not layers:
        raise NotCovered("NeuralNetwork without layers")
    outputs = children(child(model, "NeuralOutputs"), "NeuralOutput")
    order, classes = [], []
    for out in outputs:
        body = _elements(child(out, "DerivedField")) if child(out, "DerivedField") is not None else []
        if len(body) != 1 or out.get("outputNeuron") not in previous:
            raise NotCovered("NeuralOutput not fed by the last layer")
        order.append(previous.index(out.get("outputNeuron")))
        if local(body[0]) == "NormDiscrete" and model.get("functionName") == "classification":
            classes.append(body[0].get("value"))
        elif local(body[0]) != "FieldRef" or model.get("functionName") != "regression":
            raise NotCovered(f"NeuralOutput <{local(body[0])}>")
    softmax = layers[-1].get("normalizationMethod", default_norm) == "softmax"
    if model.get("functionName") == "regression":
        if len(order) != 1 or softmax:
            raise NotCovered("regression network with other than one plain output")
    else:
        known = _classes(model, _root(model), _target(model))
        if (known and sorted(known) != sorted(classes)) or len(set(order)) != len(order) or len(order) != len(previous):
            raise NotCovered("classification outputs that are not one neuron per category")
    weights[-1], biases[-1] = weights[-1][:, order], biases[-1][order]  # output neurons in output order
    return NeuralNetwork(
        tuple(inputs),
        tuple(weights),
        tuple(biases),
        tuple(activations),
        output="softmax" if softmax else "identity",
        classes=tuple(classes) if classes else None,
    )


# --- ClusteringModel ----------------------------------------------------------------------


@compiler("ClusteringModel")
def _clustering(model: etree._Element, steps: list[Step]) -> ModelStep:
    """PMML 4.4 §Clustering, center-based: the first cluster at the smallest distance; missing
    inputs are left out and the distance scaled by sum(q) / sum(q of present fields)."""
    _check_schema(model)
    _only(
        model,
        _BASE
        | {
            "ComparisonMeasure",
            "ClusteringField",
            "MissingValueWeights",
            "Cluster",
        },
    )
    if model.get("modelClass") != "centerBased":
        raise NotCovered(f"ClusteringModel modelClass={model.get('modelClass')}")
    metric, p = _measure(child(model, "ComparisonMeasure"))
    inputs = []
    for cf in children(model, "ClusteringField"):
        if cf.get("isCenterField", "true") != "true":
            continue
        if cf.get("fieldWeight", "1") not in ("1", "1.0") or cf.get("compareFunction") not in (None, "absDiff") or _elements(cf):
            raise NotCovered("ClusteringField with a weight, compare function or comparisons")
        inputs.append(cf.get("field"))
    weights_el = child(model, "MissingValueWeights")
    q = _array(_elements(weights_el)[0]) if weights_el is not None else np.ones(len(inputs))
    centers, ids = [], []
    for i, cluster in enumerate(children(model, "Cluster")):
        arrays = [c for c in _elements(cluster) if local(c) in ("Array", "REAL-SparseArray", "INT-SparseArray")]
        if len(arrays) != 1:
            raise NotCovered("Cluster without a center array")
        centers.append(_array(arrays[0]))
        ids.append(cluster.get("id") or str(i + 1))  # PMML 4.4: the 1-based index when no id
    if not centers or any(len(c) != len(inputs) for c in centers) or len(q) != len(inputs):
        raise NotCovered("cluster centers that do not match the clustering fields")
    out = child(model, "Output")
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature") == "affinity" and of.get("value") not in (None, *ids):
            raise NotCovered(f"OutputField affinity of an unknown cluster {of.get('value')}")
    return _ClusterIds(tuple(inputs), np.array(centers), tuple(ids), metric, p, q)


class _ClusterIds(NearestCenter):
    """The cluster id also as the predicted value (a document without our signature says "value"),
    and every cluster's distance for OutputField affinity."""

    def predict(self, env: Any) -> Any:
        d = self.distance_matrix(matrix(env, self.inputs))
        ids = np.asarray(self.ids, dtype=object)
        label = ids[np.argmin(np.nan_to_num(d, nan=np.inf), axis=1)]
        label[np.isnan(d).all(axis=1)] = None
        return Prediction(cluster=label, value=label, extra={AFFINITY: (self.ids, d)})
