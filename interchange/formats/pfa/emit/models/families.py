"""IR model steps to PFA: kernel SVMs, k-nearest neighbours, Gaussian naive Bayes, neural
networks and k-means, with PFA's library functions (m.kernel.*, model.neighbor.nearestK,
model.naive.gaussian, model.neural.simpleLayers, model.cluster.closest).

Each writer binds its intermediate values with ``let`` and returns the output expressions by
signature kind (``probs`` is bound for class probabilities), like the writers in ``emit``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.document import ARRAY, ModelWriter, _vector, _Writer
from interchange.formats.pfa.emit.functions import NAN
from interchange.formats.pfa.emit.models.general import in_order
from interchange.formats.pfa.emit.models.platt import svm_probabilities
from interchange.ir.models.cluster import NearestCenter
from interchange.ir.models.naive_bayes import GaussianNaiveBayes
from interchange.ir.models.neighbors import NearestNeighbors
from interchange.ir.models.neural import NeuralNetwork
from interchange.ir.models.svm import SupportVectorMachine
from interchange.signature import Signature

__all__ = ["FAMILY_WRITERS", "closest_cluster", "finished"]

MATRIX = {"type": "array", "items": ARRAY}


def _fcn(params: dict[str, Any], ret: Any, body: Any) -> dict[str, Any]:
    return {"params": [{k: v} for k, v in params.items()], "ret": ret, "do": body}


def _sum(terms: list[Any]) -> Any:
    """Left-associative ((t0 + t1) + t2)...: numpy's and libsvm's order for short sums."""
    expr = terms[0]
    for t in terms[1:]:
        expr = {"+": [expr, t]}
    return expr


def _at(array: str, i: int) -> Any:
    return {"attr": array, "path": [i]}


def _stable_softmax(w: _Writer, scores: str, name: str) -> None:
    """exp(s - max) / sum: titus2's m.link.softmax shifts by the minimum when the largest |s|
    is negative, which overflows for spreads over ~709."""
    w.bind(f"{name}_max", {"a.max": scores})
    w.bind(f"{name}_exp", {"a.map": [scores, _fcn({"s": "double"}, "double", {"m.exp": {"-": ["s", f"{name}_max"]}})]}, "array")
    w.bind(f"{name}_sum", {"a.sum": f"{name}_exp"})
    w.bind(name, {"a.map": [f"{name}_exp", _fcn({"e": "double"}, "double", {"/": ["e", f"{name}_sum"]})]}, "array")


def _refuse(step: Any, why: str, supported: list[str]) -> UnsupportedModelError:
    return UnsupportedModelError(why, estimator=type(step).__name__, format="pfa", supported_formats=supported)


# --- kernel SVM ---------------------------------------------------------------------------


def _kernel_call(step: SupportVectorMachine, x: str, v: str) -> Any:
    """PFA §m.kernel: linear <x,v>; rbf exp(-gamma |x-v|^2); poly (gamma <x,v> + c)^d; sigmoid tanh(...)."""
    if step.kernel == "linear":
        return {"m.kernel.linear": [x, v]}
    if step.kernel == "rbf":
        return {"m.kernel.rbf": [x, v, float(step.gamma)]}
    if step.kernel == "poly":
        return {"m.kernel.poly": [x, v, float(step.gamma), float(step.coef0), float(step.degree)]}
    return {"m.kernel.sigmoid": [x, v, float(step.gamma), float(step.coef0)]}


def _svm(w: _Writer, step: SupportVectorMachine, sig: Signature) -> dict[str, Any]:
    w.cells["svm_vectors"] = {"type": MATRIX, "init": np.asarray(step.vectors, dtype=float).tolist()}
    w.cells["svm_coef"] = {"type": MATRIX, "init": np.asarray(step.coef, dtype=float).tolist()}
    w.cells["svm_intercept"] = {"type": ARRAY, "init": np.asarray(step.intercept, dtype=float).tolist()}
    w.bind("svm_x", _vector(w, step.inputs), "array")
    kernel = _fcn({"v": ARRAY}, "double", _kernel_call(step, "svm_x", "v"))
    w.bind("svm_k", {"a.map": [{"cell": "svm_vectors"}, kernel]}, "array")
    w.bind("svm_f", {"la.add": [{"la.dot": [{"cell": "svm_coef"}, "svm_k"]}, {"cell": "svm_intercept"}]}, "array")
    if step.classes is None:
        return {"value": _at("svm_f", 0)}
    pairs = np.asarray(step.pairs, dtype=int)
    thresholds = np.zeros(len(pairs)) if step.threshold is None else np.asarray(step.threshold, dtype=np.float64)
    # machine p votes for class i of pair (i, j) when f_p > t_p (first_when ">") or f_p < t_p ("<"), else for j
    first, other = (">", "<=") if step.first_when == ">" else ("<", ">=")
    votes, confidence = [], []
    for c in range(len(step.classes)):
        v, conf = [], []
        for p, (i, j) in enumerate(pairs):
            if c in (i, j):
                won = {(first if c == i else other): [_at("svm_f", p), float(thresholds[p])]}
                v.append({"if": won, "then": 1.0, "else": 0.0})
                conf.append(_at("svm_f", p) if c == i else {"u-": _at("svm_f", p)})
        votes.append(_sum(v))
        confidence.append(_sum(conf))
    w.bind("svm_votes", {"new": votes, "type": ARRAY}, "array")
    if step.prob_a is not None and step.prob_b is not None:  # libsvm's Platt scaling and coupling (emit/platt.py)
        svm_probabilities(w, "svm_f", pairs, np.asarray(step.prob_a), np.asarray(step.prob_b), len(step.classes))
    label = {"attr": {"cell": "classes"}, "path": [{"a.argmax": "svm_votes"}]}  # ties: the lowest index
    if len(step.classes) == 2:
        return {"label": label, "decision": [{"u-": _at("svm_f", 0)}]}
    if step.shape == "ovo":
        return {"label": label, "decision": [_at("svm_f", p) for p in range(len(pairs))]}
    w.bind("svm_conf", {"new": confidence, "type": ARRAY}, "array")
    decision = []
    for c in range(len(step.classes)):
        conf = _at("svm_conf", c)
        decision.append({"+": [_at("svm_votes", c), {"/": [conf, {"*": [3.0, {"+": [{"m.abs": conf}, 1.0]}]}]}]})
    return {"label": label, "decision": decision}


# --- k-nearest neighbours -----------------------------------------------------------------


def _distance(step: NearestNeighbors, x: str, y: Any) -> Any:
    """Coordinate sums in order, as the IR and scikit-learn's trees compute them."""
    if step.metric in ("euclidean", "squaredEuclidean"):
        term: Any = {"*": [{"-": ["a", "b"]}, {"-": ["a", "b"]}]}
    elif step.metric == "manhattan":
        term = {"m.abs": {"-": ["a", "b"]}}
    else:
        term = {"**": [{"m.abs": {"-": ["a", "b"]}}, float(step.p)]}
    total = {"a.sum": {"a.zipmap": [x, y, _fcn({"a": "double", "b": "double"}, "double", term)]}}
    if step.metric == "euclidean":
        return {"m.sqrt": total}
    if step.metric == "minkowski":
        return {"**": [total, 1.0 / float(step.p)]}
    return total


def _knn(w: _Writer, step: NearestNeighbors, sig: Signature) -> dict[str, Any]:
    """PFA §model.neighbor.nearestK with our metric (ties: the earlier point), then the vote or mean."""
    if step.weights == "median":
        raise _refuse(step, "k-NN median scoring is not written to PFA", ["pmml"])
    classification = step.classes is not None
    point = {
        "type": "record",
        "name": "KnnPoint",
        "fields": [{"name": "point", "type": ARRAY}, {"name": "target", "type": "int" if classification else "double"}],
    }
    targets = np.asarray(step.targets)
    init = [
        {"point": [float(v) for v in row], "target": int(t) if classification else float(t)}
        for row, t in zip(np.asarray(step.points, dtype=float), targets, strict=True)
    ]
    w.cells["knn_points"] = {"type": {"type": "array", "items": point}, "init": init}
    w.bind("knn_x", _vector(w, step.inputs), "array")
    # a derived input's missing value (NaN) gives no prediction, as in the IR (a missing raw input fails the record)
    gone: Any = False
    if w.nan_columns.intersection(step.inputs):
        gone = "knn_gone"
        w.bind(gone, {"a.any": ["knn_x", _fcn({"v": "double"}, "boolean", {"impute.isnan": "v"})]}, "boolean")
    metric = _fcn({"q": ARRAY, "p": "KnnPoint"}, "double", _distance(step, "q", "p.point"))
    w.bind("knn_near", {"model.neighbor.nearestK": [int(step.k), "knn_x", {"cell": "knn_points"}, metric]}, "array")
    dist = _fcn({"p": "KnnPoint"}, "double", _distance(step, "knn_x", "p.point"))
    w.bind("knn_d", {"a.map": ["knn_near", dist]}, "array")
    if step.weights == "distance" and step.threshold > 0:  # PMML 4.4's weighted methods: 1 / (d + threshold)
        weights: Any = {"a.map": ["knn_d", _fcn({"d": "double"}, "double", {"/": [1.0, {"+": ["d", float(step.threshold)]}]})]}
    elif step.weights == "distance":
        # scikit-learn: neighbours at distance 0 take all the weight, else 1/d
        zero = {"a.any": ["knn_d", _fcn({"d": "double"}, "boolean", {"==": ["d", 0.0]})]}
        exact = _fcn({"d": "double"}, "double", {"if": {"==": ["d", 0.0]}, "then": 1.0, "else": 0.0})
        inverse = _fcn({"d": "double"}, "double", {"/": [1.0, "d"]})
        weights = {"if": zero, "then": {"a.map": ["knn_d", exact]}, "else": {"a.map": ["knn_d", inverse]}}
    else:
        weights = {"a.map": ["knn_d", _fcn({"d": "double"}, "double", 1.0)]}
    w.bind("knn_w", weights, "array")
    w.bind("knn_wsum", {"a.sum": "knn_w"})
    if not classification:
        target = _fcn({"p": "KnnPoint"}, "double", "p.target")
        w.bind("knn_y", {"a.map": ["knn_near", target]}, "array")
        product = _fcn({"a": "double", "b": "double"}, "double", {"*": ["a", "b"]})
        value = {"/": [{"a.sum": {"a.zipmap": ["knn_w", "knn_y", product]}}, "knn_wsum"]}
        return {"value": _unless(gone, value, NAN)}
    w.bind("knn_c", {"a.map": ["knn_near", _fcn({"p": "KnnPoint"}, "int", "p.target")]}, "array")
    votes = []
    for c in range(len(step.classes or ())):
        share = _fcn({"wt": "double", "t": "int"}, "double", {"if": {"==": ["t", c]}, "then": "wt", "else": 0.0})
        votes.append({"a.sum": {"a.zipmap": ["knn_w", "knn_c", share]}})
    w.bind("knn_votes", {"new": votes, "type": ARRAY}, "array")
    shared = _fcn({"v": "double"}, "double", _unless(gone, {"/": ["v", "knn_wsum"]}, NAN))
    w.bind("probs", {"a.map": ["knn_votes", shared]}, "array")
    label = {"attr": {"cell": "classes"}, "path": [{"a.argmax": "knn_votes"}]}
    return {"label": _unless(gone, label, None), "nullable:label": True} if gone else {"label": label}


def _unless(gone: Any, value: Any, missing: Any) -> Any:
    """``value``, or ``missing`` where the symbol ``gone`` holds (no such symbol: ``value``)."""
    return {"if": gone, "then": missing, "else": value} if gone else value


# --- Gaussian naive Bayes -----------------------------------------------------------------


def _naive_bayes(w: _Writer, step: GaussianNaiveBayes, sig: Signature) -> dict[str, Any]:
    """PFA §model.naive.gaussian: the log-likelihood per class, plus the log prior, normalised."""
    if step.floor is not None:
        return _naive_bayes_floored(w, step)
    stat = {
        "type": "record",
        "name": "GaussianStat",
        "fields": [{"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}],
    }
    cls = {
        "type": "record",
        "name": "NaiveBayesClass",
        "fields": [{"name": "logPrior", "type": "double"}, {"name": "stats", "type": {"type": "array", "items": stat}}],
    }
    mean, var = np.asarray(step.mean, dtype=float), np.asarray(step.var, dtype=float)
    init = [
        {"logPrior": float(lp), "stats": [{"mean": float(m), "variance": float(v)} for m, v in zip(mean[c], var[c], strict=True)]}
        for c, lp in enumerate(np.asarray(step.log_prior, dtype=float))
    ]
    w.cells["nb_classes"] = {"type": {"type": "array", "items": cls}, "init": init}
    w.bind("nb_x", _vector(w, step.inputs), "array")
    ll = _fcn({"c": "NaiveBayesClass"}, "double", {"+": ["c.logPrior", {"model.naive.gaussian": ["nb_x", "c.stats"]}]})
    w.bind("nb_jll", {"a.map": [{"cell": "nb_classes"}, ll]}, "array")
    _stable_softmax(w, "nb_jll", "probs")
    return {}


def _naive_bayes_floored(w: _Writer, step: GaussianNaiveBayes) -> dict[str, Any]:
    """PMML 4.4 §NaiveBayes: log prior + sum_j log max(threshold, density_j); a missing input is left out."""
    mean, var = np.asarray(step.mean, dtype=float), np.asarray(step.var, dtype=float)
    scores = []
    for c, prior in enumerate(np.asarray(step.log_prior, dtype=float)):
        terms: list[Any] = []
        for j, name in enumerate(step.inputs):
            d = {"-": ["nb_v", float(mean[c, j])]}
            power = {"/": [{"u-": {"*": [d, d]}}, float(2.0 * var[c, j])]}
            density = {"/": [{"m.exp": power}, float(np.sqrt(2.0 * np.pi * var[c, j]))]}
            logged = {"m.ln": {"max": [density, float(step.floor or 0.0)]}}
            expr, _, nullable = w.cols[name]
            if nullable:
                terms.append({"ifnotnull": {"nb_v": expr}, "then": logged, "else": 0.0})
            else:
                terms.append({"do": [{"let": {"nb_v": expr}}, logged]})
        scores.append({"+": [float(prior), _sum(terms)]})  # (numpy: the prior plus the row's sum)
    w.bind("nb_jll", {"new": scores, "type": ARRAY}, "array")
    _stable_softmax(w, "nb_jll", "probs")
    return {}


# --- neural networks ----------------------------------------------------------------------

_LINKS = {"logistic": "m.link.logit", "tanh": "m.link.tanh", "relu": "m.link.relu"}


def _neural(w: _Writer, step: NeuralNetwork, sig: Signature) -> dict[str, Any]:
    """PFA §model.neural.simpleLayers: one activation for every layer but the last (identity)."""
    hidden = set(step.activations[:-1])
    if len(hidden) > 1 or step.activations[-1] != "identity":
        raise _refuse(step, "a network with mixed hidden activations or a non-identity last layer", ["onnx", "pmml"])
    layer = {"type": "record", "name": "Layer", "fields": [{"name": "weights", "type": MATRIX}, {"name": "bias", "type": ARRAY}]}
    init = [
        {"weights": np.asarray(W, dtype=float).T.tolist(), "bias": np.asarray(b, dtype=float).tolist()}
        for W, b in zip(step.weights, step.biases, strict=True)
    ]
    w.cells["nn_layers"] = {"type": {"type": "array", "items": layer}, "init": init}
    act = hidden.pop() if hidden else "identity"
    # an inline fcn: titus2 1.2.0 fails ("name 'Sigs' is not defined") on {"fcn": "m.link.logit"} references
    activation = _fcn({"z": "double"}, "double", {_LINKS[act]: "z"} if act in _LINKS else "z")
    w.bind("nn_x", _vector(w, step.inputs), "array")
    w.bind("scores", {"model.neural.simpleLayers": ["nn_x", {"cell": "nn_layers"}, activation]}, "array")
    if step.classes is None:
        return {"value": _at("scores", 0)}
    own, wanted = [str(c) for c in step.classes], [str(c) for c in sig.classes or step.classes]
    probs = "probs" if own == wanted else "nn_probs"  # (the PFA lift reads a network's own "probs")
    if step.output == "logistic":
        w.bind("nn_p1", {"m.link.logit": _at("scores", 0)})
        w.bind(probs, {"new": [{"-": [1.0, "nn_p1"]}, "nn_p1"], "type": ARRAY}, "array")
    elif step.output == "softmax":
        _stable_softmax(w, "scores", probs)
    else:
        w.bind(probs, "scores", "array")
    if probs != "probs":  # a PMML document's NeuralOutputs may list the categories in another order
        order = in_order([_at(probs, j) for j in range(len(step.classes))], step.classes, sig)
        w.bind("probs", {"new": order, "type": ARRAY}, "array")
    return {}


# --- k-means ------------------------------------------------------------------------------


def _clustering(w: _Writer, step: NearestCenter, sig: Signature) -> dict[str, Any]:
    """PFA §model.cluster.closest: squared Euclidean, the first closest center."""
    numbered = all(str(i).lstrip("-").isdigit() for i in step.ids)  # (the Cluster record's id is a long)
    if step.metric != "squaredEuclidean" or step.missing_weights is not None or not numbered:
        return _clustering_measured(w, step, sig)
    cluster = {"type": "record", "name": "Cluster", "fields": [{"name": "center", "type": ARRAY}, {"name": "id", "type": "long"}]}
    init = [
        {"center": [float(v) for v in c], "id": int(i)}
        for c, i in zip(np.asarray(step.centers, dtype=float), step.ids, strict=True)
    ]
    w.cells["clusters"] = {"type": {"type": "array", "items": cluster}, "init": init}
    w.bind("km_closest", {"model.cluster.closest": [_vector(w, step.inputs), {"cell": "clusters"}]}, "Cluster")
    return {"cluster": {"attr": "km_closest", "path": [{"string": "id"}]}}


def _clustering_measured(w: _Writer, step: NearestCenter, sig: Signature) -> dict[str, Any]:
    """Each center's distance written out (interchange.ir.distances.distances): euclidean, squared,
    cityBlock or minkowski; with PMML 4.4's missing-value weights a missing input is left out and the
    sum scaled by sum(q) / sum(q of present inputs), no present input giving no cluster."""
    from interchange.formats.pfa.emit.functions import isnan, number_ref

    weights = None if step.missing_weights is None else np.asarray(step.missing_weights, dtype=float)
    xs = [number_ref(w, n) if weights is not None else w.value(n) for n in step.inputs]
    if weights is not None:
        shares = [{"if": isnan(x), "then": 0.0, "else": float(q)} for x, q in zip(xs, weights, strict=True)]
        w.bind("km_present", _sum([0.0, *shares]))
    total_weight = 0.0
    for q in weights if weights is not None else ():
        total_weight += float(q)  # (summed in the IR's order)
    dists = []
    for center in np.asarray(step.centers, dtype=float):
        terms: list[Any] = [0.0]
        for x, c in zip(xs, center, strict=True):
            d: Any = {"m.abs": {"-": [x, float(c)]}}
            if weights is not None:
                d = {"if": isnan(x), "then": 0.0, "else": d}
            if step.metric in ("euclidean", "squaredEuclidean"):
                d = {"*": [d, d]}
            elif step.metric != "manhattan":
                d = {"**": [d, float(step.p)]}
            terms.append(d)
        dists.append(finished(_sum(terms), None if weights is None else total_weight, step.metric, float(step.p)))
    w.bind("km_dists", {"new": dists, "type": ARRAY}, "array")
    return closest_cluster(w, step, sig, weights is not None)


def finished(total: Any, weight: float | None, metric: str, p: float) -> Any:
    """``ir.distances.finish``: the summed terms scaled by ``weight / km_present`` (with missing-value weights),
    then the metric's root."""
    if weight is not None:
        total = {"*": [total, {"/": [weight, "km_present"]}]}
    if metric == "euclidean":
        return {"m.sqrt": total}
    if metric == "minkowski":
        return {"**": [total, 1.0 / p]}
    return total


def closest_cluster(w: _Writer, step: NearestCenter, sig: Signature, weighted: bool) -> dict[str, Any]:
    """The id of the first closest center by the bound ``km_dists``; with ``weighted``, none where the bound
    ``km_present`` (the present inputs' missing-value weights) is 0."""
    field = next((f for f in sig.outputs if f.kind == "cluster"), None)
    if field is None:  # (PMML: a ClusteringModel without an Output): no cluster id to write
        return {}
    ids: list[Any] = [str(i) for i in step.ids] if field.type == "string" else [int(i) for i in step.ids]
    w.cells["cluster_ids"] = {"type": {"type": "array", "items": "string" if field.type == "string" else "long"}, "init": ids}
    closest = {"attr": {"cell": "cluster_ids"}, "path": [{"a.argmin": "km_dists"}]}  # (the first of equal ones)
    if not weighted:
        return {"cluster": closest}
    return {"cluster": {"if": {"==": ["km_present", 0.0]}, "then": None, "else": closest}, "nullable:cluster": True}


FAMILY_WRITERS: dict[type, ModelWriter] = {
    SupportVectorMachine: _svm,
    NearestNeighbors: _knn,
    GaussianNaiveBayes: _naive_bayes,
    NeuralNetwork: _neural,
    NearestCenter: _clustering,
}
