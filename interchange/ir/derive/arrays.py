"""Array inputs read item by item: a column of per-row numeric arrays as one column per item.

PFA documents take arrays as inputs (titus2's k-means producer scores ``{"type": "array",
"items": "double"}``); the IR's steps read numeric columns, so :class:`ArrayItems` puts item
``i`` of each row's array into column ``outputs[i]``. A missing array gives missing items; an
array shorter than the items read (or of another length where the model needs exactly
``length`` items, as PFA's model functions do) is that record's fault: a RecordError naming the
row, as titus2 fails the record.
"""

from __future__ import annotations

from dataclasses import dataclass

from interchange.errors import RecordError
from interchange.ir.graph import Env, Step
from interchange.ir.kernels.arrays import array_items

__all__ = ["ArrayItems"]


@dataclass(frozen=True)
class ArrayItems(Step):
    """Items ``0 .. len(outputs) - 1`` of the array column ``inputs[0]`` as columns ``outputs``.

    ``length``: the exact number of items every present array must hold (None: at least
    ``len(outputs)``).
    """

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    length: int | None = None

    def apply(self, env: Env) -> None:
        (name,) = self.inputs
        n = len(self.outputs)
        out, row, found = array_items(env[name], n, self.length)
        if row >= 0:
            want = f"{self.length}" if self.length is not None else f"at least {n}"
            raise RecordError(f"array field {name!r} holds {found} items; the model reads {want}", field=name, row=row)
        for i, column in enumerate(self.outputs):
            env[column] = out[:, i]
