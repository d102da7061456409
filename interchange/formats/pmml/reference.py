"""pypmml (PMML4S on a JVM): the PMML reference runtime, and the fallback for rare elements.

One JVM per process, started on first use. Whole batches go through one call, as JSON we
write ourselves: pypmml's own DataFrame path uses pandas ``to_json``, which keeps 10
significant digits and moved values by up to ~5e-11 (measured), enough to put a row on the
other side of a split or bin edge. Result columns are matched to the signature's output names
(with <Output> declared, pypmml returns only the Output fields).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from interchange.batch import Columns, is_missing
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
        names = [f.name for f in self.signature.inputs]
        rows = [list(r) for r in zip(*(_plain(columns[n]) for n in names), strict=True)]
        try:
            results = [self._call(names, rows)]
        except Exception:
            # pypmml 1.5.8's JSON batch path fails on some documents (its CombinedSeries of
            # selectAll segment outputs): evaluate record by record through its dict API instead
            results = []
            for i, row in enumerate(rows):
                try:
                    answer = self._model.predict(dict(zip(names, row, strict=True)))
                    results.append({"columns": list(answer), "data": [list(answer.values())]})
                except Exception as exc:
                    raise RecordError(f"row {i}: pypmml could not evaluate it: {str(exc)[:500]}", row=i) from exc
        out: Columns = {}
        for f in self.signature.outputs:
            values = []
            for result in results:
                index = {name: i for i, name in enumerate(result.get("columns", []))}
                if f.name not in index:
                    raise DocumentError(f"pypmml's result has no column {f.name!r} (it has {list(index)})", format="pmml")
                values += [row[index[f.name]] for row in result["data"]]
            if f.kind in ("probability", "value", "score", "decision") and f.type != "string":
                out[f.name] = np.array([np.nan if v is None or v == _LONG_MIN else v for v in values], dtype=np.float64)
            else:  # pypmml writes a missing integer prediction as Long.MIN_VALUE
                out[f.name] = np.array([None if v == _LONG_MIN and f.type == "integer" else v for v in values], dtype=object)
        return out

    def _call(self, names: list[str], rows: list[list[Any]]) -> dict[str, Any]:
        return json.loads(self._model.call("predict", json.dumps({"columns": names, "data": rows})))


_LONG_MIN = -(2**63)


def _plain(col: np.ndarray) -> list[Any]:
    """JSON-ready values, full precision (``json`` writes floats with ``repr``); missing -> null."""
    return [None if is_missing(v) else (v.item() if hasattr(v, "item") else v) for v in col.tolist()]
