"""Kafka clients built from the user's settings, with errors turned into TransportError.

Refused credentials (SASL) never heal by retrying, yet librdkafka only reports them to an
error callback and goes on retrying until a timeout says "transport failure". Our clients'
callback raises them as TransportError from the next ``poll`` / ``flush`` / ``consume``; the
short-lived admin client of :func:`ensure_topics` records them and raises once ``poll`` returned,
and lets go of the client before the error leaves.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

# confluent_kafka.admin re-exports NewTopic from cimpl without __all__, which mypy reads as private
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from interchange.errors import ConfigError, TransportError
from interchange.kafka.config import ClientConfig

__all__ = ["producer", "consumer", "ensure_topics", "assign_from_start", "position", "TopicSpec"]

TopicSpec = Mapping[str, Any]  # {"partitions": int, "compacted": bool}


def _refusal(err: KafkaError) -> TransportError:
    return TransportError(
        f"Kafka refused the client's credentials: {err.str()}; check security.protocol, sasl.mechanism, "
        "sasl.username and sasl.password",
        reason="authentication",
    )


def _on_error(err: KafkaError) -> None:
    if err.code() == KafkaError._AUTHENTICATION:
        raise _refusal(err)


def _client(kind: type, conf: dict[str, Any]) -> Any:
    try:
        return kind(conf)
    except KafkaException as exc:
        raise ConfigError(f"bad Kafka client settings: {exc.args[0]}", key="kafka") from exc


def producer(config: ClientConfig, **extra: Any) -> Producer:
    """A producer; ``extra`` keys (e.g. ``linger.ms``) sit under the user's own settings."""
    conf = {"linger.ms": 5, "enable.idempotence": True, "log_level": 3, "error_cb": _on_error, **extra, **config.kafka}
    return _client(Producer, conf)


def consumer(config: ClientConfig, group: str, **extra: Any) -> Consumer:
    conf = {
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "log_level": 3,
        "error_cb": _on_error,
        **extra,
        **config.kafka,
    }
    return _client(Consumer, conf)


def ensure_topics(config: ClientConfig, topics: Mapping[str, TopicSpec], timeout: float = 30.0) -> None:
    """Create missing topics (compacted where asked); existing topics are left alone."""
    refused: list[KafkaError] = []  # recorded by the callback, raised here once poll has returned

    def on_error(err: KafkaError) -> None:
        if err.code() == KafkaError._AUTHENTICATION:
            refused.append(err)

    admin = _client(AdminClient, {"log_level": 3, "error_cb": on_error, **config.kafka})
    try:
        deadline = time.monotonic() + timeout
        existing: set[str] | None = None
        while existing is None:  # in slices, so refused credentials surface (from poll) within a second or so
            failed = _listed(admin, max(0.1, min(1.0, deadline - time.monotonic())))
            if isinstance(failed, set):
                existing = failed
                continue
            # raised here, outside the except clause: a KafkaException's traceback holds the admin client
            # (confluent-kafka's list_topics frame), and so would an error chained to it
            admin.poll(0)
            if refused:
                raise _refusal(refused[0])
            if time.monotonic() >= deadline:
                raise TransportError(f"cannot reach Kafka at {config.bootstrap_servers}: {failed}")
        new = []
        for name, spec in topics.items():
            if name in existing:
                continue
            conf = {"cleanup.policy": "compact"} if spec.get("compacted") else {}
            new.append(NewTopic(name, num_partitions=int(spec.get("partitions", 1)), replication_factor=-1, config=conf))
        if not new:
            return
        for name, future in admin.create_topics(new, operation_timeout=timeout).items():
            try:
                future.result(timeout)
            except KafkaException as exc:
                if "TOPIC_ALREADY_EXISTS" not in str(exc):
                    raise TransportError(f"cannot create topic {name}: {exc.args[0]}", topic=name) from exc
    except BaseException:
        # the raised error's traceback holds this frame: a caller that keeps the error (a retry loop, a log
        # record) must not keep the client alive with it, its threads reconnecting and logging the refusal
        admin = None
        raise


def _listed(admin: AdminClient, timeout: float) -> set[str] | KafkaError:
    """The cluster's topic names, or why they could not be listed (the error alone, without its traceback)."""
    try:
        return set(admin.list_topics(timeout=timeout).topics)
    except KafkaException as exc:
        return exc.args[0]


def assign_from_start(cons: Consumer, topic: str, what: str) -> list[TopicPartition]:
    """Assign every partition of ``topic`` from its beginning (readers of compacted topics: models,
    routes); TransportError naming ``what`` when Kafka cannot say which partitions there are."""
    try:
        meta = cons.list_topics(topic, timeout=15)
    except KafkaException as exc:
        raise TransportError(f"cannot read {what} {topic}: {exc.args[0]}", topic=topic) from exc
    parts = meta.topics[topic].partitions if topic in meta.topics else {}
    assigned = [TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(parts)]
    cons.assign(assigned)
    return assigned


def position(msg: Message) -> tuple[str, int, int]:
    """A consumed message's ``(topic, partition, offset)``, typed without ``None``.

    confluent-kafka types these accessors ``X | None``: they are None only on a producer's message
    before delivery, which consumers never see; anything else is a broken client, not a bad record.
    """
    topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
    if topic is None or partition is None or offset is None:
        raise TransportError(f"Kafka gave a message without a position: topic {topic}, partition {partition}, offset {offset}")
    return topic, partition, offset
