"""Python emitter for Chain (interchange.ir.combine.chain): each segment's model as a local function, called
in order; its figures become columns of ``env`` (NaN where its predicate is not TRUE) before the next
segment runs, and the result is the IR's own kernel (interchange.ir.kernels.segments.first_of, copied
by source) over the segments in reverse: the last one that fired."""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.expressions import cast, expr_data, predicate_data
from interchange.codegen.python.models.segments import _finish
from interchange.codegen.python.module import PyWriter, class_index, literal
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.combine.chain import Chain, Link

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


def _figure(link: Link, result: str, own: tuple[object, ...] | None, out: PyWriter) -> str:
    if link.expression is not None:
        out.need("_expr")
        tree = out.const(f"EXPR_{len(out.constants)}", expr_data(link.expression))
        return cast(f"_expr({tree}, env, n)", "double", out)
    if link.part == "value":
        return f"np.asarray({result}['value'], dtype=np.float64)"
    if own is None:
        raise UnsupportedModelError(f"generated code has no form for chain link {link.name!r}", format="python")
    return f"np.asarray({result}['probabilities'], dtype=np.float64)[:, {class_index(list(own), link.category)}]"


@emitter("python", Chain)
def _chain(step: Chain, out: PyWriter) -> Emitted:
    out.need("_truth", "first_of")
    lines: list[str] = []
    for i, seg in enumerate(step.segments):
        name = out.const("_chain_segment", 0).lower()
        out.constants.pop()
        body, parts = lookup("python", seg.model)(seg.model, out)
        own = getattr(seg.model, "classes", None)
        classes = out.const("SEGMENT_CLASSES", np.array(list(own), dtype=object)) if own is not None else None
        body = [*body, *_finish(parts, classes)]
        if classes is not None and "label" not in parts and ("probabilities" in parts or "decision" in parts):
            parts = {**parts, "label": "label"}
        returned = ", ".join(f"{k!r}: {v}" for k, v in parts.items() if k in ("value", "probabilities", "label"))
        lines += [
            f"def {name}(env, n):",
            *("    " + b for b in body),
            f"    return {{{returned}, 'classes': {classes or 'None'}}}",
        ]
        if seg.when is not None:
            lines.append(f"on_{i} = _truth({out.const('CHAIN_PREDICATE', predicate_data(seg.when))}, env, n)[0]")
        else:
            lines.append(f"on_{i} = np.ones(n, dtype=bool)")
        lines.append(f"result_{i} = {name}(env, n)")
        for link in seg.links:
            lines.append(f"env[{link.name!r}] = np.where(on_{i}, {_figure(link, f'result_{i}', own, out)}, np.nan)")
    k = range(len(step.segments) - 1, -1, -1)
    classes = literal(tuple(step.classes)) if step.classes is not None else "None"
    lines.append(
        f"value, probabilities, label = first_of([{', '.join(f'result_{i}' for i in k)}], "
        f"[{', '.join(f'on_{i}' for i in k)}], {classes}, n)"
    )
    if step.classes is None:
        return lines, {"value": "value"}
    return lines, {"probabilities": "probabilities", "label": "label"}
