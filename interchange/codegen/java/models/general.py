"""Java emitters for GeneralizedLinear, CumulativeLink and NormalizedClassifier (one row at a time).

The inverse links follow interchange.ir.models.general.inverse_link operation by operation with
java.lang.Math (exp, pow, atan); probit with an erfc written out (java.lang.Math has none), the
same series / continued fraction as the ONNX writer's, within 6e-14 of math.erfc. Class probabilities are written in the
signature's class order, which the output mapping reads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.codegen.java.models.families import _linear
from interchange.codegen.java.models.float_math import float_linear_lines
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear, NormalizedClassifier

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]

HELPER = """
    /** mu = g^-1(eta) for a PMML 4.4 linkFunction (interchange.ir.models.general.inverse_link). */
    private static double inverseLink(double e, String name, double p) {
        switch (name) {
            case "identity": return e;
            case "log": case "exp": return Math.exp(e);
            case "logc": return 1.0 - Math.exp(e);
            case "logit": return 1.0 / (1.0 + Math.exp(-e));
            case "cloglog": return 1.0 - Math.exp(-Math.exp(e));
            case "loglog": return Math.exp(-Math.exp(-e));
            case "probit": return erfc(-e / Math.sqrt(2.0)) * 0.5;
            case "cauchit": return 0.5 + Math.atan(e) / Math.PI;
            case "negbin": return 1.0 / (p * (Math.exp(-e) - 1.0));
            case "power": return p != 0 ? Math.pow(e, 1.0 / p) : Math.exp(e);
            case "oddspower": return p != 0 ? 1.0 / (1.0 + Math.pow(1.0 + p * e, -1.0 / p)) : 1.0 / (1.0 + Math.exp(-e));
            default: throw new IllegalArgumentException("unknown link " + name);
        }
    }
"""


HELPERS["inverseLink"] = HELPER


def _source(out: JavaWriter, source: str | float) -> str:
    return out.num(source) if isinstance(source, str) else jdouble(float(source))


def _order(out: JavaWriter, classes: tuple[Any, ...]) -> list[int]:
    """Positions of the signature's classes among the model's."""
    mine = [str(c) for c in classes]
    wanted = [str(c) for c in (out.signature.classes if out.signature is not None else None) or classes]
    return [mine.index(c) for c in wanted]


@emitter("java", GeneralizedLinear)
def _generalized(step: GeneralizedLinear, out: JavaWriter) -> Emitted:
    if step.precision == "float":  # x-mathContext="float": JPMML-Evaluator's float arithmetic (float_math.py)
        return [out.vector(step.columns), *float_linear_lines(out, step.coef, step.intercept, step.link)], {"value": "mu"}
    out.need("inverseLink", "erfc")
    coef = np.asarray(step.coef, dtype=np.float64)[None, :]
    lines = [out.vector(step.columns), *_linear(out, coef, np.array([float(step.intercept)]), coef.shape[1], "eta")]
    if step.offset is not None:
        lines.append(f"eta[0] = eta[0] + {_source(out, step.offset)};")
    lines.append(f"double mu = inverseLink(eta[0], {jstring(step.link)}, {jdouble(float(step.parameter))});")
    if isinstance(step.trials, str):
        t = out.num(step.trials)
        lines.append(f"mu = mu * ({t} >= 0 ? Math.floor({t}) : Math.ceil({t}));")
    elif step.trials is not None:
        lines.append(f"mu = mu * {jdouble(float(np.trunc(step.trials)))};")
    return lines, {"value": "mu"}


def _probabilities(lines: list[str], order: list[int]) -> list[str]:
    picks = ", ".join(f"own[{i}]" for i in order)
    return [*lines, f"double[] probabilities = new double[] {{{picks}}};"]


@emitter("java", CumulativeLink)
def _cumulative(step: CumulativeLink, out: JavaWriter) -> Emitted:
    out.need("inverseLink", "erfc")
    coef = np.asarray(step.coef, dtype=np.float64)
    k = len(step.classes)
    lines = [out.vector(step.columns), *_linear(out, coef, np.asarray(step.intercept, dtype=np.float64), coef.shape[1], "eta")]
    offset = f" + {_source(out, step.offset)}" if step.offset is not None else ""
    lines += [
        f"double[] cumulative = new double[{k + 1}];",
        f"cumulative[{k}] = 1.0;",
        f"for (int j = 0; j < {k - 1}; j++) {{ cumulative[j + 1] = inverseLink(eta[j]{offset}, {jstring(step.link)}, 0.0); }}",
        f"double[] own = new double[{k}];",
        "boolean gone = false;",
        f"for (int j = 1; j < {k}; j++) {{ gone |= Double.isNaN(cumulative[j]); }}",
        f"for (int j = 0; j < {k}; j++) {{ own[j] = gone ? Double.NaN : cumulative[j + 1] - cumulative[j]; }}",
    ]
    return _probabilities(lines, _order(out, step.classes)), {"probabilities": "probabilities"}


@emitter("java", NormalizedClassifier)
def _normalized(step: NormalizedClassifier, out: JavaWriter) -> Emitted:
    out.need("inverseLink", "erfc")
    coef = np.asarray(step.coef, dtype=np.float64)
    k = len(step.classes)
    lines = [out.vector(step.columns), *_linear(out, coef, np.asarray(step.intercept, dtype=np.float64), coef.shape[1], "y")]
    lines += [f"double[] own = new double[{k}];", "boolean gone = false;", "for (double q : y) { gone |= Double.isNaN(q); }"]
    if step.normalization == "simplemax":
        lines += [
            "double total = 0.0;",
            "for (double q : y) { total += q; }",
            f"for (int j = 0; j < {k}; j++) {{ own[j] = y[j] / total; }}",
        ]
    else:
        head = "y[j]" if step.normalization == "none" else f"inverseLink(y[j], {jstring(step.normalization)}, 0.0)"
        if step.normalization == "none" and k == 2:  # clamped, as the IR (and the PMML engines)
            head = "Math.min(1.0, Math.max(0.0, y[j]))"
        lines += [
            "double rest = 0.0;",
            f"for (int j = 0; j < {k - 1}; j++) {{ own[j] = {head}; rest += own[j]; }}",
            f"own[{k - 1}] = 1.0 - rest;",
        ]
    lines.append(f"if (gone) {{ for (int j = 0; j < {k}; j++) {{ own[j] = Double.NaN; }} }}")
    return _probabilities(lines, _order(out, step.classes)), {"probabilities": "probabilities"}
