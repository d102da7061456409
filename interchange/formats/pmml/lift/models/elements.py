"""PMML 4.4 model elements lifted into IR model steps.

The dispatch by element, Targets, Output residual, and the tree ensembles: flat trees come from
the fast path's tree reader, others from trees.py (binary, else as they stand); modelChain:
chains.py (boosting folded into one TreeEnsemble, other chains a Chain); majorityVote forests
become an average of one-hot leaves; other MiningModels become a Segmentation (segments.py).
RegressionModel: regression.py; GeneralRegressionModel: general.py; Scorecard and
RuleSetModel: rules.py; NeuralNetwork, NaiveBayesModel, ClusteringModel: families.py;
SupportVectorMachineModel: svm.py; NearestNeighborModel: knn.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast import engine as fast
from interchange.formats.pmml.fast.models.anomaly import iforest
from interchange.formats.pmml.fast.outputs import field_display
from interchange.formats.pmml.fast.priors import fallbacks
from interchange.formats.pmml.fast.schema import check_nested
from interchange.formats.pmml.fast.trees.model import FlatTree, tree_step
from interchange.formats.pmml.lift.models.chains import lift_chain
from interchange.formats.pmml.lift.models.families import lift_clustering_outputs, lift_naive_bayes, lift_neural
from interchange.formats.pmml.lift.models.general import lift_general
from interchange.formats.pmml.lift.models.knn import lift_knn_outputs
from interchange.formats.pmml.lift.models.precision import float_context
from interchange.formats.pmml.lift.models.regression import lift_regression
from interchange.formats.pmml.lift.models.rules import lift_ruleset, lift_scorecard
from interchange.formats.pmml.lift.models.segments import lift_segmentation
from interchange.formats.pmml.lift.models.svm import lift_svm_outputs
from interchange.formats.pmml.lift.models.trees import lift_multiway, lift_tree, node_figures
from interchange.formats.pmml.parse import NotCovered, child, children, local
from interchange.formats.pmml.read.compile import Ctx, elements
from interchange.formats.pmml.read.ir.expressions import lift_derived_fields, path_of
from interchange.formats.pmml.read.ir.predicates import PREDICATES, lift_predicate
from interchange.ir.derive.expressions import Derive, Expr
from interchange.ir.derive.predicates import PredicateColumn
from interchange.ir.graph import ModelStep, Step
from interchange.ir.lifted import Reason, Unliftable
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.outlier import AnomalyScore
from interchange.ir.models.targets import Residual, Targeted
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

__all__ = ["LiftContext", "lift_model", "ordered_classes"]


@dataclass
class LiftContext:
    """One document's lift: field types, the reasons so far, the transform steps built so far."""

    ctx: Ctx
    reasons: list[Reason]
    steps: list[Step]
    decisions: bool = False  # the signature asks for decision values
    made: dict[str, Any] = field(default_factory=dict)

    def predicate_column(self, el: etree._Element) -> str:
        """A 0 / 1 / missing column of a PMML predicate element (a tree split on categories, sets...)."""
        name = path_of(el)
        if name not in self.made:
            self.made[name] = el
            self.steps.append(PredicateColumn(name, lift_predicate(el, self.ctx)))
        return name

    def derive(self, name: str, expr: Expr) -> str:
        """A column computed by ``expr`` (one step per distinct name)."""
        if name not in self.made:
            self.made[name] = expr
            self.steps.append(Derive((name,), expr))
        return name


def lift_model(model: etree._Element, lc: LiftContext, *, top: bool = False) -> ModelStep:
    """The IR model step of a PMML model element (with its LocalTransformations as steps)."""
    tag = local(model)
    if not top:
        check_nested(model, fast.current().top)
    defined = {o for s in lc.steps for o in s.outputs}
    local_steps = lift_derived_fields(child(model, "LocalTransformations"), lc.ctx, lc.reasons)
    for s in local_steps:
        if s.outputs[0] in defined:
            raise Unliftable(path_of(model), f"LocalTransformations field {s.outputs[0]!r} defined twice in the document")
    lc.steps += local_steps
    lifter = _LIFTERS.get(tag)
    if lifter is None:
        raise Unliftable(path_of(model), f"<{tag}> has no IR form yet")
    step = float_context(model, _targets(model, lifter(model, lc)))
    return _residual(model, step) if top else step


def _residual(model: etree._Element, step: ModelStep) -> ModelStep:
    """PMML 4.4 §Output residual against the target field, an input then (ir.targets.Residual)."""
    output = child(model, "Output")
    asked = [of for of in children(output, "OutputField") if of.get("feature") == "residual"] if output is not None else []
    if not asked:
        return step
    for of in asked:
        if of.get("value") is not None or of.get("segmentId") is not None:
            raise Unliftable(path_of(of), "OutputField residual of a named category or segment")
    target = [
        mf.get("name")
        for mf in children(child(model, "MiningSchema"), "MiningField")
        if mf.get("usageType") in ("target", "predicted")
    ]
    if len(target) != 1:
        raise Unliftable(path_of(model), "OutputField residual of a model without one target field")
    return Residual(step, str(target[0]), tuple(str(of.get("name")) for of in asked))


def _targets(model: etree._Element, step: ModelStep) -> ModelStep:
    """PMML 4.4 §Targets: a plain regression rescaling (``value * rescaleFactor + rescaleConstant``)
    folds into the coefficients / leaves and the intercept / base; min / max, castInteger,
    defaultValue, priorProbability and displayValue wrap the model in ``Targeted`` (ir.targets)."""
    el = child(model, "Targets")
    if el is None:
        return _displayed(model, step)
    targets = children(el, "Target")
    if len(targets) != 1:
        raise Unliftable(path_of(el), f"Targets with {len(targets)} Target elements")
    t = targets[0]
    factor, const = float(t.get("rescaleFactor", "1")), float(t.get("rescaleConstant", "0"))
    simple = not children(t, "TargetValue") and not any(t.get(a) is not None for a in ("min", "max", "castInteger"))
    regression = model.get("functionName") == "regression"
    if simple and regression and isinstance(step, Regression) and step.classes is None:
        return Regression(step.inputs, np.asarray(step.coef) * factor, np.asarray(step.intercept) * factor + const)
    if simple and regression and isinstance(step, TreeEnsemble) and step.classes is None and step.aggregation == "sum":
        base = np.zeros(1) if step.base is None else np.asarray(step.base, dtype=np.float64)
        trees = step.trees
        if factor != 1.0:
            trees = tuple(
                Tree(t.feature, t.threshold, t.left, t.right, np.asarray(t.value) * factor, t.missing_left, t.op) for t in trees
            )
        return _rebuilt(step, trees=trees, base=base * factor + const)
    return _targeted(model, el, t, step, factor, const)


def _targeted(
    model: etree._Element, el: etree._Element, t: etree._Element, step: ModelStep, factor: float, const: float
) -> Targeted:
    """The Target as a Targeted step, with the fast path's reading of defaultValue / priorProbability."""
    regression = model.get("functionName") == "regression"
    numeric = factor != 1 or const != 0 or any(t.get(a) is not None for a in ("min", "max", "castInteger"))
    if numeric and not regression:
        raise Unliftable(path_of(el), "Target rescaling of a classification")
    for tv in children(t, "TargetValue"):
        if elements(tv):
            raise Unliftable(path_of(tv), "a TargetValue with a Partition")
    cast = t.get("castInteger")
    if cast not in (None, "round", "ceiling", "floor"):
        raise Unliftable(path_of(el), f"Target castInteger={cast}")
    try:
        default, priors = fallbacks(model, t)
    except NotCovered as exc:
        raise Unliftable(path_of(el), str(exc)) from exc
    output = child(model, "Output")
    asked = children(output, "OutputField") if output is not None else []
    shown = tuple(of.get("name") for of in asked if of.get("feature") == "predictedDisplayValue")
    if shown and regression:
        raise Unliftable(path_of(el), "predictedDisplayValue of a regression")
    values = children(t, "TargetValue")
    named = [tv for tv in values if tv.get("displayValue") is not None]
    shows = field_display(model) | {str(tv.get("value")): str(tv.get("displayValue")) for tv in named}
    display = tuple(shows.items())
    low, high = t.get("min"), t.get("max")
    return Targeted(
        step,
        low=None if low is None else float(low),
        high=None if high is None else float(high),
        factor=factor,
        constant=const,
        cast=cast,
        default=default,
        priors=tuple(priors.items()),
        display=display,
        shown=shown,
    )


def _displayed(model: etree._Element, step: ModelStep) -> ModelStep:
    """A classification without Targets whose Output asks for predictedDisplayValue: the target
    DataField's display values (fast.outputs.field_display) through a Targeted step."""
    output = child(model, "Output")
    asked = children(output, "OutputField") if output is not None else []
    shown = tuple(str(of.get("name")) for of in asked if of.get("feature") == "predictedDisplayValue")
    if not shown or model.get("functionName") == "regression":
        return step
    return Targeted(step, display=tuple(field_display(model).items()), shown=shown)


def ordered_classes(step: TreeEnsemble, order: tuple[Any, ...] | None = None) -> TreeEnsemble:
    """A tree ensemble's classes without repeats (the fast path may list a category twice), in
    ``order`` when that names the same categories: value columns merged and moved to match."""
    if step.classes is None or step.link is not Link.IDENTITY:
        return step
    names = list(dict.fromkeys(str(c) for c in step.classes))
    if order is not None and sorted(str(c) for c in order) == sorted(names):
        names = [str(c) for c in order]
    if names == [str(c) for c in step.classes]:
        return step
    cols = [[i for i, c in enumerate(step.classes) if str(c) == n] for n in names]
    trees = []
    for t in step.trees:
        v = np.asarray(t.value, dtype=np.float64)
        merged = np.column_stack([v[:, idx].sum(axis=1) for idx in cols])
        trees.append(Tree(t.feature, t.threshold, t.left, t.right, merged, t.missing_left, t.op))
    first = {str(c): c for c in reversed(step.classes)}
    return _rebuilt(step, trees=tuple(trees), classes=tuple(first[n] for n in names))


def _rebuilt(step: TreeEnsemble, **changes: Any) -> TreeEnsemble:
    kw = {f.name: getattr(step, f.name) for f in fields(TreeEnsemble)}
    kw.update(changes)
    return TreeEnsemble(**kw)


# --- TreeModel, MiningModel ---------------------------------------------------------------------


def _tree(model: etree._Element, lc: LiftContext) -> ModelStep:
    """The fast path's flat tree when it has one (pairs routed by defaultChild), else lift_tree."""
    try:
        step: Any = tree_step(model)
    except (NotCovered, ValueError):  # not the fast path's flat subset (e.g. an ordering of text): lift_tree says why
        step = None
    if isinstance(step, FlatTree) and not step.needs_general_for_missing:
        return ordered_classes(step.flat)
    saved = (list(lc.steps), dict(lc.made))
    try:
        tree, nodes = lift_tree(model, lc.predicate_column)
        return node_figures(model, ordered_classes(tree), nodes)
    except Unliftable as exc:  # not a binary tree: the tree as it stands (ir.multiway), or this reason
        lc.steps[:] = saved[0]
        lc.made = saved[1]
        try:
            return lift_multiway(model, lc.ctx)
        except Unliftable:
            raise exc from None


def _segments_of(seg: etree._Element) -> list[tuple[etree._Element, etree._Element]]:
    out = []
    for s in children(seg, "Segment"):
        pred = [c for c in elements(s) if local(c) in PREDICATES]
        inner = [c for c in elements(s) if local(c) not in PREDICATES]
        if len(inner) != 1 or not pred or local(pred[0]) != "True" or s.get("weight", "1") not in ("1", "1.0"):
            raise Unliftable(path_of(s), "a Segment with a predicate other than True, a weight, or several models")
        out.append((s, inner[0]))
    return out


def _mining(model: etree._Element, lc: LiftContext) -> ModelStep:
    seg = child(model, "Segmentation")
    if seg is None:
        raise Unliftable(path_of(model), "MiningModel without Segmentation")
    method = seg.get("multipleModelMethod")
    foldable = seg.get("missingPredictionTreatment", "continue") in ("continue", "returnMissing")
    if method == "modelChain":
        if not foldable:
            raise Unliftable(path_of(seg), f"missingPredictionTreatment={seg.get('missingPredictionTreatment')} in a modelChain")
        return lift_chain(model, seg, lc)
    if not foldable or not _plain(seg) or method not in ("majorityVote", "sum", "average"):
        return lift_segmentation(model, seg, lc)
    saved = (list(lc.steps), dict(lc.made), len(lc.reasons))
    try:
        return _folded(model, seg, method, lc)
    except (Unliftable, NotCovered):  # not trees to fold into one ensemble: the segments as they are
        lc.steps[:] = saved[0]
        lc.made = saved[1]
        del lc.reasons[saved[2] :]
        return lift_segmentation(model, seg, lc)


def _plain(seg: etree._Element) -> bool:
    """Every Segment is TRUE with weight 1 (a forest or boosted sum the IR may fold)."""
    for s in children(seg, "Segment"):
        pred = [c for c in elements(s) if local(c) in PREDICATES]
        if not pred or local(pred[0]) != "True" or s.get("weight", "1") not in ("1", "1.0"):
            return False
    return True


def _folded(model: etree._Element, seg: etree._Element, method: str, lc: LiftContext) -> ModelStep:
    """A plain forest / boosted sum / vote of trees as one TreeEnsemble."""
    if method == "majorityVote" and model.get("functionName") == "classification":
        return _votes(seg, lc)
    compiled = fast._model(model, [])
    if isinstance(compiled, FlatTree) and not compiled.needs_general_for_missing:
        return ordered_classes(compiled.flat)
    if method in ("sum", "average"):
        return _combined(seg, method, model.get("functionName") == "classification", lc)
    raise Unliftable(path_of(seg), f"multipleModelMethod={method} has no IR form yet")


def _combined(seg: etree._Element, method: str, classification: bool, lc: LiftContext) -> TreeEnsemble:
    """sum / average of segments that each lift to a tree ensemble (nested MiningModels, trees
    with a Targets constant): one TreeEnsemble (an average scales leaves and bases by 1/n)."""
    parts = []
    for _, m in _segments_of(seg):
        step = lift_model(m, lc)
        if not isinstance(step, TreeEnsemble) or (step.classes is not None) != classification:
            raise Unliftable(path_of(m), f"a {method} segment that does not lift to a tree ensemble")
        if classification and (method != "average" or step.link is not Link.IDENTITY or step.base is not None):
            raise Unliftable(path_of(m), f"a classification segment of a {method} other than plain probability trees")
        parts.append(step)
    names: list[str] = []
    classes: list[Any] = []
    for p in parts:
        names += [f for f in p.inputs if f not in names]
        classes += [c for c in p.classes or () if str(c) not in map(str, classes)]
    width = len(classes) if classification else 1
    scale = 1.0 / len(parts) if method == "average" else 1.0
    trees, base = [], np.zeros(width)
    for p in parts:
        own = len(p.trees) if p.aggregation == "average" else 1
        for t in p.trees:
            v = np.asarray(t.value, dtype=np.float64).reshape(len(t.feature), -1)
            value = np.zeros((len(t.feature), width))
            for j in range(v.shape[1]):
                col = [str(c) for c in classes].index(str(p.classes[j])) if classification else 0  # type: ignore[index]
                value[:, col] = v[:, j] * scale / own if scale != 1.0 or own != 1 else v[:, j]
            trees.append(_remapped(t, p.inputs, names, value))
        if p.base is not None:
            base += np.asarray(p.base, dtype=np.float64) * scale
    if len({t.op for t in trees}) > 1:
        raise Unliftable(path_of(seg), "segment trees with different comparison operators")
    return TreeEnsemble(
        tuple(names),
        tuple(trees),
        "sum",
        base=None if not base.any() else base,
        classes=tuple(classes) if classification else None,
    )


def _votes(seg: etree._Element, lc: LiftContext) -> ModelStep:
    """majorityVote over classification trees: each tree votes for its leaf's label, the
    probabilities are vote shares (an average of one-hot leaves)."""
    trees, classes = [], []
    parts = []
    for _, m in _segments_of(seg):
        step = lift_model(m, lc)
        if not isinstance(step, TreeEnsemble) or step.classes is None or len(step.trees) != 1:
            raise Unliftable(path_of(m), "a majorityVote segment that is not one classification tree")
        parts.append(step)
        classes += [c for c in step.classes if c not in classes]
    names: list[str] = []
    for p in parts:
        names += [f for f in p.inputs if f not in names]
    for p in parts:
        t = p.trees[0]
        own = np.asarray(t.value, dtype=np.float64)
        value = np.zeros((len(t.feature), len(classes)))
        leaf = t.feature < 0
        winner = np.argmax(own, axis=1)
        for i in np.flatnonzero(leaf):
            value[i, classes.index(p.classes[winner[i]])] = 1.0  # type: ignore[index]
        trees.append(_remapped(t, p.inputs, names, value))
    return TreeEnsemble(tuple(names), tuple(trees), "average", classes=tuple(classes))


def _remapped(t: Tree, inputs: tuple[str, ...], names: list[str], value: np.ndarray) -> Tree:
    mapping = np.array([names.index(f) for f in inputs] or [0])
    feature = np.where(t.feature >= 0, mapping[np.maximum(t.feature, 0)], -1)
    return Tree(feature, t.threshold, t.left, t.right, value, t.missing_left, t.op)


def _anomaly(model: etree._Element, lc: LiftContext) -> ModelStep:
    """PMML 4.4 §AnomalyDetectionModel iforest: the wrapped model's mean path length as the anomaly score."""
    inner, normaliser = iforest(model)
    return AnomalyScore(lift_model(inner, lc), normaliser)


_LIFTERS = {
    "AnomalyDetectionModel": _anomaly,
    "RegressionModel": lift_regression,
    "TreeModel": _tree,
    "MiningModel": _mining,
    "NeuralNetwork": lift_neural,
    "SupportVectorMachineModel": lift_svm_outputs,
    "NearestNeighborModel": lift_knn_outputs,
    "ClusteringModel": lift_clustering_outputs,
    "NaiveBayesModel": lift_naive_bayes,
    "GeneralRegressionModel": lift_general,
    "Scorecard": lift_scorecard,
    "RuleSetModel": lift_ruleset,
}
