"""The PMML fast path: compile a document into IR and evaluate it with numpy.

The compiler is strict: any element, attribute value or construct it does not implement
exactly raises NotCovered, and ``load`` then hands the whole document to pypmml. Covered now:
TransformationDictionary (Apply + - * / isMissing if, FieldRef with mapMissingTo, Constant,
NormDiscrete);
RegressionModel (NumericPredictors; none / logit (binary) / softmax); TreeModel with binary
numeric splits and missingValueStrategy none/defaultChild; MiningModel segmentations with
True predicates: sum, average and modelChain.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from interchange.batch import Columns, category_key, is_missing, missing_mask
from interchange.document import Document
from interchange.formats.pmml.parse import NotCovered, Parsed, child, children, local
from interchange.ir.graph import Env, ModelStep, Prediction, Step, outputs_from
from interchange.ir.linear import Link, Regression
from interchange.ir.trees import Tree, TreeEnsemble
from interchange.model import Model, ModelInfo

__all__ = ["FastPMMLModel", "compile_document"]

_OPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
}


@dataclass(frozen=True)
class Derive(Step):
    """A PMML DerivedField: one column computed by a compiled expression."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    fn: Callable[[Env], np.ndarray]

    def apply(self, env: Env) -> None:
        env[self.outputs[0]] = self.fn(env)


def _expr(el: etree._Element) -> Callable[[Env], np.ndarray]:
    """PMML 4.4 §Transformations; missing in → missing out (NaN propagates like PMML's rule)."""
    tag = local(el)
    if tag == "FieldRef":
        name, fill = el.get("field"), el.get("mapMissingTo")
        if fill is None:
            return lambda env: env[name]

        def mapped(env: Env) -> np.ndarray:
            col = env[name]
            if col.dtype.kind == "f":
                return np.where(np.isnan(col), float(fill), col)
            return np.array([fill if is_missing(v) else v for v in col], dtype=object)

        return mapped
    if tag == "NormDiscrete":
        # PMML 4.4 §NormDiscrete: 1.0 where field == value, else 0.0; missing -> mapMissingTo.
        name, value, fill = el.get("field"), el.get("value"), el.get("mapMissingTo")
        fill_value = np.nan if fill is None else float(fill)

        def indicator(env: Env) -> np.ndarray:
            col = env[name]
            missing = missing_mask(col)
            keys = np.array([category_key(v) for v in col], dtype=object)
            return np.where(missing, fill_value, (keys == category_key(value)).astype(np.float64))

        return indicator
    if tag == "Apply" and el.get("function") == "isMissing":
        inner = _expr(next(a for a in el if isinstance(a.tag, str)))

        return lambda env: missing_mask(inner(env))
    if tag == "Apply" and el.get("function") == "if":
        cond, yes, no = (_expr(a) for a in el if isinstance(a.tag, str))
        return lambda env: np.where(cond(env), yes(env), no(env))
    if tag == "Constant":
        if el.get("dataType", "double") not in ("double", "float", "integer") or el.get("missing") == "true":
            raise NotCovered("non-numeric Constant")
        value = float(el.text)
        return lambda env: np.float64(value)
    if tag == "Apply" and el.get("function") in _OPS and el.get("mapMissingTo") is None and el.get("defaultValue") is None:
        args = [_expr(a) for a in el if isinstance(a.tag, str) and local(a) != "Extension"]
        if len(args) != 2 or el.get("invalidValueTreatment", "returnInvalid") != "returnInvalid":
            raise NotCovered(f"Apply {el.get('function')} with {len(args)} arguments")
        op = _OPS[el.get("function")]
        return lambda env: op(args[0](env), args[1](env))
    raise NotCovered(f"expression <{tag}> {el.get('function') or ''}".strip())


def _transforms(root: etree._Element) -> list[Step]:
    steps: list[Step] = []
    td = child(root, "TransformationDictionary")
    for el in td if td is not None else []:
        if not isinstance(el.tag, str) or local(el) == "Extension":
            continue
        if local(el) != "DerivedField":
            raise NotCovered(f"<{local(el)}> in TransformationDictionary")
        body = [c for c in el if isinstance(c.tag, str) and local(c) != "Extension"]
        if len(body) != 1 or el.get("dataType", "double") not in ("double", "float", "string"):
            raise NotCovered(f"DerivedField {el.get('name')}")
        steps.append(Derive((), (el.get("name"),), _expr(body[0])))
    return steps


def _check_schema(model: etree._Element) -> None:
    """MiningSchema treatments other than the defaults change values: not on the fast path."""
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        for attr in ("missingValueReplacement", "outliers", "lowValue", "highValue"):
            if mf.get(attr) is not None and not (attr == "outliers" and mf.get(attr) == "asIs"):
                raise NotCovered(f"MiningField {mf.get('name')} {attr}")
        if mf.get("invalidValueTreatment", "returnInvalid") != "returnInvalid":
            raise NotCovered(f"MiningField {mf.get('name')} invalidValueTreatment")
    for tag in ("LocalTransformations", "Targets"):
        if child(model, tag) is not None:
            raise NotCovered(f"<{tag}> in <{local(model)}>")


def _regression(model: etree._Element) -> Regression:
    _check_schema(model)
    tables = children(model, "RegressionTable")
    method = model.get("normalizationMethod", "none")
    names: list[str] = []
    for t in tables:
        for p in t:
            if isinstance(p.tag, str) and local(p) not in ("NumericPredictor", "Extension"):
                raise NotCovered(f"<{local(p)}> in RegressionTable")
            if local(p) == "NumericPredictor":
                if p.get("exponent", "1") != "1":
                    raise NotCovered("NumericPredictor exponent")
                if p.get("name") not in names:
                    names.append(p.get("name"))
    coef = np.zeros((len(tables), len(names)))
    for i, t in enumerate(tables):
        for p in children(t, "NumericPredictor"):
            coef[i, names.index(p.get("name"))] = float(p.get("coefficient"))
    intercept = np.array([float(t.get("intercept", "0")) for t in tables])
    if model.get("functionName") == "regression":
        if len(tables) != 1 or method != "none":
            raise NotCovered(f"regression with normalizationMethod={method}")
        return Regression(tuple(names), coef, intercept)
    classes = tuple(t.get("targetCategory") for t in tables)
    if method == "softmax":
        return Regression(tuple(names), coef, intercept, Link.SOFTMAX, classes)
    if method == "logit" and len(tables) == 2:
        # PMML 4.4 §Regression: p(first) = 1/(1+exp(-y1)); the last category gets 1 - p(first).
        return Regression(
            tuple(names), coef[:1] - coef[1:], intercept[:1] - intercept[1:], Link.LOGISTIC, (classes[1], classes[0])
        )
    raise NotCovered(f"classification with normalizationMethod={method} and {len(tables)} tables")


def _tree(model: etree._Element, classes: list[str] | None) -> tuple[Tree, list[str], list[str]]:
    """A TreeModel with binary numeric splits as a flat IR Tree (features and classes by name)."""
    _check_schema(model)
    strategy = model.get("missingValueStrategy", "none")
    if strategy not in ("none", "defaultChild"):
        raise NotCovered(f"TreeModel missingValueStrategy={strategy}")
    features: list[str] = []
    classes = [] if classes is None else classes
    rows: list[list[Any]] = []  # feature, threshold, left, right, missing_left, op, value

    def visit(node: etree._Element) -> int:
        kids = children(node, "Node")
        i = len(rows)
        rows.append([-1, 0.0, -1, -1, True, "<=", node])
        if not kids:
            return i
        if len(kids) != 2:
            raise NotCovered("a tree node that is not a binary split")
        p_left, p_right = (child_predicate(k) for k in kids)
        field, op, value = p_left
        if (p_right[0], p_right[2]) != (field, value) or (op, p_right[1]) not in (
            ("lessOrEqual", "greaterThan"),
            ("lessThan", "greaterOrEqual"),
        ):
            raise NotCovered("tree split predicates that are not complementary numeric comparisons")
        if field not in features:
            features.append(field)
        default = node.get("defaultChild")
        if strategy == "defaultChild" and default is None:
            raise NotCovered("defaultChild strategy without a defaultChild")
        left, right = visit(kids[0]), visit(kids[1])
        missing_left = default is None or default == kids[0].get("id")
        rows[i][:6] = [features.index(field), float(value), left, right, missing_left, "<" if op == "lessThan" else "<="]
        return i

    root = children(model, "Node")
    if len(root) != 1 or child_predicate(root[0]) != ("", "True", ""):
        raise NotCovered("tree root without a True predicate")
    visit(root[0])
    ops = {r[5] for r in rows if r[0] >= 0}
    if len(ops) > 1:
        raise NotCovered("mixed < and <= splits in one tree")
    regression = model.get("functionName") == "regression"
    values = []
    for r in rows:
        node = r[6]
        if regression:
            values.append([float(node.get("score", "nan"))])
            continue
        dist = {d.get("value"): float(d.get("probability") or d.get("recordCount")) for d in children(node, "ScoreDistribution")}
        for c in dist:
            if c not in classes:
                classes.append(c)
        total = sum(dist.values()) or 1.0
        values.append([dist.get(c, 0.0) / total for c in classes])
    width = max(len(v) for v in values)
    value = np.array([v + [0.0] * (width - len(v)) for v in values])
    tree = Tree(
        np.array([r[0] for r in rows]),
        np.array([r[1] for r in rows]),
        np.array([r[2] for r in rows]),
        np.array([r[3] for r in rows]),
        value,
        np.array([r[4] for r in rows], dtype=bool),
        ops.pop() if ops else "<=",
    )
    return tree, features, classes


def child_predicate(node: etree._Element) -> tuple[str, str, str]:
    for c in node:
        if not isinstance(c.tag, str) or local(c) in ("Extension", "ScoreDistribution", "Node", "Partition"):
            continue
        if local(c) == "True":
            return ("", "True", "")
        if local(c) == "SimplePredicate" and c.get("operator") in ("lessOrEqual", "greaterThan", "lessThan", "greaterOrEqual"):
            return (c.get("field"), c.get("operator"), c.get("value"))
        raise NotCovered(f"tree predicate <{local(c)}> {c.get('operator') or ''}".strip())
    raise NotCovered("tree node without a predicate")


def _reindex(tree: Tree, features: list[str], names: list[str]) -> Tree:
    mapping = np.array([names.index(f) for f in features] or [0])
    feature = np.where(tree.feature >= 0, mapping[np.maximum(tree.feature, 0)], -1)
    return Tree(feature, tree.threshold, tree.left, tree.right, tree.value, tree.missing_left, tree.op)


@dataclass(frozen=True)
class ChainStep(Step):
    """A modelChain segment: a sub-model whose predicted value becomes a named column."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    model: ModelStep

    def apply(self, env: Env) -> None:
        env[self.outputs[0]] = self.model.predict(env).value


def _mining(model: etree._Element, steps: list[Step]) -> ModelStep:
    _check_schema(model)
    seg = child(model, "Segmentation")
    if seg is None:
        raise NotCovered("MiningModel without Segmentation")
    method = seg.get("multipleModelMethod")
    segments = children(seg, "Segment")
    for s in segments:
        if child_predicate(s) != ("", "True", "") or s.get("weight", "1") not in ("1", "1.0"):
            raise NotCovered("segments with predicates or weights")
    models = [next(c for c in s if isinstance(c.tag, str) and local(c) not in ("True", "Extension")) for s in segments]
    if method == "modelChain":
        for m in models[:-1]:
            out = child(m, "Output")
            fields = children(out, "OutputField") if out is not None else []
            if len(fields) != 1 or fields[0].get("feature", "predictedValue") != "predictedValue":
                raise NotCovered("modelChain segment without exactly one predictedValue output")
            steps.append(ChainStep((), (fields[0].get("name"),), _model(m, steps)))
        return _model(models[-1], steps)
    if method not in ("sum", "average") or not all(local(m) == "TreeModel" for m in models):
        raise NotCovered(f"Segmentation {method} of {sorted({local(m) for m in models})}")
    classification = model.get("functionName") == "classification"
    if classification and method != "average":
        raise NotCovered("classification by summed trees")
    classes: list[str] | None = [] if classification else None
    parts = [_tree(m, classes) for m in models]
    names: list[str] = []
    for _, feats, _ in parts:
        names += [f for f in feats if f not in names]
    width = len(classes) if classes else 1
    trees = []
    for tree, feats, _ in parts:
        value = np.zeros((len(tree.feature), width))
        value[:, : tree.value.shape[1]] = tree.value
        trees.append(_with_value(_reindex(tree, feats, names), value))
    return TreeEnsemble(tuple(names), tuple(trees), method, classes=tuple(classes) if classes else None)  # type: ignore[arg-type]


def _with_value(tree: Tree, value: np.ndarray) -> Tree:
    return Tree(tree.feature, tree.threshold, tree.left, tree.right, value, tree.missing_left, tree.op)


def _tree_model(model: etree._Element, steps: list[Step]) -> ModelStep:
    classification = model.get("functionName") == "classification"
    tree, feats, classes = _tree(model, [] if classification else None)
    return TreeEnsemble(tuple(feats), (tree,), "sum", classes=tuple(classes) if classification else None)


ModelCompiler = Callable[[etree._Element, list[Step]], ModelStep]
COMPILERS: dict[str, ModelCompiler] = {
    "RegressionModel": lambda model, steps: _regression(model),
    "MiningModel": _mining,
    "TreeModel": _tree_model,
}


def compiler(tag: str) -> Callable[[ModelCompiler], ModelCompiler]:
    """Register the fast-path compiler for the PMML model element ``tag`` (one per tag)."""

    def register(fn: ModelCompiler) -> ModelCompiler:
        if tag in COMPILERS:
            raise ValueError(f"a PMML fast-path compiler for <{tag}> is already registered")
        COMPILERS[tag] = fn
        return fn

    return register


# modules whose @compiler decorators add model elements
_FAMILY_MODULES: tuple[str, ...] = ("interchange.formats.pmml.fast_families",)
_loaded = False


def _model(model: etree._Element, steps: list[Step]) -> ModelStep:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _FAMILY_MODULES:
            importlib.import_module(module)
    fn = COMPILERS.get(local(model))
    if fn is None:
        raise NotCovered(f"<{local(model)}>")
    return fn(model, steps)


def compile_document(parsed: Parsed) -> tuple[list[Step], ModelStep]:
    """IR steps and the model step for a parsed document, or NotCovered."""
    if local(parsed.model) != "MiningModel" and child(parsed.model, "Segmentation") is not None:
        raise NotCovered("Segmentation outside MiningModel")
    out = child(parsed.model, "Output")
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature", "predictedValue") not in ("predictedValue", "probability") or len(of):
            raise NotCovered(f"OutputField feature={of.get('feature')}")
    steps = _transforms(parsed.root)
    model = _model(parsed.model, steps)
    return steps, model


class FastPMMLModel(Model):
    """A PMML document compiled to IR and evaluated with numpy."""

    def __init__(self, document: Document, parsed: Parsed) -> None:
        self.document = document
        self.signature = parsed.signature
        self._steps, self._model = compile_document(parsed)
        self.info = ModelInfo("pmml", "interchange-fast")

    def _predict_columns(self, columns: Columns) -> Columns:
        env: Env = dict(columns)
        for step in self._steps:
            step.apply(env)
        pred: Prediction = self._model.predict(env).finish()
        return outputs_from(pred, self.signature)
