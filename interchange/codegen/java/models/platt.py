"""libsvm's class probabilities for generated Java: Platt sigmoids per class pair, coupled by the
iteration libsvm runs (``interchange.ir.models.svm_probability``, operation for operation: the sigmoid
written to avoid cancellation, the clip to [1e-7, 1 - 1e-7], at most max(100, k) sweeps stopping
once max_t |(Qp)_t - p'Qp| < 0.005 / k, sums in the same order). Java's Math.exp may differ from
numpy's by an ulp; the results stay within 1e-12 of the IR's.
"""

from __future__ import annotations

from interchange.codegen.java.runtime import HELPERS

__all__ = ["HELPER"]

HELPER = "svmProbabilities"

HELPERS[HELPER] = """
    /** Class probabilities of libsvm machines f with Platt parameters a, b (interchange.ir.models.svm_probability). */
    private static double[] svmProbabilities(double[] f, int[] pairs, double[] a, double[] b, int k) {
        double[][] r = new double[k][k];
        for (int m = 0; m < f.length; m++) {
            double z = f[m] * a[m] + b[m];
            double s;
            if (z >= 0) {
                double e = Math.exp(-z);
                s = e / (1.0 + e);
            } else {
                s = 1.0 / (1.0 + Math.exp(z));
            }
            s = Math.min(Math.max(s, 1e-7), 1 - 1e-7);
            r[pairs[2 * m]][pairs[2 * m + 1]] = s;
            r[pairs[2 * m + 1]][pairs[2 * m]] = 1 - s;
        }
        double[][] q = new double[k][k];
        for (int t = 0; t < k; t++) {
            for (int j = 0; j < t; j++) {
                q[t][t] += r[j][t] * r[j][t];
                q[t][j] = q[j][t];
            }
            for (int j = t + 1; j < k; j++) {
                q[t][t] += r[j][t] * r[j][t];
                q[t][j] = -r[j][t] * r[t][j];
            }
        }
        double[] p = new double[k];
        java.util.Arrays.fill(p, 1.0 / k);
        double eps = 0.005 / k;
        double[] qp = new double[k];
        for (int iter = 0; iter < Math.max(100, k); iter++) {
            double pqp = 0.0;
            for (int t = 0; t < k; t++) {
                qp[t] = 0.0;
                for (int j = 0; j < k; j++) { qp[t] += q[t][j] * p[j]; }
                pqp += p[t] * qp[t];
            }
            double error = 0.0;
            for (int t = 0; t < k; t++) {
                double e = Math.abs(qp[t] - pqp);
                error = (Double.isNaN(error) || Double.isNaN(e)) ? Double.NaN : Math.max(error, e);
            }
            if (error < eps) { break; }
            for (int t = 0; t < k; t++) {
                double diff = (-qp[t] + pqp) / q[t][t];
                p[t] += diff;
                pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
                for (int j = 0; j < k; j++) {
                    qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff);
                    p[j] /= 1 + diff;
                }
            }
        }
        return p;
    }
"""
