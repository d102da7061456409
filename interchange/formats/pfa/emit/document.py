"""Write PFA from the IR: typed input/output records, parameters in cells, a straight-line action.

Every derived column is a ``let`` binding. Inputs are nullable unions; derived expressions and a
regression's inputs read a missing number as NaN and compute what the IR computes with it
(emit/functions.py); elsewhere a missing value the model cannot handle stops the record with
``impute.errorOnNull`` (a record error, not a wrong number). Trees are TreeNode records in a
cell, walked by ``model.tree.simpleWalk`` with a test that routes missing values the way the
source tree does; a leaf without a prediction gives no label.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.avronames import is_legal
from interchange.batch import Columns
from interchange.errors import ConversionError, UnsupportedModelError
from interchange.formats.pfa.emit.transforms import write_transform
from interchange.ir.graph import Graph
from interchange.ir.kernels.trees import FLOAT_MATH
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.outlier import IsolationScore
from interchange.ir.trees.ensemble import Tree, TreeEnsemble
from interchange.signature import Signature, class_index
from interchange.verification import Tolerance

__all__ = ["TREE_POINT", "export_graph", "tree_node_type", "tree_test", "write_graph"]

TOLERANCE = Tolerance(1e-9, 1e-12, "double precision; titus2 evaluates the same IEEE-754 operations")
ARRAY = {"type": "array", "items": "double"}
_AVRO: dict[str, Any] = {"double": "double", "integer": "long", "string": "string", "boolean": "boolean", "array": ARRAY}
# Trees as TreeNode cells, measured with /usr/bin/time -v (titus2 1.2.0, fresh process, 2 shared cores):
# RandomForestRegressor(100, max_depth=8), 43,420 nodes, 2.9 MB: compile 1.0 s, peak RSS 238 MB (imports included);
# GradientBoostingClassifier(100 stages), 1,400 nodes: compile 0.09 s, peak RSS 204 MB. (Nested if expressions
# took 3-5 s for ~1,300 nodes and >22 GB for the forest.) The limit keeps documents under MAX_BYTES (~70 bytes/node).
MAX_TREE_NODES = 500_000


def _input_expr(name: str) -> Any:
    """The input field ``name``: the short form ``input.name`` when it cannot be misread as a path."""
    if is_legal(name):
        return f"input.{name}"
    return {"attr": "input", "path": [{"string": name}]}  # PFA 0.8.1 §attr: a dot or space would split "input.a.b"


class _Writer:
    """Accumulates let-bindings; tracks each column's PFA expression and whether it may be null."""

    def __init__(self, sig: Signature) -> None:
        self.action: list[Any] = []
        self.cells: dict[str, Any] = {}
        self.fcns: dict[str, Any] = {}  # user functions (u.NAME), e.g. float32 rounding (emit/float32.py)
        self.float32: set[str] = set()  # columns that hold float32 values exactly (a float Derive's result)
        self.cols: dict[str, tuple[Any, str, bool]] = {f.name: (_input_expr(f.name), f.type, True) for f in sig.inputs}
        self.missing_as_nan = False  # a segment's model: a missing input makes its result missing, not the record fail
        self.nan_columns: set[str] = set()  # derived columns that hold NaN for a missing value (emit/functions.py)

    def value(self, name: str) -> Any:
        """The column as a non-null value (errorOnNull when it may be missing)."""
        expr, _, nullable = self.cols[name]
        return {"impute.errorOnNull": expr} if nullable else expr

    def bind(self, name: str, expr: Any, kind: str = "double", nullable: bool = False) -> None:
        """Bind column ``name``; a name that is no PFA symbol (``matmul.2[0]`` from a lifted ONNX graph) gets one."""
        symbol = name
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            taken = {c[0] for c in self.cols.values() if isinstance(c[0], str)}
            base = symbol = "c_" + re.sub(r"\W", "_", name)
            k = 1
            while symbol in taken:
                k += 1
                symbol = f"{base}_{k}"
        self.action.append({"let": {symbol: expr}})
        self.cols[name] = (symbol, kind, nullable)


def _vector(w: _Writer, names: tuple[str, ...]) -> Any:
    return {"new": [w.value(n) for n in names], "type": ARRAY}


def _numbers(w: _Writer, names: tuple[str, ...]) -> Any:
    """The columns as an array of doubles, NaN where one is missing (formats/pfa/emit/functions.py)."""
    from interchange.formats.pfa.emit.functions import number_ref

    return {"new": [number_ref(w, n) for n in names], "type": ARRAY}


def _probabilities(scores: Any, link: Link) -> Any:
    """PFA §m.link: logit for one binary score, softmax for one score per class."""
    if link is Link.LOGISTIC:
        p1 = {"m.link.logit": {"attr": scores, "path": [0]}}
        return {"new": [{"-": [1.0, p1]}, p1], "type": ARRAY}
    if link is Link.SOFTMAX:
        return {"m.link.softmax": scores}
    raise UnsupportedModelError(f"PFA writer: no link {link.value!r} yet", format="pfa", supported_formats=["onnx"])


# the point a tree walks: the model's inputs in order, null where missing
TREE_POINT: dict[str, Any] = {
    "type": "record",
    "name": "TreePoint",
    "fields": [{"name": "x", "type": {"type": "array", "items": ["null", "double"]}}],
}


def tree_node_type(leaf: Any) -> dict[str, Any]:
    """The TreeNode record (PFA §model.tree.simpleWalk): a split whose branches are TreeNodes or leaves of type ``leaf``."""
    return {
        "type": "record",
        "name": "TreeNode",
        "fields": [
            {"name": "feature", "type": "int"},
            {"name": "threshold", "type": "double"},
            {"name": "missingLeft", "type": "boolean"},
            {"name": "pass", "type": ["TreeNode", leaf]},
            {"name": "fail", "type": ["TreeNode", leaf]},
        ],
    }


def tree_test(op: str) -> dict[str, Any]:
    """The walk's test of a TreePoint ``tp`` at a TreeNode ``tn``: ``x[feature] op threshold`` (``<=``, or ``<``
    for XGBoost), ``missingLeft`` where x is null or NaN."""
    return {
        "params": [{"tp": "TreePoint"}, {"tn": "TreeNode"}],
        "ret": "boolean",
        "do": {
            "ifnotnull": {"tv": {"attr": "tp", "path": [{"string": "x"}, "tn.feature"]}},
            # a NaN (a derived column's missing number, e.g. a float32 cast of a missing input) is missing, as in the IR
            "then": {"if": {"impute.isnan": "tv"}, "then": "tn.missingLeft", "else": {op: ["tv", "tn.threshold"]}},
            "else": "tn.missingLeft",
        },
    }


def _tree_node(tree: Tree, i: int, leaf_values: np.ndarray) -> dict[str, Any]:
    """Node ``i`` as an Avro union branch (PFA §model.tree.simpleWalk: ``pass``/``fail`` are ``[TreeNode, S]``)."""
    if tree.feature[i] < 0:
        return {"array": [float(v) for v in leaf_values[i]]}
    return {
        "TreeNode": {
            "feature": int(tree.feature[i]),
            "threshold": float(tree.threshold[i]),
            "missingLeft": bool(tree.missing_left[i]),
            "pass": _tree_node(tree, int(tree.left[i]), leaf_values),
            "fail": _tree_node(tree, int(tree.right[i]), leaf_values),
        }
    }


def _tree_root(tree: Tree, leaf_values: np.ndarray) -> dict[str, Any]:
    """The root TreeNode; a tree that is one leaf becomes a split whose both branches are that leaf."""
    root = _tree_node(tree, 0, leaf_values)
    return (
        root["TreeNode"]
        if "TreeNode" in root
        else {"feature": 0, "threshold": 0.0, "missingLeft": True, "pass": root, "fail": root}
    )


def _tree_expr(w: _Writer, trees: list[tuple[Tree, np.ndarray]], inputs: tuple[str, ...]) -> Any:
    """Leaf vectors of every tree: ``a.map`` over a cell of TreeNode records with ``model.tree.simpleWalk``.

    Each node holds an input index, a threshold and where a missing value goes; the test is an
    inline fcn: ``x[feature] <= threshold`` (``<`` for XGBoost), ``missingLeft`` when x is null or NaN.
    Returns the expression of the array of leaf vectors (one per tree, in order).
    """
    ops = {t.op for t, _ in trees}
    if len(ops) != 1:
        raise UnsupportedModelError("the PFA writer takes tree ensembles with one split operator", format="pfa")
    w.cells["trees"] = {
        "type": {"type": "array", "items": tree_node_type(ARRAY)},
        "init": [_tree_root(t, v) for t, v in trees],
    }
    nullable = TREE_POINT["fields"][0]["type"]
    w.bind("tree_x", {"new": {"x": {"new": [w.cols[n][0] for n in inputs], "type": nullable}}, "type": TREE_POINT}, "TreePoint")
    test = tree_test(ops.pop())
    walk = {"params": [{"tree": "TreeNode"}], "ret": ARRAY, "do": {"model.tree.simpleWalk": ["tree_x", "tree", test]}}
    return {"a.map": [{"cell": "trees"}, walk]}


def _regression(w: _Writer, step: Regression, sig: Signature) -> dict[str, Any]:
    w.cells["model"] = {
        "type": {
            "type": "record",
            "name": "Linear",
            "fields": [{"name": "coeff", "type": {"type": "array", "items": ARRAY}}, {"name": "const", "type": ARRAY}],
        },
        "init": {
            "coeff": np.asarray(step.coef, dtype=float).tolist(),
            "const": np.asarray(step.intercept, dtype=float).tolist(),
        },
    }
    # a regression's missing input makes its value missing (NaN), as in the IR, and so does a segment's classifier
    # (the segmentation then treats the missing result); a classifier's alone fails the record
    x = _numbers(w, step.inputs) if step.classes is None or w.missing_as_nan else _vector(w, step.inputs)
    w.bind("scores", {"model.reg.linear": [x, {"cell": "model"}]}, "array")
    if step.classes is None:
        return {"value": {"attr": "scores", "path": [0]}}
    if step.link is Link.IDENTITY:
        return _decisions(step.classes)
    w.bind("probs", _probabilities("scores", step.link), "array")
    return {}


def _decisions(classes: tuple[Any, ...]) -> dict[str, Any]:
    """Decision values from ``scores``; binary: one score, the second class when it is > 0."""
    if len(classes) == 2:
        index: Any = {"if": {">": [{"attr": "scores", "path": [0]}, 0.0]}, "then": 1, "else": 0}
    else:
        index = {"a.argmax": "scores"}
    n = 1 if len(classes) == 2 else len(classes)
    decision = [{"attr": "scores", "path": [j]} for j in range(n)]
    return {"label": {"attr": {"cell": "classes"}, "path": [index]}, "decision": decision}


def _ensemble(w: _Writer, step: TreeEnsemble, sig: Signature) -> dict[str, Any]:
    if step.precision == "float":
        raise UnsupportedModelError(f"the PFA writer has no form yet for a tree ensemble in {FLOAT_MATH}", format="pfa")
    nodes = sum(len(t.feature) for t in step.trees)
    if nodes > MAX_TREE_NODES:
        raise UnsupportedModelError(
            f"a tree ensemble of {nodes} nodes is too large for the PFA writer (limit {MAX_TREE_NODES} nodes). "
            "ONNX and PMML take it.",
            format="pfa",
            supported_formats=["onnx", "pmml"],
        )
    k = int(np.asarray(step.trees[0].value).reshape(len(step.trees[0].feature), -1).shape[1])
    trees = []
    for tree in step.trees:
        v = np.asarray(tree.value, dtype=np.float64).reshape(len(tree.feature), -1)
        if step.normalize_leaves:
            sums = v.sum(axis=1, keepdims=True)
            v = v / np.where(sums == 0, 1, sums)
        trees.append((tree, v))
    w.bind("tree_leaves", _tree_expr(w, trees, step.inputs), "array")
    add = {"params": [{"acc": ARRAY}, {"leaf": ARRAY}], "ret": ARRAY, "do": {"la.add": ["acc", "leaf"]}}
    total: Any = {"a.fold": ["tree_leaves", {"new": [0.0] * k, "type": ARRAY}, add]}  # ((0 + t0) + t1) + ...
    if step.aggregation == "average":
        total = {"la.scale": [total, 1.0 / len(step.trees)]}
    if step.base is not None:
        total = {"la.add": [total, {"new": [float(b) for b in np.asarray(step.base)], "type": ARRAY}]}
    w.bind("scores", total, "array")
    if step.classes is None:
        return {"value": {"attr": "scores", "path": [0]}}
    w.bind("probs", "scores" if step.link is Link.IDENTITY else _probabilities("scores", step.link), "array")
    if any(np.isnan(v).any() for _, v in trees):  # a leaf without a prediction (PMML: a Node with no score)
        return {"label": label_unless_missing("probs"), "nullable:label": True}
    return {}


def label_unless_missing(probs: str, label: Any = None) -> Any:
    """``label`` (default: the first class of largest probability), null where a probability is missing
    (NaN: no prediction)."""
    nan = {"params": [{"p": "double"}], "ret": "boolean", "do": {"impute.isnan": "p"}}
    label = label if label is not None else {"attr": {"cell": "classes"}, "path": [{"a.argmax": probs}]}
    return {"if": {"a.any": [probs, nan]}, "then": None, "else": label}


def _isolation(w: _Writer, step: IsolationScore, sig: Signature) -> dict[str, Any]:
    """scikit-learn's score ``-2^(-mean_path/c) - offset``; label -1 where the score is below 0."""
    path = _ensemble(w, step.paths, sig)["value"]
    power = {"**": [2.0, {"/": [{"u-": path}, float(step.normaliser)]}]}
    w.bind("score", {"-": [{"u-": power}, float(step.offset)]})
    return {"score": "score", "label": {"if": {"<": ["score", 0.0]}, "then": -1, "else": 1}}


ModelWriter = Callable[[_Writer, Any, Signature], dict[str, Any]]
MODEL_WRITERS: dict[type, ModelWriter] = {Regression: _regression, TreeEnsemble: _ensemble, IsolationScore: _isolation}


def _model(w: _Writer, step: Any, sig: Signature) -> dict[str, Any]:
    """Bind ``scores`` / ``probs`` (and the like) and return output values by signature kind."""
    writer = MODEL_WRITERS.get(type(step))
    if writer is None:
        from interchange.formats.pfa.emit.models.anomaly import ANOMALY_WRITERS  # imported late: they import this module
        from interchange.formats.pfa.emit.models.chain import CHAIN_WRITERS
        from interchange.formats.pfa.emit.models.columns import COLUMNS_WRITERS
        from interchange.formats.pfa.emit.models.compared import COMPARED_WRITERS
        from interchange.formats.pfa.emit.models.families import FAMILY_WRITERS
        from interchange.formats.pfa.emit.models.figures import FIGURE_WRITERS as SCORE_FIGURE_WRITERS
        from interchange.formats.pfa.emit.models.general import GENERAL_WRITERS
        from interchange.formats.pfa.emit.models.multiway import MULTIWAY_WRITERS
        from interchange.formats.pfa.emit.models.scoring import SCORING_WRITERS
        from interchange.formats.pfa.emit.models.segments import SEGMENT_WRITERS
        from interchange.formats.pfa.emit.models.select_all import SELECT_ALL_WRITERS
        from interchange.formats.pfa.emit.models.targets import TARGET_WRITERS
        from interchange.formats.pfa.emit.models.tree_figures import FIGURE_WRITERS
        from interchange.formats.pfa.emit.models.variable_weight import VARIABLE_WEIGHT_WRITERS
        from interchange.formats.pfa.emit.validity import VALIDITY_WRITERS

        writers: dict[type, ModelWriter] = {
            **FAMILY_WRITERS,
            **COMPARED_WRITERS,
            **SCORE_FIGURE_WRITERS,
            **GENERAL_WRITERS,
            **SCORING_WRITERS,
            **SEGMENT_WRITERS,
            **VARIABLE_WEIGHT_WRITERS,
            **SELECT_ALL_WRITERS,
            **VALIDITY_WRITERS,
            **TARGET_WRITERS,
            **CHAIN_WRITERS,
            **ANOMALY_WRITERS,
            **FIGURE_WRITERS,
            **MULTIWAY_WRITERS,
            **COLUMNS_WRITERS,
        }
        for kind, fn in writers.items():
            MODEL_WRITERS.setdefault(kind, fn)
        writer = MODEL_WRITERS.get(type(step))
    if writer is None:
        raise UnsupportedModelError(
            f"the PFA writer has no mapping for {type(step).__name__} yet", format="pfa", supported_formats=["onnx"]
        )
    return writer(w, step, sig)


def _decision(decisions: list[Any], i: int, outputs: int) -> Any:
    """Output ``i`` of a model's decisions; one binary decision (the second class's) shown as two
    outputs gives the first class its negation, as ir.graph.outputs_from does."""
    if len(decisions) == 1 and outputs == 2:
        return {"u-": decisions[0]} if i == 0 else decisions[0]
    return decisions[i]


def _whole(w: _Writer, value: Any) -> Any:
    """A regression's double value as the long of an integer target (formats/pmml/departures.py "integer target of
    a regression"): truncated toward zero, as interchange.batch.typed_outputs types every engine's output (titus2's
    cast.long rounds, so the whole part is taken first); null where the value is missing."""
    from interchange.formats.pfa.emit import functions as fn

    v = fn.tmp(w, value)
    whole = {"if": {">=": [v, 0.0]}, "then": {"m.floor": v}, "else": {"m.ceil": v}}
    return {"if": {"impute.isnan": v}, "then": None, "else": {"cast.long": whole}}


def write_graph(graph: Graph) -> bytes:
    """A PFA document for ``graph``; output record fields are the signature's output names."""
    sig = graph.signature
    w = _Writer(sig)
    for step in graph.steps:
        write_transform(w, step)
    parts = _model(w, graph.model, sig)
    fields, values = [], {}
    classes = list(sig.classes or ())
    probs = "probs"  # (every model writer binds its class probabilities in the signature's class order)
    if classes:
        labels = sig.output("label")  # (none: selectAll's parts are figures; its categories are text)
        label_type = _AVRO[labels[0].type] if labels else "string"
        w.cells["classes"] = {"type": {"type": "array", "items": label_type}, "init": classes}
    for f in sig.outputs:
        nullable = f"extra:{f.name}" in parts or (f.kind in ("label", "cluster") and parts.get(f"nullable:{f.kind}"))
        if f.kind == "value" and f.type == "integer" and f"extra:{f.name}" not in parts and "value" in parts:
            parts[f"extra:{f.name}"] = _whole(w, parts["value"])  # an integer target: the value truncated, as typed_outputs
            nullable = True
        fields.append({"name": f.name, "type": ["null", _AVRO[f.type]] if nullable else _AVRO[f.type]})
        if f"extra:{f.name}" in parts:  # a model's named figure (a scorecard's ranked reason code), null where it has none
            values[f.name] = parts[f"extra:{f.name}"]
        elif f.kind == "label" and "label" not in parts and not classes:
            raise UnsupportedModelError(f"the model gives no label for output {f.name!r}", format="pfa")
        elif f.kind == "label":
            values[f.name] = parts.get("label") or {"attr": {"cell": "classes"}, "path": [{"a.argmax": probs}]}
        elif f.kind == "decision":
            values[f.name] = _decision(parts["decision"], sig.output("decision").index(f), len(sig.output("decision")))
        elif f.kind == "score":
            values[f.name] = parts["score"]
        elif f.kind == "probability":
            values[f.name] = {"attr": probs, "path": [class_index(classes, f.target, UnsupportedModelError, format="pfa")]}
        elif f.kind == "value" and ("value" in parts or ("score" in parts and not classes)):
            values[f.name] = parts.get("value", parts.get("score"))  # (one figure, a score: as outputs_from)
        elif f.kind == "cluster":
            values[f.name] = parts["cluster"]
        else:
            raise UnsupportedModelError(f"the PFA writer has no output mapping for {f.kind} fields yet", format="pfa")
    document: dict[str, Any] = {
        "name": "interchange",
        "input": {
            "type": "record",
            "name": "Input",
            "fields": [{"name": f.name, "type": ["null", _AVRO[f.type]]} for f in sig.inputs],
        },
        "output": {"type": "record", "name": "Output", "fields": fields},
        "cells": w.cells,
        **({"fcns": w.fcns} if w.fcns else {}),
        "action": [*w.action, {"new": values, "type": "Output"}],
        "metadata": {
            "interchange.signature": sig.to_json(),
            "interchange.lineage": json.dumps(sig.meta.get("lineage", {}), default=str),
        },
    }
    return json.dumps(document).encode()


def export_graph(graph: Graph, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
    """PFA bytes for an IR graph, type-checked by titus2, and the tolerance to verify them with.

    PFA has no place for verification cases; ``sample`` and ``expected`` are accepted for the plugin interface.
    """
    data = write_graph(graph)
    from interchange.formats.pfa.titus import engine_class

    try:
        engine_class().fromJson(data.decode())
    except Exception as exc:
        raise ConversionError(f"titus2 rejects the PFA written for {type(graph.model).__name__}: {exc}", format="pfa") from exc
    return data, TOLERANCE.for_source(getattr(graph.model, "source_rounding", None))
