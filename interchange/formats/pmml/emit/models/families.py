"""IR model steps to PMML 4.4: SupportVectorMachineModel, NearestNeighborModel, NaiveBayesModel,
NeuralNetwork and ClusteringModel.

What PMML 4.4 (or pypmml 1.5.8, the reference runtime) computes differently from the source
estimator is refused with UnsupportedModelError, never approximated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.xmlbuild import NS, TARGET, E, apply, constant, decision_field, field_ref, num, text
from interchange.ir.graph import ModelStep
from interchange.ir.models.cluster import NearestCenter
from interchange.ir.models.naive_bayes import GaussianNaiveBayes
from interchange.ir.models.neighbors import NearestNeighbors
from interchange.ir.models.neural import NeuralNetwork
from interchange.ir.models.svm import SupportVectorMachine
from interchange.signature import Signature

__all__ = ["FAMILY_WRITERS", "check_family"]


def _mining_schema(sig: Signature, target: bool = True) -> etree._Element:
    ms = E("MiningSchema")
    for name in sig.input_names:
        ms.append(E("MiningField", {"name": name}))
    if target:
        ms.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    return ms


def _chain(function: str, terms: list[etree._Element]) -> etree._Element:
    """Left-associative ((t0 op t1) op t2)...: the summation order numpy and libsvm use."""
    expr = terms[0]
    for t in terms[1:]:
        expr = apply(function, expr, t)
    return expr


# terms per Apply chain: each term nests one level deeper, and lxml (so pypmml's reader and ours) refuses
# documents nested deeper than 256 levels
MAX_CHAIN = 200


def _long_sum(local: etree._Element, name: str, terms: list[etree._Element]) -> etree._Element:
    """``((t0 + t1) + t2)...`` as :func:`_chain`, with every ``MAX_CHAIN`` terms summed into a DerivedField
    of ``local`` that the rest adds to: the same additions in the same order, at a bounded depth."""
    k = 0
    while len(terms) > MAX_CHAIN:
        part = f"{name}_part{k}"
        local.append(_derived(part, _chain("+", terms[:MAX_CHAIN])))
        terms = [field_ref(part), *terms[MAX_CHAIN:]]
        k += 1
    return _chain("+", terms)


def _derived(name: str, expr: etree._Element) -> etree._Element:
    return E("DerivedField", {"name": name, "optype": "continuous", "dataType": "double"}, expr)


def _array(values: np.ndarray) -> etree._Element:
    arr = E("Array", {"n": len(values), "type": "real"})
    arr.text = " ".join(num(v) for v in values)
    return arr


def _refuse(step: ModelStep, why: str, supported: list[str]) -> UnsupportedModelError:
    return UnsupportedModelError(why, estimator=type(step).__name__, format="pmml", supported_formats=supported)


def check_family(step: ModelStep) -> None:
    """Raise UnsupportedModelError for options of these families that PMML cannot carry exactly."""
    if isinstance(step, SupportVectorMachine) and step.prob_a is not None:
        raise _refuse(
            step,
            "SVC(probability=True) probabilities are libsvm's Platt scaling followed by iterative pairwise coupling; "
            "PMML 4.4 SupportVectorMachineModel has no probability output (pypmml reports vote shares). "
            "Convert with probability=False or use ONNX or PFA.",
            ["onnx", "pfa"],
        )
    if isinstance(step, NearestNeighbors):
        if step.classes is not None:
            raise _refuse(
                step,
                "KNeighborsClassifier: PMML 4.4 majorityVote breaks vote ties by the class's training-case count, then "
                "lexical order (scikit-learn: lowest class index), and pypmml 1.5.8 gives no class probabilities "
                "for it; use ONNX or PFA.",
                ["onnx", "pfa"],
            )
        if step.weights == "distance":
            raise _refuse(
                step,
                "KNeighborsRegressor(weights='distance'): PMML 4.4 weights neighbours by 1/(d + threshold) and pypmml "
                "1.5.8 also divides the weighted average by k; use ONNX or PFA.",
                ["onnx", "pfa"],
            )


# --- SupportVectorMachineModel ------------------------------------------------------------

_KERNELS = {"linear": "LinearKernelType", "rbf": "RadialBasisKernelType", "poly": "PolynomialKernelType"}
_KERNELS["sigmoid"] = "SigmoidKernelType"


def _kernel_element(step: SupportVectorMachine) -> etree._Element:
    attrs: dict[str, Any] = {}
    if step.kernel in ("rbf", "poly", "sigmoid"):
        attrs["gamma"] = num(step.gamma)
    if step.kernel in ("poly", "sigmoid"):
        attrs["coef0"] = num(step.coef0)
    if step.kernel == "poly":
        attrs["degree"] = num(step.degree)
    return E(_KERNELS[step.kernel], attrs)


def _kernel_expr(step: SupportVectorMachine, v: np.ndarray) -> etree._Element:
    """PMML 4.4 §SVM kernel types as an expression over the input fields."""
    if step.kernel == "rbf":
        squares = []
        for name, c in zip(step.inputs, v, strict=True):
            diff = apply("-", field_ref(name), constant(c))
            squares.append(apply("*", diff, apply("-", field_ref(name), constant(c))))
        return apply("exp", apply("*", constant(-step.gamma), _chain("+", squares)))
    dot = _chain("+", [apply("*", field_ref(name), constant(c)) for name, c in zip(step.inputs, v, strict=True)])
    if step.kernel == "linear":
        return dot
    inner = apply("+", apply("*", constant(step.gamma), dot), constant(step.coef0))
    if step.kernel == "poly":
        return apply("pow", inner, constant(step.degree))
    return apply("tanh", inner)


def _svm_decisions(step: SupportVectorMachine, sig: Signature) -> etree._Element:
    """scikit-learn's decision values as LocalTransformations (Output shows them as transformedValue).

    PMML's SupportVectorMachineModel predicts the voted label only, so each kernel value, each
    machine value and each decision value is a DerivedField computed the way libsvm does.
    """
    local = E("LocalTransformations")
    kernels = []
    for s, v in enumerate(np.asarray(step.vectors, dtype=np.float64)):
        kernels.append(f"svm_kernel_{s}")
        local.append(_derived(kernels[-1], _kernel_expr(step, v)))
    machines = []
    coef = np.asarray(step.coef, dtype=np.float64)
    for p in range(coef.shape[0]):
        used = np.flatnonzero(coef[p])
        terms = [apply("*", field_ref(kernels[s]), constant(coef[p, s])) for s in used]
        machines.append(f"svm_machine_{p}")
        local.append(_derived(machines[-1], apply("+", _long_sum(local, machines[-1], terms), constant(step.intercept[p]))))
    fields = [decision_field(f.name) for f in sig.output("decision")]
    classes = step.classes or ()
    if len(classes) == 2:
        local.append(_derived(fields[0], apply("*", constant(-1.0), field_ref(machines[0]))))
    elif step.shape == "ovo":
        for name, machine in zip(fields, machines, strict=True):
            local.append(_derived(name, field_ref(machine)))
    else:
        # scikit-learn's ovr shape: votes + confidence / (3 (|confidence| + 1)), per class
        for c, name in enumerate(fields):
            votes, conf = [], []
            for p, (i, j) in enumerate(np.asarray(step.pairs, dtype=int)):
                if c not in (i, j):
                    continue
                positive = apply("greaterThan", field_ref(machines[p]), constant(0.0))
                yes, no = (constant(1.0), constant(0.0)) if c == i else (constant(0.0), constant(1.0))
                votes.append(apply("if", positive, yes, no))
                conf.append(field_ref(machines[p]) if c == i else apply("*", constant(-1.0), field_ref(machines[p])))
            local.append(_derived(f"{name}_votes", _chain("+", votes)))
            local.append(_derived(f"{name}_confidence", _chain("+", conf)))
            scale = apply("*", constant(3.0), apply("+", apply("abs", field_ref(f"{name}_confidence")), constant(1.0)))
            share = apply("/", field_ref(f"{name}_confidence"), scale)
            local.append(_derived(name, apply("+", field_ref(f"{name}_votes"), share)))
    return local


def _svm(step: SupportVectorMachine, sig: Signature) -> etree._Element:
    """PMML 4.4 §SVM: one machine per class pair, OneAgainstOne voting.

    PMML votes for targetCategory when the machine value is < threshold (0) under maxWins="false";
    libsvm votes for class i of pair (i, j) when f > 0, so each such machine is written as -f with
    targetCategory i. A lifted machine with its own threshold and maxWins is written as it was.
    """
    check_family(step)
    vectors = np.asarray(step.vectors, dtype=np.float64)
    coef = np.asarray(step.coef, dtype=np.float64)
    classification = step.classes is not None
    attrs = {"functionName": "classification" if classification else "regression", "svmRepresentation": "SupportVectors"}
    if classification:
        attrs["classificationMethod"] = "OneAgainstOne"
    model = E("SupportVectorMachineModel", attrs, _mining_schema(sig))
    if sig.output("decision"):
        model.append(_svm_decisions(step, sig))
    model.append(_kernel_element(step))
    fields = E("VectorFields", {"numberOfFields": len(step.inputs)}, *(field_ref(n) for n in step.inputs))
    dictionary = E("VectorDictionary", {"numberOfVectors": len(vectors)}, fields)
    for s, v in enumerate(vectors):
        dictionary.append(E("VectorInstance", {"id": s}, _array(v)))
    model.append(dictionary)
    # libsvm's orientation (class i of pair (i, j) when f > 0) is written as -f < 0, PMML's default; machines with
    # thresholds keep their sign, with maxWins saying which side votes for targetCategory (PMML 4.4 §SVM)
    libsvm = classification and step.first_when == ">" and step.threshold is None
    sign = -1.0 if libsvm else 1.0
    if classification and not libsvm:
        model.set("maxWins", "true" if step.first_when == ">" else "false")
    for p in range(coef.shape[0]):
        used = np.flatnonzero(coef[p])
        machine_attrs: dict[str, Any] = {}
        if step.classes is not None:
            i, j = np.asarray(step.pairs, dtype=int)[p]
            machine_attrs = {"targetCategory": text(step.classes[i]), "alternateTargetCategory": text(step.classes[j])}
            if step.threshold is not None:
                machine_attrs["threshold"] = num(float(step.threshold[p]))
        svs = E("SupportVectors", {"numberOfAttributes": len(step.inputs), "numberOfSupportVectors": len(used)})
        svs.extend(E("SupportVector", {"vectorId": s}) for s in used)
        coefficients = E("Coefficients", {"numberOfCoefficients": len(used), "absoluteValue": num(sign * step.intercept[p])})
        coefficients.extend(E("Coefficient", {"value": num(sign * coef[p, s])}) for s in used)
        model.append(E("SupportVectorMachine", machine_attrs, svs, coefficients))
    return model


# --- NearestNeighborModel -----------------------------------------------------------------

_MEASURES = {"euclidean": "euclidean", "squaredEuclidean": "squaredEuclidean", "manhattan": "cityBlock"}


def _measure(metric: str, p: float) -> etree._Element:
    if metric == "minkowski":
        return E("ComparisonMeasure", {"kind": "distance"}, E("minkowski", {"p-parameter": num(p)}))
    return E("ComparisonMeasure", {"kind": "distance"}, E(_MEASURES[metric]))


_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")  # an NCName, ASCII only


def _knn(step: NearestNeighbors, sig: Signature) -> etree._Element:
    """PMML 4.4 §KNN: the training points in TrainingInstances, k closest averaged.

    pypmml 1.5.8 looks InlineTable cells up by field name, whatever InstanceField's column says,
    so an input that is no XML name (``scaled.8[0]`` from a lifted ONNX graph) is read through an
    XML-safe alias: a DerivedField ``knn_input_<j>`` in LocalTransformations, named in the
    InstanceFields, the cells and KNNInputs.
    """
    check_family(step)
    points = np.asarray(step.points, dtype=np.float64)
    aliased = any(not _XML_NAME.match(name) for name in step.inputs)
    columns = [f"knn_input_{j}" for j in range(len(step.inputs))] if aliased else list(step.inputs)
    instance_fields = E("InstanceFields")
    for col in columns:
        instance_fields.append(E("InstanceField", {"field": col, "column": col}))
    instance_fields.append(E("InstanceField", {"field": TARGET, "column": TARGET}))
    table = E("InlineTable")
    for row, y in zip(points, np.asarray(step.targets, dtype=np.float64), strict=True):
        cells = etree.SubElement(table, f"{{{NS}}}row")  # written unprefixed: see xmlbuild.unprefixed
        for col, v in zip([*columns, TARGET], [*row, y], strict=True):
            etree.SubElement(cells, f"{{{NS}}}{col}").text = num(v)
    instances = E("TrainingInstances", {"recordCount": len(points), "fieldCount": len(columns) + 1}, instance_fields, table)
    attrs = {
        "functionName": "regression",
        "numberOfNeighbors": step.k,
        "continuousScoringMethod": "median" if step.weights == "median" else "average",
    }
    inputs = E("KNNInputs", None, *(E("KNNInput", {"field": col}) for col in columns))
    parts = [_mining_schema(sig)]
    if aliased:
        local = E("LocalTransformations")
        for name, col in zip(step.inputs, columns, strict=True):
            local.append(_derived(col, field_ref(name)))
        parts.append(local)
    return E("NearestNeighborModel", attrs, *parts, instances, _measure(step.metric, step.p), inputs)


# --- NaiveBayesModel ----------------------------------------------------------------------


def _naive_bayes(step: GaussianNaiveBayes, sig: Signature) -> etree._Element:
    """PMML 4.4 §NaiveBayes: Gaussian TargetValueStats per input; class priors as counts.

    threshold="0": pypmml floors each density at the threshold, so 0 leaves them unchanged; a lifted
    model's own threshold (``floor``) is written as it was.
    """
    mean, var = np.asarray(step.mean, dtype=np.float64), np.asarray(step.var, dtype=np.float64)
    inputs = E("BayesInputs")
    for j, name in enumerate(step.inputs):
        stats = E("TargetValueStats")
        for c, cls in enumerate(step.classes):
            dist = E("GaussianDistribution", {"mean": num(mean[c, j]), "variance": num(var[c, j])})
            stats.append(E("TargetValueStat", {"value": text(cls)}, dist))
        inputs.append(E("BayesInput", {"fieldName": name}, stats))
    counts = E("TargetValueCounts")
    for cls, lp in zip(step.classes, np.asarray(step.log_prior, dtype=np.float64), strict=True):
        counts.append(E("TargetValueCount", {"value": text(cls), "count": num(np.exp(lp))}))
    threshold = "0" if step.floor is None else num(float(step.floor))
    model = E("NaiveBayesModel", {"functionName": "classification", "threshold": threshold}, _mining_schema(sig), inputs)
    model.append(E("BayesOutput", {"fieldName": TARGET}, counts))
    return model


# --- NeuralNetwork ------------------------------------------------------------------------

_ACTIVATIONS = {"identity": "identity", "logistic": "logistic", "tanh": "tanh", "relu": "rectifier"}


def _layer(weights: np.ndarray, bias: np.ndarray, sources: list[str], prefix: str, activation: str) -> etree._Element:
    layer = E("NeuralLayer", {"numberOfNeurons": len(bias), "activationFunction": _ACTIVATIONS[activation]})
    for u in range(len(bias)):
        neuron = E("Neuron", {"id": f"{prefix}_{u}", "bias": num(bias[u])})
        neuron.extend(E("Con", {"from": src, "weight": num(weights[i, u])}) for i, src in enumerate(sources))
        layer.append(neuron)
    return layer


def _neural(step: NeuralNetwork, sig: Signature) -> etree._Element:
    """PMML 4.4 §NeuralNetwork: one NeuralLayer per IR layer, normalisation on the last.

    Binary: scikit-learn's single logistic unit, then an identity layer giving (1 - p, p) so
    each class has an output neuron.
    """
    classification = step.classes is not None
    attrs = {"functionName": "classification" if classification else "regression", "activationFunction": "identity"}
    model = E("NeuralNetwork", attrs, _mining_schema(sig))
    neural_inputs = E("NeuralInputs", {"numberOfInputs": len(step.inputs)})
    sources = []
    for i, name in enumerate(step.inputs):
        sources.append(f"in_{i}")
        field = E("DerivedField", {"optype": "continuous", "dataType": "double"}, field_ref(name))
        neural_inputs.append(E("NeuralInput", {"id": sources[-1]}, field))
    model.append(neural_inputs)
    for n, (W, b, act) in enumerate(zip(step.weights, step.biases, step.activations, strict=True)):
        W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
        last = n == len(step.weights) - 1
        if last and step.output in ("logistic", "softmax") and act != "identity":
            raise _refuse(step, f"a {act} output layer before {step.output}", ["onnx", "pfa"])
        activation = "logistic" if last and step.output == "logistic" else act
        layer = _layer(W, b, sources, f"l{n}", activation)
        if last and step.output == "softmax":
            layer.set("normalizationMethod", "softmax")
        model.append(layer)
        sources = [f"l{n}_{u}" for u in range(len(b))]
    if classification and step.output == "logistic":
        model.append(_layer(np.array([[-1.0, 1.0]]), np.array([1.0, 0.0]), sources, "binary", "identity"))
        sources = ["binary_0", "binary_1"]
    outputs = E("NeuralOutputs", {"numberOfOutputs": len(sources)})
    for u, src in enumerate(sources):
        if step.classes is not None:
            expr = E("NormDiscrete", {"field": TARGET, "value": text(step.classes[u])})
        else:
            expr = field_ref(TARGET)
        field = E("DerivedField", {"optype": "continuous", "dataType": "double"}, expr)
        outputs.append(E("NeuralOutput", {"outputNeuron": src}, field))
    model.append(outputs)
    return model


# --- ClusteringModel ----------------------------------------------------------------------


def _clustering(step: NearestCenter, sig: Signature) -> etree._Element:
    """PMML 4.4 §Clustering: center-based, the step's measure and missing-value weights; the predicted
    value is the cluster id."""
    check_family(step)
    centers = np.asarray(step.centers, dtype=np.float64)
    attrs = {"functionName": "clustering", "modelClass": "centerBased", "numberOfClusters": len(centers)}
    model = E("ClusteringModel", attrs, _mining_schema(sig, target=False), _measure(step.metric, step.p))
    model.extend(E("ClusteringField", {"field": name}) for name in step.inputs)
    if step.missing_weights is not None:  # PMML 4.4 §Clustering: a missing field's share of the distance
        model.append(E("MissingValueWeights", None, _array(np.asarray(step.missing_weights, dtype=np.float64))))
    for cid, center in zip(step.ids, centers, strict=True):
        model.append(E("Cluster", {"id": text(cid)}, _array(center)))
    return model


FAMILY_WRITERS: dict[type, Callable[[Any, Signature], etree._Element]] = {
    SupportVectorMachine: _svm,
    NearestNeighbors: _knn,
    GaussianNaiveBayes: _naive_bayes,
    NeuralNetwork: _neural,
    NearestCenter: _clustering,
}
