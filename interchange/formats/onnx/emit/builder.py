"""A small ONNX graph builder over named IR columns, in double precision.

Every tensor the builder makes is 2-D ``[N, width]``; an IR column is one column of one such
tensor. Steps that work on several columns at once (scaling, imputing, a linear model) take
them as one matrix: columns already side by side in one tensor are used as they are, others
are sliced, gathered and concatenated once and the result cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from interchange.errors import UnsupportedModelError

__all__ = ["Builder", "DOUBLE", "STRING", "INT64", "refuse"]

DOUBLE = onnx.TensorProto.DOUBLE
STRING = onnx.TensorProto.STRING
INT64 = onnx.TensorProto.INT64


def refuse(what: str) -> UnsupportedModelError:
    """The IR writer cannot express ``what``; the ONNX converter then falls back to skl2onnx."""
    return UnsupportedModelError(f"the double-precision ONNX writer has no form for {what}", format="onnx")


@dataclass
class Builder:
    """Nodes, initializers and the map from IR column names to (tensor, column)."""

    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)
    columns: dict[str, tuple[str, int]] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    guards: list[str] = field(default_factory=list)  # tensors every output must depend on (Validate)
    rows: str | None = None  # the [N, 1] shape tensor, once a step needed it
    present: set[str] = field(default_factory=set)  # derived columns that are never missing (emit/validity.py)
    _count: int = 0
    _matrices: dict[tuple[str, ...], str] = field(default_factory=dict)
    _consts: dict[tuple[Any, ...], str] = field(default_factory=dict)

    def fresh(self, hint: str) -> str:
        """A new tensor name; the dot keeps it apart from field names (Avro names have none)."""
        self._count += 1
        return f"{hint}.{self._count}"

    # --- tensors ------------------------------------------------------------------------

    def const(self, value: Any, dtype: Any = np.float64, hint: str = "c") -> str:
        """An initializer holding ``value`` (float64 unless told; object arrays become strings)."""
        array = np.asarray(value, dtype=dtype)
        key = (array.dtype.str, array.shape, array.tobytes() if array.dtype != object else tuple(array.ravel().tolist()))
        if key in self._consts:
            return self._consts[key]
        name = self.fresh(hint)
        tensor = numpy_helper.from_array(array.astype(object) if array.dtype == object else array, name)
        self.initializers.append(tensor)
        self._consts[key] = name
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None, *, domain: str = "", **attrs: Any) -> str:
        """Append one node with one output; returns the output's name."""
        out = self.fresh(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, domain=domain, **attrs))
        return out

    def ops(self, op_type: str, inputs: list[str], outputs: int, hint: str | None = None, **attrs: Any) -> list[str]:
        """Append one node with several outputs (TopK)."""
        names = [self.fresh(hint or op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=names[0], **attrs))
        return names

    def declare(self, tensor: str, width: int, elem: int = DOUBLE) -> None:
        self.widths[tensor] = width
        self.types[tensor] = elem

    def define(self, names: tuple[str, ...] | list[str], tensor: str, elem: int = DOUBLE) -> None:
        """IR columns ``names`` are the columns of ``tensor``, in order."""
        self.declare(tensor, len(names), elem)
        redefined = set(names) & set(self.columns)
        if redefined:  # a step writing a column in place (PMML's Impute of a field): matrices holding the old one are stale
            self._matrices = {k: v for k, v in self._matrices.items() if not redefined & set(k)}
        for j, name in enumerate(names):
            self.columns[name] = (tensor, j)
        self._matrices[tuple(names)] = tensor

    def elem(self, name: str) -> int:
        """The element type of IR column ``name``."""
        return self.types[self.where(name)[0]]

    def where(self, name: str) -> tuple[str, int]:
        try:
            return self.columns[name]
        except KeyError:
            raise UnsupportedModelError(f"IR step reads column {name!r} that no earlier step defines", format="onnx") from None

    # --- matrices -----------------------------------------------------------------------

    def matrix(self, names: tuple[str, ...] | list[str]) -> str:
        """A ``[N, len(names)]`` tensor holding the IR columns ``names`` in order."""
        key = tuple(names)
        if key in self._matrices:
            return self._matrices[key]
        if not key:  # (an intercept-only segment model): an [N, 0] slice of any column, as doubles
            if not self.columns:
                raise refuse("a step that reads no column")
            tensors = [t for t, _ in self.columns.values()]
            tensor = next((t for t in tensors if self.types[t] == DOUBLE), tensors[0])
            starts, ends, axes = (self.const([v], np.int64, "i") for v in (0, 0, 1))
            out = self.op("Slice", [tensor, starts, ends, axes], "none")
            if self.types[tensor] != DOUBLE:  # (only text columns: MatMul takes no text, even an empty slice)
                out = self.op("Cast", [out], "none", to=DOUBLE)
            self.declare(out, 0)
            return out
        pieces: list[tuple[str, list[int]]] = []
        for name in key:
            tensor, j = self.where(name)
            if pieces and pieces[-1][0] == tensor:
                pieces[-1][1].append(j)
            else:
                pieces.append((tensor, [j]))
        parts = [self._piece(tensor, idx) for tensor, idx in pieces]
        elems = {self.types[t] for t, _ in pieces}
        if len(elems) != 1:
            raise refuse("a step reading text and numbers together")
        out = parts[0] if len(parts) == 1 else self.op("Concat", parts, "cols", axis=1)
        self.declare(out, len(key), elems.pop())
        self._matrices[key] = out
        return out

    def _piece(self, tensor: str, idx: list[int]) -> str:
        if idx == list(range(self.widths[tensor])):
            return tensor
        if idx == list(range(idx[0], idx[-1] + 1)):
            starts, ends, axes = (self.const([v], np.int64, "i") for v in (idx[0], idx[-1] + 1, 1))
            return self.op("Slice", [tensor, starts, ends, axes], "slice")
        return self.op("Gather", [tensor, self.const(idx, np.int64, "i")], "gather", axis=1)

    def column(self, name: str) -> str:
        """A ``[N, 1]`` tensor holding one IR column."""
        return self.matrix((name,))
