"""The labels topic: the true outcome of a scored event, keyed like the event itself.

``<model>-labels`` carries Avro records of subject ``<model>-labels-value``: for a classifier
``{"label": <class>}`` typed like the model's ``label`` output, for a regressor
``{"value": <double>}``. The Kafka key is the feature event's key, which the scorer keeps
on the prediction; the monitor joins the two by it. Labels may come late, out of order or
never; see :mod:`interchange.kafka.monitor.join`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from interchange.errors import SchemaError, TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.transport import ensure_topics, producer
from interchange.signature import Signature, avro_name

__all__ = ["labels_topic", "labels_subject", "labels_schema", "label_field", "labels_codec", "send_labels"]

_AVRO = {"double": "double", "integer": "long", "string": "string", "boolean": "boolean"}


def labels_topic(model: str) -> str:
    return f"{model}-labels"


def labels_subject(model: str, topic: str | None = None) -> str:
    """Topic-name strategy: ``<topic>-value``."""
    return f"{topic or labels_topic(model)}-value"


def label_field(signature: Signature) -> tuple[str, str]:
    """``(field name, Avro type)`` of the label record: ``label`` for classifiers, ``value`` for regressors."""
    if signature.task == "classification":
        found = signature.output("label")
        return "label", _AVRO[found[0].type if found else "string"]
    if signature.task == "regression":
        return "value", "double"
    raise SchemaError(f"a {signature.task} model has no labels to monitor (only classifiers and regressors)", field="task")


def labels_schema(signature: Signature, model: str) -> dict[str, Any]:
    """The Avro schema of ``model``'s label records."""
    name, kind = label_field(signature)
    return {
        "type": "record",
        "name": "Label",
        "namespace": f"interchange.models.{avro_name(model)}",
        "doc": f"True outcome of an event scored by {model}, keyed like the feature event",
        "fields": [{"name": name, "type": kind}],
    }


def labels_codec(registry: Registry, signature: Signature, model: str, topic: str | None = None) -> AvroCodec:
    """Register (idempotently) the labels schema under ``<topic>-value`` and return its codec."""
    schema = labels_schema(signature, model)
    return AvroCodec(schema, registry.register(labels_subject(model, topic), schema), registry.schema)


def send_labels(
    config: ClientConfig,
    model: str,
    signature: Signature,
    labels: Iterable[tuple[bytes | str, Any]] | Iterable[tuple[bytes | str, Any, int]],
    *,
    topic: str | None = None,
) -> int:
    """Produce ``(key, label[, timestamp_ms])`` items to the labels topic; how many."""
    topic = topic or labels_topic(model)
    ensure_topics(config, {topic: {}})
    codec = labels_codec(Registry(config), signature, model, topic)
    name, _ = label_field(signature)
    prod = producer(config)
    count = 0
    for item in labels:
        key, value = item[0], item[1]
        stamp = int(item[2]) if len(item) > 2 else 0  # 0: librdkafka stamps the current time
        prod.produce(topic, key=key.encode() if isinstance(key, str) else key, value=codec.encode({name: value}), timestamp=stamp)
        count += 1
        if count % 10_000 == 0:
            prod.poll(0)
    if prod.flush(30):
        raise TransportError(f"labels to {topic} were not delivered within 30 s", topic=topic)
    return count
