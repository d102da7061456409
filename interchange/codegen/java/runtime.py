"""Helper methods copied into generated Java classes: the IR kernels, one row at a time.

Each follows the IR evaluator's arithmetic (``interchange/ir``) operation by operation; sums
run in index order, where numpy may pair terms differently, so results agree to a few ulps.
"""

from __future__ import annotations

__all__ = ["HELPERS"]

HELPERS: dict[str, str] = {
    "decode": """
    private static byte[] bytes(String... parts) {
        return java.util.Base64.getDecoder().decode(String.join("", parts));
    }

    private static double[] doubles(String... parts) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes(parts)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[buffer.remaining() / 8];
        buffer.asDoubleBuffer().get(out);
        return out;
    }

    private static int[] ints(String... parts) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes(parts)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[buffer.remaining() / 4];
        buffer.asIntBuffer().get(out);
        return out;
    }

    private static boolean[] booleans(String... parts) {
        byte[] raw = bytes(parts);
        boolean[] out = new boolean[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] != 0;
        }
        return out;
    }
""",
    "strings": """
    /** {@code count} texts joined by U+001F, U+001E for null (a long String[] kept out of the class initialiser's code). */
    private static String[] strings(int count, String... parts) {
        String[] items = String.join("", parts).split("\\u001f", -1);
        if (count == 0) {
            return new String[0];
        }
        for (int i = 0; i < items.length; i++) {
            items[i] = items[i].equals("\\u001e") ? null : items[i];
        }
        return items;
    }

    private static java.util.Map<String, Integer> positions(String[] keys) {
        java.util.Map<String, Integer> at = new java.util.HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            at.put(keys[i], i);
        }
        return at;
    }
""",
    "gather": """
    private static double[] gather(double[] v, int[] slots) {
        double[] x = new double[slots.length];
        for (int i = 0; i < slots.length; i++) {
            x[i] = v[slots[i]];
        }
        return x;
    }
""",
    "sigmoid": """
    private static double sigmoid(double s) {
        return 1.0 / (1.0 + Math.exp(-s));
    }
""",
    "link": """
    /** Class probabilities from raw scores: "logistic" (one score), "softmax" or "ovr". */
    private static double[] link(double[] scores, String link) {
        if (link.equals("logistic")) {
            double p1 = sigmoid(scores[0]);
            return new double[] {1.0 - p1, p1};
        }
        double[] p = new double[scores.length];
        double total = 0.0;
        if (link.equals("softmax")) {
            double max = Double.NEGATIVE_INFINITY;
            for (double s : scores) {
                max = Math.max(max, s);
            }
            for (int i = 0; i < p.length; i++) {
                p[i] = Math.exp(scores[i] - max);
            }
        } else if (link.equals("ovr")) {
            for (int i = 0; i < p.length; i++) {
                p[i] = sigmoid(scores[i]);
            }
        } else {
            return scores;
        }
        for (double x : p) {
            total += x;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = p[i] / total;
        }
        return p;
    }
""",
    "argmax": """
    /** Index of the first largest value (numpy's argmax). */
    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best] || (Double.isNaN(values[i]) && !Double.isNaN(values[best]))) {
                best = i;
            }
        }
        return best;
    }
""",
    "forest": """
    /**
     * Adds the leaf values each tree reaches for row {@code x} into {@code total} (k values per leaf).
     * A node is a leaf where {@code feature < 0}; a row goes right where x > threshold (x >= threshold
     * for strict nodes), and a missing x goes where {@code missingRight} says.
     */
    private static void forest(double[] x, int[] roots, int[] feature, double[] threshold, int[] children,
            boolean[] missingRight, boolean[] strict, double[] values, double[] total) {
        int k = total.length;
        for (int root : roots) {
            int node = forestNode(x, root, feature, threshold, children, missingRight, strict);
            for (int j = 0; j < k; j++) {
                total[j] += values[node * k + j];
            }
        }
    }
""",
    "forestNode": """
    /** The leaf row {@code x} reaches from {@code root} (the walk {@code forest} and {@code forestFloat} share). */
    private static int forestNode(double[] x, int root, int[] feature, double[] threshold, int[] children,
            boolean[] missingRight, boolean[] strict) {
        int node = root;
        int f;
        while ((f = feature[node]) >= 0) {
            double value = x[f];
            boolean right;
            if (Double.isNaN(value)) {
                right = missingRight[node];
            } else {
                right = strict[node] ? value >= threshold[node] : value > threshold[node];
            }
            node = children[2 * node + (right ? 1 : 0)];
        }
        return node;
    }
""",
    "activate": """
    private static double activate(double z, String name) {
        switch (name) {
            case "logistic": return 1.0 / (1.0 + Math.exp(-z));
            case "tanh": return Math.tanh(z);
            case "relu": return Math.max(z, 0.0);
            default: return z;
        }
    }
""",
    "distance": """
    /** Distance from x to stored point {@code i} of {@code points} (row-major, x.length columns). */
    private static double distance(double[] x, double[] points, int i, String metric, double p) {
        return distance(x, points, i, metric, p, null);
    }

    /**
     * With weights {@code q}, PMML 4.4 ClusteringModel's missing-input rule (ir.distances.distances): the sum runs
     * over present coordinates, scaled by sum(q) / sum(q of present ones); NaN when none is present.
     */
    private static double distance(double[] x, double[] points, int i, String metric, double p, double[] q) {
        double total = 0.0;
        double present = 0.0;
        double weight = 0.0;
        int n = x.length;
        for (int j = 0; j < n; j++) {
            boolean missing = q != null && Double.isNaN(x[j]);
            if (q != null) {
                present = present + (missing ? 0.0 : q[j]);
                weight += q[j];
            }
            double diff = Math.abs(missing ? 0.0 : x[j] - points[i * n + j]);
            if (metric.equals("euclidean") || metric.equals("squaredEuclidean")) {
                total += diff * diff;
            } else if (metric.equals("manhattan")) {
                total += diff;
            } else {
                total += Math.pow(diff, p);
            }
        }
        return q == null ? finish(total, 1.0, 1.0, metric, p) : finish(total, present, weight, metric, p);
    }

    /** ir.distances.finish: {@code total} scaled by weight / present (NaN when present is 0), then the metric's root. */
    private static double finish(double total, double present, double weight, String metric, double p) {
        if (present == 0) {
            return Double.NaN;
        }
        total = total * (weight / present);
        if (metric.equals("euclidean")) {
            return Math.sqrt(total);
        }
        if (metric.equals("minkowski")) {
            return Math.pow(total, 1.0 / p);
        }
        return total;
    }
""",
    "arrays": """
    /** An array input into v from slot: its length (NaN when missing), then its first width items (NaN past its end). */
    private static int items(Object x, double[] v, int slot, int width, String name) {
        double[] a = x == null || (x instanceof Double && ((Double) x).isNaN()) ? null : numbers(x, name);
        v[slot] = a == null ? Double.NaN : a.length;
        for (int k = 0; k < width; k++) {
            v[slot + 1 + k] = a != null && k < a.length ? a[k] : Double.NaN;
        }
        return slot + 1 + width;
    }

    /** An array input's items: a double[], or a List or Object[] of numbers (null: NaN) or numeric texts. */
    private static double[] numbers(Object x, String name) {
        if (x instanceof double[]) {
            return (double[]) x;
        }
        Object[] items = x instanceof java.util.Collection<?> ? ((java.util.Collection<?>) x).toArray()
            : x instanceof Object[] ? (Object[]) x : null;
        if (items == null) {
            throw new IllegalArgumentException("input " + name
                + " must be an array of numbers (a double[], a List or an Object[]), not a " + x.getClass().getName());
        }
        double[] a = new double[items.length];
        for (int k = 0; k < items.length; k++) {
            Object item = items[k];
            a[k] = item == null ? Double.NaN
                : item instanceof Number ? ((Number) item).doubleValue()
                : item instanceof Boolean ? (((Boolean) item) ? 1.0 : 0.0) : Double.parseDouble(item.toString());
        }
        return a;
    }
""",
}
