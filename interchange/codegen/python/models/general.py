"""Python emitters for GeneralizedLinear, CumulativeLink, NormalizedClassifier, Scorecard and RuleSet.

Each writes its parameters as module constants and calls the IR's own kernel, copied into the
module by source (interchange.ir.kernels.general, interchange.ir.links); the scorecard and the
rule set call the IR's ``score_card`` and ``select_rule`` over their data, the predicates read by
``_truth``.
"""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.expressions import predicate_data
from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.registry import emitter
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear, NormalizedClassifier
from interchange.ir.models.rules import RuleSet
from interchange.ir.models.scorecard import Scorecard

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


def _source(source: str | float | None) -> str:
    """A column read (offset / trials), a constant or None."""
    return f"np.asarray(env[{source!r}], dtype=np.float64)" if isinstance(source, str) else literal(source)


@emitter("python", GeneralizedLinear)
def _generalized(step: GeneralizedLinear, out: PyWriter) -> Emitted:
    coef = out.const("GLM_COEF", np.asarray(step.coef, dtype=np.float64))
    if step.precision == "float":  # x-mathContext="float": JPMML-Evaluator's float arithmetic (the IR's kernel)
        out.need("float_linear")
        columns = "[" + ", ".join(f"env[{c!r}]" for c in step.columns) + "]"
        return [f"value = float_linear({columns}, {coef}, {literal(float(step.intercept))}, {step.link!r})"], {"value": "value"}
    out.need("linked_mean")
    lines = [
        f"X = _matrix(env, {literal(step.columns)}, n)",
        f"eta = X @ {coef}.T + {literal(float(step.intercept))}",
    ]
    if step.offset is not None:
        lines.append(f"eta = eta + {_source(step.offset)}")
    lines.append(f"value = linked_mean(eta, {step.link!r}, {literal(float(step.parameter))})")
    if step.trials is not None:
        lines.append(f"value = value * np.trunc({_source(step.trials)})")
    return lines, {"value": "value"}


@emitter("python", CumulativeLink)
def _cumulative(step: CumulativeLink, out: PyWriter) -> Emitted:
    out.need("cumulative_probabilities")
    coef = out.const("CUMULATIVE_COEF", np.asarray(step.coef, dtype=np.float64))
    intercept = out.const("CUMULATIVE_INTERCEPT", np.asarray(step.intercept, dtype=np.float64))
    lines = [f"X = _matrix(env, {literal(step.columns)}, n)", f"eta = X @ {coef}.T + {intercept}"]
    if step.offset is not None:
        lines.append(f"eta = eta + np.asarray({_source(step.offset)})[..., None]")
    lines.append(f"probabilities = cumulative_probabilities(eta, {step.link!r})")
    return lines, {"probabilities": "probabilities"}


@emitter("python", NormalizedClassifier)
def _normalized(step: NormalizedClassifier, out: PyWriter) -> Emitted:
    out.need("normalized_probabilities")
    coef = out.const("NORMALIZED_COEF", np.asarray(step.coef, dtype=np.float64))
    intercept = out.const("NORMALIZED_INTERCEPT", np.asarray(step.intercept, dtype=np.float64))
    lines = [
        f"X = _matrix(env, {literal(step.columns)}, n)",
        f"probabilities = normalized_probabilities(X @ {coef}.T + {intercept}, {step.normalization!r})",
    ]
    return lines, {"probabilities": "probabilities"}


@emitter("python", Scorecard)
def _scorecard(step: Scorecard, out: PyWriter) -> Emitted:
    out.need("_truth", "score_card")
    chars = tuple(
        (tuple((predicate_data(a.predicate), a.score, a.code) for a in ch.attributes), ch.baseline) for ch in step.characteristics
    )
    card = out.const("SCORECARD", (float(step.initial), chars, step.codes, step.below, step.use_codes))
    reasons = out.const("REASONS", step.reasons)
    lines = [f"value, reasons = score_card({card}, lambda p: _truth(p, env, n)[0], env, n, {reasons})"]
    parts = {"value": "value", **{f"extra:{name}": f"reasons[{name!r}]" for name, _ in step.reasons}}
    return lines, parts


@emitter("python", RuleSet)
def _ruleset(step: RuleSet, out: PyWriter) -> Emitted:
    return [f"label, _ = {select_call(step, out)}"], {"label": "label"}


def select_call(step: RuleSet, out: PyWriter) -> str:
    """The call of the IR's rule-set kernel (interchange.ir.kernels.rules.select_rule) over ``step``'s rules as data."""
    out.need("_truth", "select_rule")
    rules = tuple(
        (tuple(predicate_data(p) for p in r.predicates), r.score, float(r.weight), float(r.confidence)) for r in step.rules
    )
    data = out.const("RULES", rules)
    confidence = literal(None if step.default_confidence is None else float(step.default_confidence))
    truth = "lambda p: _truth(p, env, n)[0]"
    return f"select_rule({data}, {truth}, {step.criterion!r}, {literal(step.default)}, {confidence}, n)"
