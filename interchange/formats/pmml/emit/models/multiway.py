"""MultiwayTreeModel (ir.multiway) as the PMML 4.4 TreeModel it was lifted from.

The tree is written as it stands: multiway Nodes in pre-order, each with its IR predicate as a PMML
predicate (``predicates.predicate_element``), its id, score, recordCount and defaultChild, its
ScoreDistributions (recordCount, probability and confidence per category, each where the lift read
one), and the TreeModel's missingValueStrategy, noTrueChildStrategy and missingValuePenalty; the
Output names the entityId and confidence fields.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.models.tree_figures import figures_output
from interchange.formats.pmml.emit.predicates import predicate_element
from interchange.formats.pmml.emit.xmlbuild import TARGET, E, num, text
from interchange.ir.trees.multiway import MultiwayTreeModel
from interchange.signature import Signature

__all__ = ["multiway_model"]


def _present(x: float) -> bool:
    return bool(x == x)


def _node(step: MultiwayTreeModel, k: int) -> etree._Element:
    tree = step.tree
    attrs: dict[str, Any] = {}
    if step.ids[k] is not None:
        attrs["id"] = text(step.ids[k])
    score = step.scores[k]
    if step.classes is None and _present(float(score)):
        attrs["score"] = num(float(score))
    elif step.classes is not None and score is not None:
        attrs["score"] = text(score)
    if _present(float(tree.records[k])):
        attrs["recordCount"] = num(float(tree.records[k]))
    if tree.defaults[k] >= 0:
        attrs["defaultChild"] = text(step.ids[tree.defaults[k]])
    node = E("Node", attrs, predicate_element(step.predicates[k]) if k else E("True"))
    if step.classes is not None:
        assert step.probabilities is not None
        counts = tree.counts if tree.counts is not None else np.zeros(step.probabilities.shape)
        conf = tree.conf if tree.conf is not None else np.full(step.probabilities.shape, np.nan)
        for j, c in enumerate(step.classes):
            p, n, q = float(step.probabilities[k, j]), float(counts[k, j]), float(conf[k, j])
            if not (_present(p) or _present(q) or n):
                continue
            dist = {"value": text(c), "recordCount": num(n)}
            if _present(p):
                dist["probability"] = num(p)
            if _present(q):
                dist["confidence"] = num(q)
            node.append(E("ScoreDistribution", dist))
    node.extend(_node(step, kid) for kid in tree.kids[k])
    return node


def multiway_model(step: MultiwayTreeModel, sig: Signature) -> etree._Element:
    """The TreeModel element of ``step`` (MiningSchema, Output, the root Node)."""
    if step.entity and any(i is None for i in step.ids):
        raise UnsupportedModelError("OutputField entityId of a tree whose Nodes have no id", format="pmml")
    tree = step.tree
    attrs = {
        "functionName": "regression" if step.classes is None else "classification",
        "missingValueStrategy": tree.strategy,
        "noTrueChildStrategy": "returnLastPrediction" if tree.return_last else "returnNullPrediction",
        "splitCharacteristic": "multiSplit",
    }
    if step.penalty != 1.0:
        attrs["missingValuePenalty"] = num(step.penalty)
    schema = E("MiningSchema")
    for name in sig.input_names:
        schema.append(E("MiningField", {"name": name}))
    schema.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    return E("TreeModel", attrs, schema, figures_output(step.entity, step.confidence, sig), _node(step, 0))
