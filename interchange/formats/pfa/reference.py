"""titus2: the PFA reference implementation, record by record, with a time budget per record."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from interchange.batch import Columns, to_records
from interchange.document import Document
from interchange.errors import DocumentError, RecordError
from interchange.model import Model, ModelInfo
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
        doc = json.loads(document.data)
        # PFA allows any Avro type as input and output; records are matched by field, others as one value.
        self._scalar_in, self._scalar = (
            not (isinstance(doc[k], dict) and doc[k].get("type") == "record") for k in ("input", "output")
        )
        self.info = ModelInfo("pfa", "titus2", reason)

    def _predict_columns(self, columns: Columns) -> Columns:
        rows: list[Any] = []
        for record in to_records(columns):
            try:
                rows.append(self._engine.action(record["input"] if self._scalar_in else record))
            except Exception as exc:
                raise RecordError(f"titus2 could not evaluate a record: {type(exc).__name__}: {str(exc)[:300]}") from exc
        out: Columns = {}
        for f in self.signature.outputs:
            values = [r if self._scalar else r.get(f.name) for r in rows]
            numeric = f.kind in ("probability", "value", "score", "decision")
            out[f.name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64 if numeric else object)
        return out
