"""Fast-path compilers for NaiveBayesModel, NeuralNetwork and ClusteringModel (PMML 4.4), into
the IR model steps of each family, and the helpers the family modules share
(SupportVectorMachineModel: fast_svm; NearestNeighborModel: fast_knn).

Strict like the rest of the fast path: an attribute value, child element or semantics not
implemented exactly here raises NotCovered and the document runs on pypmml instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from lxml import etree

from interchange.errors import DocumentError
from interchange.formats.pmml.fast.engine import _check_schema, compiler, current
from interchange.formats.pmml.fast.expressions.compile import expression
from interchange.formats.pmml.fast.outputs import AFFINITY
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.ir.cluster import NearestCenter
from interchange.ir.graph import ModelStep, Prediction, Step, matrix
from interchange.ir.naive_bayes import GaussianNaiveBayes
from interchange.ir.neural import NeuralNetwork

__all__: list[str] = []


def _elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and local(c) != "Extension"]


def _only(el: etree._Element, allowed: set[str] | frozenset[str]) -> None:
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


_BASE = frozenset({"MiningSchema", "Output", "ModelStats", "ModelExplanation", "ModelVerification"})
_SCOPED = _BASE | {"LocalTransformations"}  # SCOPED_INPUTS families (fast/engine.py)


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
    _only(model, _SCOPED | {"BayesInputs", "BayesOutput"})
    output = child(model, "BayesOutput")
    if output is None:  # PMML 4.4 requires one: the target's counts, the priors of every class
        raise DocumentError("<NaiveBayesModel> has no <BayesOutput> (the target's value counts)", format="pmml")
    counts_el = child(output, "TargetValueCounts")
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
        _SCOPED
        | {
            "NeuralInputs",
            "NeuralLayer",
            "NeuralOutputs",
        },
    )
    default_act = model.get("activationFunction")
    default_norm = model.get("normalizationMethod", "none")
    inputs, previous = [], []
    computed: dict[str, Any] = {}  # NeuralInputs that are expressions (JPMML-SkLearn's one-hot NormDiscrete)
    for ni in children(child(model, "NeuralInputs"), "NeuralInput"):
        body = _elements(child(ni, "DerivedField")) if child(ni, "DerivedField") is not None else []
        if len(body) != 1:
            raise NotCovered("NeuralInput without one expression")
        if local(body[0]) == "FieldRef" and body[0].get("mapMissingTo") is None:
            inputs.append(body[0].get("field"))
        else:  # compiled like any DerivedField (NotCovered for what the fast path lacks)
            name = f"\0neural input {len(inputs)}"
            computed[name] = expression(body[0], current().ctx)
            inputs.append(name)
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
    return _Network(
        tuple(inputs),
        tuple(weights),
        tuple(biases),
        tuple(activations),
        output="softmax" if softmax else "identity",
        classes=tuple(classes) if classes else None,
        computed=computed,
    )


@dataclass(frozen=True)
class _Network(NeuralNetwork):
    """The IR network reading its computed NeuralInputs from the model's scope; a row with a
    missing input has no prediction (pypmml; PMML 4.4 defines no value for it)."""

    computed: dict[str, Any] = field(default_factory=dict)

    def predict(self, env: Any) -> Prediction:
        scope = env.child(self.computed) if self.computed else env
        bad = np.isnan(matrix(scope, self.inputs)).any(axis=1)
        return super().predict(scope).finish().blank(bad)  # the label now, to blank it on those rows


# --- ClusteringModel ----------------------------------------------------------------------


@compiler("ClusteringModel")
def _clustering(model: etree._Element, steps: list[Step]) -> ModelStep:
    """PMML 4.4 §Clustering, center-based: the first cluster at the smallest distance; missing
    inputs are left out and the distance scaled by sum(q) / sum(q of present fields)."""
    _check_schema(model)
    _only(
        model,
        _SCOPED
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
        if of.get("feature") in ("affinity", "entityAffinity") and of.get("value") not in (None, *ids):
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
