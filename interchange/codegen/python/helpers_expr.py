"""The generated module's readers of expression and predicate data: what is codegen's own.

An IR expression or predicate is written into a generated module as nested tuples
(interchange.codegen.python.expressions.expr_data / predicate_data), since the IR's dataclasses
cannot travel without interchange. ``_expr`` and ``_truth`` walk that data the way
interchange.ir.derive.expressions.evaluate_expr and interchange.ir.derive.predicates.truth walk the dataclasses
and call the same kernels (interchange.ir.kernels, copied verbatim): they only dispatch.
``_validate`` is interchange.ir.derive.transforms.Validate (a module this package does not own) with a
ValueError for the IR's RecordError.
"""

from __future__ import annotations

__all__ = ["EXPR_HELPERS"]

EXPR_HELPERS: dict[str, str] = {
    "_expr": '''
def _expr(e, env, n):
    """The column expression ``e`` (nested tuples) computes (interchange.ir.derive.expressions.evaluate_expr)."""
    kind = e[0]
    if kind == "const":
        return constant(n, e[1])
    if kind == "ref":
        return np.asarray(env[e[1]])
    if kind == "call":
        return call(e[1], [_expr(a, env, n) for a in e[2]], e[3], e[4], n)
    if kind == "interp":
        return interpolate(as_numbers(_expr(e[1], env, n)), e[2], e[3], e[4], e[5])
    if kind == "ind":
        return indicator(_expr(e[1], env, n), e[2], e[3])
    if kind == "lookup":
        return lookup([_expr(a, env, n) for a in e[1]], e[2], e[3], e[4], e[5], n)
    return bins(as_numbers(_expr(e[1], env, n)), e[2], e[3], e[4], e[5])
''',
    "_truth": '''
def _truth(p, env, n):
    """(TRUE, UNKNOWN) masks of predicate ``p`` (nested tuples; interchange.ir.derive.predicates.truth)."""
    kind = p[0]
    if kind == "always":
        return always(p[1], n)
    if kind == "cmp":
        return compare(np.asarray(env[p[1]]), p[2], p[3], n)
    if kind == "in":
        return in_set(np.asarray(env[p[1]]), p[2], p[3])
    return combine_truths(p[1], [_truth(q, env, n) for q in p[2]], n)
''',
    "_validate": '''
def _validate(env, allowed):
    """A present value outside a field's valid values makes the record bad (PMML returnInvalid)."""
    for name, values in allowed:
        col = env[name]
        ok = set(values)
        missing = missing_mask(col)
        for i, v in enumerate(col.tolist()):
            if not missing[i] and category_key(v) not in ok:
                raise ValueError("value %r of field %r is not among its valid values (row %d)" % (v, name, i))
''',
}
