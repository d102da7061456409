"""NodeFigures (ir.tree_nodes) in PFA: the tree walk also gives the leaf it ends in.

The one tree is walked as any tree (``document._tree_expr``, PFA §model.tree.simpleWalk) with one
more number in each leaf's vector, the leaf's position; ``cast.int`` of it indexes a cell of node
ids (strings, or longs / doubles when the entity output is typed a number, as titus2 checks the
output record's types) and one of confidences, each null where the IR gives none.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.document import ModelWriter, _tree_expr, _Writer, label_unless_missing
from interchange.ir.trees.nodes import NodeFigures
from interchange.signature import Signature

__all__ = ["FIGURE_WRITERS"]


def _nullable(values: list[Any], kind: str) -> list[Any]:
    """Avro JSON of ``[null, kind]`` items (a branch is named by its type)."""
    return [None if v is None else {kind: v} for v in values]


_ID_KINDS = {"integer": "long", "double": "double"}  # the Avro type of an entity output (else string)


def _id(value: Any, kind: str, name: str) -> Any:
    """A node id as the output field's Avro type: a number output gets numbers, so titus2 accepts the record."""
    if kind == "string":
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if number != number or (kind == "long" and not number.is_integer()):
        raise UnsupportedModelError(f"entity id {value!r} of output {name!r} is not a {kind}", format="pfa")
    if kind == "double":
        return number
    return int(value) if isinstance(value, (int, np.integer)) else int(number)


def _figures(w: _Writer, step: NodeFigures, sig: Signature) -> dict[str, Any]:
    tree = step.model.trees[0]
    values = np.asarray(tree.value, dtype=np.float64).reshape(len(tree.feature), -1)
    if step.model.normalize_leaves:
        sums = values.sum(axis=1, keepdims=True)
        values = values / np.where(sums == 0, 1, sums)
    k = values.shape[1]
    at = np.arange(len(tree.feature), dtype=np.float64)[:, None]
    w.bind("tree_leaves", _tree_expr(w, [(tree, np.hstack([values, at]))], step.model.inputs), "array")
    w.bind("tree_leaf", {"attr": "tree_leaves", "path": [0]}, "array")
    w.bind("scores", {"a.subseq": ["tree_leaf", 0, k]}, "array")
    w.bind("tree_node", {"cast.int": {"attr": "tree_leaf", "path": [k]}}, "int")
    confidences = [None if c != c else float(c) for c in step.confidences]
    nullable_doubles = {"type": "array", "items": ["null", "double"]}
    w.cells["node_confidences"] = {"type": nullable_doubles, "init": _nullable(confidences, "double")}
    parts: dict[str, Any] = {}
    types = {f.name: f.type for f in sig.outputs}
    for name in step.entity:
        kind = _ID_KINDS.get(types.get(name, "string"), "string")
        cell = "node_ids" if kind == "string" else f"node_ids_{kind}"
        if cell not in w.cells:
            items = [None if i is None else _id(i, kind, name) for i in step.ids]
            w.cells[cell] = {"type": {"type": "array", "items": ["null", kind]}, "init": _nullable(items, kind)}
        parts[f"extra:{name}"] = {"attr": {"cell": cell}, "path": ["tree_node"]}
    for name in step.confidence:
        parts[f"extra:{name}"] = {"attr": {"cell": "node_confidences"}, "path": ["tree_node"]}
    if step.model.classes is None:
        return {**parts, "value": {"attr": "scores", "path": [0]}}
    w.bind("probs", "scores", "array")
    if np.isnan(values).any():  # a leaf without a prediction (PMML: a Node with no score)
        return {**parts, "label": label_unless_missing("probs"), "nullable:label": True}
    return parts


FIGURE_WRITERS: dict[type, ModelWriter] = {NodeFigures: _figures}
