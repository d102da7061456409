"""ONNX for the IR's distance and density models: kernel SVMs, k-nearest neighbours, centers, Gaussian NB.

Distances are summed coordinate by coordinate, one ``[N, points]`` accumulation per input
column, as ``ir.neighbors.distances`` and ``ir.svm.kernel_matrix`` do (not the
``|x|^2 - 2xv + |v|^2`` expansion, which loses digits near a stored point).
"""

from __future__ import annotations

import numpy as np

from interchange.formats.onnx.emit.builder import DOUBLE, STRING, Builder, refuse
from interchange.formats.onnx.emit.missing import blank_label, blank_rows, missing_rows, probability_label
from interchange.formats.onnx.emit.models.linear import column, row_sum, softmax
from interchange.formats.onnx.emit.models.platt import svm_probabilities
from interchange.formats.onnx.emit.registry import Emitted, argmax_label, emitter, labels
from interchange.ir.models.cluster import NearestCenter
from interchange.ir.models.naive_bayes import GaussianNaiveBayes
from interchange.ir.models.neighbors import NearestNeighbors
from interchange.ir.models.svm import SupportVectorMachine

__all__ = ["distances", "finish"]


def _accumulate(b: Builder, inputs: tuple[str, ...], points: np.ndarray, term: str, p: float = 2.0) -> str:
    total = None
    for j, name in enumerate(inputs):
        diff = b.op("Sub", [b.column(name), b.const(points[None, :, j])])
        if term == "square":
            part = b.op("Mul", [diff, diff])
        elif term == "abs":
            part = b.op("Abs", [diff])
        else:
            part = b.op("Pow", [b.op("Abs", [diff]), b.const(float(p))])
        total = part if total is None else b.op("Add", [total, part])
    if total is None:
        raise refuse("distances over no input")
    return total


def distances(b: Builder, inputs: tuple[str, ...], points: np.ndarray, metric: str, p: float = 2.0) -> str:
    """``[N, points]``: ``ir.neighbors.distances`` of every row to every stored point."""
    points = np.asarray(points, dtype=np.float64)
    if metric in ("euclidean", "squaredEuclidean"):
        total = _accumulate(b, inputs, points, "square")
        return b.op("Sqrt", [total]) if metric == "euclidean" else total
    if metric == "manhattan":
        return _accumulate(b, inputs, points, "abs")
    if metric == "minkowski":
        return b.op("Pow", [_accumulate(b, inputs, points, "pow", p), b.const(1.0 / p)])
    raise refuse(f"the distance metric {metric!r}")


def _weighted(b: Builder, step: NearestCenter) -> str:
    """PMML 4.4 §Clustering with missing-value weights (``ir.distances.distances``): a missing input is left
    out, the sum scaled by sum(q) / sum(q of present inputs); no present input gives NaN distances."""
    assert step.missing_weights is not None
    centers, q = np.asarray(step.centers, dtype=np.float64), np.asarray(step.missing_weights, dtype=np.float64)
    total, present, weight = None, None, 0.0
    for j, name in enumerate(step.inputs):
        x = b.column(name)
        gone = b.op("IsNaN", [x])
        diff = b.op("Abs", [b.op("Where", [gone, b.const(0.0), b.op("Sub", [x, b.const(centers[None, :, j])])])])
        if step.metric in ("euclidean", "squaredEuclidean"):
            part = b.op("Mul", [diff, diff])
        elif step.metric == "manhattan":
            part = diff
        else:
            part = b.op("Pow", [diff, b.const(float(step.p))])
        total = part if total is None else b.op("Add", [total, part])
        share = b.op("Where", [gone, b.const(0.0), b.const(float(q[j]))])
        present = share if present is None else b.op("Add", [present, share])
        weight += float(q[j])
    if total is None or present is None:
        raise refuse("distances over no input")
    return finish(b, total, present, weight, step.metric, step.p)


def finish(b: Builder, total: str, present: str, weight: float, metric: str, p: float) -> str:
    """``ir.distances.finish``: ``total`` scaled by ``weight / present`` (NaN where ``present`` is 0), then the
    root ``metric`` takes."""
    scaled = b.op("Mul", [total, b.op("Div", [b.const(weight), present])])
    scaled = b.op("Where", [b.op("Equal", [present, b.const(0.0)]), b.const(np.nan), scaled])
    if metric == "euclidean":
        return b.op("Sqrt", [scaled])
    if metric == "minkowski":
        return b.op("Pow", [scaled, b.const(1.0 / p)])
    return scaled


def center_distances(b: Builder, step: NearestCenter) -> str:
    """``[N, clusters]``: ``NearestCenter.distance_matrix`` (NaN rows where no weighted input is present)."""
    if step.missing_weights is not None:
        return _weighted(b, step)
    return distances(b, step.inputs, step.centers, step.metric, step.p)


def nearest_center_of(step: NearestCenter, b: Builder, d: str) -> tuple[str, str]:
    """The first closest center's id (``[N]``) and index (``[N]`` int64) from the distances ``d``."""
    index = b.op("ArgMin", [d], axis=1, keepdims=0, select_last_index=0)
    cluster = labels(b, step.ids, index)
    if step.missing_weights is not None and b.types.get(cluster) == STRING:  # no present input: NaN distances, no cluster
        cluster = blank_label(b, cluster, b.op("IsNaN", [column(b, d, 0)]))
    return cluster, index


@emitter(NearestCenter)
def nearest_center(step: NearestCenter, b: Builder) -> Emitted:
    """The first closest center's id. With missing-value weights, a row with no input present has NaN
    distances and no cluster in the IR: the empty string here (an ONNX string tensor has no null)."""
    return Emitted(cluster=nearest_center_of(step, b, center_distances(b, step))[0])


@emitter(NearestNeighbors)
def nearest_neighbors(step: NearestNeighbors, b: Builder) -> Emitted:
    if step.tie != "index" or step.weights == "median":
        raise refuse(f"k-nearest neighbours with tie={step.tie!r}, weights={step.weights!r}")
    d = distances(b, step.inputs, step.points, step.metric, step.p)
    # TopK orders equal distances by index: the earlier stored point first, as a stable argsort
    dist, index = b.ops("TopK", [d, b.const([int(step.k)], np.int64, "k")], 2, axis=1, largest=0, sorted=1)
    weights = None
    if step.weights == "distance" and step.threshold > 0:  # PMML 4.4's weighted methods: 1 / (d + threshold)
        weights = b.op("Div", [b.const(1.0), b.op("Add", [dist, b.const(float(step.threshold))])])
    elif step.weights == "distance":
        zero = b.op("Equal", [dist, b.const(0.0)])
        exact = b.op("Cast", [zero], to=DOUBLE)
        any_zero = b.op("Greater", [b.op("ReduceMax", [exact, b.const([1], np.int64)], keepdims=1), b.const(0.0)])
        weights = b.op("Where", [any_zero, exact, b.op("Div", [b.const(1.0), dist])])
    gone = missing_rows(b, step.inputs)  # a missing input: no prediction (ir.neighbors.NearestNeighbors)
    if step.classes is None:
        values = b.op("Gather", [b.const(np.asarray(step.targets, dtype=np.float64)), index], axis=0)
        if weights is None:
            return Emitted(value=blank_rows(b, b.op("Div", [row_sum(b, values), b.const(float(step.k))], "mean"), gone))
        mean = b.op("Div", [row_sum(b, b.op("Mul", [values, weights])), row_sum(b, weights)], "mean")
        return Emitted(value=blank_rows(b, mean, gone))
    targets = b.op("Gather", [b.const(np.asarray(step.targets, dtype=np.int64)), index], axis=0)
    k = len(step.classes)
    hot = b.op("Cast", [b.op("Equal", [b.op("Unsqueeze", [targets, b.const([2], np.int64)]), b.const(np.arange(k))])], to=DOUBLE)
    if weights is not None:
        hot = b.op("Mul", [hot, b.op("Unsqueeze", [weights, b.const([2], np.int64)])])
    votes = b.op("ReduceSum", [hot, b.const([1], np.int64)], keepdims=0)
    p = blank_rows(b, b.op("Div", [votes, row_sum(b, votes)], "probabilities"), gone)
    return Emitted(label=blank_label(b, argmax_label(b, step.classes, votes), gone), probabilities=p)


@emitter(GaussianNaiveBayes)
def gaussian_nb(step: GaussianNaiveBayes, b: Builder) -> Emitted:
    """``log prior + sum_j (-0.5 log(2 pi var) - 0.5 (x - mean)^2 / var)``, then normalised; with a PMML
    threshold, each density raised to at least it before its log (ir.naive_bayes.GaussianNaiveBayes)."""
    mean, var = np.asarray(step.mean, dtype=np.float64), np.asarray(step.var, dtype=np.float64)
    X = b.op("Unsqueeze", [b.matrix(step.inputs), b.const([1], np.int64)])  # [N, 1, m]
    diff = b.op("Sub", [X, b.const(mean)])
    if step.floor is None:
        spread = b.op("Div", [b.op("Mul", [b.const(0.5), b.op("Mul", [diff, diff])]), b.const(var)])
        terms = b.op("Sub", [b.const(-0.5 * np.log(2.0 * np.pi * var)), spread])
    else:  # PMML 4.4 §NaiveBayes: log max(threshold, density); a missing input is left out of the product
        power = b.op("Div", [b.op("Neg", [b.op("Mul", [diff, diff])]), b.const(2.0 * var)])
        density = b.op("Div", [b.op("Exp", [power]), b.const(np.sqrt(2.0 * np.pi * var))])
        logs = b.op("Log", [b.op("Max", [density, b.const(float(step.floor))])])
        terms = b.op("Where", [b.op("IsNaN", [X]), b.const(0.0), logs])
    summed = b.op("ReduceSum", [terms, b.const([2], np.int64)], keepdims=0)
    jll = b.op("Add", [b.const(np.asarray(step.log_prior, dtype=np.float64)), summed])
    p = softmax(b, jll)
    return Emitted(label=probability_label(b, step.classes, p), probabilities=p)


def _kernel(b: Builder, step: SupportVectorMachine) -> str:
    V = np.asarray(step.vectors, dtype=np.float64)
    if step.kernel == "rbf":
        return b.op("Exp", [b.op("Mul", [b.const(-step.gamma), _accumulate(b, step.inputs, V, "square")])])
    dot = b.op("MatMul", [b.matrix(step.inputs), b.const(V.T)])
    if step.kernel == "linear":
        return dot
    inner = b.op("Add", [b.op("Mul", [b.const(float(step.gamma)), dot]), b.const(float(step.coef0))])
    if step.kernel == "poly":
        return b.op("Pow", [inner, b.const(float(step.degree))])
    if step.kernel == "sigmoid":
        return b.op("Tanh", [inner])
    raise refuse(f"the SVM kernel {step.kernel!r}")


def machine_values(b: Builder, step: SupportVectorMachine) -> str:
    """``[N, machines]``: ``SupportVectorMachine.machine_values``."""
    coef, intercept = np.asarray(step.coef, dtype=np.float64), np.asarray(step.intercept, dtype=np.float64)
    return b.op("Add", [b.op("MatMul", [_kernel(b, step), b.const(coef.T)]), b.const(intercept)])


def machine_votes(b: Builder, step: SupportVectorMachine, f: str) -> str:
    """``[N, classes]``: ``SupportVectorMachine.votes`` from the machine values ``f``."""
    assert step.classes is not None and step.pairs is not None
    pairs = np.asarray(step.pairs, dtype=int)
    k = len(step.classes)
    first_of, second_of = np.zeros((len(pairs), k)), np.zeros((len(pairs), k))
    first_of[np.arange(len(pairs)), pairs[:, 0]] = 1.0
    second_of[np.arange(len(pairs)), pairs[:, 1]] = 1.0
    t = np.zeros(len(pairs)) if step.threshold is None else np.asarray(step.threshold, dtype=np.float64)
    first = b.op("Cast", [b.op("Greater" if step.first_when == ">" else "Less", [f, b.const(t)])], to=DOUBLE)
    second = b.op("Sub", [b.const(1.0), first])
    return b.op("Add", [b.op("MatMul", [first, b.const(first_of)]), b.op("MatMul", [second, b.const(second_of)])], "votes")


@emitter(SupportVectorMachine)
def support_vector_machine(step: SupportVectorMachine, b: Builder) -> Emitted:
    f = machine_values(b, step)
    gone = missing_rows(b, step.inputs)  # a missing input: no prediction (ir.svm.SupportVectorMachine)
    if step.classes is None:
        return Emitted(value=blank_rows(b, column(b, f, 0), gone))
    assert step.pairs is not None
    pairs = np.asarray(step.pairs, dtype=int)
    k = len(step.classes)
    first_of, second_of = np.zeros((len(pairs), k)), np.zeros((len(pairs), k))
    first_of[np.arange(len(pairs)), pairs[:, 0]] = 1.0
    second_of[np.arange(len(pairs)), pairs[:, 1]] = 1.0
    votes = machine_votes(b, step, f)
    out = Emitted(label=blank_label(b, argmax_label(b, step.classes, votes), gone))
    if step.first_when == ">" and step.threshold is None:
        if k == 2:
            decision = b.op("Neg", [column(b, f, 0)], "decision")
        elif step.shape == "ovo":
            decision = f
        else:
            confidence = b.op("MatMul", [f, b.const(first_of - second_of)])
            squash = b.op("Mul", [b.const(3.0), b.op("Add", [b.op("Abs", [confidence]), b.const(1.0)])])
            decision = b.op("Add", [votes, b.op("Div", [confidence, squash])], "decision")
        out.decision = blank_rows(b, decision, gone)
    if step.prob_a is not None and step.prob_b is not None:  # libsvm's Platt scaling and coupling (emit/platt.py)
        p = svm_probabilities(b, f, np.asarray(step.pairs), np.asarray(step.prob_a), np.asarray(step.prob_b), k)
        out.probabilities = blank_rows(b, p, gone)
    return out
