"""Java for MultiwayTreeModel (ir.multiway): each Node's predicate for the row, then the walk.

The predicates are the IR's as Java int expressions (``expressions.truth``: 1 TRUE, 0 FALSE,
-1 UNKNOWN); a surrogate Node is decided by an alternative where its first predicate is
UNKNOWN and the whole is not (ir.trees.masks.alternative). ``multiway`` (copied into the class)
walks the row as the IR's kernel walks a batch (interchange.ir.kernels.trees): over the tree's
chain tables (``MultiwayTree.chain``: the missingValueStrategy and noTrueChildStrategy as data),
one position per child tried, to a Node, none, or a Node's virtual result, where
weightedConfidence and aggregateNodes (pypmml's reading) decide. The penalty multiplies the
confidence once per defaultChild taken and per Node tested whose surrogate an alternative
decided, TRUE or FALSE (JPMML-Evaluator's reading).
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.java.expressions import truth
from interchange.codegen.java.models.families import _in_signature_order
from interchange.codegen.java.models.tree_figures import entity_table
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter, jdouble
from interchange.codegen.registry import emitter
from interchange.ir.derive.predicates import Compound
from interchange.ir.trees.multiway import MultiwayTreeModel

__all__: list[str] = []

HELPERS["multiway"] = """
    /** {node (-1: none, -3: virtual), penalised steps, virtual class, virtual confidence, virtual probabilities...}
     *  of one row: the walk over the tree's chain tables (interchange.ir.kernels.trees.multiway_walk, branches
     *  0 TRUE, 1 FALSE, 2 UNKNOWN), then weightedConfidence / aggregateNodes at a virtual end
     *  (interchange.ir.kernels.trees.multiway_virtual). */
    private static double[] multiway(int[] tv, boolean[] alt, int[] children, int[] test, int[] ended, int entry,
                                     int depth, boolean defaultChild, boolean weighted, boolean returnLast,
                                     int[] start, int[] kids, double[] records, double[] conf, double[] counts,
                                     int width) {
        double[] out = new double[4 + width];
        java.util.Arrays.fill(out, Double.NaN);
        int p = entry;
        double missed = 0.0;
        for (int s = 0; s <= depth && test[p] >= 0; s++) {
            int k = test[p];
            if (alt[k]) { missed += 1.0; }
            if (tv[k] == -1 && defaultChild) { missed += 1.0; }
            p = children[3 * p + (tv[k] == 1 ? 0 : tv[k] == -1 ? 2 : 1)];
        }
        out[0] = ended[p];
        out[1] = missed;
        if (ended[p] <= -2) {
            int node = -2 - ended[p];
            out[0] = returnLast ? node : -1;
            double[] scores = new double[width];
            double[] probs = new double[width];
            java.util.Arrays.fill(probs, Double.NaN);
            if (weighted) {
                for (int q = start[node]; q < start[node + 1]; q++) {
                    int k = kids[q];
                    if (tv[k] == -1) {
                        double weight = Double.isNaN(records[k]) ? 0.0 : records[k];
                        for (int c = 0; c < width; c++) { scores[c] += conf[k * width + c] * weight / records[node]; }
                    }
                }
            } else {
                gather(node, tv, start, kids, counts, width, scores);
                double total = 0.0;
                for (double s : scores) { total += s; }
                if (total > 0) { for (int c = 0; c < width; c++) { probs[c] = scores[c] / total; } }
            }
            int best = 0;
            double top = Double.NEGATIVE_INFINITY;
            double sum = 0.0;
            for (int c = 0; c < width; c++) {
                double v = Double.isNaN(scores[c]) ? Double.NEGATIVE_INFINITY : scores[c];
                if (v > top) { top = v; best = c; }
                sum += scores[c];
            }
            if (top > 0) {
                out[0] = -3;
                out[2] = best;
                out[3] = weighted ? top : top / sum;
                System.arraycopy(probs, 0, out, 4, width);
            }
        }
        return out;
    }

    private static void gather(int j, int[] tv, int[] start, int[] kids, double[] counts, int width, double[] total) {
        if (start[j] == start[j + 1]) {
            for (int c = 0; c < width; c++) { total[c] += counts[j * width + c]; }
            return;
        }
        for (int q = start[j]; q < start[j + 1]; q++) {
            int k = kids[q];
            if (tv[k] != 0) { gather(k, tv, start, kids, counts, width, total); }
            if (tv[k] == 1) { return; }
        }
    }
"""


@emitter("java", MultiwayTreeModel)
def _multiway(step: MultiwayTreeModel, out: JavaWriter) -> tuple[list[str], dict[str, str]]:
    out.need("truth", "multiway")
    tree = step.tree
    n = len(step.ids)
    width = 0 if tree.counts is None else int(tree.counts.shape[1])
    lines = [f"int[] tv = new int[{n}];", f"boolean[] alt = new boolean[{n}];"]
    for k, p in enumerate(step.predicates[1:], 1):
        lines.append(f"tv[{k}] = {truth(out, p)};")
        if isinstance(p, Compound) and p.operator == "surrogate" and p.parts:  # decided by an alternative
            lines.append(f"alt[{k}] = tv[{k}] != -1 && {truth(out, p.parts[0])} == -1;")
    children, test, ended, entry, depth = tree.chain
    tables = [
        out.array(f"multiway_{name}", np.asarray(table), "int")
        for name, table in (("children", children), ("test", test), ("ended", ended))
    ]
    start = out.array("multiway_start", np.cumsum([0, *(len(ks) for ks in tree.kids)]), "int")
    kids = out.array("multiway_kids", np.array([k for ks in tree.kids for k in ks] or [0]), "int")
    records = out.array("multiway_records", np.asarray(tree.records, dtype=np.float64))
    conf = out.array("multiway_conf", np.zeros(1) if tree.conf is None else np.asarray(tree.conf, dtype=np.float64))
    counts = out.array("multiway_counts", np.zeros(1) if tree.counts is None else np.asarray(tree.counts, dtype=np.float64))
    flags = [tree.strategy == "defaultChild", tree.strategy == "weightedConfidence", bool(tree.return_last)]
    root = int(entry[0]) if len(entry) else 0
    args = ", ".join([*tables, str(root), str(depth), *("true" if f else "false" for f in flags), start, kids])
    args += f", {records}, {conf}, {counts}, {width}"
    lines += [f"double[] walk = multiway(tv, alt, {args});", "int at = (int) walk[0];"]
    parts: dict[str, str] = {}
    if step.entity:
        lines.append(f"int entity = at >= 0 ? {entity_table(out, step.ids)}[at] : -1;")
        parts["cluster"] = "entity"
    if step.classes is None:
        scores = out.array("node_scores", np.asarray(step.scores, dtype=np.float64))
        lines.append(f"double value = at >= 0 ? {scores}[at] : Double.NaN;")
        return lines, {**parts, "value": "value"}
    assert step.probabilities is not None and step.confidences is not None
    if not getattr(out.signature, "classes", None):  # (a label the signature lists no classes for: the tree's)
        out.label_values = tuple(step.classes)
    wanted = [str(c) for c in (getattr(out.signature, "classes", None) or step.classes)]
    own = [str(c) for c in step.classes]
    label_of = [wanted.index(str(s)) if s is not None and str(s) in wanted else -1 for s in step.scores]
    labels = out.array("node_labels", np.array(label_of), "int")
    classes = out.array("class_labels", np.array([wanted.index(c) if c in wanted else -1 for c in own]), "int")
    probs = out.array("node_probabilities", np.asarray(step.probabilities, dtype=np.float64))
    confidences = out.array("node_confidences", np.asarray(step.confidences, dtype=np.float64))
    k = len(step.classes)
    lines += [
        "int label = -1;",
        f"double[] probabilities = new double[{k}];",
        "double confidence = Double.NaN;",
        "if (at >= 0) {",
        f"    label = {labels}[at];",
        f"    for (int c = 0; c < {k}; c++) {{ probabilities[c] = {probs}[at * {k} + c]; }}",
        f"    confidence = {confidences}[at] * Math.pow({jdouble(step.penalty)}, walk[1]);",
        "} else if (at == -3) {",
        f"    label = {classes}[(int) walk[2]];",
        f"    for (int c = 0; c < {k}; c++) {{ probabilities[c] = walk[4 + c]; }}",
        "    confidence = walk[3];",
        "} else {",
        "    java.util.Arrays.fill(probabilities, Double.NaN);",
        "}",
    ]
    parts.update(label="label", probabilities="probabilities", score="confidence")
    return _in_signature_order(out, step.classes, lines), parts
