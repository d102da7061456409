"""Python emitters for the IR's expression layer: Derive, Validate, PredicateColumn.

An expression or predicate is written as a nested tuple constant and evaluated by a small reader
copied into the module (``_expr``, ``_truth``, helpers_expr.py) that calls the IR evaluator's own
kernels (interchange.ir.kernels, copied verbatim by source), so generated code agrees with it to
the last bit and reads no interchange module.
"""

from __future__ import annotations

from typing import Any

from interchange.batch import category_key
from interchange.codegen.python.helpers_expr import EXPR_HELPERS
from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.python.runtime import HELPERS
from interchange.codegen.registry import emitter
from interchange.errors import UnsupportedModelError
from interchange.ir.derive.expressions import FUNCTIONS, Bins, Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref
from interchange.ir.derive.predicates import Always, Compare, Compound, InSet, Predicate, PredicateColumn
from interchange.ir.derive.transforms import Validate
from interchange.ir.kernels.calls import CASTS

__all__ = ["expr_data", "predicate_data", "cast"]

HELPERS.update(EXPR_HELPERS)


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


# the IR functions generated code computes: all of them (the kernel module is copied whole)
CALLS = frozenset(FUNCTIONS)


def expr_data(e: Expr) -> tuple[Any, ...]:
    """An IR expression as nested tuples of plain values (what ``_expr`` reads)."""
    if isinstance(e, Const):
        return ("const", _plain(e.value))
    if isinstance(e, Ref):
        return ("ref", e.name)
    if isinstance(e, Call):
        if e.function not in CALLS:
            raise UnsupportedModelError(f"generated code has no form for IR function {e.function!r}", format="python")
        return ("call", e.function, tuple(expr_data(a) for a in e.args), _plain(e.fill), _plain(e.default))
    if isinstance(e, Interpolate):
        orig = tuple(float(v) for v in e.orig)
        return ("interp", expr_data(e.arg), orig, tuple(float(v) for v in e.norm), e.outliers, _plain(e.fill))
    if isinstance(e, Indicator):
        return ("ind", expr_data(e.arg), category_key(e.value), _plain(e.fill))
    if isinstance(e, Lookup):
        table = tuple((tuple(k), _plain(v)) for k, v in e.table)
        return ("lookup", tuple(expr_data(a) for a in e.args), table, _plain(e.default), _plain(e.fill), e.numeric)
    if isinstance(e, Bins):
        bins = tuple((_plain(lo), _plain(hi), c, _plain(v)) for lo, hi, c, v in e.bins)
        return ("bins", expr_data(e.arg), bins, _plain(e.default), _plain(e.fill), e.numeric)
    raise UnsupportedModelError(f"generated code has no form for IR expression {type(e).__name__}", format="python")


def predicate_data(p: Predicate) -> tuple[Any, ...]:
    """An IR predicate as nested tuples (what ``_truth`` reads); categories as their keys."""
    if isinstance(p, Always):
        return ("always", bool(p.value))
    if isinstance(p, Compare):
        ordering = p.operator in ("lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual")
        value = float(p.value) if ordering else category_key(p.value)
        return ("cmp", p.field, p.operator, value)
    if isinstance(p, InSet):
        return ("in", p.field, tuple(category_key(v) for v in p.values), bool(p.negate))
    if isinstance(p, Compound):
        return ("compound", p.operator, tuple(predicate_data(q) for q in p.parts))
    raise UnsupportedModelError(f"generated code has no form for IR predicate {type(p).__name__}", format="python")


@emitter("python", Derive)
def _derive(step: Derive, out: PyWriter) -> list[str]:
    out.need("_expr")
    tree = out.const(f"EXPR_{len(out.constants)}", expr_data(step.expression))
    return [f"env[{step.outputs[0]!r}] = {cast(f'_expr({tree}, env, n)', step.type, out)}"]


def cast(code: str, type_: str | None, out: PyWriter) -> str:
    """``code`` converted to a derived field's type as the IR's Derive does (``CASTS``; other types: as computed)."""
    if type_ not in CASTS:
        return code
    out.need("CASTS")
    return f"CASTS[{type_!r}]({code})"


@emitter("python", Validate)
def _validate(step: Validate, out: PyWriter) -> list[str]:
    out.need("_validate")
    allowed = tuple((name, tuple(category_key(v) for v in values)) for name, values in zip(step.inputs, step.values, strict=True))
    return [f"_validate(env, {out.const('VALID', allowed)})"]


@emitter("python", PredicateColumn)
def _predicate_column(step: PredicateColumn, out: PyWriter) -> list[str]:
    out.need("_truth")
    pred = out.const(f"PREDICATE_{len(out.constants)}", predicate_data(step.predicate))
    return [f"t, u = _truth({pred}, env, n)", f"env[{step.name!r}] = np.where(u, np.nan, t.astype(np.float64))"]


_ = literal  # (re-exported for the model emitters)
