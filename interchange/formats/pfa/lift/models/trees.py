"""PFA tree records (model.tree.simpleWalk / missingWalk cells) read into the IR's binary Tree.

Two node shapes are read: our writer's ``TreeNode`` (an input index, a threshold, where a
missing value goes, tested by an inline function comparing ``x[feature]`` with the threshold)
and PFA's standard ``{field, operator, value, pass, fail[, missing]}`` records tested by
``model.tree.simpleTest`` / ``missingTest``. ``pass`` is the IR's left child. ``>`` / ``>=``
tests swap the children; a tree mixing ``<`` with ``<=`` has its ``<`` thresholds moved to
the next double below (``x < t`` is exactly ``x <= nextafter(t, -inf)`` for every double).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interchange.ir.lifted import Unliftable
from interchange.ir.trees.ensemble import Tree

__all__ = ["TestRule", "lift_tree", "leaf_kind"]


@dataclass(frozen=True)
class TestRule:
    """How a walk's test function reads a node.

    ``operator``: the comparison (None: the node's ``operator`` field); ``fields``: the datum's
    field names when nodes name a field (None: nodes hold an index); ``missing``: the node
    field saying whether a missing value passes, a constant, or "branch" (missingWalk).
    """

    operator: str | None
    fields: dict[str, int | None] | None
    missing: str | bool
    # (field, operator, value, path) -> the input index of a 0/1 column that is 1 where a text test passes
    indicator: Callable[[str, str, Any, str], int] | None = field(default=None, compare=False)


_SWAP = {">": "<=", ">=": "<"}


def _untag(v: Any) -> Any:
    """The value of an Avro union branch ``{"double": 1.5}``; other values as they are."""
    if isinstance(v, dict) and len(v) == 1 and next(iter(v)) in ("double", "float", "int", "long", "string", "array"):
        return next(iter(v.values()))
    return v


def _branch(b: Any, path: str) -> tuple[bool, Any]:
    """(is a node, the node or the leaf value) of a tagged union branch ``{"Type": value}``."""
    if isinstance(b, dict) and len(b) == 1:
        inner = next(iter(b.values()))
        if isinstance(inner, dict) and "pass" in inner:
            return True, inner
        return False, inner
    if isinstance(b, dict) and "pass" in b:
        return True, b
    if isinstance(b, (int, float, str, list)) and not isinstance(b, bool):
        return False, b
    raise Unliftable(path, "a tree branch that is neither a node nor a leaf")


def lift_tree(root: dict[str, Any], rule: TestRule, path: str) -> tuple[Tree, list[Any]]:
    """The IR Tree of ``root`` (leaf values still raw: numbers, lists or texts) and its leaves."""
    feature: list[int] = []
    threshold: list[float] = []
    ops: list[str] = []
    left: list[int] = []
    right: list[int] = []
    missing_left: list[bool] = []
    leaves: list[Any] = []

    def add(node: Any, is_node: bool, where: str) -> int:
        i = len(feature)
        feature.append(-1)
        threshold.append(0.0)
        ops.append("<=")
        left.append(-1)
        right.append(-1)
        missing_left.append(True)
        leaves.append(None)
        if not is_node:
            leaves[i] = node
            return i
        op = rule.operator if rule.operator is not None else node.get("operator")
        t = _untag(node.get("threshold", node.get("value")))
        if rule.fields is None:
            j = node.get("feature")
            if not isinstance(j, int):
                raise Unliftable(where, "a node without an integer feature index")
        else:
            name = node.get("field")
            if name not in rule.fields:
                raise Unliftable(where, f"node tests field {name!r}, not in the datum")
            j = rule.fields[name]
            if j is None or op in ("==", "!=", "in", "notIn"):
                if rule.indicator is None or op not in ("==", "!=", "in", "notIn"):
                    raise Unliftable(where, f"a tree test of a text field with operator {op!r} has no IR form yet")
                j = rule.indicator(name, op, t, where)  # pass where the 0/1 column is > 0.5
                op, t = ">", 0.5
        if op not in ("<", "<=", ">", ">="):
            raise Unliftable(where, f"a tree test with operator {op!r} has no IR form yet (<, <=, >, >=, and ==, in on text do)")
        if not isinstance(t, (int, float)) or isinstance(t, bool):
            raise Unliftable(where, "a node compares with something other than a number")
        passes, fails = _branch(node["pass"], where + "/pass"), _branch(node["fail"], where + "/fail")
        swap = op in _SWAP
        if rule.missing == "branch":
            gone = node.get("missing")
            if gone == node["pass"]:
                miss = True
            elif gone == node["fail"]:
                miss = False
            else:
                raise Unliftable(
                    where + "/missing",
                    "a missing branch apart from pass and fail has no IR form (IR trees send missing left or right)",
                )
        elif isinstance(rule.missing, bool):
            miss = rule.missing
        else:
            miss = bool(node.get(rule.missing))
        feature[i], threshold[i], ops[i] = j, float(t), _SWAP.get(op, op)
        missing_left[i] = miss != swap
        first, second = (fails, passes) if swap else (passes, fails)
        left[i] = add(first[1], first[0], where + ("/fail" if swap else "/pass"))
        right[i] = add(second[1], second[0], where + ("/pass" if swap else "/fail"))
        return i

    add(root, True, path)
    inner = [o for f, o in zip(feature, ops, strict=True) if f >= 0]
    th = np.asarray(threshold, dtype=np.float64)
    op = inner[0] if inner and len(set(inner)) == 1 else "<="
    if len(set(inner)) > 1:
        strict = np.array([f >= 0 and o == "<" for f, o in zip(feature, ops, strict=True)])
        th = np.where(strict, np.nextafter(th, -np.inf), th)
    tree = Tree(
        np.asarray(feature, dtype=np.int64),
        th,
        np.asarray(left, dtype=np.int64),
        np.asarray(right, dtype=np.int64),
        np.zeros((len(feature), 1)),
        np.asarray(missing_left, dtype=bool),
        op,  # type: ignore[arg-type]
    )
    return tree, leaves


def leaf_kind(leaves: list[Any], path: str) -> str:
    """vector (our writer's leaf arrays), number or text: what a walk's result is."""
    present = [v for v in leaves if v is not None]
    if all(isinstance(v, list) for v in present):
        return "vector"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "number"
    if all(isinstance(v, str) for v in present):
        return "text"
    raise Unliftable(path, "tree leaves of mixed or structured types have no IR form")


def with_values(tree: Tree, leaves: list[Any], kind: str, classes: tuple[Any, ...] | None = None) -> Tree:
    """``tree`` with its leaf value matrix: the leaf vectors, numbers, or one-hot classes."""
    rows = []
    width = max((len(v) for v in leaves if isinstance(v, list)), default=1)
    for v in leaves:
        if v is None:
            rows.append([0.0] * (width if kind == "vector" or not classes else len(classes)))
        elif kind == "vector":
            rows.append([float(x) for x in v])
        elif kind == "number":
            rows.append([float(v)])
        else:
            assert classes is not None
            rows.append([1.0 if v == c else 0.0 for c in classes])
    return Tree(
        tree.feature, tree.threshold, tree.left, tree.right, np.asarray(rows, dtype=np.float64), tree.missing_left, tree.op
    )
