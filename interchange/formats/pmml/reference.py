"""pypmml (PMML4S on a JVM): the PMML reference runtime, and the fallback for rare elements.

One JVM per process, started on first use. Whole batches go through one DataFrame call;
result columns are matched to the signature's output names (with <Output> declared, pypmml
returns only the Output fields).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from interchange.batch import Columns
from interchange.document import Document
from interchange.errors import DocumentError, RecordError
from interchange.model import Model, ModelInfo
from interchange.signature import Signature

__all__ = ["PypmmlModel"]


class PypmmlModel(Model):
    """A PMML document evaluated by pypmml."""

    def __init__(self, document: Document, signature: Signature, reason: str = "") -> None:
        from pypmml import Model as _Pypmml

        self.document = document
        self.signature = signature
        try:
            self._model = _Pypmml.fromString(document.data.decode("utf-8"))
        except Exception as exc:
            raise DocumentError(f"pypmml cannot load this PMML document: {str(exc)[:500]}", format="pmml") from exc
        self.info = ModelInfo("pmml", "pypmml", reason)

    def _predict_columns(self, columns: Columns) -> Columns:
        frame = pd.DataFrame({f.name: columns[f.name] for f in self.signature.inputs})
        try:
            result = self._model.predict(frame)
        except Exception as exc:
            raise RecordError(f"pypmml could not evaluate the batch: {str(exc)[:500]}") from exc
        out: Columns = {}
        for f in self.signature.outputs:
            if f.name not in result.columns:
                raise DocumentError(f"pypmml's result has no column {f.name!r} (it has {list(result.columns)})", format="pmml")
            col = result[f.name].to_numpy()
            out[f.name] = col.astype(np.float64) if f.kind in ("probability", "value", "score", "decision") else col
        return out
