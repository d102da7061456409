"""NodeFigures (ir.tree_nodes) as a PMML 4.4 TreeModel whose Nodes carry the figures back.

PMML 4.4 §Output ``feature="entityId"`` of a TreeModel is the id of the Node a row ends in and
``feature="confidence"`` that Node's ScoreDistribution confidence of its score: the binary tree is
written as any lifted tree (``models``), then each leaf takes the id and confidence
the lift kept for it. Two leaves of the binary tree may stand for one PMML Node (a guard split's
missing branch and a failed test both end at the Node's own score), and JPMML-Evaluator refuses a
Node id used twice, and pypmml reports the id of a Node without a score (a row with no
prediction, where the IR and JPMML give no entity id): then every Node keeps a written id and the
entityId field maps the written leaf id to the figure id (an OutputField MapValues over a hidden
entityId field), missing for a leaf with none.
"""

from __future__ import annotations

from lxml import etree

from interchange.formats.pmml.emit.xmlbuild import NS, E, num, text
from interchange.ir.trees.ensemble import Tree
from interchange.ir.trees.nodes import NodeFigures
from interchange.signature import Signature

__all__ = ["node_figures_model", "figures_output"]


def _preorder(tree: Tree) -> list[int]:
    """The IR tree's nodes in the order the writer writes its Nodes (node, left, right)."""
    order: list[int] = []
    stack = [0]
    while stack:
        i = stack.pop()
        order.append(i)
        if tree.feature[i] >= 0:
            stack.extend((int(tree.right[i]), int(tree.left[i])))
    return order


def _unused(taken: set[str]) -> str:
    prefix = "split"
    while any(t.startswith(prefix) for t in taken):
        prefix = "_" + prefix
    return prefix


def node_figures_model(step: NodeFigures, sig: Signature, model: etree._Element) -> etree._Element:
    """``model``, the TreeModel written for ``step.model``, with the figure ids / confidences on its
    leaves and an Output naming the prediction, probabilities, entityId and confidence fields."""
    tree = step.model.trees[0]
    nodes = list(model.iter(f"{{{NS}}}Node"))
    order = _preorder(tree)
    leaves = [i for i in order if tree.feature[i] < 0 and step.ids[i] is not None]
    figure_ids = [text(step.ids[i]) for i in leaves]
    # a figure id on two leaves, or a leaf with none (pypmml reports a scoreless Node's id): written ids, mapped
    mapped = len(set(figure_ids)) < len(figure_ids) or any(tree.feature[i] < 0 and step.ids[i] is None for i in order)
    prefix = _unused(set(figure_ids))
    by_ir: dict[int, etree._Element] = {}
    for k, (i, node) in enumerate(zip(order, nodes, strict=True)):
        by_ir[i] = node
        leaf = tree.feature[i] < 0
        own = step.ids[i] if leaf and not mapped else None
        node.set("id", text(own) if own is not None else f"{prefix}{k}")
        confidence = step.confidences[i]
        score = node.get("score")
        if leaf and score is not None and confidence == confidence:
            for dist in node.iter(f"{{{NS}}}ScoreDistribution"):
                if dist.get("value") == score:
                    dist.set("confidence", num(confidence))
    for i, node in by_ir.items():
        if tree.feature[i] >= 0:
            default = by_ir[int(tree.left[i] if tree.missing_left[i] else tree.right[i])]
            node.set("defaultChild", default.get("id"))
    table = {by_ir[i].get("id"): text(step.ids[i]) for i in leaves} if mapped else None
    model.insert(1, figures_output(step.entity, step.confidence, sig, table, prefix))
    return model


def figures_output(
    entity: tuple[str, ...], confidence: tuple[str, ...], sig: Signature, table: dict[str, str] | None = None, prefix: str = ""
) -> etree._Element:
    """PMML 4.4 §Output: the signature's fields, the ``entity`` / ``confidence`` ones as entityId / confidence;
    with ``table`` (written leaf id -> figure id) the entity fields as that map of a hidden entityId field."""
    out = E("Output")
    written = f"{prefix}_entity"
    if table is not None:
        out.append(E("OutputField", {"name": written, "optype": "categorical", "dataType": "string", "feature": "entityId"}))
    for f in sig.outputs:
        attrs = {"name": f.name, "dataType": f.type}
        if f.name in entity and table is not None:
            attrs.update(optype="categorical", feature="transformedValue")
            out.append(E("OutputField", attrs, _lookup(written, table)))
            continue
        if f.name in entity:
            attrs.update(optype="categorical", feature="entityId")
        elif f.name in confidence:
            attrs.update(optype="continuous", feature="confidence")
        elif f.kind == "probability":
            attrs.update(optype="continuous", feature="probability", value=text(f.target))
        elif f.kind in ("label", "value"):
            attrs.update(optype="categorical" if f.kind == "label" else "continuous", feature="predictedValue")
        else:  # (an Output expression of a Reported model: the document writer adds it)
            continue
        out.append(E("OutputField", attrs))
    return out


def _lookup(field: str, table: dict[str, str]) -> etree._Element:
    """MapValues of ``field`` through ``table``; a value it does not hold (no Node) maps to missing."""
    rows = E("InlineTable")
    for key, value in table.items():
        cell_in, cell_out = E("in"), E("out")
        cell_in.text, cell_out.text = key, value
        rows.append(E("row", None, cell_in, cell_out))
    pair = E("FieldColumnPair", {"field": field, "column": "in"})
    return E("MapValues", {"outputColumn": "out", "dataType": "string"}, pair, rows)
