"""PMML 4.4 date built-ins on the fast path (dateDaysSinceYear, dateSecondsSinceYear,
dateSecondsSinceMidnight, formatDatetime): the lift reads the Apply (formats/pmml/read/ir/dates.py:
the argument types JPMML-Evaluator accepts, the patterns both engines write alike) and the IR's
kernels (ir.kernels.dates) compute it over the fast path's scope, where a date input already
holds the IR's unit (the in-place casts of engine.Program)."""

from __future__ import annotations

import numpy as np
from lxml import etree

from interchange.formats.pmml.parse import NotCovered
from interchange.formats.pmml.read.compile import Ctx
from interchange.formats.pmml.read.ir.dates import lift_date_apply
from interchange.formats.pmml.read.scope import Fn, Scope
from interchange.ir.derive.expressions import Expr, Ref, evaluate_expr
from interchange.ir.lifted import Unliftable

__all__ = ["date_apply"]


def _field(el: etree._Element, ctx: Ctx) -> Expr:
    return Ref(el.get("field") or "")  # (lift_date_apply admits only a FieldRef without mapMissingTo)


def date_apply(el: etree._Element, ctx: Ctx) -> Fn:
    """The Apply of a date built-in as a batch function; what the lift refuses is not covered."""
    try:
        call = lift_date_apply(el, ctx, _field, f"Apply[@function={el.get('function')!r}]")
    except Unliftable as exc:
        raise NotCovered(exc.reason.why) from exc

    def run(s: Scope) -> np.ndarray:
        return evaluate_expr(call, s, s.n)

    return run
