"""The training topic: labelled events that an online learner consumes.

``<model>-training`` carries Avro records of subject ``<model>-training-value``: the model's
feature fields (as in ``<model>-input``) plus the target, ``label`` for classifiers or
``value`` (double) for regressors; clusterers take features only. Whoever produces the
events registers the schema (``send_training`` does); the trainer reads it from the
registry, so the schema is the contract between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from interchange.errors import ConfigError, TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.transport import ensure_topics, producer
from interchange.signature import Signature, avro_name

__all__ = ["training_topic", "training_subject", "training_schema", "TARGETS", "send_training", "training_codec"]

TARGETS = ("label", "value")


def training_topic(model: str) -> str:
    return f"{model}-training"


def training_subject(model: str, topic: str | None = None) -> str:
    return f"{topic or training_topic(model)}-value"


def _target_type(values: np.ndarray) -> str:
    kind = values.dtype.kind
    return {"i": "long", "u": "long", "b": "boolean", "f": "double"}.get(kind, "string")


def training_schema(frame: Any, model: str, target: str | None, target_type: str = "double") -> dict[str, Any]:
    """Feature fields inferred from ``frame`` (a DataFrame) plus the ``target`` field (or none)."""
    fields = [f.avro() for f in Signature.infer_inputs(frame)]
    if target is not None:
        if target not in TARGETS:
            raise ConfigError(
                f"the training target is named 'label' (classifiers) or 'value' (regressors), not {target!r}", key="target"
            )
        fields.append({"name": target, "type": target_type})
    return {
        "type": "record",
        "name": "Training",
        "namespace": f"interchange.models.{avro_name(model)}",
        "doc": f"Labelled event for online training of {model}",
        "fields": fields,
    }


def training_codec(registry: Registry, model: str, topic: str | None = None) -> tuple[AvroCodec, list[str], str | None]:
    """The codec of the latest registered training schema, its feature names and target name."""
    subject = training_subject(model, topic)
    schema = registry.latest(subject)
    if schema is None:
        raise ConfigError(
            f"no schema is registered under {subject}; produce training events with interchange.kafka.training.send_training "
            "or register feature fields plus 'label' / 'value' there",
            key="topic",
        )
    names = [f["name"] for f in schema["fields"]]
    target = next((t for t in TARGETS if t in names), None)
    schema_id = registry.register(subject, schema)
    return AvroCodec(schema, schema_id, registry.schema), [n for n in names if n != target], target


def send_training(
    config: ClientConfig,
    model: str,
    frame: Any,
    target: Sequence[Any] | np.ndarray | None = None,
    *,
    kind: str = "label",
    keys: Sequence[bytes | str] | None = None,
    topic: str | None = None,
) -> int:
    """Produce a DataFrame's rows (with ``target`` as ``kind``: label or value) as training events; how many."""
    topic = topic or training_topic(model)
    y = None if target is None else np.asarray(target)
    schema = training_schema(frame, model, None if y is None else kind, "double" if y is None else _target_type(y))
    ensure_topics(config, {topic: {}})
    registry = Registry(config)
    codec = AvroCodec(schema, registry.register(training_subject(model, topic), schema), registry.schema)
    prod = producer(config)
    columns = [str(c) for c in frame.columns]
    for i, row in enumerate(frame.itertuples(index=False)):
        record = {c: (None if v != v else v) if isinstance(v, float) else v for c, v in zip(columns, row, strict=True)}
        record = {c: v.item() if isinstance(v, np.generic) else v for c, v in record.items()}
        if y is not None:
            record[kind] = y[i].item() if isinstance(y[i], np.generic) else y[i]
        key = keys[i] if keys is not None else str(i)
        prod.produce(topic, key=key.encode() if isinstance(key, str) else key, value=codec.encode(record))
        if i % 10_000 == 9_999:
            prod.poll(0)
    if prod.flush(30):
        raise TransportError(f"training events to {topic} were not delivered within 30 s", topic=topic)
    return len(frame)
