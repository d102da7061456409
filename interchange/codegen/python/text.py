"""Python emitters for the IR's text functions (TextDerive) and array inputs (ArrayItems).

Both call the IR's own kernels, copied verbatim into the module (interchange.ir.kernels.text's
``text_column`` with its TEXT_FUNCTIONS and PMML's tokenizer ``words``; interchange.ir.kernels.arrays'
``array_items``), so generated code computes what the IR evaluator computes, character for
character. An array too short for the model (the IR's RecordError) is a ValueError naming the row.
"""

from __future__ import annotations

from interchange.codegen.python.expressions import expr_data
from interchange.codegen.python.module import PyWriter
from interchange.codegen.registry import emitter
from interchange.ir.derive.arrays import ArrayItems
from interchange.ir.derive.text import TextDerive

__all__: list[str] = []


@emitter("python", TextDerive)
def _text_derive(step: TextDerive, out: PyWriter) -> list[str]:
    out.need("_expr", "text_column")
    args = out.const(f"TEXT_{len(out.constants)}", tuple(expr_data(a) for a in step.arguments))
    return [f"env[{step.outputs[0]!r}] = text_column({step.function!r}, [_expr(a, env, n) for a in {args}], n)"]


@emitter("python", ArrayItems)
def _array_items(step: ArrayItems, out: PyWriter) -> list[str]:
    out.need("array_items")
    name, count = step.inputs[0], len(step.outputs)
    want = f"{step.length}" if step.length is not None else f"at least {count}"
    message = f"array field {name!r} holds %d items in row %d; the model reads {want}".replace("%", "%%").replace("%%d", "%d")
    lines = [
        # (the input as given: predict's reading of inputs as numbers or texts has no form for arrays)
        f"items, row, found = array_items(columns[{name!r}], {count}, {step.length!r})",
        "if row >= 0:",
        f"    raise ValueError({message!r} % (found, row))",
    ]
    return lines + [f"env[{target!r}] = items[:, {i}]" for i, target in enumerate(step.outputs)]
