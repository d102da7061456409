"""Python emitters for PMML's validity and Output steps: Treat (MiningField treatments) and Reported.

Treat is written as one call of a helper copied into the module (``_treat``), the IR's own
masks in its order (interchange.ir.validity): a value listed missing counts as missing, an
invalid one is kept, made missing or replaced, outliers are made missing or clamped, then
missing values are replaced; ``returnInvalid`` raises ValueError naming the field and row, as
the IR raises a RecordError. Reported evaluates its model, binds the named parts of its
prediction in a copy of the columns and computes each expression there (interchange.ir.reported).
"""

from __future__ import annotations

from typing import Any

from interchange.batch import category_key
from interchange.codegen.python.expressions import expr_data
from interchange.codegen.python.module import PyWriter, class_index, finish_label
from interchange.codegen.python.runtime import DEPENDS, HELPERS
from interchange.codegen.registry import emitter, lookup
from interchange.ir.columns import Columns
from interchange.ir.reported import Reported
from interchange.ir.validity import Treat

__all__: list[str] = []

HELPERS["_treat"] = '''
def _treat(col, spec):
    """PMML MiningField validity and treatment of one column (interchange.ir.validity.Treat)."""
    (field, optype, valid, invalid_values, missing_values, intervals, invalid, invalid_replacement,
     missing_invalid, replacement, outliers, low, high) = spec
    col = np.asarray(col)
    n = len(col)
    gone = _missing(col)
    bad = np.zeros(n, dtype=bool)
    if valid or invalid_values or missing_values or intervals:
        keys = [_key(v) for v in col.tolist()]

        def among(values):
            wanted = set(values)
            return np.array([k in wanted for k in keys], dtype=bool) if wanted else np.zeros(n, dtype=bool)

        gone = gone | among(missing_values)
        bad = among(invalid_values)
        if intervals:
            if col.dtype.kind in "fiub":
                x = col.astype(np.float64)
            else:
                x = np.full(n, np.nan)
                for i, v in enumerate(col.tolist()):
                    try:
                        x[i] = float(v)
                    except (TypeError, ValueError):
                        pass
            inside = np.zeros(n, dtype=bool)
            for lo, hi, closure in intervals:
                ok = ~np.isnan(x)
                if lo is not None:
                    ok &= (x >= lo) if closure.startswith("closed") else (x > lo)
                if hi is not None:
                    ok &= (x <= hi) if closure.endswith("Closed") else (x < hi)
                inside |= ok
            bad |= ~inside & ~among(valid)
        elif valid and optype != "continuous":
            bad |= ~among(valid)
        bad = bad & ~gone
    numeric = col.dtype.kind == "f"
    out = col.astype(np.float64 if numeric else object, copy=True)
    if invalid == "returnInvalid" and bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError("value %r of field %r is invalid (row %d)" % (col[i], field, i))
    if invalid == "asMissing":
        gone = gone | bad
    elif invalid == "asValue":
        out[bad] = float(invalid_replacement) if numeric else invalid_replacement
    if numeric and outliers != "asIs":
        kept = ~gone & ~bad
        below = kept & (out < low) if low is not None else np.zeros(n, dtype=bool)
        above = kept & (out > high) if high is not None else np.zeros(n, dtype=bool)
        if outliers == "asMissingValues":
            gone = gone | below | above
        else:
            out[below], out[above] = low, high
    if missing_invalid and gone.any():
        i = int(np.flatnonzero(gone)[0])
        raise ValueError("field %r is missing and its model returns invalid for it (row %d)" % (field, i))
    out[gone] = np.nan if numeric else None
    if replacement is not None:
        out[gone] = float(replacement) if numeric else replacement
    return out
'''
DEPENDS["_treat"] = ("_missing", "_key")


def _keys(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(category_key(v) for v in values)


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


@emitter("python", Treat)
def _treat(step: Treat, out: PyWriter) -> list[str]:
    out.need("_treat")
    spec = (
        step.inputs[0],
        step.optype,
        _keys(step.valid),
        _keys(step.invalid_values),
        _keys(step.missing_values),
        tuple((iv.low, iv.high, iv.closure) for iv in step.intervals),
        step.invalid,
        _plain(step.invalid_replacement),
        bool(step.missing_invalid),
        _plain(step.replacement),
        step.outliers,
        step.low,
        step.high,
    )
    name = out.const(f"TREAT_{len(out.constants)}", spec)
    return [f"env[{step.outputs[0]!r}] = _treat(env[{step.inputs[0]!r}], {name})"]


@emitter("python", Reported)
def _reported(step: Reported, out: PyWriter) -> tuple[list[str], dict[str, str]]:
    """The model's lines, its label finished, then the bindings and expressions in ``scope``."""
    lines, parts = lookup("python", step.model)(step.model, out)
    lines, parts = list(lines), dict(parts)
    classes = getattr(step.model, "classes", None)
    if "label" not in parts and classes is not None:
        finished = finish_label(parts, True)
        if finished:
            lines += finished
            parts["label"] = "label"
    lines.append("scope = dict(env)")
    for name, part, category in step.bindings:
        if part == "probability":
            if "probabilities" not in parts or classes is None:
                raise _refuse("the probability of a category from a model that gives none")
            value = f"np.asarray({parts['probabilities']})[:, {class_index(list(classes), category)}]"
        elif part in parts:
            value = f"np.asarray({parts[part]})"
        else:
            raise _refuse(f"the prediction's {part}, which the model does not give")
        lines.append(f"scope[{name!r}] = {value}")
    out.need("_expr", "_cast")
    for name, expr, type_ in step.expressions:
        tree = out.const(f"EXPR_{len(out.constants)}", expr_data(expr))
        lines.append(f"scope[{name!r}] = _cast(_expr({tree}, scope, n), {type_!r})")
        parts[f"extra:{name}"] = f"scope[{name!r}]"
    for name, part in step.replaces:
        parts[part] = f"scope[{name!r}]" if part == "value" else f"np.asarray(scope[{name!r}], dtype=object)"
    return lines, parts


def _refuse(what: str) -> Exception:
    from interchange.errors import UnsupportedModelError

    return UnsupportedModelError(f"generated code has no form for {what}", format="python")


@emitter("python", Columns)
def _columns(step: Columns, out: PyWriter) -> tuple[list[str], dict[str, str]]:
    """A document of expressions only (ir.columns): each output is a column the steps derived."""
    return [], {f"extra:{name}": f"np.asarray(env[{column!r}])" for column, name in zip(step.inputs, step.outputs, strict=True)}
