"""PMML 4.4 NaiveBayesModel, NeuralNetwork and ClusteringModel lifted into the IR's model steps,
and the element readers the other family lifters share (svm.py, knn.py).

The one parser of these elements: the lift uses it, and the fast path evaluates what it builds
(fast/models/families.py adds PMML's edges: missing inputs, cluster affinities). Strict: an
attribute value, child element or semantics not held exactly raises NotCovered (the lift gives
it as the reason; the fast path hands the document to pypmml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from lxml import etree

from interchange.errors import DocumentError
from interchange.formats.pmml.fast.engine import _check_schema
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.formats.pmml.read.ir.expressions import lift_expression
from interchange.ir.models.cluster import CenterAffinities, NearestCenter
from interchange.ir.models.compared import COMPARE_FUNCTIONS, ComparedCenter
from interchange.ir.models.naive_bayes import GaussianNaiveBayes
from interchange.ir.models.neural import NeuralNetwork

if TYPE_CHECKING:
    from interchange.formats.pmml.lift.models.elements import LiftContext

__all__ = ["lift_naive_bayes", "lift_neural", "lift_clustering", "lift_clustering_outputs"]


def elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and local(c) != "Extension"]


def only(el: etree._Element, allowed: set[str] | frozenset[str]) -> None:
    for c in elements(el):
        if local(c) not in allowed:
            raise NotCovered(f"<{local(c)}> in <{local(el)}>")


def num(el: etree._Element, attr: str, default: float | None = None) -> float:
    value = el.get(attr)
    if value is None:
        if default is None:
            raise NotCovered(f"<{local(el)}> without {attr}")
        return default
    return float(value)


def array(el: etree._Element) -> np.ndarray:
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


def target(model: etree._Element) -> str | None:
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            return mf.get("name")
    return None


def classes_of(model: etree._Element) -> list[str]:
    """The target's valid values in DataDictionary order (empty when it lists none)."""
    root = model
    while root.getparent() is not None:
        root = root.getparent()
    dd = child(root, "DataDictionary")
    name = target(model)
    for f in children(dd, "DataField") if dd is not None else []:
        if f.get("name") == name:
            return [v.get("value") for v in children(f, "Value") if v.get("property", "valid") == "valid"]
    return []


BASE = frozenset({"MiningSchema", "Output", "ModelStats", "ModelExplanation", "ModelVerification"})
SCOPED = BASE | {"LocalTransformations"}  # SCOPED_INPUTS families (fast/engine.py)

_MEASURES = {"euclidean": "euclidean", "squaredEuclidean": "squaredEuclidean", "cityBlock": "manhattan", "minkowski": "minkowski"}


def measure(el: etree._Element | None) -> tuple[str, float]:
    """PMML 4.4 §ComparisonMeasure: distance kind, absDiff, one of four measures."""
    if el is None or el.get("kind") != "distance" or el.get("compareFunction", "absDiff") != "absDiff":
        raise NotCovered("ComparisonMeasure other than a distance with absDiff")
    if el.get("minimum") is not None or el.get("maximum") is not None:
        raise NotCovered("ComparisonMeasure minimum/maximum")
    measures = elements(el)
    if len(measures) != 1 or local(measures[0]) not in _MEASURES:
        raise NotCovered(f"comparison measure {[local(m) for m in measures]}")
    p = num(measures[0], "p-parameter") if local(measures[0]) == "minkowski" else 2.0
    return _MEASURES[local(measures[0])], p


_COMPARED = {**_MEASURES, "chebychev": "chebychev"}


def compared_measure(
    cm: etree._Element | None, fields: list[etree._Element], lc: LiftContext
) -> tuple[str, float, tuple[str, ...], tuple[float, ...], np.ndarray]:
    """PMML 4.4 §ComparisonMeasure read field by field (ir.compared.ComparedCenter): the measure,
    its p, each ClusteringField's compare function, similarityScale and fieldWeight. The measure's
    own compareFunction is the default (absDiff, delta or equal: JPMML-Evaluator refuses
    gaussSim and table there); table (Comparisons matrices) is refused: pypmml 1.5.8 and
    JPMML-Evaluator 1.6 both answer nothing for it (measured)."""
    if cm is None or cm.get("kind") != "distance":
        raise NotCovered("ComparisonMeasure other than a distance")
    if cm.get("minimum") is not None or cm.get("maximum") is not None:
        raise NotCovered("ComparisonMeasure minimum/maximum")
    measures = elements(cm)
    if len(measures) != 1 or local(measures[0]) not in _COMPARED:
        raise NotCovered(f"comparison measure {[local(m) for m in measures]}")
    p = num(measures[0], "p-parameter") if local(measures[0]) == "minkowski" else 2.0
    default = cm.get("compareFunction", "absDiff")
    if default not in ("absDiff", "delta", "equal"):
        raise NotCovered(f"ComparisonMeasure compareFunction={default}")
    compare, scales, weights = [], [], []
    for cf in fields:
        function = cf.get("compareFunction", default)
        if function == "table" or elements(cf):
            raise NotCovered("ClusteringField compareFunction=table (Comparisons): pypmml and JPMML-Evaluator evaluate none")
        if function not in COMPARE_FUNCTIONS:
            raise NotCovered(f"ClusteringField compareFunction={function}")
        if not lc.ctx.numeric(cf.get("field")):
            raise NotCovered(f"ClusteringField {cf.get('field')} that is not a number")
        scale = num(cf, "similarityScale") if function == "gaussSim" else 1.0
        if function == "gaussSim" and not scale > 0:
            raise NotCovered("gaussSim with a similarityScale that is not positive")
        compare.append(function)
        scales.append(scale)
        weights.append(num(cf, "fieldWeight", 1.0))
    return _COMPARED[local(measures[0])], p, tuple(compare), tuple(scales), np.array(weights)


def lift_naive_bayes(model: etree._Element, lc: LiftContext) -> GaussianNaiveBayes:
    """PMML 4.4 §NaiveBayes with Gaussian inputs: log count + sum log max(threshold, density);
    a missing input is left out."""
    _check_schema(model)
    only(model, SCOPED | {"BayesInputs", "BayesOutput"})
    output = child(model, "BayesOutput")
    if output is None:  # PMML 4.4 requires one: the target's counts, the priors of every class
        raise DocumentError("<NaiveBayesModel> has no <BayesOutput> (the target's value counts)", format="pmml")
    counts_el = child(output, "TargetValueCounts")
    counts = {c.get("value"): num(c, "count") for c in children(counts_el, "TargetValueCount")}
    classes = classes_of(model) or list(counts)
    inputs, means, variances = [], [], []
    for bi in children(child(model, "BayesInputs"), "BayesInput"):
        only(bi, {"TargetValueStats"})
        stats = {}
        for s in children(child(bi, "TargetValueStats"), "TargetValueStat"):
            dists = elements(s)
            if len(dists) != 1 or local(dists[0]) != "GaussianDistribution":
                raise NotCovered("BayesInput with a distribution other than Gaussian")
            stats[s.get("value")] = (num(dists[0], "mean"), num(dists[0], "variance"))
        if set(stats) != set(classes):
            raise NotCovered("TargetValueStats that do not cover every target category")
        inputs.append(bi.get("fieldName"))
        means.append([stats[c][0] for c in classes])
        variances.append([stats[c][1] for c in classes])
    with np.errstate(divide="ignore"):
        log_prior = np.log(np.array([counts.get(c, 0.0) for c in classes]))
    return GaussianNaiveBayes(
        tuple(inputs), tuple(classes), np.array(means).T, np.array(variances).T, log_prior, floor=num(model, "threshold")
    )


_ACTIVATIONS = {"identity": "identity", "logistic": "logistic", "tanh": "tanh", "rectifier": "relu"}


def _neural_inputs(model: etree._Element, lc: LiftContext) -> tuple[list[str], list[str]]:
    """Input columns (a NeuralInput that is an expression, such as JPMML-SkLearn's one-hot
    NormDiscrete, becomes a Derive step) and the input neurons' ids."""
    inputs, ids = [], []
    for ni in children(child(model, "NeuralInputs"), "NeuralInput"):
        body = elements(child(ni, "DerivedField")) if child(ni, "DerivedField") is not None else []
        if len(body) != 1:
            raise NotCovered("NeuralInput without one expression")
        if local(body[0]) == "FieldRef" and body[0].get("mapMissingTo") is None:
            inputs.append(body[0].get("field"))
        else:
            inputs.append(lc.derive(f"neural_input_{ni.get('id')}", lift_expression(body[0], lc.ctx)))
        ids.append(ni.get("id"))
    return inputs, ids


def lift_neural(model: etree._Element, lc: LiftContext) -> NeuralNetwork:
    """PMML 4.4 §NeuralNetwork: layers fed only by the layer before; identity / logistic /
    tanh / rectifier; softmax (or none) normalisation on the last layer only."""
    _check_schema(model)
    only(model, SCOPED | {"NeuralInputs", "NeuralLayer", "NeuralOutputs"})
    default_act = model.get("activationFunction")
    default_norm = model.get("normalizationMethod", "none")
    inputs, previous = _neural_inputs(model, lc)
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
                W[previous.index(con.get("from")), u] += num(con, "weight")
        weights.append(W)
        biases.append(np.array([num(neuron, "bias", 0.0) for neuron in neurons]))
        activations.append(_ACTIVATIONS[act])
        previous = [neuron.get("id") for neuron in neurons]
    if not layers:
        raise NotCovered("NeuralNetwork without layers")
    order, classes = [], []
    for out in children(child(model, "NeuralOutputs"), "NeuralOutput"):
        body = elements(child(out, "DerivedField")) if child(out, "DerivedField") is not None else []
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
        known = classes_of(model)
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


def lift_clustering(model: etree._Element, lc: LiftContext) -> NearestCenter:
    """PMML 4.4 §Clustering, center-based: the first cluster at the smallest distance; missing
    inputs are left out and the distance scaled by sum(q) / sum(q of present fields). Field
    weights, compare functions or a chebychev measure give the IR's ComparedCenter."""
    _check_schema(model)
    only(model, SCOPED | {"ComparisonMeasure", "ClusteringField", "MissingValueWeights", "Cluster"})
    if model.get("modelClass") != "centerBased":
        raise NotCovered(f"ClusteringModel modelClass={model.get('modelClass')}")
    cm = child(model, "ComparisonMeasure")
    plain = (
        cm is not None
        and cm.get("compareFunction", "absDiff") == "absDiff"
        and not any(local(m) == "chebychev" for m in elements(cm))
    )
    fields = [cf for cf in children(model, "ClusteringField") if cf.get("isCenterField", "true") == "true"]
    inputs = [str(cf.get("field")) for cf in fields]
    plain = plain and all(
        cf.get("fieldWeight", "1") in ("1", "1.0") and cf.get("compareFunction") in (None, "absDiff") and not elements(cf)
        for cf in fields
    )
    weights_el = child(model, "MissingValueWeights")
    q = array(elements(weights_el)[0]) if weights_el is not None else np.ones(len(inputs))
    centers, ids = [], []
    for i, cluster in enumerate(children(model, "Cluster")):
        arrays = [c for c in elements(cluster) if local(c) in ("Array", "REAL-SparseArray", "INT-SparseArray")]
        if len(arrays) != 1:
            raise NotCovered("Cluster without a center array")
        centers.append(array(arrays[0]))
        ids.append(cluster.get("id") or str(i + 1))  # PMML 4.4: the 1-based index when no id
    if not centers or any(len(c) != len(inputs) for c in centers) or len(q) != len(inputs):
        raise NotCovered("cluster centers that do not match the clustering fields")
    out = child(model, "Output")
    names = {c.get("name"): ids[i] for i, c in enumerate(children(model, "Cluster")) if c.get("name") is not None}
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature") in ("affinity", "entityAffinity") and of.get("value") not in (None, *ids):
            # PMML 4.4 §Output: the value of affinity is an entity id (a Cluster's id, else its 1-based
            # position); one naming no Cluster leaves the output undefined: pypmml gives a missing
            # value, JPMML-Evaluator infinity (measured: clustering_entity_affinity, value "far")
            named = f" (the Cluster named so has id {names[of.get('value')]})" if of.get("value") in names else ""
            raise NotCovered(f"OutputField affinity of an unknown cluster {of.get('value')}: no Cluster has that id{named}")
    if plain:
        metric, p = measure(cm)
        return NearestCenter(tuple(inputs), np.array(centers), tuple(ids), metric, p, q)
    metric, p, compare, scales, weights = compared_measure(cm, fields, lc)
    return ComparedCenter(tuple(inputs), np.array(centers), tuple(ids), metric, p, q, compare, scales, weights)


def lift_clustering_outputs(model: etree._Element, lc: LiftContext) -> NearestCenter | CenterAffinities:
    """:func:`lift_clustering`, with the distances its OutputFields affinity / entityAffinity ask
    for (PMML 4.4: to the cluster named by value, else to the predicted one; pypmml agrees)."""
    step = lift_clustering(model, lc)
    out = child(model, "Output")
    asked = children(out, "OutputField") if out is not None else []
    wanted = tuple((str(of.get("name")), of.get("value")) for of in asked if of.get("feature") in ("affinity", "entityAffinity"))
    return CenterAffinities(step, wanted) if wanted else step
