"""PMML 4.4 §TreeModel Nodes read in bulk: numpy tables and the flat tree built from them.

A 100-tree forest has some 50k Nodes, and walking them one Python object at a time was most
of a cold load. Here lxml collects each kind of element in one C-level pass (Nodes,
predicates, ScoreDistributions), list comprehensions read their attributes, and numpy builds
the flat tree's arrays without an object per Node.

Only the plainest trees are taken: every Node holds exactly one True, False or
SimplePredicate, ScoreDistributions without children, nothing else (no Extension, no
Partition), and every inner Node splits in two the way fast_trees' flat form does. For
anything else these functions return None and fast_trees walks the elements as it always
has, so every NotCovered and GeneralTree decision stays where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from lxml import etree

from interchange.formats.pmml.read.compile import Ctx
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

__all__ = ["NodeTables", "read_nodes", "tree_classes", "flat_from_tables", "SPLITS", "COMPLEMENT"]

TRUE, FALSE, SIMPLE = 0, 1, 2
_COUNT = etree.XPath("count(descendant::*)")
SPLITS: dict[
    str, tuple[Literal["<=", "<"], bool]
] = {  # operator of the first child's predicate -> (flat op, first child goes left)
    "lessOrEqual": ("<=", True),
    "lessThan": ("<", True),
    "greaterThan": ("<=", False),
    "greaterOrEqual": ("<", False),
}
COMPLEMENT = {
    "lessOrEqual": "greaterThan",
    "lessThan": "greaterOrEqual",
    "greaterThan": "lessOrEqual",
    "greaterOrEqual": "lessThan",
}


@dataclass(frozen=True)
class NodeTables:
    """A TreeModel's Nodes in pre-order (the order fast_trees numbers them) as columns."""

    parent: np.ndarray  # (nodes,) int64, -1 at the root
    kind: np.ndarray  # (nodes,) the Node's predicate: TRUE, FALSE or SIMPLE
    field: np.ndarray  # (nodes,) object: the SimplePredicate's attributes (None where absent)
    operator: np.ndarray
    value: np.ndarray
    score: list[str | None]
    ids: list[str | None] | None  # id and defaultChild, read for missingValueStrategy defaultChild only
    default: list[str | None] | None
    sd_owner: np.ndarray  # (distributions,) int64: the Node each ScoreDistribution belongs to
    sd_names: list[str]  # the distinct ScoreDistribution values
    sd_code: np.ndarray  # (distributions,) int64: each one's value as an index into sd_names
    sd_probability: np.ndarray  # (distributions,) float64: PMML probability, else recordCount / the Node's total


def read_nodes(model: etree._Element, root: etree._Element, *, ids: bool) -> NodeTables | None:
    """The tables of the tree below ``root`` (the TreeModel's one root Node), or None when a
    Node holds anything but one True / False / SimplePredicate, ScoreDistributions and Nodes,
    or a ScoreDistribution lacks a value or recordCount or repeats a value, or a number does
    not parse (fast_trees decides those, as it always has)."""
    tag = model.tag
    if not isinstance(tag, str) or root.tag != tag[: tag.rfind("}") + 1] + "Node":
        return None
    ns = tag[: tag.rfind("}") + 1]
    nodes = list(root.iter(ns + "Node"))
    preds = list(root.iter(ns + "SimplePredicate", ns + "True", ns + "False"))
    sds = list(root.iter(ns + "ScoreDistribution"))
    if int(_COUNT(root)) != len(nodes) - 1 + len(preds) + len(sds):
        return None  # another element somewhere (Extension, CompoundPredicate, Partition, ...)
    index = {el: i for i, el in enumerate(nodes)}
    parent = np.array([index.get(el.getparent(), -1) for el in nodes], dtype=np.int64)
    owner = np.array([index.get(el.getparent(), -1) for el in preds], dtype=np.int64)
    sd_owner = np.array([index.get(el.getparent(), -1) for el in sds], dtype=np.int64)
    n = len(nodes)
    if (parent[1:] < 0).any() or (owner < 0).any() or (sd_owner < 0).any():
        return None  # an element inside a ScoreDistribution
    if n != len(preds) or (np.bincount(owner, minlength=n) != 1).any():
        return None  # a Node without a predicate, or with two
    codes = {ns + "True": TRUE, ns + "False": FALSE, ns + "SimplePredicate": SIMPLE}
    kind = np.empty(n, dtype=np.int8)
    kind[owner] = [codes[el.tag] for el in preds]
    field, operator, value = np.empty(n, dtype=object), np.empty(n, dtype=object), np.empty(n, dtype=object)
    field[owner] = [el.get("field") for el in preds]
    operator[owner] = [el.get("operator") for el in preds]
    value[owner] = [el.get("value") for el in preds]
    sd_value = [el.get("value") for el in sds]
    counts_raw = [el.get("recordCount") for el in sds]
    given = [el.get("probability") for el in sds]
    if None in sd_value or None in counts_raw:
        return None
    names, sd_code = np.unique(np.array(sd_value, dtype=str), return_inverse=True) if sds else (np.zeros(0, str), np.zeros(0))
    sd_code = sd_code.astype(np.int64).ravel()
    if len(np.unique(sd_owner * max(len(names), 1) + sd_code)) != len(sds):
        return None  # a value twice in one Node
    try:
        counts = np.array(list(map(float, counts_raw)), dtype=np.float64)
        # what fast_trees also reads as numbers (a bad one fails there, as it always has)
        list(map(float, [c for el in sds if (c := el.get("confidence")) is not None]))
        list(map(float, [c for el in nodes if (c := el.get("recordCount")) is not None]))
        if None not in given:
            probability = np.array(list(map(float, given)), dtype=np.float64)
        else:  # pypmml: recordCount / the Node's total, NaN when that total is not positive
            total = np.bincount(sd_owner, weights=counts, minlength=n)[sd_owner]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(total > 0, counts / np.where(total > 0, total, 1.0), np.nan)
            probability = np.array([share[i] if p is None else float(p) for i, p in enumerate(given)], dtype=np.float64)
    except ValueError:
        return None
    return NodeTables(
        parent,
        kind,
        field,
        operator,
        value,
        [el.get("score") for el in nodes],
        [el.get("id") for el in nodes] if ids else None,
        [el.get("defaultChild") for el in nodes] if ids else None,
        sd_owner,
        names.tolist(),
        sd_code,
        probability,
    )


def tree_classes(t: NodeTables, declared: list[str]) -> list[str]:
    """The declared categories, then every other ScoreDistribution value and score in Node
    order (each Node's distributions in document order, then its score), as fast_trees
    collects them: each distinct value placed by its first occurrence."""
    m = len(t.sd_owner) + 1
    first: dict[str, int] = {}
    if len(t.sd_owner):
        at = np.full(len(t.sd_names), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(at, t.sd_code, t.sd_owner * 2 * m + np.arange(m - 1))
        first = dict(zip(t.sd_names, at.tolist(), strict=True))
    for s in dict.fromkeys(t.score):
        if s is not None:
            key = (2 * t.score.index(s) + 1) * m + m - 1
            first[s] = min(first.get(s, key), key)
    return list(dict.fromkeys([*declared, *sorted(first, key=first.__getitem__)]))


def flat_from_tables(t: NodeTables, ctx: Ctx, strategy: str, classes: tuple[str, ...] | None) -> tuple[TreeEnsemble, bool] | None:
    """fast_trees' flat form of a tree whose every inner Node has two children: a
    SimplePredicate comparison and its complement, or (not under defaultChild) a comparison
    and True. None for any other tree. Also whether a batch with missing values needs the
    general evaluator (complementary pairs without defaultChild, and every split under
    lastPrediction / nullPrediction: the strategy decides)."""
    n = len(t.parent)
    kids = np.bincount(t.parent[1:], minlength=n) if n > 1 else np.zeros(n, dtype=np.int64)
    inner = np.flatnonzero(kids)
    if (kids[inner] != 2).any() or t.kind[0] != TRUE:
        return None
    pairs = np.argsort(t.parent[1:], kind="stable").reshape(-1, 2) + 1  # each inner Node's two children, in order
    first, second = pairs[:, 0], pairs[:, 1]
    ops = t.operator[first]
    if (t.kind[first] != SIMPLE).any() or not set(ops.tolist()) <= set(SPLITS):
        return None
    pair = t.kind[second] == SIMPLE
    if strategy == "defaultChild" and not pair.all():
        return None
    complement = np.array([COMPLEMENT[o] for o in ops.tolist()], dtype=object)
    value = t.value
    same = (t.field[second] == t.field[first]) & (value[second] == value[first]) & (t.operator[second] == complement)
    if not np.where(pair, same, t.kind[second] == TRUE).all():
        return None
    fields = t.field[first].tolist()
    features = list(dict.fromkeys(fields))
    if not all(ctx.numeric(f) for f in features):
        return None
    flat_ops = {SPLITS[o][0] for o in set(ops.tolist())}
    if len(flat_ops) > 1:
        return None
    goes_left = np.isin(ops, ["lessOrEqual", "lessThan"])
    threshold = np.zeros(n)
    try:
        threshold[inner] = [float(v) for v in value[first].tolist()]
    except (TypeError, ValueError):
        return None  # fast_trees raises it where its walk meets it
    if len(inner):
        single = np.isin(t.field[first], [f for f in features if ctx.types.get(f) == "float"])
        threshold[inner[single]] = threshold[inner[single]].astype(np.float32)  # ctx.constant: a float field's split is a float32
    slot = {f: i for i, f in enumerate(features)}
    feature = np.full(n, -1, dtype=np.int64)
    feature[inner] = [slot[f] for f in fields]
    left, right = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    left[inner] = np.where(goes_left, first, second)
    right[inner] = np.where(goes_left, second, first)
    missing_left = np.ones(n, dtype=bool)
    if strategy == "defaultChild":  # missing values go to the default child's side
        ids, default = np.array(t.ids, dtype=object), np.array(t.default, dtype=object)
        mine = default[inner]
        if not ((mine == ids[first]) | (mine == ids[second])).all():
            return None  # fast_trees declines a node without a valid defaultChild
        missing_left[inner] = (mine == ids[first]) == goes_left
        unrouted = False
    else:  # a comparison then True: an UNKNOWN comparison is not TRUE, the walk goes on to True
        # both comparisons UNKNOWN, or lastPrediction / nullPrediction (an UNKNOWN child stops the
        # walk): the strategy decides, on the general evaluator (fast_tree_walk)
        stops = strategy in ("lastPrediction", "nullPrediction")
        missing_left[inner] = np.where(pair | stops, True, ~goes_left)
        unrouted = bool(pair.any()) or (stops and len(inner) > 0)
    values = _leaf_values(t, kids == 0, classes)
    if values is None:
        return None
    tree = Tree(feature, threshold, left, right, values, missing_left, flat_ops.pop() if flat_ops else "<=")
    return TreeEnsemble(tuple(features), (tree,), "sum", classes=classes), unrouted


def _leaf_values(t: NodeTables, leaf: np.ndarray, classes: tuple[str, ...] | None) -> np.ndarray | None:
    """Leaf scores (regression) or class probabilities, zeros at inner Nodes; None where a
    leaf has no score, or (classification) lacks a probability or scores another class than
    its first most probable one."""
    n = len(t.parent)
    leaves = np.flatnonzero(leaf)
    scores = [t.score[i] for i in leaves.tolist()]
    if None in scores:
        return None
    if classes is None:
        values = np.zeros((n, 1))
        try:
            values[leaves, 0] = [float(s) for s in scores]  # type: ignore[arg-type]
        except ValueError:
            return None  # fast_trees raises it
        return values
    at = {c: j for j, c in enumerate(classes)}
    probs = np.full((n, len(classes)), np.nan)
    column = np.array([at.get(v, -1) for v in t.sd_names], dtype=np.int64)[t.sd_code] if len(t.sd_code) else t.sd_code
    kept = column >= 0
    probs[t.sd_owner[kept], column[kept]] = t.sd_probability[kept]
    mine = probs[leaves]
    if np.isnan(mine).any():
        return None
    best = np.asarray(classes, dtype=object)[mine.argmax(axis=1)]
    if not (best == np.array(scores, dtype=object)).all():
        return None
    values = np.zeros((n, len(classes)))
    values[leaves] = mine
    return values
