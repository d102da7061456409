"""GeneralizedLinear, CumulativeLink and NormalizedClassifier in double ai.onnx arithmetic.

The linear predictor is MatMul + Add as for Regression; the inverse links are spelled out as
PMML 4.4 defines them (interchange.ir.models.general.inverse_link) with Exp and Pow; probit and
cauchit with erfc and atan composed in double (special.py: onnxruntime has no double Erf / Atan
kernel). Cumulative probabilities
become class probabilities as differences of neighbours.
"""

from __future__ import annotations

import math

import numpy as np

from interchange.formats.onnx.emit.builder import Builder, refuse
from interchange.formats.onnx.emit.missing import probability_label
from interchange.formats.onnx.emit.models.linear import column, row_sum, sigmoid
from interchange.formats.onnx.emit.models.special import atan, erfc
from interchange.formats.onnx.emit.registry import Emitted, emitter
from interchange.ir.kernels.trees import FLOAT_MATH
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear, NormalizedClassifier

__all__ = ["inverse_link"]


def _exp(b: Builder, y: str) -> str:
    return b.op("Exp", [y])


def _neg(b: Builder, y: str) -> str:
    return b.op("Neg", [y])


def inverse_link(b: Builder, name: str, y: str, parameter: float = 0.0) -> str:
    """mu = g^-1(y), elementwise."""
    one = b.const(1.0)
    if name == "identity":
        return y
    if name in ("log", "exp"):
        return _exp(b, y)
    if name == "logc":
        return b.op("Sub", [one, _exp(b, y)])
    if name == "logit" or (name == "oddspower" and parameter == 0):
        return sigmoid(b, y)
    if name == "probit":  # 0.5 erfc(-y / sqrt 2); onnxruntime has no double Erf kernel: special.erfc composes one
        return b.op("Mul", [b.const(0.5), erfc(b, b.op("Div", [b.op("Neg", [y]), b.const(math.sqrt(2.0))]))])
    if name == "cauchit":  # 0.5 + atan(y) / pi; no double Atan kernel either: special.atan
        return b.op("Add", [b.const(0.5), b.op("Div", [atan(b, y), b.const(math.pi)])])
    if name == "cloglog":
        return b.op("Sub", [one, _exp(b, _neg(b, _exp(b, y)))])
    if name == "loglog":
        return _exp(b, _neg(b, _exp(b, _neg(b, y))))
    if name == "negbin":
        return b.op("Div", [one, b.op("Mul", [b.const(parameter), b.op("Sub", [_exp(b, _neg(b, y)), one])])])
    if name == "power":
        return b.op("Pow", [y, b.const(1.0 / parameter)]) if parameter != 0 else _exp(b, y)
    if name == "oddspower":
        base = b.op("Add", [one, b.op("Mul", [b.const(parameter), y])])
        return b.op("Div", [one, b.op("Add", [one, b.op("Pow", [base, b.const(-1.0 / parameter)])])])
    raise refuse(f"the inverse link {name!r}")


def _source(b: Builder, source: str | float) -> str:
    return b.column(source) if isinstance(source, str) else b.const(float(source))


def _trunc(b: Builder, x: str) -> str:
    return b.op("Where", [b.op("GreaterOrEqual", [x, b.const(0.0)]), b.op("Floor", [x]), b.op("Ceil", [x])])


@emitter(GeneralizedLinear)
def generalized_linear(step: GeneralizedLinear, b: Builder) -> Emitted:
    if step.precision == "float":
        raise refuse(f"a GeneralizedLinear link in {FLOAT_MATH}")
    coef = np.asarray(step.coef, dtype=np.float64).reshape(-1, 1)
    eta = b.op("Add", [b.op("MatMul", [b.matrix(step.columns), b.const(coef)]), b.const(float(step.intercept))])
    if step.offset is not None:
        eta = b.op("Add", [eta, _source(b, step.offset)])
    mu = inverse_link(b, step.link, eta, step.parameter)
    if isinstance(step.trials, str):
        mu = b.op("Mul", [mu, _trunc(b, b.column(step.trials))])
    elif step.trials is not None:
        mu = b.op("Mul", [mu, b.const(float(np.trunc(step.trials)))])
    b.declare(mu, 1)
    return Emitted(value=mu)


def _differences(b: Builder, cumulative: str, k: int) -> str:
    """[F0, F1 - F0, ..., 1 - F(k-2)] from the k-1 cumulative probabilities."""
    parts = [column(b, cumulative, 0)]
    if k > 2:
        starts, ends, axes = (b.const([v], np.int64, "i") for v in (1, k - 1, 1))
        upper = b.op("Slice", [cumulative, starts, ends, axes])
        starts, ends = (b.const([v], np.int64, "i") for v in (0, k - 2))
        lower = b.op("Slice", [cumulative, starts, ends, axes])
        parts.append(b.op("Sub", [upper, lower]))
    parts.append(b.op("Sub", [b.const(1.0), column(b, cumulative, k - 2)]))
    probs = b.op("Concat", parts, "probabilities", axis=1)
    b.declare(probs, k)
    return probs


@emitter(CumulativeLink)
def cumulative_link(step: CumulativeLink, b: Builder) -> Emitted:
    coef = np.asarray(step.coef, dtype=np.float64)
    eta = b.op(
        "Add", [b.op("MatMul", [b.matrix(step.columns), b.const(coef.T)]), b.const(np.asarray(step.intercept, np.float64))]
    )
    if step.offset is not None:
        eta = b.op("Add", [eta, _source(b, step.offset)])
    probs = _differences(b, inverse_link(b, step.link, eta), len(step.classes))
    return Emitted(label=probability_label(b, step.classes, probs), probabilities=probs)


@emitter(NormalizedClassifier)
def normalized_classifier(step: NormalizedClassifier, b: Builder) -> Emitted:
    coef = np.asarray(step.coef, dtype=np.float64)
    k = len(step.classes)
    y = b.op("Add", [b.op("MatMul", [b.matrix(step.columns), b.const(coef.T)]), b.const(np.asarray(step.intercept, np.float64))])
    if step.normalization == "simplemax":
        probs = b.op("Div", [y, row_sum(b, y)], "probabilities")
    else:
        starts, ends, axes = (b.const([v], np.int64, "i") for v in (0, k - 1, 1))
        head = b.op("Slice", [y, starts, ends, axes])
        if step.normalization != "none":
            head = inverse_link(b, step.normalization, head)
        elif k == 2:  # clamped, as the IR (and the PMML engines)
            head = b.op("Min", [b.op("Max", [head, b.const(0.0)]), b.const(1.0)])
        probs = b.op("Concat", [head, b.op("Sub", [b.const(1.0), row_sum(b, head)])], "probabilities", axis=1)
    b.declare(probs, k)
    return Emitted(label=probability_label(b, step.classes, probs), probabilities=probs)
