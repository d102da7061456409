"""What reading a document into the IR gave: a graph, or the reasons it could not, element by element."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interchange.batch import to_columns, typed_outputs
from interchange.errors import ModelError
from interchange.ir.graph import Graph, evaluate
from interchange.signature import Signature

__all__ = ["Lifted", "Reason", "Unliftable"]


@dataclass(frozen=True)
class Reason:
    """One element of a document the IR cannot hold, and why.

    ``path`` names the element the way the format does: an XPath-like path for PMML
    (``/PMML/MiningModel/Segmentation/Segment[2]/TreeModel``), a JSON pointer for PFA, the node
    name and operator for ONNX.
    """

    path: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}: {self.why}"


class Unliftable(Exception):
    """Raised inside a lifter for one element; collected into :attr:`Lifted.reasons`."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.reason = Reason(path, why)


@dataclass(frozen=True)
class Lifted:
    """A document read into the IR: ``graph`` when every element lifted, else the ``reasons``.

    ``lifted`` lists the elements that did lift (with the IR step each became), so a partial
    result still shows what the IR holds of the document.
    """

    format: str
    signature: Signature
    graph: Graph | None
    reasons: tuple[Reason, ...] = ()
    lifted: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.graph is not None and not self.reasons

    def predict(self, batch: Any) -> dict[str, np.ndarray]:
        """The lifted graph's outputs for a batch (columns, DataFrame or records), by the IR evaluator."""
        if self.graph is None:
            raise ModelError(f"the {self.format} document did not lift into the IR: " + "; ".join(map(str, self.reasons)))
        out = evaluate(self.graph, to_columns(batch, self.signature))
        # an integer output (a regression's integer target) typed as every engine's is: the value truncated toward
        # zero (interchange.batch.typed_outputs; formats/pmml/departures.py "integer target of a regression")
        whole = [f for f in self.signature.outputs if f.type == "integer"]
        return {**out, **typed_outputs({f.name: out[f.name] for f in whole}, whole)} if whole else out

    def report(self) -> str:
        """Lines saying what lifted (path -> IR step) and what did not (path: why)."""
        lines = [f"{self.format}: {'lifted' if self.ok else 'not lifted'}"]
        lines += [f"  ok   {path} -> {step}" for path, step in self.lifted]
        lines += [f"  no   {r}" for r in self.reasons]
        return "\n".join(lines)
