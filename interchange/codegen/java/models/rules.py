"""Java emitters for Scorecard (score and ranked reason codes) and RuleSet (the selected label).

Both follow the IR step's ``predict`` row by row (interchange.ir.models.scorecard; the rule set's selection,
label and confidence in one pass, as the IR's kernel interchange.ir.kernels.rules.select_rule):
a predicate fires where its three-valued truth is 1. Reason codes are ranked most points first,
equal points by the first characteristic giving them, then by code order (numpy's lexsort);
a code no characteristic gave or with negative points (0 points is listed, as the IR's kernel
interchange.ir.kernels.scorecard), and every code of a missing score, is none. A reason-code
output is an index into its codes (``extra:<name>`` parts, values in ``out.extra_values``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.codegen.java.expressions import truth
from interchange.codegen.java.runtime import HELPERS
from interchange.codegen.java.writer import JavaWriter, jdouble
from interchange.codegen.registry import emitter
from interchange.ir.models.rules import RuleSet
from interchange.ir.models.scorecard import Scorecard

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]

HELPERS["rankCodes"] = """
    /** Code indices, most points first; equal points: the first characteristic giving them, then code order. */
    private static int[] rankCodes(double[] points, int[] first) {
        Integer[] order = new Integer[points.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (a, b) -> {
            int c = Double.compare(-points[a], -points[b]);
            return c != 0 ? c : Integer.compare(first[a], first[b]);
        });
        int[] out = new int[order.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = order[j];
        }
        return out;
    }
"""


def _score(out: JavaWriter, score: float | str) -> str:
    return out.num(score) if isinstance(score, str) else jdouble(float(score))


@emitter("java", Scorecard)
def _scorecard(step: Scorecard, out: JavaWriter) -> Emitted:
    k = len(step.codes)
    n = len(step.characteristics)
    # each characteristic's partial score and code (a long scorecard is split into methods), then the sums in order
    blocks = []
    for i, ch in enumerate(step.characteristics):
        branches = []
        for a in ch.attributes:
            code = step.codes.index(a.code) if a.code is not None else -1
            branches.append(
                f"if ({truth(out, a.predicate)} == 1) {{ partials[{i}] = {_score(out, a.score)}; codes[{i}] = {code}; }}"
            )
        blocks.append([" else ".join(branches)] if branches else [])
    lines = [
        f"double[] partials = new double[{n}];",
        f"int[] codes = new int[{n}];",
        "java.util.Arrays.fill(partials, Double.NaN);",
        "java.util.Arrays.fill(codes, -1);",
        *out.split(blocks, "double[] v, String[] s, double[] partials, int[] codes", "v, s, partials, codes", "characteristics"),
        f"double total = {jdouble(float(step.initial))};",
        f"double[] points = new double[{k}];",
        f"int[] first = new int[{k}];",
        f"java.util.Arrays.fill(first, {n});",
        f"for (int i = 0; i < {n}; i++) {{ total = total + partials[i]; }}",
    ]
    if step.use_codes and n:
        baselines = out.array("baselines", [np.nan if ch.baseline is None else float(ch.baseline) for ch in step.characteristics])
        diff = f"{baselines}[i] - partials[i]" if step.below else f"partials[i] - {baselines}[i]"
        lines += [
            f"for (int i = 0; i < {n}; i++) {{",
            f"    if (codes[i] >= 0 && !Double.isNaN({baselines}[i])) {{",
            f"        points[codes[i]] += {diff};",
            "        first[codes[i]] = Math.min(first[codes[i]], i);",
            "    }",
            "}",
        ]
    parts: dict[str, str] = {"value": "total"}
    if step.reasons:
        out.extra_values.update({name: tuple(step.codes) for name, _ in step.reasons})
        if step.use_codes and k:
            out.need("rankCodes")
            lines.append("int[] ranked = rankCodes(points, first);")
        for r, (name, rank) in enumerate(step.reasons):
            local = f"reason{r}"
            if step.use_codes and rank < k:
                lines.append(
                    f"int {local} = !Double.isNaN(total) && first[ranked[{rank}]] < {n} && points[ranked[{rank}]] >= 0"
                    f" ? ranked[{rank}] : -1;",
                )
            else:
                lines.append(f"int {local} = -1;")
            parts[f"extra:{name}"] = local
    return lines, parts


def _labels(out: JavaWriter, step: RuleSet) -> list[str]:
    """The values a label index points at: the signature's classes, else the scores and the default."""
    sig = out.signature
    if sig is not None and sig.classes:
        return [str(c) for c in sig.classes]
    values = list(dict.fromkeys(str(r.score) for r in step.rules))
    if step.default is not None and str(step.default) not in values:
        values.append(str(step.default))
    out.label_values = tuple(values)
    return values


@emitter("java", RuleSet)
def _ruleset(step: RuleSet, out: JavaWriter) -> Emitted:
    return select_rule(step, out), {"label": "label"}


def select_rule(step: RuleSet, out: JavaWriter) -> list[str]:
    """Java for the IR's rule-set kernel (interchange.ir.kernels.rules.select_rule) over ``step``: every rule's
    truth first (``fired``; a rule set too long for one method is split into several), then one pass of
    the criterion setting ``label`` (an index into the label values) and ``confidence``."""
    values = _labels(out, step)

    def index(score: Any) -> int:
        return values.index(str(score)) if str(score) in values else -1

    def fires(rule: Any) -> str:
        return " && ".join(f"({truth(out, p)} == 1)" for p in rule.predicates) or "true"

    default = -1 if step.default is None else index(step.default)
    default_confidence = jdouble(np.nan if step.default_confidence is None else float(step.default_confidence))
    chosen = [f"int label = {default};", f"double confidence = {default_confidence};"]
    m = len(step.rules)
    if not m:
        return chosen
    blocks = [[f"fired[{i}] = {fires(r)};"] for i, r in enumerate(step.rules)]
    lines = [
        f"boolean[] fired = new boolean[{m}];",
        *out.split(blocks, "double[] v, String[] s, boolean[] fired", "v, s, fired", "rules"),
        *chosen,
    ]
    weights = out.array("rule_weights", [float(r.weight) for r in step.rules])
    conf = out.array("rule_confidences", [float(r.confidence) for r in step.rules])
    if step.criterion == "firstHit":
        labels = out.array("rule_labels", [index(r.score) for r in step.rules], "int")
        take = f"label = {labels}[i]; confidence = {conf}[i];"
        lines.append(f"for (int i = 0; i < {m}; i++) {{ if (fired[i]) {{ {take} break; }} }}")
    elif step.criterion == "weightedMax":
        labels = out.array("rule_labels", [index(r.score) for r in step.rules], "int")
        lines += [
            "double best = Double.NEGATIVE_INFINITY;",
            f"for (int i = 0; i < {m}; i++) {{",
            f"    if (fired[i] && {weights}[i] > best) {{ label = {labels}[i]; confidence = {conf}[i]; best = {weights}[i]; }}",
            "}",
        ]
    else:  # the score whose fired rules weigh most; the confidence: its total over the number of fired rules
        scores = list(dict.fromkeys(str(r.score) for r in step.rules))
        which = out.array("rule_scores", [scores.index(str(r.score)) for r in step.rules], "int")
        targets = ", ".join(str(index(s)) for s in scores)
        lines += [
            f"double[] totals = new double[{len(scores)}];",
            "double count = 0.0;",
            f"for (int i = 0; i < {m}; i++) {{ if (fired[i]) {{ totals[{which}[i]] += {weights}[i]; count += 1.0; }} }}",
            "double sum = 0.0;",
            "int winner = 0;",
            f"for (int j = 0; j < {len(scores)}; j++) {{ sum += totals[j]; if (totals[j] > totals[winner]) {{ winner = j; }} }}",
            f"if (sum > 0) {{ label = new int[] {{{targets}}}[winner]; confidence = totals[winner] / count; }}",
        ]
    return lines
