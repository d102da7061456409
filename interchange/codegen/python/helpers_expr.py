"""Helpers copied into generated Python for expressions and predicates: the IR's own operations
(interchange.ir.expressions.evaluate_expr and FUNCTIONS, interchange.ir.predicates.truth and
combine_truths) over expression / predicate data written as nested tuples."""

from __future__ import annotations

__all__ = ["EXPR_HELPERS"]

EXPR_HELPERS: dict[str, str] = {
    "_num": '''
def _num(col):
    """A column as float64: numbers as they are, text that parses, else NaN."""
    col = np.asarray(col)
    if col.dtype.kind in "fiub":
        return col.astype(np.float64, copy=False)
    out = np.full(len(col), np.nan)
    for i, v in enumerate(col.tolist()):
        if v is not None:
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                pass
    return out
''',
    "_call": '''
def _clean(x):
    return np.where(np.isfinite(x), x, np.nan)


def _truthy(col):
    x = _num(col)
    return ~np.isnan(x) & (x != 0)


def _aggregate(name, args):
    x = np.column_stack([_num(a) for a in args])
    gone = np.isnan(x)
    none = gone.all(axis=1)
    with np.errstate(all="ignore"):
        if name == "min":
            out = np.where(gone, np.inf, x).min(axis=1)
        elif name == "max":
            out = np.where(gone, -np.inf, x).max(axis=1)
        elif name == "sum":
            out = np.where(gone, 0.0, x).sum(axis=1)
        elif name == "avg":
            out = np.where(gone, 0.0, x).sum(axis=1) / np.maximum((~gone).sum(axis=1), 1)
        else:
            out = np.where(gone, 1.0, x).prod(axis=1)
    return np.where(none, np.nan, _clean(out))


def _equal(a, b):
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return (a == b) | (np.isnan(a) & np.isnan(b))
    return np.array([_key(x) == _key(y) for x, y in zip(a.tolist(), b.tolist())], dtype=bool)


_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "pow": np.power, "mod": np.mod, "rem": np.fmod}
_UNARY = {"neg": np.negative, "exp": np.exp, "ln": np.log, "log10": np.log10, "sqrt": np.sqrt, "abs": np.abs,
          "floor": np.floor, "ceil": np.ceil, "tanh": np.tanh}
_ORDER = {"lessThan": np.less, "lessOrEqual": np.less_equal, "greaterThan": np.greater, "greaterOrEqual": np.greater_equal}


def _call(fn, args):
    """One IR function (interchange.ir.expressions.FUNCTIONS) over argument columns."""
    if fn in _BINARY:
        with np.errstate(all="ignore"):
            return _clean(_BINARY[fn](_num(args[0]), _num(args[1])))
    if fn in _UNARY:
        with np.errstate(all="ignore"):
            return _clean(_UNARY[fn](_num(args[0])))
    if fn == "erf":
        import math

        return np.asarray(np.frompyfunc(math.erf, 1, 1)(_num(args[0])), dtype=np.float64)
    if fn == "logistic":
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-_num(args[0])))
    if fn == "round":
        return np.where(np.isnan(_num(args[0])), 0.0, np.floor(_num(args[0]) + 0.5))
    if fn in ("min", "max", "sum", "avg", "product"):
        return _aggregate(fn, args)
    if fn == "median":  # of the present arguments
        x = np.column_stack([_num(a) for a in args])
        ordered, count = np.sort(x, axis=1), (~np.isnan(x)).sum(axis=1)
        rows, low = np.arange(len(x)), np.maximum(count - 1, 0) // 2
        with np.errstate(all="ignore"):
            mid = (ordered[rows, low] + ordered[rows, np.maximum(count, 1) // 2]) / 2.0
        return np.where(count > 0, _clean(mid), np.nan)
    if fn in ("isIn", "isNotIn"):  # a missing value is in no set
        pools = zip(*([_key(v) for v in col.tolist()] for col in args[1:]))
        keys = (_key(v) for v in args[0].tolist())
        hits = np.array([k is not None and k in pool for k, pool in zip(keys, pools)], dtype=bool)
        return (hits == (fn == "isIn")).astype(np.float64)
    if fn == "threshold":
        return (_num(args[0]) > _num(args[1])).astype(np.float64)
    if fn == "isMissing":
        return _missing(args[0]).astype(np.float64)
    if fn == "isNotMissing":
        return (~_missing(args[0])).astype(np.float64)
    if fn == "equal":
        return _equal(args[0], args[1]).astype(np.float64)
    if fn == "notEqual":
        return (~_equal(args[0], args[1])).astype(np.float64)
    if fn in _ORDER:
        return _ORDER[fn](_num(args[0]), _num(args[1])).astype(np.float64)
    if fn == "and":
        return np.logical_and.reduce([_truthy(x) for x in args]).astype(np.float64)
    if fn == "or":
        return np.logical_or.reduce([_truthy(x) for x in args]).astype(np.float64)
    if fn == "not":
        return (~_truthy(args[0])).astype(np.float64)
    if fn == "if":
        c = _truthy(args[0])
        yes = args[1]
        if len(args) > 2:
            no = args[2]
        else:
            no = np.full(len(c), np.nan) if yes.dtype.kind == "f" else np.full(len(c), None, dtype=object)
        if yes.dtype.kind == "f" and no.dtype.kind == "f":
            return np.where(c, yes, no)
        return np.where(c, yes.astype(object), no.astype(object))
    raise ValueError("unknown function %r" % (fn,))
''',
    "_expr": '''
def _const(n, value):
    if value is None or isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return np.full(n, np.nan if value is None else float(value))
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


def _result(values, numeric):
    if numeric:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array(values, dtype=object)


def _replace(col, where, value):
    if col.dtype.kind == "f" and (value is None or isinstance(value, (int, float))):
        return np.where(where, np.nan if value is None else float(value), col)
    out = col.astype(object).copy()
    out[where] = value
    return out


def _expr(e, env, n):
    """The column expression ``e`` (nested tuples) computes (interchange.ir.expressions.evaluate_expr)."""
    kind = e[0]
    if kind == "const":
        return _const(n, e[1])
    if kind == "ref":
        return np.asarray(env[e[1]])
    if kind == "call":
        args = [_expr(a, env, n) for a in e[2]]
        out = _call(e[1], args)
        if e[4] is not None:
            out = _replace(out, _missing(out), e[4])
        if e[3] is not None:
            gone = np.zeros(n, dtype=bool)
            for a in args:
                gone |= _missing(a)
            out = _replace(out, gone, e[3])
        return out
    if kind == "interp":
        x = _num(_expr(e[1], env, n))
        orig, norm = np.asarray(e[2]), np.asarray(e[3])
        k = np.clip(np.searchsorted(orig, x, side="right") - 1, 0, len(orig) - 2)
        y = norm[k] + (x - orig[k]) * (norm[k + 1] - norm[k]) / (orig[k + 1] - orig[k])
        low, high = x < orig[0], x > orig[-1]
        if e[4] == "asMissingValues":
            y = np.where(low | high, np.nan, y)
        elif e[4] == "asExtremeValues":
            y = np.where(low, norm[0], np.where(high, norm[-1], y))
        return y if e[5] is None else np.where(np.isnan(x), e[5], y)
    if kind == "ind":
        col = _expr(e[1], env, n)
        gone = _missing(col)
        hit = np.array([_key(v) == e[2] for v in col.tolist()], dtype=bool)
        out = np.where(gone, np.nan, hit.astype(np.float64))
        return out if e[3] is None else np.where(gone, e[3], out)
    if kind == "lookup":
        cols = [_expr(a, env, n) for a in e[1]]
        gone = np.zeros(n, dtype=bool)
        for c in cols:
            gone |= _missing(c)
        table = dict(e[2])
        rows = zip(*([_key(v) for v in c.tolist()] for c in cols))
        return _result([e[4] if gone[i] else table.get(k, e[3]) for i, k in enumerate(rows)], e[5])
    if kind == "bins":
        x = _num(_expr(e[1], env, n))
        out = [e[3]] * len(x)
        todo = ~np.isnan(x)
        for low, high, closure, value in e[2]:
            ok = todo.copy()
            if low is not None:
                ok &= (x >= low) if closure.startswith("closed") else (x > low)
            if high is not None:
                ok &= (x <= high) if closure.endswith("Closed") else (x < high)
            for i in np.flatnonzero(ok):
                out[i] = value
            todo &= ~ok
        for i in np.flatnonzero(np.isnan(x)):
            out[i] = e[4]
        return _result(out, e[5])
    raise ValueError("unknown expression %r" % (kind,))
''',
    "_cast": '''
def _cast(col, kind):
    """Derive's result type (interchange.ir.expressions._CASTS); None: as computed."""
    if kind in ("double", "boolean"):
        return _num(col)
    if kind == "float":
        return _num(col).astype(np.float32).astype(np.float64)
    if kind == "integer":
        return np.trunc(_num(col))
    if kind == "string":
        return np.array([None if v is None or v != v else str(v) for v in col.tolist()], dtype=object)
    return col
''',
    "_validate": '''
def _validate(env, allowed):
    """A present value outside a field's valid values makes the record bad (PMML returnInvalid)."""
    for name, values in allowed:
        col = env[name]
        ok = set(values)
        missing = _missing(col)
        for i, v in enumerate(col.tolist()):
            if not missing[i] and _key(v) not in ok:
                raise ValueError("value %r of field %r is not among its valid values (row %d)" % (v, name, i))
''',
    "_truth": '''
_COMPARE = {"lessThan": np.less, "lessOrEqual": np.less_equal, "greaterThan": np.greater, "greaterOrEqual": np.greater_equal}


def _truth(p, env, n):
    """(TRUE, UNKNOWN) masks of predicate ``p`` (interchange.ir.predicates.truth)."""
    kind = p[0]
    if kind == "always":
        return np.full(n, p[1], dtype=bool), np.zeros(n, dtype=bool)
    if kind == "cmp":
        col = np.asarray(env[p[1]])
        gone = _missing(col)
        if p[2] in ("isMissing", "isNotMissing"):
            return gone == (p[2] == "isMissing"), np.zeros(n, dtype=bool)
        if p[2] in _COMPARE:
            x = _num(col)
            gone = np.isnan(x)
            with np.errstate(invalid="ignore"):
                return _COMPARE[p[2]](x, p[3]) & ~gone, gone
        hit = np.array([_key(v) for v in col.tolist()], dtype=object) == p[3]
        return (hit if p[2] == "equal" else ~hit) & ~gone, gone
    if kind == "in":
        col = np.asarray(env[p[1]])
        gone = _missing(col)
        members = set(p[2])
        hit = np.array([_key(v) in members for v in col.tolist()], dtype=bool)
        return (~hit if p[3] else hit) & ~gone, gone
    results = [_truth(q, env, n) for q in p[2]]
    if p[1] == "surrogate":
        t, u = results[0]
        for t2, u2 in results[1:]:
            t, u = np.where(u, t2, t), u & u2
        return t, u
    ts = np.array([r[0] for r in results]).reshape(len(results), n)
    us = np.array([r[1] for r in results]).reshape(len(results), n)
    if p[1] == "and":
        t = np.asarray(ts.all(axis=0), dtype=bool)
        return t, ~t & ~(~ts & ~us).any(axis=0)
    if p[1] == "or":
        t = np.asarray(ts.any(axis=0), dtype=bool)
        return t, ~t & us.any(axis=0)
    unknown = np.asarray(us.any(axis=0), dtype=bool)
    return (ts.sum(axis=0) % 2 == 1) & ~unknown, unknown
''',
}
