"""Python for NodeFigures (ir.tree_nodes): the tree's prediction, and the id / confidence of its leaf.

The prediction is the tree's own (``models``: the TreeEnsemble emitter). A second walk of the same
splits, each leaf holding its own position, gives the leaf a row ends in (as ``TreeEnsemble.leaves``
does in the IR); that position indexes the ids (None: none) and the confidences (NaN: none).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from interchange.codegen.python.models.families import _ensemble, _forest
from interchange.codegen.python.module import PyWriter
from interchange.codegen.registry import emitter
from interchange.ir.trees.nodes import NodeFigures

__all__: list[str] = []


@emitter("python", NodeFigures)
def _figures(step: NodeFigures, out: PyWriter) -> tuple[list[str], dict[str, str]]:
    lines, parts = _ensemble(step.model, out)
    tree = step.model.trees[0]
    at = np.arange(len(tree.feature), dtype=np.float64)[:, None]
    positions = replace(step.model, trees=(replace(tree, value=at),), classes=None, base=None, normalize_leaves=False)
    lines = [*lines, *_forest(positions, out, "NODES"), "node = leaves[:, 0].astype(np.int64)"]
    parts = dict(parts)
    if step.entity:
        ids = out.const("NODE_IDS", np.array(list(step.ids), dtype=object))
        lines.append(f"node_id = {ids}[node]")
        parts["cluster"] = "node_id"
    if step.confidence:
        confidences = out.const("NODE_CONFIDENCES", np.asarray(step.confidences, dtype=np.float64))
        lines.append(f"node_confidence = {confidences}[node]")
        parts.update({f"extra:{name}": "node_confidence" for name in step.confidence})
    return lines, parts
