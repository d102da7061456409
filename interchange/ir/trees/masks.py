"""A multiway tree's walk as masks, for writers that compute without loops (ONNX tensors, PFA booleans).

PMML 4.4 §TreeModel as ir.trees.strategies.MultiwayTree walks it: the same walk over the same
tables (``MultiwayTree.chain``: the strategies as data), each position's rows as a mask built from
its child's TRUE / UNKNOWN masks instead of a branch per row: per Node the rows that end there, the
rows that reach its virtual result (weightedConfidence / aggregateNodes), and the events that the
missingValuePenalty counts (a defaultChild taken, a Node tested whose surrogate an alternative decided, TRUE or
FALSE: JPMML-Evaluator's reading, ir.kernels.trees.multiway_walk). The masks are whatever the writer computes
with (``MaskOps``); Python booleans stand for constant masks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from interchange.ir.derive.predicates import Compound, Predicate
from interchange.ir.trees.strategies import MultiwayTree

__all__ = ["MaskOps", "ARRAYS", "alternative", "mask_walk", "virtual_walk", "VIRTUAL_STRATEGIES"]

VIRTUAL_STRATEGIES = ("weightedConfidence", "aggregateNodes")


class MaskOps(Protocol):
    """A writer's mask arithmetic over non-constant masks."""

    def both(self, a: Any, b: Any) -> Any: ...

    def either(self, a: Any, b: Any) -> Any: ...

    def negate(self, a: Any) -> Any: ...


class _Arrays:
    """Masks as numpy boolean arrays (the IR's own walk)."""

    def both(self, a: Any, b: Any) -> Any:
        return np.logical_and(a, b)

    def either(self, a: Any, b: Any) -> Any:
        return np.logical_or(a, b)

    def negate(self, a: Any) -> Any:
        return np.logical_not(a)


ARRAYS: MaskOps = _Arrays()


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


def alternative(p: Predicate, unknown: Any, unknown_of: Callable[[Predicate], Any], ops: MaskOps) -> Any:
    """Where the Node predicate ``p`` (UNKNOWN where ``unknown``) is decided by a surrogate's alternative: its
    first part UNKNOWN and a later one TRUE or FALSE (``unknown_of(q)``: where part ``q`` is UNKNOWN). False for
    any other predicate. What missingValuePenalty counts at every Node tested (ir.kernels.trees.multiway_walk)."""
    if not (isinstance(p, Compound) and p.operator == "surrogate" and p.parts):
        return False
    logic = _Logic(ops)
    return logic.both(unknown_of(p.parts[0]), logic.negate(unknown))


def _chain_masks(tree: MultiwayTree, truth: Callable[[int], tuple[Any, Any, Any]], logic: _Logic) -> tuple[list[Any], ...]:
    """The walk over ``tree.chain``'s positions (every branch leads to a higher one, so a position's mask
    is whole when it is reached): (per Node the rows ending there, the penalised events, per Node the
    rows ending at its virtual result)."""
    children, test, ended, entry, _ = tree.chain
    targets = children.reshape(-1, 3)
    reach: list[Any] = [False] * len(test)
    if len(test):
        reach[int(entry[0])] = True
    n = len(tree.kids)
    ends: list[Any] = [False] * n
    virtual: list[Any] = [False] * n
    events: list[Any] = []
    default = tree.strategy == "defaultChild"

    def add(p: int, mask: Any) -> None:
        reach[p] = logic.either(reach[p], mask)

    for p, here in enumerate(reach):
        if here is False:
            continue
        if test[p] < 0:  # an end: a Node, none (-1) or a Node's virtual result (-2 - i)
            e = int(ended[p])
            if e >= 0:
                ends[e] = logic.either(ends[e], here)
            elif e <= -2:
                virtual[-2 - e] = logic.either(virtual[-2 - e], here)
            continue
        t, u, alt = truth(int(test[p]))
        enter = logic.both(here, t)
        add(int(targets[p, 0]), enter)
        if alt is not False:
            events.append(logic.both(here, alt))
        unknown_to, false_to = int(targets[p, 2]), int(targets[p, 1])
        unknown = logic.both(here, logic.both(u, logic.negate(t))) if default or unknown_to != false_to else False
        if default:
            events.append(unknown)
        if unknown_to == false_to:
            add(false_to, logic.both(here, logic.negate(t)))
        else:
            add(unknown_to, unknown)
            add(false_to, logic.both(here, logic.negate(logic.either(t, u))))
    return ends, [e for e in events if e is not False], virtual


def mask_walk(tree: MultiwayTree, truth: Callable[[int], tuple[Any, Any, Any]], ops: MaskOps) -> tuple[list[Any], list[Any]]:
    """(per Node the mask of rows ending there, the penalised events); ``truth(k)``: Node k's (TRUE,
    UNKNOWN, decided by a surrogate's alternative: ``alternative``). A row ending in no Node has no prediction.

    weightedConfidence / aggregateNodes of a classification (a virtual result) are not masks: ValueError.
    """
    if tree.strategy in VIRTUAL_STRATEGIES and tree.counts is not None:
        raise ValueError(f"missingValueStrategy={tree.strategy} gives a virtual result, which is no Node's")
    ends, events, _ = _chain_masks(tree, truth, _Logic(ops))
    return ends, events


def virtual_walk(
    tree: MultiwayTree, truth: Callable[[int], tuple[Any, Any, Any]], ops: MaskOps
) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """weightedConfidence / aggregateNodes of a classification (pypmml's reading) as masks: (per Node the rows
    ending there, the penalised events, per Node the rows meeting no TRUE child but an UNKNOWN one there
    (a virtual result's candidates; one without a winner meets the noTrueChildStrategy), per Node the rows
    whose aggregateNodes gather reaches it: every UNKNOWN child and the first TRUE one, from a candidate).
    """
    logic = _Logic(ops)
    ends, events, candidates = _chain_masks(tree, truth, logic)
    gathered: list[Any] = [False] * len(tree.kids)
    for i, kids in enumerate(tree.kids):  # pre-order: what reaches a Node is whole before its children
        scanning = logic.either(gathered[i], candidates[i])
        for k in kids:
            t, u, _ = truth(k)
            gathered[k] = logic.either(gathered[k], logic.both(scanning, logic.either(t, u)))
            scanning = logic.both(scanning, logic.negate(t))
    return ends, events, candidates, gathered
