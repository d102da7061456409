"""Java emitter for ComparedCenter: clustering measured field by field (no dependencies).

The helper ``comparedDistance`` follows ``ir.models.compared.compared_distances`` term by term: a
field's comparison (absDiff, gaussSim, delta, equal), raised to the measure's inner power, times
the field weight, 0 for a missing field; summed (their maximum for chebychev), scaled by sum(q) /
sum(q of present fields) and rooted by the runtime's ``finish`` (``ir.distances.finish``); NaN when no field is
present.
"""

from __future__ import annotations

import math

import numpy as np

from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.ir.models.compared import ComparedCenter

__all__ = ["HELPER", "compared_center"]

Emitted = tuple[list[str], dict[str, str]]

HELPER = "comparedDistance"

HELPERS[HELPER] = (
    """
    /** PMML 4.4 ComparisonMeasure field by field (ir.models.compared.compared_distances) to stored point i. */
    private static double comparedDistance(double[] x, double[] points, int i, String metric, double p,
            String[] compare, double[] scales, double[] fw, double[] q) {
        boolean chebychev = metric.equals("chebychev");
        boolean square = metric.equals("euclidean") || metric.equals("squaredEuclidean");
        double inner = metric.equals("minkowski") ? p : (square ? 2.0 : 1.0);
        double total = 0.0;
        double present = 0.0;
        double weight = 0.0;
        int n = x.length;
        for (int j = 0; j < n; j++) {
            boolean missing = Double.isNaN(x[j]);
            present = present + (missing ? 0.0 : q[j]);
            weight += q[j];
            double a = missing ? 0.0 : x[j];
            double y = points[i * n + j];
            double c;
            if (compare[j].equals("gaussSim")) {
                double z = a - y;
                c = Math.exp(-LN2 * z * z / (scales[j] * scales[j]));
            } else if (compare[j].equals("delta")) {
                c = a == y ? 0.0 : 1.0;
            } else if (compare[j].equals("equal")) {
                c = a == y ? 1.0 : 0.0;
            } else {
                c = Math.abs(a - y);
            }
            if (inner == 2.0) {
                c = c * c;
            } else if (inner != 1.0) {
                c = Math.pow(c, inner);
            }
            if (fw[j] != 1.0) {
                c = c * fw[j];
            }
            c = missing ? 0.0 : c;
            total = chebychev ? Math.max(total, c) : total + c;
        }
        return finish(total, present, weight, metric, p);
    }

    private static final double LN2 = """
    + jdouble(math.log(2.0))
    + """;
"""
)


@emitter("java", ComparedCenter)
def compared_center(step: ComparedCenter, out: JavaWriter) -> Emitted:
    """``dists`` to every center and ``cluster``, the first closest (-1 where no field is present)."""
    out.need("distance", HELPER)  # (the distance helper holds finish)
    n = len(step.inputs)
    centers = np.asarray(step.centers, dtype=np.float64)
    C = out.array("centers", centers)
    out.cluster_values = tuple(step.ids)
    fw = out.array(
        "field_weights", np.ones(n) if step.field_weights is None else np.asarray(step.field_weights, dtype=np.float64)
    )
    q = out.array(
        "missing_weights", np.ones(n) if step.missing_weights is None else np.asarray(step.missing_weights, dtype=np.float64)
    )
    compare = out.strings("compare_functions", step.compare)
    scales = out.array("similarity_scales", np.asarray(step.scales, dtype=np.float64))
    measure = f"{jstring(step.metric)}, {jdouble(step.p)}, {compare}, {scales}, {fw}, {q}"
    k = centers.shape[0]
    return [
        out.vector(step.inputs),
        f"double[] dists = new double[{k}];",
        "int cluster = 0;",
        "double best = Double.POSITIVE_INFINITY;",
        "boolean none = true;",
        f"for (int i = 0; i < {k}; i++) {{",
        f"    dists[i] = comparedDistance(x, {C}, i, {measure});",
        "    none &= Double.isNaN(dists[i]);",
        "    double d = Double.isNaN(dists[i]) ? Double.POSITIVE_INFINITY : dists[i];",
        "    if (d < best || i == 0) { best = d; cluster = i; }",
        "}",
        "cluster = none ? -1 : cluster;",
    ], {"cluster": "cluster"}
