"""The scorer's batch codec: Kafka messages to model columns, model outputs to Avro bytes.

Flat feature schemas are decoded a batch at a time (:class:`~interchange.kafka.registry.columnar.ColumnarDecoder`)
and predictions encoded the same way (:class:`~interchange.kafka.registry.colencode.ColumnarEncoder`);
anything else goes record by record through the model's :class:`~interchange.kafka.registry.AvroCodec`,
as before. Both ways give the same records and the same bytes (tests/unit/test_columnar*.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from confluent_kafka import Message

from interchange.errors import RecordError
from interchange.kafka.registry.colencode import ColumnarEncoder
from interchange.kafka.registry.columnar import ColumnarDecoder
from interchange.kafka.scorer.live import LiveModel
from interchange.signature import MODEL_REF, SOURCE_REF, Signature

__all__ = ["BatchCodec", "Inputs", "Source", "output_rows"]


Source = dict[str, Any]  # the scored events: {"topic": str, "partition": int array, "offset": int array}


@dataclass
class Inputs:
    """A decoded batch: the messages that decoded (in order), what the model takes, and the dead."""

    kept: list[Message]
    batch: dict[str, np.ndarray] | list[dict[str, Any]]
    dead: list[tuple[Message, RecordError]]

    def __len__(self) -> int:
        return len(self.kept)


class BatchCodec:
    """Decoders and encoders for the live versions, built once per version.

    ``columnar=False`` decodes and encodes record by record (the reference the columnar path is tested against).
    """

    def __init__(self, *, columnar: bool = True) -> None:
        self.columnar = columnar
        self._cache: dict[int, tuple[LiveModel, ColumnarDecoder, ColumnarEncoder]] = {}
        self.fast_records = 0  # records decoded the vectorised way, for benchmarks and tests

    def _codecs(self, live: LiveModel) -> tuple[ColumnarDecoder, ColumnarEncoder]:
        hit = self._cache.get(id(live))
        if hit is None or hit[0] is not live:
            if len(self._cache) > 8:
                self._cache.clear()
            hit = self._cache[id(live)] = (live, ColumnarDecoder(live.input_codec), ColumnarEncoder(live.output_codec))
        return hit[1], hit[2]

    def decode(self, live: LiveModel, messages: list[Message], max_event_bytes: int) -> Inputs:
        """Decode a batch; events over ``max_event_bytes`` or that do not decode are dead with their reason."""
        values: list[Any] = list(map(Message.value, messages))
        errors: dict[int, RecordError] = {}
        if None in values:  # a tombstone: fastavro's error names it
            sizes = np.array([0 if v is None else len(v) for v in values], dtype=np.int64)
        else:
            sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        for i in np.flatnonzero(sizes > max_event_bytes).tolist():
            errors[i] = RecordError(f"event is {sizes[i]} bytes, over the scorer's limit of {max_event_bytes}")
        if self.columnar:
            decoded = self._codecs(live)[0].decode(values, errors)
            self.fast_records += decoded.columnar
            kept = messages if len(decoded.rows) == len(messages) else [messages[i] for i in decoded.rows.tolist()]
            dead = [(messages[i], exc) for i, exc in sorted(decoded.errors.items())]
            return Inputs(kept, decoded.model_batch(), dead)
        kept, records, dead = [], [], []
        for i, (msg, v) in enumerate(zip(messages, values, strict=True)):
            try:
                if i in errors:
                    raise errors[i]
                records.append(live.input_codec.decode(v))
                kept.append(msg)
            except RecordError as exc:
                dead.append((msg, exc))
        return Inputs(kept, records, dead)

    def encode(self, live: LiveModel, outputs: dict[str, np.ndarray], n: int, role: str, source: Source | None) -> list[bytes]:
        """The framed Avro prediction of each of ``n`` rows of outputs, with its lineage: the model
        reference (with ``role``) and ``source``, the scored events' topic and their partitions and
        offsets as arrays (a schema published without these fields leaves them out)."""
        if n == 0:
            return []
        ref = {**live.ref, "role": role}
        if self.columnar:
            columns: dict[str, Any] = _output_columns(outputs, live.model.signature)
            if source is not None:
                columns[SOURCE_REF] = source
            encoded = self._codecs(live)[1].encode(columns, n, {MODEL_REF: ref})
            if encoded is not None:
                return encoded
        return [live.output_codec.encode(row) for row in output_rows(outputs, live.model.signature, ref, source)]


def _output_columns(outputs: dict[str, np.ndarray], signature: Signature) -> dict[str, Any]:
    return {f.name: outputs[f.name] for f in signature.outputs}


def output_rows(
    outputs: dict[str, np.ndarray], signature: Signature, ref: dict[str, Any], source: Source | None = None
) -> list[dict[str, Any]]:
    """Per-row output records with values cast to each field's Avro type (NaN → null), the model
    reference and (when given) each row's source event."""
    cols = {}
    for f in signature.outputs:
        col = np.asarray(outputs[f.name])
        if f.type == "double" and col.dtype.kind == "f" and not np.isnan(col).any():
            cols[f.name] = col.tolist()  # already plain floats: skip the per-value cast
        else:
            cols[f.name] = [_cast(v, f.type) for v in col.tolist()]
    names = list(cols)
    rows = [dict(zip(names, values, strict=True), model=ref) for values in zip(*cols.values(), strict=True)]
    if source is not None:
        topic = source["topic"]
        for row, p, o in zip(rows, np.asarray(source["partition"]).tolist(), np.asarray(source["offset"]).tolist(), strict=True):
            row[SOURCE_REF] = {"topic": topic, "partition": p, "offset": o}
    return rows


def _cast(v: Any, kind: str) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if kind in ("array", "avro"):  # vectors, maps, records: already plain values in their Avro shape
        return v.tolist() if isinstance(v, np.ndarray) else v
    if kind == "double":
        return float(v)
    if kind == "integer":
        return int(v)
    if kind == "boolean":
        return bool(v)
    return v if isinstance(v, str) else str(v)
