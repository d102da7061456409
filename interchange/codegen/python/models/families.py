"""Python emitters for the IR's model steps: each returns (lines, parts).

``parts`` maps what the model produced (value, probabilities, decision, label, cluster, score)
to the local variable holding it; the module maps parts onto the signature's outputs.
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.registry import emitter
from interchange.ir.models.cluster import NearestCenter
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.naive_bayes import GaussianNaiveBayes
from interchange.ir.models.neighbors import NearestNeighbors
from interchange.ir.models.neural import NeuralNetwork
from interchange.ir.models.outlier import IsolationScore
from interchange.ir.models.svm import SupportVectorMachine
from interchange.ir.trees.ensemble import TreeEnsemble

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


def _x(inputs: tuple[str, ...]) -> str:
    return f"X = _matrix(env, {literal(inputs)}, n)"


@emitter("python", Regression)
def _regression(step: Regression, out: PyWriter) -> Emitted:
    coef = out.const("COEF", np.asarray(step.coef, dtype=np.float64))
    intercept = out.const("INTERCEPT", np.asarray(step.intercept))
    lines = [_x(step.inputs), f"scores = X @ {coef}.T + {intercept}"]
    if step.classes is None:
        return [*lines, "value = scores[:, 0]"], {"value": "value"}
    if step.link is Link.IDENTITY:
        return [*lines, "decision = scores"], {"decision": "decision"}
    out.need("link_probabilities")
    return [*lines, f"probabilities = link_probabilities(scores, {step.link.value!r})"], {"probabilities": "probabilities"}


def _forest(step: TreeEnsemble, out: PyWriter, prefix: str) -> list[str]:
    """Lines computing ``leaves`` (rows x k) from the ensemble's packed node arrays."""
    flat, values = step._packed()
    out.need("forest_leaf_values")
    names = [
        out.const(f"{prefix}_{part}", np.asarray(getattr(flat, part)))
        for part in ("roots", "feature", "threshold", "children", "missing_right", "strict")
    ]
    forest = out.const(f"{prefix}_FOREST", ())
    out.constants[-1] = f"{forest} = ({', '.join(names)}, {flat.depth})"
    leaf = out.const(f"{prefix}_VALUES", np.asarray(values, dtype=np.float64))
    average = step.aggregation == "average"
    trees = len(step.trees)
    return [_x(step.inputs), f"leaves = forest_leaf_values(X, {forest}, {leaf}, {trees}, {average}, {step.precision!r})"]


@emitter("python", TreeEnsemble)
def _ensemble(step: TreeEnsemble, out: PyWriter) -> Emitted:
    lines = _forest(step, out, "TREES")
    if step.precision == "float":  # float32 sums (x-mathContext="float"): the base and the softmax in float32
        out.need("float_scores")
        base = "None" if step.base is None else out.const("BASE", np.asarray(step.base, dtype=np.float64))
        lines.append(f"scores = float_scores(leaves, {base}, {step.link is Link.SOFTMAX})")
        if step.classes is None:
            return [*lines, "value = scores[:, 0]"], {"value": "value"}
        return [*lines, "probabilities = scores"], {"probabilities": "probabilities"}
    lines.append("scores = leaves")
    if step.base is not None:
        lines.append(f"scores = scores + {out.const('BASE', np.asarray(step.base, dtype=np.float64))}")
    if step.classes is None:
        return [*lines, "value = scores[:, 0]"], {"value": "value"}
    out.need("link_probabilities")
    return [*lines, f"probabilities = link_probabilities(scores, {step.link.value!r})"], {"probabilities": "probabilities"}


@emitter("python", IsolationScore)
def _isolation(step: IsolationScore, out: PyWriter) -> Emitted:
    lines = _forest(step.paths, out, "PATHS")
    lines += [
        f"score = -np.power(2.0, -leaves[:, 0] / {literal(float(step.normaliser))}) - {literal(float(step.offset))}",
        "label = np.where(score < 0, -1, 1)",
    ]
    return lines, {"score": "score", "label": "label"}


@emitter("python", NeuralNetwork)
def _network(step: NeuralNetwork, out: PyWriter) -> Emitted:
    out.need("activate")
    lines = [_x(step.inputs), "a = X"]
    for i, (W, b, act) in enumerate(zip(step.weights, step.biases, step.activations, strict=True)):
        w = out.const(f"WEIGHTS_{i}", np.asarray(W, dtype=np.float64))
        bias = out.const(f"BIASES_{i}", np.asarray(b, dtype=np.float64))
        lines.append(f"a = activate(a @ {w} + {bias}, {act!r})")
    if step.classes is None:
        return [*lines, "value = a[:, 0]"], {"value": "value"}
    if step.output == "logistic":
        lines += ["p1 = activate(a[:, 0], 'logistic')", "probabilities = np.column_stack([1.0 - p1, p1])"]
    elif step.output == "softmax":
        out.need("softmax")
        lines.append("probabilities = softmax(a)")
    else:
        lines.append("probabilities = a")
    return lines, {"probabilities": "probabilities"}


@emitter("python", SupportVectorMachine)
def _svm(step: SupportVectorMachine, out: PyWriter) -> Emitted:
    out.need("kernel_matrix")
    vectors = out.const("VECTORS", np.asarray(step.vectors, dtype=np.float64))
    coef = out.const("DUAL_COEF", np.asarray(step.coef, dtype=np.float64))
    intercept = out.const("SVM_INTERCEPT", np.asarray(step.intercept, dtype=np.float64))
    kernel = f"{step.kernel!r}, {literal(float(step.gamma))}, {literal(float(step.coef0))}, {literal(float(step.degree))}"
    lines = [
        _x(step.inputs),
        "missing = np.isnan(X).any(axis=1)",  # a missing input: no prediction (ir.svm.SupportVectorMachine)
        f"f = kernel_matrix(np.where(missing[:, None], 0.0, X), {vectors}, {kernel}) @ {coef}.T + {intercept}",
    ]
    if step.classes is None:
        return [*lines, "value = np.where(missing, np.nan, f[:, 0])"], {"value": "value"}
    assert step.pairs is not None
    pairs = out.const("PAIRS", np.asarray(step.pairs, dtype=np.int32))
    threshold = "np.zeros(f.shape[1])" if step.threshold is None else out.const("SVM_THRESHOLD", np.asarray(step.threshold))
    compare = ">" if step.first_when == ">" else "<"
    k = len(step.classes)
    lines += [
        f"first = f {compare} {threshold}",
        f"votes = np.zeros((f.shape[0], {k}))",
        f"for p, (i, j) in enumerate({pairs}):",
        "    votes[:, i] += first[:, p]",
        "    votes[:, j] += ~first[:, p]",
        "label = CLASSES[np.argmax(votes, axis=1)]",
        "label[missing] = None",
    ]
    parts = {"label": "label"}
    if step.first_when == ">" and step.threshold is None:
        parts["decision"] = "decision"
        if k == 2:
            lines.append("decision = -f[:, :1]")
        elif step.shape == "ovo":
            lines.append("decision = f")
        else:
            lines += [
                "confidence = np.zeros_like(votes)",
                f"for p, (i, j) in enumerate({pairs}):",
                "    confidence[:, i] += f[:, p]",
                "    confidence[:, j] -= f[:, p]",
                "decision = votes + confidence / (3 * (np.abs(confidence) + 1))",
            ]
        lines.append("decision = np.where(missing[:, None], np.nan, decision)")
    if step.prob_a is not None and step.prob_b is not None:  # libsvm's Platt scaling and coupling (ir.svm_probability)
        out.need("svm_probabilities")
        a = out.const("PROB_A", np.asarray(step.prob_a, dtype=np.float64))
        b = out.const("PROB_B", np.asarray(step.prob_b, dtype=np.float64))
        lines.append(f"probabilities = svm_probabilities(f, {pairs}, {a}, {b}, {k})")
        lines.append("probabilities = np.where(missing[:, None], np.nan, probabilities)")
        parts["probabilities"] = "probabilities"
    return lines, parts


@emitter("python", NearestNeighbors)
def _neighbors(step: NearestNeighbors, out: PyWriter) -> Emitted:
    out.need("distances", "lowest")
    points = out.const("POINTS", np.asarray(step.points, dtype=np.float64))
    targets = out.const("TARGETS", np.asarray(step.targets))
    lines = [
        _x(step.inputs),
        "missing = np.isnan(X).any(axis=1)",  # a missing input: no prediction (ir.neighbors.NearestNeighbors)
        "X = np.where(missing[:, None], 0.0, X)",
        f"d = distances(X[:, None, :], {points}[None, :, :], {step.metric!r}, {literal(float(step.p))})",
        f"idx = lowest(d, {int(step.k)})",
        "dist = np.take_along_axis(d, idx, axis=1)",
        f"targets = {targets}[idx]",
    ]
    if step.weights == "distance" and step.threshold > 0:
        lines.append(f"w = 1.0 / (dist + {literal(float(step.threshold))})")
    elif step.weights == "distance":
        lines += [
            "zero = dist == 0",
            "with np.errstate(divide='ignore'):",
            "    w = 1.0 / dist",
            "w = np.where(zero.any(axis=1, keepdims=True), zero.astype(np.float64), w)",
        ]
    else:
        lines.append("w = np.ones_like(dist)")
    if step.classes is None:
        lines.append("values = targets.astype(np.float64)")
        if step.weights == "median":
            return [*lines, "value = np.where(missing, np.nan, np.median(values, axis=1))"], {"value": "value"}
        return [*lines, "value = np.where(missing, np.nan, (values * w).sum(axis=1) / w.sum(axis=1))"], {"value": "value"}
    k = len(step.classes)
    lines += [
        f"votes = np.stack([(w * (targets == c)).sum(axis=1) for c in range({k})], axis=1)",
        "probabilities = votes / votes.sum(axis=1, keepdims=True)",
    ]
    if step.tie == "index":
        lines.append("label = CLASSES[np.argmax(votes, axis=1)]")
    else:
        counts = np.bincount(np.asarray(step.targets, dtype=int), minlength=k).astype(np.float64)
        lexical = np.argsort(np.argsort([str(c) for c in step.classes], kind="stable"))
        c = out.const("CLASS_COUNTS", counts)
        lex = out.const("LEXICAL", np.asarray(lexical, dtype=np.int32))
        lines += [  # most votes, then most training cases, then the lexically smallest value
            "top = votes == votes.max(axis=1, keepdims=True)",
            f"key = np.where(top, {c} * {k + 1} + ({k} - {lex}), -1.0)",
            "label = CLASSES[np.argmax(key, axis=1)]",
        ]
    lines += ["probabilities = np.where(missing[:, None], np.nan, probabilities)", "label[missing] = None"]
    return lines, {"probabilities": "probabilities", "label": "label"}


@emitter("python", NearestCenter)
def _center(step: NearestCenter, out: PyWriter) -> Emitted:
    out.need("distances")
    centers = out.const("CENTERS", np.asarray(step.centers, dtype=np.float64))
    ids = out.const("CLUSTER_IDS", np.asarray(step.ids, dtype=object))
    if step.missing_weights is None:
        d = f"d = distances(X[:, None, :], {centers}[None, :, :], {step.metric!r}, {literal(float(step.p))})"
        return [_x(step.inputs), d, f"cluster = {ids}[np.argmin(d, axis=1)]"], {"cluster": "cluster"}
    # PMML 4.4 missing-value weights: a row with no present field gets no cluster (ir.cluster.NearestCenter)
    weights = out.const("MISSING_WEIGHTS", np.asarray(step.missing_weights, dtype=np.float64))
    lines = [
        _x(step.inputs),
        f"d = distances(X[:, None, :], {centers}[None, :, :], {step.metric!r}, {literal(float(step.p))}, weights={weights})",
        f"cluster = {ids}[np.argmin(np.nan_to_num(d, nan=np.inf), axis=1)]",
        "cluster[np.isnan(d).all(axis=1)] = None",
    ]
    return lines, {"cluster": "cluster"}


@emitter("python", GaussianNaiveBayes)
def _bayes(step: GaussianNaiveBayes, out: PyWriter) -> Emitted:
    mean = out.const("NB_MEAN", np.asarray(step.mean, dtype=np.float64))
    var = out.const("NB_VAR", np.asarray(step.var, dtype=np.float64))
    prior = out.const("NB_LOG_PRIOR", np.asarray(step.log_prior, dtype=np.float64))
    lines = [_x(step.inputs), f"jll = np.tile({prior}, (X.shape[0], 1))", f"for c in range({len(step.classes)}):"]
    if step.floor is None:
        lines += [
            f"    terms = -0.5 * np.log(2.0 * np.pi * {var}[c]) - 0.5 * (X - {mean}[c]) ** 2 / {var}[c]",
            "    jll[:, c] += terms.sum(axis=1)",
        ]
    else:
        lines += [
            "    with np.errstate(divide='ignore', invalid='ignore'):",
            f"        density = np.exp(-((X - {mean}[c]) ** 2) / (2.0 * {var}[c])) / np.sqrt(2.0 * np.pi * {var}[c])",
            f"        logs = np.log(np.maximum({literal(float(step.floor))}, density))",
            "    jll[:, c] += np.where(np.isnan(X), 0.0, logs).sum(axis=1)",
        ]
    lines += ["z = np.exp(jll - jll.max(axis=1, keepdims=True))", "probabilities = z / z.sum(axis=1, keepdims=True)"]
    return lines, {"probabilities": "probabilities"}
