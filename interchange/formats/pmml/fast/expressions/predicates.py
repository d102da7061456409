"""PMML 4.4 §Predicates on the fast path: the lift's IR predicates (formats/pmml/read/ir/predicates.py
reads the elements) evaluated by the IR's three-valued logic (ir.predicates.truth) over the fast
path's scope, so one copy of the semantics serves trees, segments, scorecards and rule sets.

(TRUE, UNKNOWN) masks; FALSE is neither. A comparison with a missing value is UNKNOWN, except
isMissing / isNotMissing. What the lift declines (xor, a nested surrogate, an ordering of text)
is not covered.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from interchange.formats.pmml.parse import NotCovered
from interchange.formats.pmml.read.compile import Ctx
from interchange.formats.pmml.read.ir import predicates as lift
from interchange.formats.pmml.read.scope import Scope
from interchange.ir.derive.predicates import Truth, truth
from interchange.ir.lifted import Unliftable

__all__ = ["predicate", "Truth", "PREDICATES", "find_predicate"]

Pred = Callable[[Scope], Truth]
PREDICATES = lift.PREDICATES


def find_predicate(el: etree._Element) -> etree._Element:
    """The one predicate child of a Node, Segment, Attribute or rule."""
    try:
        return lift.find_predicate(el)
    except Unliftable as exc:
        raise NotCovered(exc.reason.why) from exc


def predicate(el: etree._Element, ctx: Ctx) -> Pred:
    """The predicate element as a function of a scope."""
    try:
        pred = lift.lift_predicate(el, ctx)
    except Unliftable as exc:
        raise NotCovered(exc.reason.why) from exc
    return lambda s: truth(pred, s, s.n)
