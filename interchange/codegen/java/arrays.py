"""Java for the IR's array inputs (ArrayItems): an array input's items read from its block of slots.

An array input (signature type "array": a PFA ``{"type": "array", "items": "double"}``) takes a
block of numeric slots in the generated class: its length (NaN for a missing array), then its first
``width`` items (NaN past its end), ``width`` being the most items any ArrayItems step reads (or the
exact length one demands). The class's ``slots`` fills the block from a ``double[]``, a List or an
Object[] (the ``arrays`` helper of interchange.codegen.java.runtime); ``predict(double[])`` takes the
``width`` items in the input's place. ArrayItems checks the length as the IR does (interchange.ir.kernels.arrays): a present array
shorter than the items read, or not of the exact length the model demands, is the record's fault,
an IllegalArgumentException naming the field (the IR's RecordError; never an index out of bounds).
Its columns are the block's item slots, which nothing writes again.
"""

from __future__ import annotations

from typing import Any

from interchange.codegen.java.writer import JavaWriter, jstring
from interchange.codegen.registry import emitter, nodes
from interchange.errors import UnsupportedModelError
from interchange.ir.derive.arrays import ArrayItems

__all__ = ["array_widths"]


def array_widths(graph: Any) -> dict[str, int]:
    """Per array input, the items the class keeps: the most any ArrayItems step reads, or the exact length one demands."""
    widths: dict[str, int] = {}
    for node in nodes((tuple(graph.steps), graph.model)):
        if isinstance(node, ArrayItems):
            name = node.inputs[0]
            widths[name] = max(widths.get(name, 0), len(node.outputs), node.length or 0)
    return widths


@emitter("java", ArrayItems)
def _array_items(step: ArrayItems, out: JavaWriter) -> list[str]:
    (name,) = step.inputs
    if name not in out.arrays:
        raise UnsupportedModelError(f"ArrayItems reads {name!r}, which is not an array input", format="java", field=name)
    first, width = out.arrays[name]
    count = len(step.outputs)
    assert width >= count, (name, width, count)  # (array_widths sized the block for every step)
    n = f"v[{first}]"
    bad = f"{n} < {count}" + (f" || {n} != {step.length}" if step.length is not None else "")
    want = f"{step.length}" if step.length is not None else f"at least {count}"
    said = f"{jstring(f'array field {name!r} holds ')} + (long) {n} + {jstring(f' items; the model reads {want}')}"
    for i, target in enumerate(step.outputs):
        out.alias(target, first + 1 + i)
    return [f"if (!Double.isNaN({n}) && ({bad})) {{", f"    throw new IllegalArgumentException({said});", "}"]
