"""Python emitters for the IR's transform steps: each returns the lines computing its columns into ``env``."""

from __future__ import annotations

import numpy as np

from interchange.batch import category_key
from interchange.codegen.python.module import PyWriter, literal
from interchange.codegen.registry import emitter
from interchange.ir.derive.transforms import Bin, Impute, Normalize, OneHot, Ordinal, Polynomial, Project, Scale, Threshold

__all__: list[str] = []


def _num(name: str) -> str:
    return f"np.asarray(env[{name!r}], dtype=np.float64)"


@emitter("python", Impute)
def _impute(step: Impute, out: PyWriter) -> list[str]:
    lines = []
    for name, target, value in zip(step.inputs, step.outputs, step.values, strict=False):
        lines += [
            f"col = env[{name!r}]",
            "dtype = col.dtype if col.dtype.kind == 'f' else object",
            f"env[{target!r}] = np.where(missing_mask(col), {literal(value)}, col).astype(dtype)",
        ]
    return lines


@emitter("python", Scale)
def _scale(step: Scale, out: PyWriter) -> list[str]:
    return [
        f"env[{target!r}] = ({_num(name)} - {literal(float(step.offset[i]))}) / {literal(float(step.divisor[i]))}"
        f" * {literal(float(step.factor[i]))} + {literal(float(step.shift[i]))}"
        for i, (name, target) in enumerate(zip(step.inputs, step.outputs, strict=True))
    ]


@emitter("python", OneHot)
def _one_hot(step: OneHot, out: PyWriter) -> list[str]:
    lines = [
        f"col = env[{step.inputs[0]!r}]",
        "keys = np.array([category_key(v) for v in col], dtype=object)",
        "hit = np.zeros(len(col), dtype=bool)",
    ]
    for target, cat in zip(step.outputs, step.categories, strict=False):
        lines += [f"eq = keys == {literal(category_key(cat))}", "hit |= eq", f"env[{target!r}] = eq.astype(np.float64)"]
    if step.unknown == "error":
        lines += [
            "if not hit.all():",
            f"    raise ValueError('unknown category %r for field {step.inputs[0]}' % (col[np.flatnonzero(~hit)[0]],))",
        ]
    return lines


@emitter("python", Ordinal)
def _ordinal(step: Ordinal, out: PyWriter) -> list[str]:
    lines = []
    for name, target, cats in zip(step.inputs, step.outputs, step.categories, strict=True):
        index = out.const(f"INDEX_{target}", tuple((category_key(c), float(i)) for i, c in enumerate(cats)))
        unknown = "None" if step.unknown is None else literal(float(step.unknown))
        lines += [
            f"col = env[{name!r}]",
            f"index = dict({index})",
            "missing = missing_mask(col)",
            "values = []",
            "for v, m in zip(col.tolist(), missing):",
            "    k = category_key(v)",
            "    if k in index:",
            "        values.append(index[k])",
            "    elif m:",
            "        values.append(np.nan)",
            f"    elif {unknown} is None:",
            f"        raise ValueError('unknown category %r for field {name}' % (v,))",
            "    else:",
            f"        values.append({unknown})",
            f"env[{target!r}] = np.asarray(values, dtype=np.float64)",
        ]
    return lines


@emitter("python", Threshold)
def _threshold(step: Threshold, out: PyWriter) -> list[str]:
    lines = []
    for name, target in zip(step.inputs, step.outputs, strict=True):
        lines += [
            f"x = {_num(name)}",
            f"env[{target!r}] = np.where(np.isnan(x), np.nan, (x > {literal(float(step.threshold))}).astype(np.float64))",
        ]
    return lines


@emitter("python", Bin)
def _bin(step: Bin, out: PyWriter) -> list[str]:
    lines = []
    k = 0
    for name, edges in zip(step.inputs, step.edges, strict=True):
        lines += [
            f"x = {_num(name)}",
            f"index = np.searchsorted({literal(np.asarray(edges, dtype=np.float64))}, x, side='right').astype(np.float64)",
            "index[np.isnan(x)] = np.nan",
        ]
        if not step.one_hot:
            lines.append(f"env[{step.outputs[k]!r}] = index")
            k += 1
            continue
        for b in range(len(edges) + 1):
            lines.append(f"env[{step.outputs[k]!r}] = np.where(np.isnan(index), np.nan, (index == {b}).astype(np.float64))")
            k += 1
    return lines


@emitter("python", Normalize)
def _normalize(step: Normalize, out: PyWriter) -> list[str]:
    norm = {"l1": "np.abs(x).sum(axis=1)", "l2": "np.sqrt((x * x).sum(axis=1))"}.get(step.norm, "np.abs(x).max(axis=1)")
    lines = [f"x = _matrix(env, {literal(step.inputs)}, n)", f"norm = {norm}", "norm = np.where(norm == 0, 1.0, norm)"]
    lines += [f"env[{target!r}] = x[:, {j}] / norm" for j, target in enumerate(step.outputs)]
    return lines


@emitter("python", Polynomial)
def _polynomial(step: Polynomial, out: PyWriter) -> list[str]:
    lines = [f"x = _matrix(env, {literal(step.inputs)}, n)"]
    for j, target in enumerate(step.outputs):
        lines.append("y = np.ones(len(x))")
        for i, p in enumerate(np.asarray(step.powers)[j]):
            lines += [f"y = y * x[:, {i}]"] * int(p)
        lines.append(f"env[{target!r}] = y")
    return lines


@emitter("python", Project)
def _project(step: Project, out: PyWriter) -> list[str]:
    m = out.const(f"MATRIX_{step.outputs[0]}", np.asarray(step.matrix, dtype=np.float64))
    b = out.const(f"BIAS_{step.outputs[0]}", np.asarray(step.bias, dtype=np.float64))
    lines = [f"y = _matrix(env, {literal(step.inputs)}, n) @ {m}.T + {b}"]
    lines += [f"env[{target!r}] = y[:, {j}]" for j, target in enumerate(step.outputs)]
    return lines
