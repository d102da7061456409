"""titus2: the PFA reference implementation, record by record, with a time budget per record.

One titus2 engine per loaded document, started like a PFA host starts one (``begin`` once, then
``action`` per record in order), so cells and pools the action writes carry from record to record
and from batch to batch, as in titus2's own loop. ``score`` evaluates every record exactly once
(a refused record is reported, not re-run): the generic halving of a batch that raised would run
the records before a bad one twice and move such state on twice.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from interchange.batch import Columns
from interchange.document import Document
from interchange.errors import DocumentError, RecordError
from interchange.formats.pfa.datum import Converter
from interchange.model import Model, ModelInfo, Scored
from interchange.signature import Signature

__all__ = ["TitusModel", "RECORD_SECONDS"]

RECORD_SECONDS = 1.0  # an action running longer than this is stopped (endless loops end here)


class TitusModel(Model):
    """A PFA document evaluated by titus2."""

    def __init__(self, document: Document, signature: Signature, reason: str = "") -> None:
        from interchange.formats.pfa.titus import engine_class

        self.document = document
        self.signature = signature
        try:
            text = document.data.decode("utf-8")
            options = {"timeout": int(RECORD_SECONDS * 1000)}
            self._engine = engine_class().fromJson(text, options=options)[0]
        except Exception as exc:
            raise DocumentError(f"titus2 cannot load this PFA document: {str(exc)[:500]}", format="pfa") from exc
        try:
            self._engine.begin()  # PFA's begin section (cells it sets are what the first action sees)
        except Exception as exc:
            raise DocumentError(f"titus2 cannot run this PFA document's begin: {str(exc)[:500]}", format="pfa") from exc
        doc = json.loads(document.data)
        self._convert = Converter(doc)
        # PFA allows any Avro type as input and output; records are matched by field, others as one value.
        input_t = self._convert.named.get(doc["input"], doc["input"]) if isinstance(doc["input"], str) else doc["input"]
        output_t = self._convert.named.get(doc["output"], doc["output"]) if isinstance(doc["output"], str) else doc["output"]
        self._scalar_in, self._scalar = (not (isinstance(t, dict) and t.get("type") == "record") for t in (input_t, output_t))
        fields = [("input", input_t)] if self._scalar_in else [(f["name"], f["type"]) for f in input_t["fields"]]
        self._fields = [(name, t) for name, t in fields if name in self.signature.input_names]
        outs = [("output", output_t)] if self._scalar else [(f["name"], f["type"]) for f in output_t["fields"]]
        self._output_types = dict(outs)
        self.info = ModelInfo("pfa", "titus2", reason)

    def _predict_columns(self, columns: Columns) -> Columns:
        rows, refused = self._evaluate(columns, stop=True)
        return self._outputs(rows)

    def _score_columns(self, columns: Columns) -> Scored:
        rows, refused = self._evaluate(columns, stop=False)
        return Scored(self._outputs(rows, set(refused)), refused)

    def _evaluate(self, columns: Columns, stop: bool) -> tuple[list[Any], dict[int, RecordError]]:
        """The action's result per record, in order; a record titus2 fails is raised (``stop``) or
        kept as refused (None in ``rows``) and the records after it are still evaluated."""
        n = len(next(iter(columns.values()))) if columns else 0
        values = {name: columns[name].tolist() for name, _ in self._fields}
        rows: list[Any] = []
        refused: dict[int, RecordError] = {}
        for i in range(n):
            try:
                # each input in its declared type (an int field stays an int, not the batch's float64)
                record = {name: self._convert.datum(values[name][i], t, name) for name, t in self._fields}
                rows.append(self._engine.action(record["input"] if self._scalar_in else record))
            except Exception as exc:
                error = exc if isinstance(exc, RecordError) else None
                if error is None:
                    message = f"titus2 could not evaluate a record: {type(exc).__name__}: {str(exc)[:300]}"
                    error = RecordError(message if stop else f"row {i}: {message}", row=i)
                if stop:
                    raise error from exc
                refused[i] = error
                rows.append(None)
        return rows, refused

    def _outputs(self, rows: list[Any], refused: set[int] | None = None) -> Columns:
        gone = refused or set()
        out: Columns = {}
        for f in self.signature.outputs:
            t = self._output_types.get(f.name)
            values = [None if i in gone else (r if self._scalar else r.get(f.name)) for i, r in enumerate(rows)]
            if t is not None:
                values = [None if i in gone else self._convert.plain(v, t) for i, v in enumerate(values)]
            if f.kind in ("probability", "value", "score", "decision") and f.type != "string":  # (a reason code is text)
                out[f.name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            else:  # labels, integers, strings, arrays, maps, records: one Python value per row
                col = np.empty(len(values), dtype=object)
                for i, v in enumerate(values):  # element by element: numpy would make rows of lists a 2-D array
                    col[i] = v
                out[f.name] = col
        return out
