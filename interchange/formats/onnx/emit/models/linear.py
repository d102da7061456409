"""ONNX for linear models and neural networks, with the IR's links written as plain double ops.

The links are spelled out (``1 / (1 + exp(-s))``, ``exp(s - max) / sum``) rather than left to
an operator's own implementation, so the graph computes what ``ir.linear.apply_link`` does.
"""

from __future__ import annotations

import numpy as np

from interchange.formats.onnx.emit.builder import INT64, Builder, refuse
from interchange.formats.onnx.emit.missing import probability_label
from interchange.formats.onnx.emit.registry import Emitted, argmax_label, emitter, labels
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.neural import NeuralNetwork

__all__ = ["sigmoid", "softmax", "probabilities", "column", "row_sum", "decision_label"]


def sigmoid(b: Builder, s: str) -> str:
    return b.op("Div", [b.const(1.0), b.op("Add", [b.const(1.0), b.op("Exp", [b.op("Neg", [s])])])], "sigmoid")


def row_sum(b: Builder, x: str) -> str:
    return b.op("ReduceSum", [x, b.const([1], np.int64, "axes")], keepdims=1)


def softmax(b: Builder, s: str) -> str:
    z = b.op("Exp", [b.op("Sub", [s, b.op("ReduceMax", [s, b.const([1], np.int64, "axes")], keepdims=1)])])
    return b.op("Div", [z, row_sum(b, z)], "softmax")


def column(b: Builder, x: str, j: int) -> str:
    """Column ``j`` of ``x`` as ``[N, 1]``."""
    starts, ends, ax = (b.const([v], np.int64, "i") for v in (j, j + 1, 1))
    return b.op("Slice", [x, starts, ends, ax])


def probabilities(b: Builder, scores: str, link: Link) -> str:
    """``ir.linear.apply_link`` for a classification link."""
    if link is Link.LOGISTIC:  # one score, for the second class
        p1 = sigmoid(b, scores if b.widths.get(scores) == 1 else column(b, scores, 0))
        return b.op("Concat", [b.op("Sub", [b.const(1.0), p1]), p1], "probabilities", axis=1)
    if link is Link.SOFTMAX:
        return softmax(b, scores)
    if link is Link.OVR:
        p = sigmoid(b, scores)
        return b.op("Div", [p, row_sum(b, p)], "probabilities")
    raise refuse(f"the link {link.value!r} for class probabilities")


def decision_label(b: Builder, classes: tuple, decision: str, width: int) -> str:
    """Binary (one column): the second class where d > 0; else the first largest."""
    if width == 1:
        index = b.op("Cast", [b.op("Greater", [decision, b.const(0.0)])], to=INT64)
        return labels(b, classes, b.op("Reshape", [index, b.const([-1], np.int64, "shape")]))
    return argmax_label(b, classes, decision)


@emitter(Regression)
def regression(step: Regression, b: Builder) -> Emitted:
    X = b.matrix(step.inputs)
    coef = np.asarray(step.coef, dtype=np.float64)
    scores = b.op("Add", [b.op("MatMul", [X, b.const(coef.T)]), b.const(np.asarray(step.intercept, dtype=np.float64))])
    b.declare(scores, coef.shape[0])
    if step.classes is None:
        return Emitted(value=scores)
    if step.link is Link.IDENTITY:
        return Emitted(label=decision_label(b, step.classes, scores, coef.shape[0]), decision=scores)
    p = probabilities(b, scores, step.link)
    return Emitted(label=probability_label(b, step.classes, p), probabilities=p)


def _activate(b: Builder, z: str, name: str) -> str:
    if name == "identity":
        return z
    if name == "logistic":
        return sigmoid(b, z)
    if name == "tanh":
        return b.op("Tanh", [z])
    if name == "relu":
        return b.op("Relu", [z])
    raise refuse(f"the activation {name!r}")


@emitter(NeuralNetwork)
def neural_network(step: NeuralNetwork, b: Builder) -> Emitted:
    a = b.matrix(step.inputs)
    for W, bias, act in zip(step.weights, step.biases, step.activations, strict=True):
        z = b.op("MatMul", [a, b.const(np.asarray(W, dtype=np.float64))])
        a = _activate(b, b.op("Add", [z, b.const(np.asarray(bias, dtype=np.float64))]), act)
        b.declare(a, np.asarray(W).shape[1])
    if step.classes is None:
        return Emitted(value=column(b, a, 0))
    if step.output == "logistic":
        p = probabilities(b, a, Link.LOGISTIC)
    elif step.output == "softmax":
        p = softmax(b, a)
    elif step.output == "identity":
        p = a
    else:
        raise refuse(f"the network output {step.output!r}")
    return Emitted(label=probability_label(b, step.classes, p), probabilities=p)
