"""Java emitters for the IR's transform steps: each returns statements computing its columns into the slots."""

from __future__ import annotations

import numpy as np

from interchange.batch import category_key
from interchange.codegen.java.expressions import column_key, is_category
from interchange.codegen.java.writer import GATHER, JavaWriter, jdouble, jstring
from interchange.codegen.registry import emitter
from interchange.ir.derive.transforms import Bin, Impute, Normalize, OneHot, Ordinal, Polynomial, Project, Scale, Threshold

__all__: list[str] = []


def _equals(out: JavaWriter, column: str, key: str | None) -> str:
    """Java condition: column ``column`` holds the category whose key is ``key`` (None: it is missing)."""
    if key is None:
        return f"{out.text(column)} == null" if out.is_text(column) else f"Double.isNaN({out.num(column)})"
    return is_category(out, column, key)


def _missing(out: JavaWriter, column: str) -> str:
    return f"{out.text(column)} == null" if out.is_text(column) else f"Double.isNaN({out.num(column)})"


@emitter("java", Impute)
def _impute(step: Impute, out: JavaWriter) -> list[str]:
    lines = []
    for name, target, value in zip(step.inputs, step.outputs, step.values, strict=False):
        if out.is_text(name):
            text = value if isinstance(value, str) else category_key(value)
            src = out.text(name)
            lines.append(f"{out.new_text(target)} = {src} == null ? {jstring(text)} : {src};")
        else:
            src = out.num(name)
            lines.append(f"{out.new_num(target)} = Double.isNaN({src}) ? {jdouble(float(value))} : {src};")
    return lines


@emitter("java", Scale)
def _scale(step: Scale, out: JavaWriter) -> list[str]:
    lines = []
    for i, (name, target) in enumerate(zip(step.inputs, step.outputs, strict=True)):
        o, d, f, s = (jdouble(float(p[i])) for p in (step.offset, step.divisor, step.factor, step.shift))
        lines.append(f"{out.new_num(target)} = ({out.num(name)} - {o}) / {d} * {f} + {s};")
    return lines


def _many(keys: list[str | None]) -> bool:
    """Categories looked up in a static map rather than compared one by one (too many for one method)."""
    return len(keys) > GATHER and None not in keys


def _unknown(out: JavaWriter, column: str) -> str:
    shown = out.text(column) if out.is_text(column) else out.num(column)
    return f'throw new IllegalArgumentException("unknown category " + {shown} + " for field " + {jstring(column)});'


@emitter("java", OneHot)
def _one_hot(step: OneHot, out: JavaWriter) -> list[str]:
    column = step.inputs[0]
    keys = [category_key(c) for c in step.categories]
    if _many(keys) and len(set(keys)) == len(keys):
        at = out.positions("one_hot", keys)
        n = min(len(keys), len(step.outputs))
        first = out.slot_count
        for target in step.outputs[:n]:
            out.new_num(target)
        lines = [
            f"int at = {at}.getOrDefault({column_key(out, column)}, -1);",
            f"for (int j = 0; j < {n}; j++) {{ v[{first} + j] = j == at ? 1.0 : 0.0; }}",
        ]
        return lines + ([f"if (at < 0) {{ {_unknown(out, column)} }}"] if step.unknown == "error" else [])
    conditions = [_equals(out, column, category_key(c)) for c in step.categories]
    lines = [f"{out.new_num(target)} = ({cond}) ? 1.0 : 0.0;" for target, cond in zip(step.outputs, conditions, strict=False)]
    if step.unknown == "error":
        hit = " || ".join(f"({c})" for c in conditions) or "false"
        shown = out.text(column) if out.is_text(column) else out.num(column)
        lines += [
            f"if (!({hit})) {{",
            f'    throw new IllegalArgumentException("unknown category " + {shown} + " for field " + {jstring(column)});',
            "}",
        ]
    return lines


@emitter("java", Ordinal)
def _ordinal(step: Ordinal, out: JavaWriter) -> list[str]:
    lines = []
    for name, target, cats in zip(step.inputs, step.outputs, step.categories, strict=True):
        keys_in_order = [category_key(c) for c in cats]
        if _many(keys_in_order):  # (a repeated key keeps its last position, as the IR's dict)
            at = out.positions("ordinal", keys_in_order)
            found = f"int at = {at}.getOrDefault({column_key(out, name)}, -1);"
            slot = out.new_num(target)
            other = f"{slot} = {jdouble(float(step.unknown))};" if step.unknown is not None else _unknown(out, name)
            missing = _missing(out, name)
            lines += ["{", f"    {found}", f"    if (at >= 0) {{ {slot} = at; }} else if ({missing}) {{ {slot} = Double.NaN; }}"]
            lines += [f"    else {{ {other} }}", "}"]
            continue
        slot = out.new_num(target)
        index = {category_key(c): float(i) for i, c in enumerate(cats)}
        keys = list(
            dict.fromkeys(category_key(c) for c in cats)
        )  # one branch per key; a repeated key keeps its last index, as in the IR's dict
        branches = [f"if ({_equals(out, name, key)}) {{ {slot} = {jdouble(index[key])}; }}" for key in keys]
        branches.append(f"if ({_missing(out, name)}) {{ {slot} = Double.NaN; }}")
        if step.unknown is None:
            shown = out.text(name) if out.is_text(name) else out.num(name)
            other = f'{{ throw new IllegalArgumentException("unknown category " + {shown} + " for field " + {jstring(name)}); }}'
        else:
            other = f"{{ {slot} = {jdouble(float(step.unknown))}; }}"
        lines.append(" else ".join([*branches, other]))
    return lines


@emitter("java", Threshold)
def _threshold(step: Threshold, out: JavaWriter) -> list[str]:
    t = jdouble(float(step.threshold))
    return [
        f"{out.new_num(target)} = Double.isNaN({out.num(name)}) ? Double.NaN : ({out.num(name)} > {t} ? 1.0 : 0.0);"
        for name, target in zip(step.inputs, step.outputs, strict=True)
    ]


@emitter("java", Bin)
def _bin(step: Bin, out: JavaWriter) -> list[str]:
    lines = []
    k = 0
    for name, edges in zip(step.inputs, step.edges, strict=True):
        x = out.num(name)
        # numpy searchsorted(side="right"): the number of edges <= x
        count = " + ".join(f"({x} >= {jdouble(e)} ? 1 : 0)" for e in edges) or "0"
        lines.append(f"index = Double.isNaN({x}) ? Double.NaN : (double) ({count});")
        if not step.one_hot:
            lines.append(f"{out.new_num(step.outputs[k])} = index;")
            k += 1
            continue
        for b in range(len(edges) + 1):
            lines.append(f"{out.new_num(step.outputs[k])} = Double.isNaN(index) ? Double.NaN : (index == {b}.0 ? 1.0 : 0.0);")
            k += 1
    return ["double index;", *lines] if lines else lines


@emitter("java", Normalize)
def _normalize(step: Normalize, out: JavaWriter) -> list[str]:
    accumulate = {"l1": "norm += Math.abs(x);", "l2": "norm += x * x;"}.get(step.norm, "norm = Math.max(norm, Math.abs(x));")
    lines = [out.vector(step.inputs, "normalised"), "double norm = 0.0;", f"for (double x : normalised) {{ {accumulate} }}"]
    if step.norm == "l2":
        lines.append("norm = Math.sqrt(norm);")
    lines.append("norm = norm == 0 ? 1.0 : norm;")
    lines += [f"{out.new_num(target)} = normalised[{j}] / norm;" for j, target in enumerate(step.outputs)]
    return ["{", *("    " + line for line in lines), "}"]


@emitter("java", Polynomial)
def _polynomial(step: Polynomial, out: JavaWriter) -> list[str]:
    lines = [out.vector(step.inputs, "base")]
    for j, target in enumerate(step.outputs):
        factors = ["1.0"]
        for i, p in enumerate(np.asarray(step.powers)[j]):
            factors += [f"base[{i}]"] * int(p)
        lines.append(f"{out.new_num(target)} = {' * '.join(factors)};")
    return ["{", *("    " + line for line in lines), "}"]


@emitter("java", Project)
def _project(step: Project, out: JavaWriter) -> list[str]:
    matrix = np.asarray(step.matrix, dtype=np.float64)
    m = out.array(f"matrix_{step.outputs[0]}", matrix)
    b = out.array(f"bias_{step.outputs[0]}", np.asarray(step.bias, dtype=np.float64))
    n = matrix.shape[1]
    lines = [out.vector(step.inputs, "projected")]
    for j, target in enumerate(step.outputs):
        lines += [
            "total = 0.0;",
            f"for (int i = 0; i < {n}; i++) {{ total += projected[i] * {m}[{j * n} + i]; }}",
            f"{out.new_num(target)} = total + {b}[{j}];",
        ]
    return ["{", "    double total;", *("    " + line for line in lines), "}"]
