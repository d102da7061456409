"""Java emitters for the IR's model steps: each returns (statements, parts) for one row.

``parts`` maps what the model produced to a Java expression: ``value`` / ``score`` (double),
``probabilities`` / ``decision`` (double[]), ``label`` / ``cluster`` (int index into the
class's LABELS / CLUSTERS, -1 for none). The row's features are gathered into ``x`` first.
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.java.models.float_math import float_forest_lines
from interchange.codegen.java.models.platt import HELPER as PLATT
from interchange.codegen.java.writer import JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.errors import UnsupportedModelError
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

# a missing input: no prediction, the model computed on zeros (ir.svm / ir.neighbors: PMML 4.4; sklearn refuses NaN)
MISSING = [
    "boolean missing = false;",
    "for (int j = 0; j < x.length; j++) { missing |= Double.isNaN(x[j]); }",
    "if (missing) { x = new double[x.length]; }",
]


def _linear(out: JavaWriter, coef: np.ndarray, intercept: np.ndarray, n: int, local: str, source: str = "x") -> list[str]:
    """``local[k] = sum_j source[j] * coef[k, j] + intercept[k]``."""
    c = out.array("coef", coef)
    b = out.array("intercept", intercept)
    k = len(intercept)
    return [
        f"double[] {local} = new double[{k}];",
        f"for (int k = 0; k < {k}; k++) {{",
        "    double total = 0.0;",
        f"    for (int j = 0; j < {n}; j++) {{ total += {source}[j] * {c}[k * {n} + j]; }}",
        f"    {local}[k] = total + {b}[k];",
        "}",
    ]


def _in_signature_order(out: JavaWriter, classes: object, lines: list[str]) -> list[str]:
    """``lines`` then ``probabilities`` rearranged from the model's class order into the signature's (which the
    output mapping reads), where the two orders differ (a PMML network listing its outputs g, r, b for r, g, b)."""
    wanted = getattr(out.signature, "classes", None)
    if not classes or not wanted:
        return lines
    mine, want = [str(c) for c in classes], [str(c) for c in wanted]  # type: ignore[attr-defined]
    if mine == want or sorted(mine) != sorted(want):
        return lines
    picks = ", ".join(f"modelOrder[{mine.index(c)}]" for c in want)
    return [*lines, "double[] modelOrder = probabilities;", f"probabilities = new double[] {{{picks}}};"]


@emitter("java", Regression)
def _regression(step: Regression, out: JavaWriter) -> Emitted:
    coef = np.asarray(step.coef, dtype=np.float64)
    lines = [out.vector(step.inputs), *_linear(out, coef, np.asarray(step.intercept, dtype=np.float64), coef.shape[1], "scores")]
    if step.classes is None:
        return lines, {"value": "scores[0]"}
    if step.link is Link.IDENTITY:
        return lines, {"decision": "scores"}
    out.need("sigmoid", "link")
    lines.append(f"double[] probabilities = link(scores, {jstring(step.link.value)});")
    return _in_signature_order(out, step.classes, lines), {"probabilities": "probabilities"}


def _forest(step: TreeEnsemble, out: JavaWriter, prefix: str) -> list[str]:
    """Statements leaving the (summed or averaged) leaf values in ``double[] leaves``."""
    flat, values = step._packed()
    leaf = (flat.children[0::2] == np.arange(len(flat.feature))) & (flat.children[1::2] == np.arange(len(flat.feature)))
    feature = np.where(leaf, -1, flat.feature)
    out.need("forestNode", "forest")
    arrays = [
        out.array(f"{prefix}_roots", flat.roots, "int"),
        out.array(f"{prefix}_feature", feature, "int"),
        out.array(f"{prefix}_threshold", flat.threshold),
        out.array(f"{prefix}_children", flat.children, "int"),
        out.array(f"{prefix}_missing_right", flat.missing_right, "boolean"),
        out.array(f"{prefix}_strict", flat.strict, "boolean"),
        out.array(f"{prefix}_values", np.asarray(values, dtype=np.float64)),
    ]
    k = values.shape[1]
    if step.precision == "float":  # x-mathContext="float": the sums, base and softmax in float (float_math.py)
        if step.aggregation == "average":
            raise UnsupportedModelError("a float tree average has no Java form yet", estimator="TreeEnsemble", format="java")
        return [out.vector(step.inputs), *float_forest_lines(out, arrays, k, step.base, step.link is Link.SOFTMAX)]
    lines = [out.vector(step.inputs), f"double[] leaves = new double[{k}];", f"forest(x, {', '.join(arrays)}, leaves);"]
    if step.aggregation == "average":
        lines.append(f"for (int j = 0; j < {k}; j++) {{ leaves[j] = leaves[j] / {len(step.trees)}; }}")
    return lines


@emitter("java", TreeEnsemble)
def _ensemble(step: TreeEnsemble, out: JavaWriter) -> Emitted:
    lines = _forest(step, out, "trees")
    if step.precision == "float":  # (base and softmax already in float_forest_lines)
        if step.classes is None:
            return lines, {"value": "leaves[0]"}
        if step.link is Link.SOFTMAX:
            lines.append("double[] probabilities = leaves;")
            return _in_signature_order(out, step.classes, lines), {"probabilities": "probabilities"}
    if step.base is not None and step.precision != "float":
        base = out.array("base", np.asarray(step.base, dtype=np.float64))
        lines.append(f"for (int j = 0; j < leaves.length; j++) {{ leaves[j] = leaves[j] + {base}[j]; }}")
    if step.classes is None:
        return lines, {"value": "leaves[0]"}
    out.need("sigmoid", "link")
    lines.append(f"double[] probabilities = link(leaves, {jstring(step.link.value)});")
    return _in_signature_order(out, step.classes, lines), {"probabilities": "probabilities"}


@emitter("java", IsolationScore)
def _isolation(step: IsolationScore, out: JavaWriter) -> Emitted:
    lines = _forest(step.paths, out, "paths")
    lines += [
        f"double score = -Math.pow(2.0, -leaves[0] / {jdouble(step.normaliser)}) - {jdouble(step.offset)};",
        "int label = score < 0 ? 0 : 1;",
    ]
    out.label_values = (-1, 1)
    return lines, {"score": "score", "label": "label"}


@emitter("java", NeuralNetwork)
def _network(step: NeuralNetwork, out: JavaWriter) -> Emitted:
    out.need("activate")
    lines = [out.vector(step.inputs), "double[] a = x;"]
    for i, (W, b, act) in enumerate(zip(step.weights, step.biases, step.activations, strict=True)):
        W = np.asarray(W, dtype=np.float64)
        w = out.array(f"weights_{i}", W)
        bias = out.array(f"biases_{i}", np.asarray(b, dtype=np.float64))
        n_in, n_out = W.shape
        lines += [
            "{",
            f"    double[] z = new double[{n_out}];",
            f"    for (int o = 0; o < {n_out}; o++) {{",
            "        double total = 0.0;",
            f"        for (int i = 0; i < {n_in}; i++) {{ total += a[i] * {w}[i * {n_out} + o]; }}",
            f"        z[o] = activate(total + {bias}[o], {jstring(act)});",
            "    }",
            "    a = z;",
            "}",
        ]
    if step.classes is None:
        return lines, {"value": "a[0]"}
    if step.output == "logistic":
        lines += ['double p1 = activate(a[0], "logistic");', "double[] probabilities = {1.0 - p1, p1};"]
    elif step.output == "softmax":
        out.need("sigmoid", "link")
        lines.append('double[] probabilities = link(a, "softmax");')
    else:
        lines.append("double[] probabilities = a;")
    return _in_signature_order(out, getattr(step, "classes", None), lines), {"probabilities": "probabilities"}


@emitter("java", SupportVectorMachine)
def _svm(step: SupportVectorMachine, out: JavaWriter) -> Emitted:
    vectors = np.asarray(step.vectors, dtype=np.float64)
    n_vec, n = vectors.shape
    V = out.array("vectors", vectors)
    if step.kernel == "rbf":
        kernel = [
            "double sq = 0.0;",
            f"for (int j = 0; j < {n}; j++) {{ double d = x[j] - {V}[i * {n} + j]; sq += d * d; }}",
            f"kernel[i] = Math.exp(-{jdouble(step.gamma)} * sq);",
        ]
    else:
        dot = "dot" if step.kernel == "linear" else None
        kernel = ["double dot = 0.0;", f"for (int j = 0; j < {n}; j++) {{ dot += x[j] * {V}[i * {n} + j]; }}"]
        if step.kernel == "poly":
            dot = f"Math.pow({jdouble(step.gamma)} * dot + {jdouble(step.coef0)}, {jdouble(step.degree)})"
        elif step.kernel == "sigmoid":
            dot = f"Math.tanh({jdouble(step.gamma)} * dot + {jdouble(step.coef0)})"
        kernel.append(f"kernel[i] = {dot};")
    lines = [
        out.vector(step.inputs),
        *MISSING,
        f"double[] kernel = new double[{n_vec}];",
        f"for (int i = 0; i < {n_vec}; i++) {{",
        *("    " + k for k in kernel),
        "}",
        *_linear(
            out, np.asarray(step.coef, dtype=np.float64), np.asarray(step.intercept, dtype=np.float64), n_vec, "f", "kernel"
        ),
    ]
    if step.classes is None:
        return lines, {"value": "(missing ? Double.NaN : f[0])"}
    assert step.pairs is not None
    pairs = np.asarray(step.pairs, dtype=int)
    k = len(step.classes)
    P = out.array("pairs", pairs, "int")
    t = out.array(
        "svm_threshold", np.zeros(len(pairs)) if step.threshold is None else np.asarray(step.threshold, dtype=np.float64)
    )
    compare = ">" if step.first_when == ">" else "<"
    out.need("argmax")
    lines += [
        f"double[] votes = new double[{k}];",
        f"boolean[] first = new boolean[{len(pairs)}];",
        f"for (int p = 0; p < {len(pairs)}; p++) {{",
        f"    first[p] = f[p] {compare} {t}[p];",
        f"    votes[{P}[2 * p + (first[p] ? 0 : 1)]] += 1.0;",
        "}",
        "int label = missing ? -1 : argmax(votes);",
    ]
    parts = {"label": "label"}
    if step.first_when == ">" and step.threshold is None:
        parts["decision"] = "decision"
        if k == 2:
            lines.append("double[] decision = {-f[0]};")
        elif step.shape == "ovo":
            lines.append("double[] decision = f;")
        else:
            lines += [
                f"double[] confidence = new double[{k}];",
                f"for (int p = 0; p < {len(pairs)}; p++) {{",
                f"    confidence[{P}[2 * p]] += f[p];",
                f"    confidence[{P}[2 * p + 1]] -= f[p];",
                "}",
                f"double[] decision = new double[{k}];",
                f"for (int c = 0; c < {k}; c++) {{",
                "    decision[c] = votes[c] + confidence[c] / (3 * (Math.abs(confidence[c]) + 1));",
                "}",
            ]
        lines.append("if (missing) { decision = new double[decision.length]; java.util.Arrays.fill(decision, Double.NaN); }")
    if step.prob_a is not None and step.prob_b is not None:  # libsvm's Platt scaling and coupling (codegen/java/models/platt.py)
        out.need(PLATT)
        a = out.array("prob_a", np.asarray(step.prob_a, dtype=np.float64))
        b = out.array("prob_b", np.asarray(step.prob_b, dtype=np.float64))
        lines += [
            f"double[] probabilities = svmProbabilities(f, {P}, {a}, {b}, {k});",
            "if (missing) { java.util.Arrays.fill(probabilities, Double.NaN); }",
        ]
        parts["probabilities"] = "probabilities"
    return lines, parts


@emitter("java", NearestNeighbors)
def _neighbors(step: NearestNeighbors, out: JavaWriter) -> Emitted:
    out.need("distance")
    points = np.asarray(step.points, dtype=np.float64)
    n_points = points.shape[0]
    k = min(int(step.k), n_points)
    P = out.array("points", points)
    T = out.array("targets", np.asarray(step.targets, dtype=np.float64))
    metric = f"{jstring(step.metric)}, {jdouble(step.p)}"
    lines = [
        out.vector(step.inputs),
        *MISSING,
        # the k nearest, ties to the earlier point (numpy's stable argsort)
        f"int[] near = new int[{k}];",
        f"double[] dist = new double[{k}];",
        "java.util.Arrays.fill(dist, Double.POSITIVE_INFINITY);",
        "java.util.Arrays.fill(near, -1);",
        f"for (int i = 0; i < {n_points}; i++) {{",
        f"    double d = distance(x, {P}, i, {metric});",
        f"    if (near[{k - 1}] >= 0 && !(d < dist[{k - 1}])) {{ continue; }}",
        f"    int at = {k - 1};",
        "    while (at > 0 && (near[at - 1] < 0 || d < dist[at - 1])) {",
        "        dist[at] = dist[at - 1];",
        "        near[at] = near[at - 1];",
        "        at--;",
        "    }",
        "    dist[at] = d;",
        "    near[at] = i;",
        "}",
        f"double[] w = new double[{k}];",
    ]
    if step.weights == "distance" and step.threshold > 0:
        lines.append(f"for (int i = 0; i < {k}; i++) {{ w[i] = 1.0 / (dist[i] + {float(step.threshold)!r}); }}")
    elif step.weights == "distance":
        lines += [
            "boolean zero = false;",
            "for (double d : dist) { zero |= d == 0; }",
            f"for (int i = 0; i < {k}; i++) {{ w[i] = zero ? (dist[i] == 0 ? 1.0 : 0.0) : 1.0 / dist[i]; }}",
        ]
    else:
        lines.append("java.util.Arrays.fill(w, 1.0);")
    if step.classes is None:
        if step.weights == "median":
            lines += [
                f"double[] values = new double[{k}];",
                f"for (int i = 0; i < {k}; i++) {{ values[i] = {T}[near[i]]; }}",
                "java.util.Arrays.sort(values);",
                f"double value = {k % 2} == 1 ? values[{k // 2}] : (values[{k // 2 - 1}] + values[{max(k // 2, 0)}]) / 2.0;",
            ]
            return lines, {"value": "(missing ? Double.NaN : value)"}
        lines += [
            "double top = 0.0, bottom = 0.0;",
            f"for (int i = 0; i < {k}; i++) {{ top += {T}[near[i]] * w[i]; bottom += w[i]; }}",
            "double value = top / bottom;",
        ]
        return lines, {"value": "(missing ? Double.NaN : value)"}
    n_classes = len(step.classes)
    lines += [
        f"double[] votes = new double[{n_classes}];",
        f"for (int i = 0; i < {k}; i++) {{ votes[(int) {T}[near[i]]] += w[i]; }}",
        "double all = 0.0;",
        "for (double vote : votes) { all += vote; }",
        f"double[] probabilities = new double[{n_classes}];",
        f"for (int c = 0; c < {n_classes}; c++) {{ probabilities[c] = missing ? Double.NaN : votes[c] / all; }}",
    ]
    out.need("argmax")
    if step.tie == "index":
        lines.append("int label = missing ? -1 : argmax(votes);")
    else:
        counts = np.bincount(np.asarray(step.targets, dtype=int), minlength=n_classes).astype(np.float64)
        lexical = np.argsort(np.argsort([str(c) for c in step.classes], kind="stable"))
        C = out.array("class_counts", counts)
        L = out.array("lexical", lexical.astype(np.float64))
        lines += [  # most votes, then most training cases, then the lexically smallest value
            "double most = votes[argmax(votes)];",
            f"double[] key = new double[{n_classes}];",
            f"for (int c = 0; c < {n_classes}; c++) {{",
            f"    key[c] = votes[c] == most ? {C}[c] * {n_classes + 1} + ({n_classes} - {L}[c]) : -1.0;",
            "}",
            "int label = missing ? -1 : argmax(key);",
        ]
    return lines, {"probabilities": "probabilities", "label": "label"}


@emitter("java", NearestCenter)
def _center(step: NearestCenter, out: JavaWriter) -> Emitted:
    out.need("distance")
    centers = np.asarray(step.centers, dtype=np.float64)
    C = out.array("centers", centers)
    out.cluster_values = tuple(step.ids)
    metric = f"{jstring(step.metric)}, {jdouble(step.p)}"
    lines = [out.vector(step.inputs), "int cluster = 0;", "double best = Double.POSITIVE_INFINITY;"]
    if step.missing_weights is None:
        return [
            *lines,
            f"for (int i = 0; i < {centers.shape[0]}; i++) {{",
            f"    double d = distance(x, {C}, i, {metric});",
            "    if (d < best || (i == 0 && Double.isNaN(d))) { best = d; cluster = i; }",
            "}",
        ], {"cluster": "cluster"}
    # PMML 4.4 missing-value weights (ir.cluster.NearestCenter): a row with no present field gets no cluster
    q = out.array("missing_weights", np.asarray(step.missing_weights, dtype=np.float64))
    return [
        *lines,
        "boolean none = true;",
        f"for (int i = 0; i < {centers.shape[0]}; i++) {{",
        f"    double d = distance(x, {C}, i, {metric}, {q});",
        "    none &= Double.isNaN(d);",
        "    d = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;",
        "    if (d < best || i == 0) { best = d; cluster = i; }",
        "}",
        "cluster = none ? -1 : cluster;",
    ], {"cluster": "cluster"}


@emitter("java", GaussianNaiveBayes)
def _bayes(step: GaussianNaiveBayes, out: JavaWriter) -> Emitted:
    mean = np.asarray(step.mean, dtype=np.float64)
    n_classes, n = mean.shape
    M = out.array("nb_mean", mean)
    V = out.array("nb_var", np.asarray(step.var, dtype=np.float64))
    prior = out.array("nb_log_prior", np.asarray(step.log_prior, dtype=np.float64))
    if step.floor is None:
        term = (
            f"-0.5 * Math.log(2.0 * Math.PI * {V}[c * {n} + j]) - 0.5 * Math.pow(x[j] - {M}[c * {n} + j], 2) / {V}[c * {n} + j]"
        )
    else:
        term = (
            f"Double.isNaN(x[j]) ? 0.0 : Math.log(Math.max({jdouble(step.floor)}, "
            f"Math.exp(-Math.pow(x[j] - {M}[c * {n} + j], 2) / (2.0 * {V}[c * {n} + j]))"
            f" / Math.sqrt(2.0 * Math.PI * {V}[c * {n} + j])))"
        )
    lines = [
        out.vector(step.inputs),
        f"double[] jll = new double[{n_classes}];",
        f"for (int c = 0; c < {n_classes}; c++) {{",
        "    double total = 0.0;",
        f"    for (int j = 0; j < {n}; j++) {{ total += {term}; }}",
        f"    jll[c] = {prior}[c] + total;",
        "}",
        "double max = Double.NEGATIVE_INFINITY;",
        "for (double l : jll) { max = Math.max(max, l); }",
        "double sum = 0.0;",
        f"double[] probabilities = new double[{n_classes}];",
        f"for (int c = 0; c < {n_classes}; c++) {{ probabilities[c] = Math.exp(jll[c] - max); sum += probabilities[c]; }}",
        f"for (int c = 0; c < {n_classes}; c++) {{ probabilities[c] = probabilities[c] / sum; }}",
    ]
    return _in_signature_order(out, getattr(step, "classes", None), lines), {"probabilities": "probabilities"}
