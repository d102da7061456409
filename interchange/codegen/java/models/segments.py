"""Java emitter for Segmentation: each segment's model in its own block, then the IR's combination.

Every segment model is evaluated (as the IR evaluates every one) with its results copied out of
its block; a segment's probabilities are aligned to the segmentation's categories (a category it
lacks is 0, any missing probability makes its result missing). The combination helpers follow
interchange.ir.combine.segmentation row by row, method by method (selectFirst, sum, weightedSum,
average, weightedAverage, median, weightedMedian, max, majorityVote, weightedMajorityVote) under
missingPredictionTreatment continue / returnMissing / skipSegment. Sorting is Java's stable sort
(Double.compare: NaN last, as numpy).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from interchange.codegen.java.expressions import truth
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.combine.segmentation import WEIGHTED, Segmentation

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]

HELPERS["segments"] = """
    /** missingPredictionTreatment (ir.segmentation.treat_missing): fills used, returns whether the row is missing. */
    private static boolean treat(String treatment, double threshold, boolean[] miss, boolean[] on, double[] w, boolean[] used) {
        boolean dead = false;
        double missing = 0.0;
        double weight = 0.0;
        for (int i = 0; i < on.length; i++) {
            used[i] = on[i];
            if (on[i] && miss[i]) {
                dead = true;
                missing += w[i];
            }
            if (on[i]) {
                weight += w[i];
            }
            if (treatment.equals("skipSegment")) {
                used[i] = on[i] && !miss[i];
            }
        }
        if (treatment.equals("returnMissing")) {
            return dead;
        }
        return treatment.equals("skipSegment") && missing / weight > threshold;
    }

    private static Integer[] ascending(double[] keys) {
        Integer[] order = new Integer[keys.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(keys[a], keys[b]));
        return order;
    }

    private static double[] keys(double[] values, boolean[] used) {
        double[] keys = new double[values.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = used[i] ? values[i] : Double.POSITIVE_INFINITY;
        }
        return keys;
    }

    /** {lower middle, upper middle} of the used values (ir.segmentation._middle). */
    private static double[] middle(double[] values, boolean[] used) {
        double[] keys = keys(values, used);
        Integer[] order = ascending(keys);
        int count = 0;
        for (boolean u : used) {
            count += u ? 1 : 0;
        }
        count = Math.max(count, 1);
        return new double[] {keys[order[(count - 1) / 2]], keys[order[count / 2]]};
    }

    /** The first used value, ascending, at which the running weight reaches half (ir.segmentation._weighted_middle). */
    private static double weightedMiddle(double[] values, boolean[] used, double[] w) {
        Integer[] order = ascending(keys(values, used));
        double[] running = new double[values.length];
        double total = 0.0;
        for (int p = 0; p < order.length; p++) {
            total += used[order[p]] ? w[order[p]] : 0.0;
            running[p] = total;
        }
        for (int p = 0; p < order.length; p++) {
            if (running[p] >= 0.5 * total) {
                return values[order[p]];
            }
        }
        return values[order[0]];
    }

    /** A regression's combined value (ir.segmentation.combine_segments, every method but selectFirst). */
    private static double combineValue(String method, double[] v, boolean[] on, double[] w, String treatment, double threshold) {
        int m = v.length;
        boolean[] miss = new boolean[m];
        for (int i = 0; i < m; i++) {
            miss[i] = Double.isNaN(v[i]);
        }
        boolean[] used = new boolean[m];
        boolean dead = treat(treatment, threshold, miss, on, w, used);
        double[] vz = new double[m];
        double sum = 0.0;
        double weighted = 0.0;
        double count = 0.0;
        double weight = 0.0;
        boolean broken = false;
        boolean anyUsed = false;
        boolean anyOn = false;
        for (int i = 0; i < m; i++) {
            vz[i] = used[i] ? v[i] : 0.0;
            sum += vz[i];
            weighted += vz[i] * w[i];
            count += used[i] ? 1.0 : 0.0;
            weight += used[i] ? w[i] : 0.0;
            broken |= used[i] && miss[i];
            anyUsed |= used[i];
            anyOn |= on[i];
        }
        double out;
        switch (method) {
            case "sum": out = sum; break;
            case "weightedSum": out = weighted; break;
            case "average": out = sum / count; break;
            case "weightedAverage": out = weighted / weight; break;
            case "median": {
                double[] mid = middle(vz, used);
                out = (mid[0] + mid[1]) / 2.0;
                break;
            }
            case "weightedMedian": out = weightedMiddle(vz, used, w); break;
            default: throw new IllegalArgumentException("unknown method " + method);
        }
        double value = anyUsed && !broken ? out : Double.NaN;
        if ((method.equals("sum") || method.equals("weightedSum")) && anyOn && !anyUsed) {
            value = 0.0;
        }
        return dead ? Double.NaN : value;
    }

    private static int firstMax(double[] x) {
        int best = 0;
        for (int j = 1; j < x.length; j++) {
            double a = Double.isNaN(x[j]) ? Double.NEGATIVE_INFINITY : x[j];
            double b = Double.isNaN(x[best]) ? Double.NEGATIVE_INFINITY : x[best];
            if (a > b) {
                best = j;
            }
        }
        return best;
    }

    /**
     * Classification probabilities into probs, returning the winning category or -1
     * (ir.segmentation.combine_probabilities / combine_votes after treat_missing).
     */
    private static int combineClasses(String method, double[][] P, int[] vote, boolean[] on, double[] w,
            String treatment, double threshold, double[] probs) {
        int m = P.length;
        int k = probs.length;
        boolean votes = method.equals("majorityVote") || method.equals("weightedMajorityVote");
        boolean[] miss = new boolean[m];
        for (int i = 0; i < m; i++) {
            if (votes) {
                miss[i] = vote[i] == -1;
            } else {
                for (int j = 0; j < k; j++) {
                    miss[i] |= Double.isNaN(P[i][j]);
                }
            }
        }
        boolean[] used = new boolean[m];
        boolean dead = treat(treatment, threshold, miss, on, w, used);
        int winner;
        if (votes) {
            double[] counts = new double[k];
            double missing = 0.0;
            double total = 0.0;
            for (int i = 0; i < m; i++) {
                double share = used[i] ? w[i] : 0.0;
                total += share;
                if (vote[i] >= 0) {
                    counts[vote[i]] += share;
                }
                missing += vote[i] == -1 ? share : 0.0;
            }
            double top = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                probs[j] = counts[j] / total;
                top = Math.max(top, counts[j]);
            }
            winner = total > 0 && !(missing > top) ? firstMax(counts) : -1;
        } else {
            boolean broken = false;
            boolean anyUsed = false;
            double[][] Pz = new double[m][k];
            for (int i = 0; i < m; i++) {
                broken |= used[i] && miss[i];
                anyUsed |= used[i];
                for (int j = 0; j < k; j++) {
                    Pz[i][j] = used[i] ? P[i][j] : 0.0;
                }
            }
            if (method.equals("average") || method.equals("weightedAverage")) {
                double total = 0.0;
                for (int i = 0; i < m; i++) {
                    total += used[i] ? (method.equals("average") ? 1.0 : w[i]) : 0.0;
                }
                for (int j = 0; j < k; j++) {
                    double s = 0.0;
                    for (int i = 0; i < m; i++) {
                        s += Pz[i][j] * (used[i] ? (method.equals("average") ? 1.0 : w[i]) : 0.0);
                    }
                    probs[j] = s / total;
                }
                winner = firstMax(probs);
            } else {
                double[] combined = new double[k];
                double[] column = new double[m];
                for (int j = 0; j < k; j++) {
                    for (int i = 0; i < m; i++) {
                        column[i] = Pz[i][j];
                    }
                    if (method.equals("max")) {
                        double best = Double.NEGATIVE_INFINITY;
                        for (int i = 0; i < m; i++) {
                            boolean nan = Double.isNaN(P[i][j]) || Double.isNaN(best);
                            best = used[i] ? (nan ? Double.NaN : Math.max(best, P[i][j])) : best;
                        }
                        combined[j] = best;
                    } else if (method.equals("median")) {
                        double[] mid = middle(column, used);
                        combined[j] = (mid[0] + mid[1]) / 2.0;
                    } else if (method.equals("weightedMedian")) {
                        combined[j] = weightedMiddle(column, used, w);
                    } else {
                        throw new IllegalArgumentException("unknown method " + method);
                    }
                }
                winner = firstMax(combined);
                double[] chosen = new double[m];
                for (int i = 0; i < m; i++) {
                    chosen[i] = Pz[i][winner];
                }
                double[] mid = method.equals("median") ? middle(chosen, used) : new double[] {combined[winner], combined[winner]};
                double count = 0.0;
                double[] sums = new double[k];
                for (int i = 0; i < m; i++) {
                    boolean takes = used[i] && (chosen[i] == mid[0] || chosen[i] == mid[1]);
                    count += takes ? 1.0 : 0.0;
                    for (int j = 0; j < k; j++) {
                        sums[j] += Pz[i][j] * (takes ? 1.0 : 0.0);
                    }
                }
                for (int j = 0; j < k; j++) {
                    probs[j] = sums[j] / count;
                }
            }
            if (broken || !anyUsed) {
                winner = -1;
            }
        }
        if (dead || winner < 0) {
            java.util.Arrays.fill(probs, Double.NaN);
            return -1;
        }
        return winner;
    }
"""


def _refuse(what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated Java has no form for {what}", estimator="Segmentation", format="java")


def _segment(out: JavaWriter, i: int, model: Any, classes: tuple[Any, ...] | None) -> list[str]:
    """Statements evaluating segment ``i`` into ``segValue[i]`` or ``segP[i]`` / ``segVote[i]``."""
    saved = out.signature
    out.signature = SimpleNamespace(classes=getattr(model, "classes", None))  # the model's own class order
    try:
        lines, parts = lookup("java", model)(model, out)
    finally:
        out.signature = saved
    if classes is None:
        if "value" not in parts:
            raise _refuse(f"a regression segment {type(model).__name__} without a value")
        return ["{", *("    " + x for x in lines), f"    segValue[{i}] = {parts['value']};", "}"]
    own = getattr(model, "classes", None)
    if own is None or "probabilities" not in parts:
        raise _refuse(f"a classification segment {type(model).__name__} without probabilities")
    mine = [str(c) for c in own]
    wanted = [str(c) for c in classes]
    p = parts["probabilities"]
    body = [f"double[] segOwn = {p};", "boolean segGone = false;", "for (double q : segOwn) { segGone |= Double.isNaN(q); }"]
    for j, c in enumerate(wanted):
        body.append(f"segP[{i}][{j}] = segGone ? Double.NaN : {f'segOwn[{mine.index(c)}]' if c in mine else '0.0'};")
    to_aligned = ", ".join(str(wanted.index(c)) if c in wanted else "-2" for c in mine)
    body.append(f"segVote[{i}] = segGone ? -1 : new int[] {{{to_aligned}}}[argmax(segOwn)];")
    out.need("argmax")
    return ["{", *("    " + x for x in [*lines, *body]), "}"]


@emitter("java", Segmentation)
def _segmentation(step: Segmentation, out: JavaWriter, weighing: list[str] | None = None) -> Emitted:
    """``weighing``: statements run once ``segOn`` is known that set the row's ``segW`` (VariableWeights)."""
    m = len(step.models)
    classes = tuple(step.classes) if step.classes is not None else None
    sig = out.signature
    if classes is not None and sig is not None and sig.classes and [str(c) for c in sig.classes] != [str(c) for c in classes]:
        raise _refuse("a Segmentation whose categories are not in the signature's order")
    w = [float(x) if step.method in WEIGHTED else 1.0 for x in step.weights]
    weights = out.array("segment_weights", np.asarray(w)) + (".clone()" if weighing is not None else "")
    lines = [f"boolean[] segOn = new boolean[{m}];", f"double[] segW = {weights};"]
    if classes is None:
        lines.append(f"double[] segValue = new double[{m}];")
        params, args = "double[] v, String[] s, boolean[] segOn, double[] segValue", "v, s, segOn, segValue"
    else:
        lines += [f"double[][] segP = new double[{m}][{len(classes)}];", f"int[] segVote = new int[{m}];"]
        params, args = "double[] v, String[] s, boolean[] segOn, double[][] segP, int[] segVote", "v, s, segOn, segP, segVote"
    blocks = [
        [f"segOn[{i}] = {truth(out, p)} == 1;", *_segment(out, i, model, classes)]
        for i, (p, model) in enumerate(zip(step.predicates, step.models, strict=True))
    ]
    lines += out.split(blocks, params, args, "segments")
    lines += weighing or []
    out.need("segments")
    if classes is None:
        if step.method == "selectFirst":
            lines += [
                "double segResult = Double.NaN;",
                f"for (int i = {m - 1}; i >= 0; i--) {{ if (segOn[i]) {{ segResult = segValue[i]; }} }}",
            ]
        else:
            lines.append(
                f"double segResult = combineValue({jstring(step.method)}, segValue, segOn, segW, "
                f"{jstring(step.treatment)}, {jdouble(float(step.threshold))});"
            )
        return lines, {"value": "segResult"}
    k = len(classes)
    lines.append(f"double[] segProbs = new double[{k}];")
    if step.method == "selectFirst":
        lines += [
            "int segLabel = -1;",
            "java.util.Arrays.fill(segProbs, Double.NaN);",
            f"for (int i = {m - 1}; i >= 0; i--) {{",
            "    if (segOn[i]) { segProbs = segP[i].clone(); segLabel = segVote[i] < 0 ? -1 : segVote[i]; }",
            "}",
        ]
    else:
        lines.append(
            f"int segLabel = combineClasses({jstring(step.method)}, segP, segVote, segOn, segW, "
            f"{jstring(step.treatment)}, {jdouble(float(step.threshold))}, segProbs);"
        )
    return lines, {"probabilities": "segProbs", "label": "segLabel"}
