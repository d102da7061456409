"""Java for NodeFigures (ir.tree_nodes): the tree's prediction, and the id / confidence of its leaf.

The prediction is the tree's own (``models``: the TreeEnsemble emitter). First, in a block of its
own, a walk of the same splits whose leaves hold their own positions gives the leaf a row ends in;
that position indexes the ids (as an index into the entity output's values, -1: none) and the
confidences (NaN: none).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from interchange.codegen.java.models.families import _ensemble, _forest
from interchange.codegen.java.writer import JavaWriter
from interchange.codegen.registry import emitter
from interchange.ir.trees.nodes import NodeFigures

__all__ = ["entity_table"]


def entity_table(out: JavaWriter, ids: tuple[object, ...]) -> str:
    """An int array: per Node the index of its id among the entity output's values (-1: no id)."""
    values = tuple(dict.fromkeys(i for i in ids if i is not None))
    out.cluster_values = values
    return out.array("node_entity", np.array([-1 if i is None else values.index(i) for i in ids]), "int")


@emitter("java", NodeFigures)
def _figures(step: NodeFigures, out: JavaWriter) -> tuple[list[str], dict[str, str]]:
    tree = step.model.trees[0]
    at = np.arange(len(tree.feature), dtype=np.float64)[:, None]
    positions = replace(step.model, trees=(replace(tree, value=at),), classes=None, base=None, normalize_leaves=False)
    walk = _forest(positions, out, "nodes")
    lines = ["int node;", "{", *("    " + line for line in walk), "    node = (int) leaves[0];", "}"]
    model, parts = _ensemble(step.model, out)
    lines += model
    parts = dict(parts)
    if step.entity:
        lines.append(f"int entity = {entity_table(out, step.ids)}[node];")
        parts["cluster"] = "entity"
    if step.confidence:
        confidences = out.array("node_confidences", np.asarray(step.confidences, dtype=np.float64))
        lines.append(f"double confidence = {confidences}[node];")
        parts["score"] = "confidence"
    return lines, parts
