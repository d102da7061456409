"""A multiway tree's walk as masks, for writers that compute without loops (ONNX tensors, PFA booleans).

PMML 4.4 §TreeModel as ir.tree_strategies.MultiwayTree walks it, for the strategies that end at a
Node (none, lastPrediction, nullPrediction, defaultChild): per Node, the rows that reach it and the
rows that end there, built Node by Node in pre-order from each child's TRUE / UNKNOWN masks (the
first TRUE child is entered; an UNKNOWN one ends the search at the Node, with no prediction, or at
the default child, or counts as FALSE); and the events that the missingValuePenalty counts (a
defaultChild taken, a surrogate's alternative TRUE). The masks are whatever the writer computes
with (``MaskOps``); Python booleans stand for constant masks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from interchange.ir.trees.strategies import MultiwayTree

__all__ = ["MaskOps", "mask_walk", "virtual_walk", "VIRTUAL_STRATEGIES"]

VIRTUAL_STRATEGIES = ("weightedConfidence", "aggregateNodes")


class MaskOps(Protocol):
    """A writer's mask arithmetic over non-constant masks."""

    def both(self, a: Any, b: Any) -> Any: ...

    def either(self, a: Any, b: Any) -> Any: ...

    def negate(self, a: Any) -> Any: ...


class _Logic:
    """``ops`` with Python booleans folded away."""

    def __init__(self, ops: MaskOps) -> None:
        self.ops = ops

    def both(self, a: Any, b: Any) -> Any:
        if a is False or b is False:
            return False
        if a is True:
            return b
        return a if b is True else self.ops.both(a, b)

    def either(self, a: Any, b: Any) -> Any:
        if a is True or b is True:
            return True
        if a is False:
            return b
        return a if b is False else self.ops.either(a, b)

    def negate(self, a: Any) -> Any:
        return (not a) if isinstance(a, bool) else self.ops.negate(a)


def mask_walk(tree: MultiwayTree, truth: Callable[[int], tuple[Any, Any, Any]], ops: MaskOps) -> tuple[list[Any], list[Any]]:
    """(per Node the mask of rows ending there, the penalised events); ``truth(k)``: Node k's (TRUE,
    UNKNOWN, TRUE through a surrogate's alternative). A row ending in no Node has no prediction.

    weightedConfidence / aggregateNodes of a classification (a virtual result) are not masks: ValueError.
    """
    if tree.strategy in VIRTUAL_STRATEGIES and tree.counts is not None:
        raise ValueError(f"missingValueStrategy={tree.strategy} gives a virtual result, which is no Node's")
    logic = _Logic(ops)
    n = len(tree.kids)
    reach: list[Any] = [True] + [False] * (n - 1)
    ends: list[Any] = [False] * n
    events: list[Any] = []
    stopping = tree.strategy in ("lastPrediction", "nullPrediction", "defaultChild")
    for i, kids in enumerate(tree.kids):  # pre-order: a Node's reach is whole before its children are walked
        if not kids:
            ends[i] = logic.either(ends[i], reach[i])
            continue
        rest = reach[i]
        for k in kids:
            t, u, alt = truth(k)
            enter = logic.both(rest, t)
            reach[k] = logic.either(reach[k], enter)
            if alt is not False:
                events.append(logic.both(enter, alt))
            if not stopping:  # none (and the virtual strategies of a regression): UNKNOWN is FALSE
                rest = logic.both(rest, logic.negate(t))
                continue
            unknown = logic.both(rest, logic.both(u, logic.negate(t)))
            if tree.strategy == "lastPrediction":
                ends[i] = logic.either(ends[i], unknown)
            elif tree.strategy == "defaultChild":
                events.append(unknown)
                if tree.defaults[i] >= 0:
                    reach[tree.defaults[i]] = logic.either(reach[tree.defaults[i]], unknown)
            rest = logic.both(rest, logic.negate(logic.either(t, u)))
        if tree.return_last:
            ends[i] = logic.either(ends[i], rest)
    return ends, [e for e in events if e is not False]


def virtual_walk(
    tree: MultiwayTree, truth: Callable[[int], tuple[Any, Any, Any]], ops: MaskOps
) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """weightedConfidence / aggregateNodes of a classification (pypmml's reading) as masks: (per Node the rows
    ending there, the penalised events, per Node the rows meeting no TRUE child but an UNKNOWN one there
    (a virtual result's candidates; one without a winner meets the noTrueChildStrategy), per Node the rows
    whose aggregateNodes gather reaches it: every UNKNOWN child and the first TRUE one, from a candidate).
    """
    logic = _Logic(ops)
    n = len(tree.kids)
    reach: list[Any] = [True] + [False] * (n - 1)
    ends: list[Any] = [False] * n
    candidates: list[Any] = [False] * n
    gathered: list[Any] = [False] * n
    events: list[Any] = []
    for i, kids in enumerate(tree.kids):
        if not kids:
            ends[i] = logic.either(ends[i], reach[i])
            continue
        rest, unknown = reach[i], False
        for k in kids:  # UNKNOWN goes on as FALSE, remembered: a later TRUE child still wins
            t, u, alt = truth(k)
            enter = logic.both(rest, t)
            reach[k] = logic.either(reach[k], enter)
            if alt is not False:
                events.append(logic.both(enter, alt))
            unknown = logic.either(unknown, logic.both(rest, logic.both(u, logic.negate(t))))
            rest = logic.both(rest, logic.negate(t))
        candidates[i] = logic.both(rest, unknown)
        if tree.return_last:
            ends[i] = logic.either(ends[i], logic.both(rest, logic.negate(unknown)))
    for i, kids in enumerate(tree.kids):  # pre-order: what reaches a Node is whole before its children
        scanning = logic.either(gathered[i], candidates[i])
        for k in kids:
            t, u, _ = truth(k)
            gathered[k] = logic.either(gathered[k], logic.both(scanning, logic.either(t, u)))
            scanning = logic.both(scanning, logic.negate(t))
    return ends, [e for e in events if e is not False], candidates, gathered
