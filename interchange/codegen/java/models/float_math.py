"""Java for x-mathContext="float" steps (``precision="float"``): JPMML-Evaluator's float arithmetic.

The same operations as interchange.ir.kernels.trees' float kernels, in Java ``float``: each leaf value a
float, the trees added one by one into a ``float`` from 0 (``forestFloat``), the base added after them,
a softmax over floats (``floatSoftmax``), a regression's ``intercept + c * x`` and its logit / exp link
(``floatLinear``), exp as ``(float) Math.pow(2.7182817d, x)`` (``floatExp``). Java's float arithmetic is
IEEE single precision, as numpy's float32 is.
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring

__all__ = ["float_forest_lines", "float_linear_lines"]

HELPERS["floatExp"] = """
    /** JPMML-Evaluator's float exp (FloatValue.exp): (float) Math.pow(2.7182817d, x). */
    private static float floatExp(float x) {
        return (float) Math.pow(2.7182817d, (double) x);
    }
"""

HELPERS["forestFloat"] = """
    /** {@code forest}'s walk, the leaf values added tree by tree into a float total (x-mathContext="float"). */
    private static void forestFloat(double[] x, int[] roots, int[] feature, double[] threshold, int[] children,
            boolean[] missingRight, boolean[] strict, double[] values, float[] total) {
        int k = total.length;
        for (int root : roots) {
            int node = forestNode(x, root, feature, threshold, children, missingRight, strict);
            for (int j = 0; j < k; j++) {
                total[j] += (float) values[node * k + j];
            }
        }
    }
"""

HELPERS["floatSoftmax"] = """
    /** JPMML-Evaluator's softmax over floats: exp(s - max) per class, summed in order, divided unless the sum is 1. */
    private static double[] floatSoftmax(float[] s) {
        float max = s[0];
        for (float v : s) { if (v > max) { max = v; } }
        float[] e = new float[s.length];
        float sum = 0f;
        for (int j = 0; j < s.length; j++) { e[j] = floatExp(s[j] - max); sum += e[j]; }
        double[] out = new double[s.length];
        for (int j = 0; j < s.length; j++) { out[j] = sum == 1f ? e[j] : e[j] / sum; }
        return out;
    }
"""

HELPERS["floatLinear"] = """
    /** A RegressionModel in float: intercept, += (float) c * (float) x per column, then the logit / exp link. */
    private static double floatLinear(double[] x, double[] coef, double intercept, String link) {
        float eta = (float) intercept;
        for (int j = 0; j < x.length; j++) { eta += (float) coef[j] * (float) x[j]; }
        switch (link) {
            case "logit": return 1f / (1f + floatExp(-eta));
            case "log": return floatExp(eta);
            default: return eta;
        }
    }
"""


def float_forest_lines(out: JavaWriter, arrays: list[str], k: int, base: np.ndarray | None, softmax: bool) -> list[str]:
    """Statements leaving a float ensemble's result in ``double[] leaves`` (its probabilities where ``softmax``)."""
    out.need("forestNode", "forestFloat", "floatExp", "floatSoftmax")
    lines = [f"float[] sums = new float[{k}];", f"forestFloat(x, {', '.join(arrays)}, sums);"]
    if base is not None:
        b = out.array("base", np.asarray(base, dtype=np.float64))
        lines.append(f"for (int j = 0; j < {k}; j++) {{ sums[j] += (float) {b}[j]; }}")
    if softmax:
        return [*lines, "double[] leaves = floatSoftmax(sums);"]
    return [*lines, f"double[] leaves = new double[{k}];", f"for (int j = 0; j < {k}; j++) {{ leaves[j] = sums[j]; }}"]


def float_linear_lines(out: JavaWriter, coef: np.ndarray, intercept: float, link: str) -> list[str]:
    """A float GeneralizedLinear's value in ``double mu`` (the row's columns in ``x``)."""
    out.need("floatExp", "floatLinear")
    c = out.array("coef", np.asarray(coef, dtype=np.float64))
    return [f"double mu = floatLinear(x, {c}, {jdouble(float(intercept))}, {jstring(link)});"]
