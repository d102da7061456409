"""Feature events from a file, and any Avro topic printed: the scorer tried from a terminal.

``interchange send NAME rows.csv`` types each row by ``NAME-input``'s latest schema and
produces it to ``NAME-features``; ``interchange read TOPIC`` prints the decoded events of any
topic whose values are Confluent-framed Avro (features, predictions, dead letters, metrics),
each decoded with its own writer schema and shown with the model's original column names.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaError, KafkaException, TopicPartition

from interchange.errors import InterchangeError, RecordError, SchemaError, TransportError
from interchange.kafka.avrorows import RowTyper, read_file_rows
from interchange.kafka.config import ClientConfig
from interchange.kafka.events import codec_for
from interchange.kafka.registry import AvroCodec, Registry, input_subject, unframe
from interchange.kafka.transport import consumer, ensure_topics, position, producer

__all__ = ["send_file", "read_events", "Event", "event_json", "event_table"]

TAIL = 10  # events per partition shown when neither --from-beginning nor --count says otherwise


def send_file(config: ClientConfig, model: str, path: Path, *, topic: str | None = None, key_field: str | None = None) -> int:
    """Produce every row of ``path`` as a feature event of ``model``; how many.

    Rows are typed and encoded first, so a bad row (named by line and field) sends nothing.
    The key is the ``key_field`` column's text (no key without it).
    """
    registry = Registry(config)
    subject = input_subject(model)
    schema = registry.latest(subject)
    if schema is None:
        raise SchemaError(f"no schema under {subject}: publish model {model!r} first", subject=subject)
    codec = codec_for(registry, subject)
    typer = RowTyper(schema, ignore=(key_field,) if key_field else ())
    events: list[tuple[bytes | None, bytes]] = []
    for line, row in read_file_rows(path):
        where = f"{path} line {line}"
        key = row.get(key_field) if key_field else None
        if key_field and key_field not in row:
            raise RecordError(f"{where}: no key column {key_field!r}", field=key_field)
        try:
            value = codec.encode(typer.record(row, where))
        except InterchangeError:
            raise
        except Exception as exc:  # fastavro's own complaint about a type RowTyper passes through
            raise RecordError(f"{where}: {exc}") from exc
        events.append((None if key is None or key == "" else str(key).encode(), value))
    topic = topic or f"{model}-features"
    ensure_topics(config, {topic: {}})
    prod = producer(config)
    errors: list[str] = []
    for i, (key, value) in enumerate(events):
        prod.produce(topic, key=key, value=value, on_delivery=lambda err, _m: errors.append(str(err)) if err else None)
        if i % 10_000 == 9_999:
            prod.poll(0)
    if prod.flush(30) or errors:
        raise TransportError(
            f"feature events to {topic} were not all delivered: {errors[:3] or 'timed out after 30 s'}", topic=topic
        )
    return len(events)


@dataclass(frozen=True)
class Event:
    """One decoded event; ``error`` says why ``value`` could not be decoded (it is then None)."""

    topic: str
    partition: int
    offset: int
    timestamp: int | None  # milliseconds since the epoch
    key: bytes | None
    value: dict[str, Any] | None
    error: str | None = None


class _Decoder:
    """Decodes framed Avro values with each event's own writer schema (one codec per schema id)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.codecs: dict[int, AvroCodec] = {}

    def decode(self, data: bytes | None) -> dict[str, Any] | None:
        if data is None:
            return None  # a tombstone
        schema_id, _ = unframe(data)
        codec = self.codecs.get(schema_id)
        if codec is None:
            codec = self.codecs[schema_id] = AvroCodec(self.registry.schema(schema_id), schema_id, self.registry.schema)
        return codec.decode(data)


def read_events(
    config: ClientConfig,
    topic: str,
    *,
    count: int | None = None,
    from_beginning: bool = False,
    follow: bool = False,
    idle_timeout: float = 30.0,
) -> Iterator[Event]:
    """Decoded events of ``topic``, in order within each partition.

    Starts at the beginning; else, following, at the end (new events only); else at the last
    ``count`` (or 10) events of each partition. Stops after ``count`` events, at the end of
    every partition, or (following) never.
    """
    decoder = _Decoder(Registry(config))
    cons = consumer(config, f"interchange-read-{uuid.uuid4().hex[:8]}", **{"enable.partition.eof": True})
    try:
        pending = _assign(cons, topic, None if from_beginning else 0 if follow else (count or TAIL))
        shown = 0
        last = time.monotonic()
        while follow or pending:
            if count is not None and shown >= count:
                return
            messages = cons.consume(min(500, count - shown) if count else 500, 0.5)
            if messages:
                last = time.monotonic()
            elif not follow and time.monotonic() - last > idle_timeout:
                raise TransportError(f"no events from {topic} for {idle_timeout:.0f} s before its end", topic=topic)
            for msg in messages:
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        pending.discard(position(msg)[1])
                        continue
                    raise TransportError(f"reading {topic}: {err.str()}", topic=topic)
                yield _event(msg, decoder)
                shown += 1
                if count is not None and shown >= count:
                    return
    finally:
        cons.close()


def _assign(cons: Any, topic: str, tail: int | None) -> set[int]:
    """Assign every partition at its start offset; the partitions holding events to read."""
    try:
        meta = cons.list_topics(topic, timeout=10).topics.get(topic)
    except KafkaException as exc:
        raise TransportError(f"cannot list topic {topic}: {exc.args[0]}", topic=topic) from exc
    if meta is None or meta.error is not None or not meta.partitions:
        raise TransportError(f"topic {topic} does not exist", topic=topic)
    assignment, pending = [], set()
    for p in sorted(meta.partitions):
        low, high = cons.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        start = low if tail is None else max(low, high - tail)
        assignment.append(TopicPartition(topic, p, start))
        if start < high:
            pending.add(p)
    cons.assign(assignment)
    return pending


def _event(msg: Any, decoder: _Decoder) -> Event:
    kind, ms = msg.timestamp()
    stamp = ms if kind != 0 else None  # TIMESTAMP_NOT_AVAILABLE
    try:
        return Event(msg.topic(), msg.partition(), msg.offset(), stamp, msg.key(), decoder.decode(msg.value()))
    except InterchangeError as exc:
        return Event(msg.topic(), msg.partition(), msg.offset(), stamp, msg.key(), None, exc.message)


# --- printing ---------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A JSON-ready value: bytes as text when they are UTF-8, else ``base64:...``; times in ISO 8601."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        try:
            text = data.decode()
            if text.isprintable():
                return text
        except UnicodeDecodeError:
            pass
        return "base64:" + base64.b64encode(data).decode()
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def _when(ms: int | None) -> str | None:
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_json(event: Event) -> str:
    """One JSON line: topic, partition, offset, timestamp, key, value (and error when undecodable)."""
    out = {
        "topic": event.topic,
        "partition": event.partition,
        "offset": event.offset,
        "timestamp": _when(event.timestamp),
        "key": _plain(event.key),
        "value": _plain(event.value),
    }
    if event.error:
        out["error"] = event.error
    return json.dumps(out, ensure_ascii=False, default=str)


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: value}


def event_table(events: list[Event], width: int = 32, *, fixed: bool = False) -> str:
    """A text table of ``events``: partition, offset, timestamp, key, then one column per value field.

    ``fixed``: each column as wide as its header (at least 12), so tables of one event each line up
    under one header while following a topic.
    """
    rows = []
    for e in events:
        row = {"partition": e.partition, "offset": e.offset, "timestamp": _when(e.timestamp), "key": _plain(e.key)}
        row.update(_flat(_plain(e.value)) if e.value is not None else {"error": e.error} if e.error else {})
        rows.append(row)
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]

    def cell(v: Any, width: int) -> str:
        text = "" if v is None else f"{v:.6g}" if isinstance(v, float) else str(v)
        return text if len(text) <= width else text[: width - 1] + "…"

    limits = [max(len(c), 24 if c == "timestamp" else 12) if fixed else width for c in columns]
    cells = [[cell(row.get(c), w) for c, w in zip(columns, limits, strict=True)] for row in rows]
    widths = limits if fixed else [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)
