"""IR model steps to PMML 4.4 model elements (RegressionModel, MiningModel of TreeModels)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.models.anomaly import anomaly
from interchange.formats.pmml.emit.models.chain import chain
from interchange.formats.pmml.emit.models.compared import compared_writers
from interchange.formats.pmml.emit.models.families import FAMILY_WRITERS, check_family
from interchange.formats.pmml.emit.models.figures import figure_writers
from interchange.formats.pmml.emit.models.general import general_writers
from interchange.formats.pmml.emit.models.multiway import multiway_model
from interchange.formats.pmml.emit.models.scoring import scoring_writers
from interchange.formats.pmml.emit.models.segments import segmentation
from interchange.formats.pmml.emit.models.select_all import select_all_writers
from interchange.formats.pmml.emit.models.targets import residual, targeted
from interchange.formats.pmml.emit.models.tree_figures import node_figures_model
from interchange.formats.pmml.emit.models.variable_weight import variable_weight_writers
from interchange.formats.pmml.emit.xmlbuild import TARGET, E, apply, constant, decision_field, in_float, num, text
from interchange.ir.combine.chain import Chain
from interchange.ir.combine.segmentation import Segmentation
from interchange.ir.graph import ModelStep
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.outlier import AnomalyScore, IsolationScore
from interchange.ir.models.targets import Residual, Targeted
from interchange.ir.trees.ensemble import Tree, TreeEnsemble
from interchange.ir.trees.multiway import MultiwayTreeModel
from interchange.ir.trees.nodes import NodeFigures
from interchange.signature import Signature

__all__ = ["model_element"]


def _mining_schema(sig: Signature, target: bool = True, extra: tuple[str, ...] = ()) -> etree._Element:
    ms = E("MiningSchema")
    for name in (*sig.input_names, *extra):
        ms.append(E("MiningField", {"name": name}))
    if target:
        ms.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    return ms


def _table(intercept: float, names: tuple[str, ...], coef: np.ndarray | None, category: Any = None) -> etree._Element:
    attrs = {"intercept": num(intercept)}
    if category is not None:
        attrs["targetCategory"] = text(category)
    table = E("RegressionTable", attrs)
    if coef is not None:
        for name, c in zip(names, coef, strict=False):
            table.append(E("NumericPredictor", {"name": name, "coefficient": num(c)}))
    return table


def _regression(step: Regression, sig: Signature) -> etree._Element:
    """PMML 4.4 §Regression: logit (binary, last table = 1 - others) or softmax normalisation."""
    if step.classes is None:
        model = E("RegressionModel", {"functionName": "regression"}, _mining_schema(sig))
        model.append(_table(step.intercept[0], step.inputs, step.coef[0]))
        return model
    return _classifier_tables(sig, step.link, step.classes, step.inputs, step.coef, step.intercept, _mining_schema(sig))


def _classifier_tables(
    sig: Signature,
    link: Link,
    classes: tuple[Any, ...],
    names: tuple[str, ...],
    coef: np.ndarray,
    intercept: np.ndarray,
    schema: etree._Element,
) -> etree._Element:
    if link is Link.LOGISTIC:
        model = E("RegressionModel", {"functionName": "classification", "normalizationMethod": "logit"}, schema)
        model.append(_table(intercept[0], names, coef[0], classes[1]))
        model.append(_table(0.0, names, None, classes[0]))
        return model
    if link is Link.SOFTMAX:
        model = E("RegressionModel", {"functionName": "classification", "normalizationMethod": "softmax"}, schema)
        for j, c in enumerate(classes):
            model.append(_table(intercept[j], names, coef[j], c))
        return model
    if link is Link.IDENTITY:
        return _decision_classifier(sig, classes, names, coef, intercept, schema)
    raise UnsupportedModelError(
        "PMML has no normalisation equal to one-vs-rest logistic (each class logistic, then divided by the sum)",
        format="pmml",
        supported_formats=["onnx", "pfa"],
    )


def _decision_classifier(
    sig: Signature,
    classes: tuple[Any, ...],
    names: tuple[str, ...],
    coef: np.ndarray,
    intercept: np.ndarray,
    schema: etree._Element,
) -> etree._Element:
    """Decision values as LocalTransformations (the Output shows them as transformedValue).

    PMML 4.4 has no classification normalisation that leaves raw scores as outputs (pypmml's
    "none" makes the last class 1 - the others), so each score is a DerivedField and the label
    comes from a softmax (binary: logit) over them: the same argmax, the same sign test.
    """
    local = E("LocalTransformations")
    fields = tuple(decision_field(f.name) for f in sig.output("decision"))
    if not fields:  # a classifier that shows only its label (e.g. a CART tree voting by argmax): internal scores
        fields = tuple(decision_field(f"score_{j}") for j in range(len(coef)))
    exprs = []
    for j in range(len(coef)):
        expr = E("Constant", {"dataType": "double"})
        expr.text = num(intercept[j])
        for name, c in zip(names, coef[j], strict=True):
            term = E("Apply", {"function": "*"}, E("FieldRef", {"field": name}), E("Constant", {"dataType": "double"}))
            term[1].text = num(c)
            expr = E("Apply", {"function": "+"}, expr, term)
        exprs.append(expr)
    if len(exprs) == 1 and len(fields) == 2:  # one binary decision shown for both classes: the first is its negation
        exprs.insert(0, E("Apply", {"function": "*"}, E("Constant", {"dataType": "double"}), copy.deepcopy(exprs[0])))
        exprs[0][0].text = "-1"
    for field, expr in zip(fields, exprs, strict=True):
        local.append(E("DerivedField", {"name": field, "optype": "continuous", "dataType": "double"}, expr))
    link = Link.LOGISTIC if len(fields) == 1 else Link.SOFTMAX
    model = _classifier_tables(sig, link, classes, fields, np.eye(len(fields)), np.zeros(len(fields)), schema)
    model.insert(1, local)
    return model


def _node(
    tree: Tree,
    i: int,
    inputs: tuple[str, ...],
    column: int | None,
    classes: tuple[Any, ...] | None,
    predicate: etree._Element,
    ids: list[int],
) -> etree._Element:
    ids[0] += 1
    attrs: dict[str, Any] = {"id": ids[0]}
    values = np.asarray(tree.value[i], dtype=np.float64).reshape(-1)
    if tree.feature[i] < 0:
        if np.isnan(values).any():  # a missing result (a lifted nullPrediction leaf): a Node without a score
            return E("Node", attrs, predicate)
        if classes is None:
            attrs["score"] = num(values[column or 0])
            return E("Node", attrs, predicate)
        total = values.sum() or 1.0
        probs = values / total
        attrs["score"] = text(classes[int(np.argmax(probs))])
        node = E("Node", attrs, predicate)
        for c, p in zip(classes, probs, strict=False):
            node.append(E("ScoreDistribution", {"value": text(c), "recordCount": num(p), "probability": num(p)}))
        return node
    node = E("Node", attrs, predicate)
    field, t = inputs[tree.feature[i]], num(tree.threshold[i])
    operators = ("lessThan", "greaterOrEqual") if tree.op == "<" else ("lessOrEqual", "greaterThan")
    left, right = (
        _node(tree, int(child), inputs, column, classes, E("SimplePredicate", {"field": field, "operator": op, "value": t}), ids)
        for child, op in zip((tree.left[i], tree.right[i]), operators, strict=True)
    )
    # PMML 4.4 §TreeModel missingValueStrategy="defaultChild": a missing field follows defaultChild.
    node.set("defaultChild", left.get("id") if tree.missing_left[i] else right.get("id"))
    node.extend([left, right])
    return node


def _tree_model(
    sig: Signature,
    tree: Tree,
    inputs: tuple[str, ...],
    column: int | None,
    classes: tuple[Any, ...] | None,
    schema: etree._Element | None = None,
) -> etree._Element:
    fn = "regression" if classes is None else "classification"
    attrs = {
        "functionName": fn,
        "missingValueStrategy": "defaultChild",
        "noTrueChildStrategy": "returnLastPrediction",
        "splitCharacteristic": "binarySplit",
    }
    root = _node(tree, 0, inputs, column, classes, E("True"), [0])
    return E("TreeModel", attrs, _mining_schema(sig, target=False) if schema is None else schema, root)


def _constant_tree(sig: Signature, value: float) -> etree._Element:
    root = E("Node", {"id": 1, "score": num(value)}, E("True"))
    return E("TreeModel", {"functionName": "regression"}, _mining_schema(sig, target=False), root)


def _segments(method: str, models: list[etree._Element]) -> etree._Element:
    seg = E("Segmentation", {"multipleModelMethod": method})
    for i, m in enumerate(models, 1):
        seg.append(E("Segment", {"id": i}, E("True"), m))
    return seg


def _sum_of_trees(sig: Signature, step: TreeEnsemble, column: int) -> list[etree._Element]:
    trees = [_tree_model(sig, t, step.inputs, column, None) for t in step.trees if np.any(np.asarray(t.value)[:, column])]
    base = 0.0 if step.base is None else float(np.asarray(step.base)[column])
    return [*trees, _constant_tree(sig, base)] if base else trees


def _with_base(step: TreeEnsemble) -> Tree:
    """The ensemble's one tree with its base added to every node's values: skl2onnx writes a binary tree's
    probabilities as leaves ``[-p, p]`` over a base ``[1, 0]``, which are the probabilities ``[1 - p, p]``
    themselves (not scores for a softmax)."""
    tree = step.trees[0]
    if step.base is None or not np.any(np.asarray(step.base)):
        return tree
    return dataclasses.replace(tree, value=np.asarray(tree.value, dtype=np.float64) + np.asarray(step.base, dtype=np.float64))


def _ensemble(step: TreeEnsemble, sig: Signature) -> etree._Element:
    """PMML 4.4 §MultipleModels: forests average; boosting sums, then a link via modelChain. A float sum
    (``precision="float"``) is written back as ``x-mathContext="float"`` on every model element: the trees
    in the IR's order, the base as a last constant tree, the softmax over raw scores read with coefficient
    1, which JPMML-Evaluator computes as the IR does."""
    return in_float(_ensemble_model(step, sig), step.precision)


def _ensemble_model(step: TreeEnsemble, sig: Signature) -> etree._Element:
    if step.classes is None:
        if step.aggregation == "average":
            models = [_tree_model(sig, t, step.inputs, 0, None) for t in step.trees]
        else:
            models = _sum_of_trees(sig, step, 0)
        return E("MiningModel", {"functionName": "regression"}, _mining_schema(sig), _segments(step.aggregation, models))
    no_base = step.base is None or not np.any(np.asarray(step.base))
    one_tree = step.link is Link.IDENTITY and len(step.trees) == 1 and sig.task == "classification"
    if one_tree and (no_base or step.aggregation == "sum"):  # one tree's leaf probabilities (a lifted TreeModel)
        return _tree_model(sig, _with_base(step), step.inputs, None, step.classes, schema=_mining_schema(sig))
    if step.link is Link.IDENTITY and step.aggregation == "average":
        models = [_tree_model(sig, t, step.inputs, None, step.classes) for t in step.trees]
        return E("MiningModel", {"functionName": "classification"}, _mining_schema(sig), _segments("average", models))
    k = 1 if step.link is Link.LOGISTIC else len(step.classes)
    chain = []
    raw_names = tuple(f"raw_score_{j}" for j in range(k))
    for j in range(k):
        out = E(
            "Output",
            None,
            E("OutputField", {"name": raw_names[j], "optype": "continuous", "dataType": "double", "feature": "predictedValue"}),
        )
        chain.append(
            E(
                "MiningModel",
                {"functionName": "regression"},
                _mining_schema(sig, target=False),
                out,
                _segments("sum", _sum_of_trees(sig, step, j)),
            )
        )
    eye = np.eye(k)
    # PMML 4.4 §modelChain: a later segment sees earlier segments' Output fields through its MiningSchema.
    schema = _mining_schema(sig, extra=raw_names)
    chain.append(_classifier_tables(sig, step.link, step.classes, raw_names, eye, np.zeros(k), schema))
    return E("MiningModel", {"functionName": "classification"}, _mining_schema(sig), _segments("modelChain", chain))


def _figures(step: NodeFigures, sig: Signature) -> etree._Element:
    """A lifted TreeModel with its Output entityId / confidence (tree_figures)."""
    classes = step.model.classes
    tree = _tree_model(sig, step.model.trees[0], step.model.inputs, None if classes else 0, classes, _mining_schema(sig))
    return node_figures_model(step, sig, tree)


def _isolation(step: IsolationScore, sig: Signature) -> etree._Element:
    """The mean path length is the MiningModel's predicted value; Output turns it into
    scikit-learn's score ``-2^(-path/c) - offset`` and label ``-1 if score < 0 else 1``."""
    model = _ensemble(step.paths, sig)
    path = "mean_path_length"
    exponent = apply("/", apply("*", constant(-1.0), E("FieldRef", {"field": path})), constant(step.normaliser))
    score = apply("-", apply("*", constant(-1.0), apply("pow", constant(2.0), exponent)), constant(step.offset))
    outlier = apply("lessThan", copy.deepcopy(score), constant(0.0))  # pypmml 1.5.8 cannot FieldRef an OutputField here
    label = apply("if", outlier, E("Constant", {"dataType": "integer"}), E("Constant", {"dataType": "integer"}))
    label[1].text, label[2].text = "-1", "1"
    continuous = {"optype": "continuous", "dataType": "double"}
    fields = [E("OutputField", {"name": path, **continuous, "feature": "predictedValue"})]
    for f in sig.outputs:
        expr = label if f.kind == "label" else score
        attrs = {"optype": "categorical", "dataType": "integer"} if f.kind == "label" else continuous
        fields.append(E("OutputField", {"name": f.name, **attrs, "feature": "transformedValue"}, expr))
    model.insert(1, E("Output", None, *fields))
    return model


_WRITERS: dict[type, Callable[[Any, Signature], etree._Element]] = {
    Regression: _regression,
    TreeEnsemble: _ensemble,
    IsolationScore: _isolation,
    NodeFigures: _figures,
    MultiwayTreeModel: multiway_model,
    **FAMILY_WRITERS,
    **general_writers(),
    **scoring_writers(),
    **figure_writers(),
    **compared_writers(),
    **variable_weight_writers(),
    **select_all_writers(),
    Segmentation: segmentation,
    Targeted: targeted,
    Residual: residual,
    Chain: chain,
    AnomalyScore: anomaly,
}
_NEW_STEPS = (
    *general_writers(),
    *scoring_writers(),
    *figure_writers(),
    *compared_writers(),
    *variable_weight_writers(),
    *select_all_writers(),
    Segmentation,
    Targeted,
    Residual,
    Chain,
    AnomalyScore,
    NodeFigures,
    MultiwayTreeModel,
)


def check_model(step: ModelStep) -> None:
    """Raise UnsupportedModelError when the PMML writer cannot write ``step``."""
    if type(step) not in _WRITERS:
        raise UnsupportedModelError(f"the PMML writer has no mapping for {type(step).__name__} yet", format="pmml")
    if type(step) in FAMILY_WRITERS:
        check_family(step)
        return
    if isinstance(step, _NEW_STEPS):
        return
    link = getattr(step, "link", None)
    if getattr(step, "classes", None) is not None and link not in (Link.LOGISTIC, Link.SOFTMAX):
        if link is not Link.IDENTITY:
            raise UnsupportedModelError(f"PMML has no normalisation equal to {getattr(link, 'value', link)!r}", format="pmml")


def model_element(step: ModelStep, sig: Signature) -> etree._Element:
    """The PMML model element for an IR model step; MiningSchema is its first child."""
    writer = _WRITERS.get(type(step))
    if writer is None:
        raise UnsupportedModelError(
            f"the PMML writer has no mapping for {type(step).__name__} yet", format="pmml", supported_formats=["onnx"]
        )
    return writer(step, sig)
