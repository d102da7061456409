"""IR functions and expression forms in PFA, computing what interchange.ir.derive.expressions computes.

A missing number is NaN here, as in the IR: a nullable double column is read as NaN where it is
null, arithmetic that leaves the finite numbers gives NaN (the IR's ``_clean``), n-ary ``sum`` /
``avg`` / ``product`` / ``min`` / ``max`` / ``median`` leave missing arguments out (all missing:
NaN), ``isIn`` puts a missing value in no set, ``if`` without an else gives NaN, a missing
condition takes the else branch, ``mapMissingTo`` (``fill``) and ``defaultValue`` (``default``)
replace a missing argument or result. A text result that may be missing is a ``["null",
"string"]`` value. Intermediate values are let-bound once (``tmp``), so each is computed once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange.batch import category_key

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["NAN", "aggregate", "bins", "clean", "interpolate", "isnan", "lookup", "median", "member", "number_ref", "tmp"]

NAN: Any = {"/": [0.0, 0.0]}  # (JSON has no NaN literal; titus2 computes 0/0 as NaN)
NULL_STRING: Any = None


def tmp(w: _Writer, expr: Any, kind: str = "double") -> str:
    """``expr`` let-bound to a fresh symbol (computed once, before the expressions that read it)."""
    if isinstance(expr, str):
        return expr
    name = f"~tmp{len(w.cols)}"
    w.bind(name, expr, kind)
    return str(w.cols[name][0])


def isnan(x: Any) -> Any:
    return {"impute.isnan": x}


def number_ref(w: _Writer, name: str) -> Any:
    """The double column ``name`` with NaN where it is null (bound once per column)."""
    expr, _, nullable = w.cols[name]
    if not nullable:
        return expr
    key = f"~nan:{name}"
    if key not in w.cols:
        w.bind(key, {"ifnotnull": {"nan_v": expr}, "then": "nan_v", "else": NAN})
    return w.cols[key][0]


def clean(w: _Writer, x: Any) -> Any:
    """NaN where ``x`` is not finite (the IR's arithmetic: an infinity is a missing value)."""
    t = tmp(w, x)
    return {"if": {"||": [isnan(t), {"impute.isinf": t}]}, "then": NAN, "else": t}


def truth(w: _Writer, x: Any) -> Any:
    """A number as a condition: true when present and not 0 (a missing one is false, as in the IR)."""
    t = tmp(w, x)
    return {"&&": [{"!": isnan(t)}, {"!=": [t, 0.0]}]}


def _present(w: _Writer, args: list[Any]) -> str:
    """The array of the arguments that are not missing."""
    keep = {"params": [{"x": "double"}], "ret": "boolean", "do": {"!": isnan("x")}}
    return tmp(w, {"a.filter": [{"new": args, "type": {"type": "array", "items": "double"}}, keep]}, "array")


def aggregate(w: _Writer, function: str, args: list[Any]) -> Any:
    """min max sum avg product over the present arguments (in order); NaN when none is present."""
    present = _present(w, args)
    if function in ("sum", "avg"):
        total: Any = {"a.sum": present}
        value = total if function == "sum" else {"/": [total, {"a.len": present}]}
    else:
        value = {{"min": "a.min", "max": "a.max", "product": "a.product"}[function]: present}
    finite = value if function in ("min", "max") else clean(w, value)  # (a sum or product may overflow)
    return {"if": {"==": [{"a.len": present}, 0]}, "then": NAN, "else": finite}


def median(w: _Writer, args: list[Any]) -> Any:
    """The middle of the sorted present arguments (the mean of the two middle ones for an even count)."""
    ordered = tmp(w, {"a.sort": _present(w, args)}, "array")
    n = tmp(w, {"a.len": ordered}, "int")
    low = {"attr": ordered, "path": [{"//": [{"-": [n, 1]}, 2]}]}
    high = {"attr": ordered, "path": [{"//": [n, 2]}]}
    return {"if": {"==": [n, 0]}, "then": NAN, "else": clean(w, {"/": [{"+": [low, high]}, 2.0]})}


def member(w: _Writer, value: Any, kind: str, nullable: bool, pool: list[Any]) -> Any:
    """True when ``value`` (a column's expression) is one of the constants ``pool``; a missing one is in none."""
    keys = [category_key(v) for v in pool]
    tests: list[Any]
    if kind == "string":
        tests = [{"==": ["mem_v", {"string": str(k)}]} for k in keys if k is not None]
    else:
        tests = [{"==": ["mem_v", float(k)]} for k in keys if isinstance(k, (int, float)) and not isinstance(k, bool)]
    hit: Any = False
    for t in tests:
        hit = t if hit is False else {"||": [hit, t]}
    if nullable:
        return {"ifnotnull": {"mem_v": value}, "then": hit, "else": False}
    return {"do": [{"let": {"mem_v": value}}, hit]}


def interpolate(w: _Writer, x: Any, orig: tuple[float, ...], norm: tuple[float, ...], outliers: str, fill: float | None) -> Any:
    """PMML NormContinuous as interchange.ir.derive.expressions._interpolate computes it."""
    x = tmp(w, x)
    pieces = list(zip(orig, norm, strict=True))
    out: Any = None
    for k in range(len(pieces) - 2, -1, -1):  # the piece whose left end is the last one <= x
        (o0, n0), (o1, n1) = pieces[k], pieces[k + 1]
        line: Any = {"+": [n0, {"/": [{"*": [{"-": [x, o0]}, n1 - n0]}, o1 - o0]}]}
        out = line if out is None else {"if": {"<": [x, o1]}, "then": line, "else": out}
    if outliers == "asMissingValues":
        out = {"if": {"||": [{"<": [x, orig[0]]}, {">": [x, orig[-1]]}]}, "then": NAN, "else": out}
    elif outliers == "asExtremeValues":
        out = {"if": {"<": [x, orig[0]]}, "then": norm[0], "else": {"if": {">": [x, orig[-1]]}, "then": norm[-1], "else": out}}
    # (PFA orders NaN above every number, so a missing x is tested first)
    return {"if": isnan(x), "then": NAN if fill is None else float(fill), "else": out}


def _result(value: Any, numeric: bool) -> Any:
    if value is None:
        return NAN if numeric else NULL_STRING
    return float(value) if numeric else {"string": str(value)}


BinTable = tuple[tuple[float | None, float | None, str, Any], ...]
LookupTable = tuple[tuple[tuple[Any, ...], Any], ...]


def bins(w: _Writer, x: Any, table: BinTable, default: Any, fill: Any, numeric: bool) -> Any:
    """PMML Discretize: the first bin holding ``x``, else ``default``; ``fill`` where ``x`` is missing."""
    x = tmp(w, x)
    out = _result(default, numeric)
    for low, high, closure, value in reversed(table):
        tests = []
        if low is not None:
            tests.append({">=" if closure.startswith("closed") else ">": [x, float(low)]})
        if high is not None:
            tests.append({"<=" if closure.endswith("Closed") else "<": [x, float(high)]})
        test: Any = True
        for t in tests:
            test = t if test is True else {"&&": [test, t]}
        out = {"if": test, "then": _result(value, numeric), "else": out}
    return {"if": isnan(x), "then": _result(fill, numeric), "else": out}


def lookup(w: _Writer, columns: list[tuple[Any, str, bool]], table: LookupTable, default: Any, fill: Any, numeric: bool) -> Any:
    """PMML MapValues over columns ``(expression, kind, nullable)``: the row of the table whose keys the
    values equal (in table order), else ``default``; ``fill`` where an argument is missing."""
    names = [f"lk{i}" for i in range(len(columns))]
    out = _result(default, numeric)
    for keys, value in reversed(table):
        tests: list[Any] = []
        for name, (_, kind, _), key in zip(names, columns, keys, strict=True):
            if kind == "string":
                tests.append({"==": [name, {"string": str(key)}]})
            elif isinstance(key, (int, float)) and not isinstance(key, bool):
                tests.append({"==": [name, float(key)]})
            else:
                tests = [False]
                break
        test: Any = tests[0]
        for t in tests[1:]:
            test = {"&&": [test, t]}
        out = {"if": test, "then": _result(value, numeric), "else": out}
    missing = _result(fill, numeric)
    for name, (expr, kind, nullable) in zip(reversed(names), reversed(columns), strict=True):
        if kind == "string":
            out = {"ifnotnull": {name: expr}, "then": out, "else": missing} if nullable else {"do": [{"let": {name: expr}}, out]}
        else:
            out = {"do": [{"let": {name: expr}}, {"if": isnan(name), "then": missing, "else": out}]}
    return out
