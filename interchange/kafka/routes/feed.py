"""The routes topic: a compacted topic of Route records keyed by input topic; a tombstone retires a route.

:class:`RouteFeed` reads it from the beginning and keeps up (a scorer changes routes without a
restart); :func:`set_route`, :func:`retire_route` and :func:`read_routes` are what
``interchange route set|rm|list`` call.
"""

from __future__ import annotations

import logging
import time
import uuid

from confluent_kafka import KafkaError, KafkaException, TopicPartition

from interchange.errors import TransportError
from interchange.kafka.config import ClientConfig
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.routes.route import DEFAULT_ROUTES_TOPIC, Route
from interchange.kafka.transport import assign_from_start, consumer, ensure_topics, producer
from interchange.resources import avro_schema

__all__ = ["RouteFeed", "set_route", "retire_route", "read_routes", "route_codec"]

log = logging.getLogger("interchange.kafka.scorer")


def route_codec(registry: Registry, topic: str = DEFAULT_ROUTES_TOPIC) -> AvroCodec:
    schema = avro_schema("route")
    return AvroCodec(schema, registry.register(f"{topic}-value", schema), registry.schema, original_names=False)


class RouteFeed:
    """Routes on the routes topic, read to its end at start and followed afterwards.

    ``routes`` maps input topic -> Route; ``retired`` holds input topics a tombstone removed
    (they override routes from a file too). Unreadable records are logged and skipped.
    """

    def __init__(self, config: ClientConfig, topic: str = DEFAULT_ROUTES_TOPIC, registry: Registry | None = None) -> None:
        self.topic = topic
        ensure_topics(config, {topic: {"compacted": True}})
        self.codec = route_codec(registry or Registry(config), topic)
        self.routes: dict[str, Route] = {}
        self.retired: set[str] = set()
        self._consumer = consumer(config, f"interchange-routes-{uuid.uuid4().hex[:8]}")
        self._parts = assign_from_start(self._consumer, topic, "routes topic")

    def poll(self, timeout: float = 0.0) -> bool:
        """Apply new records; True when any route changed."""
        changed = False
        for msg in self._consumer.consume(500, timeout):
            err = msg.error()
            if err is not None:
                if err.code() != KafkaError._PARTITION_EOF:
                    log.debug("routes topic: %s", err)
                continue
            changed |= self._take(msg.key(), msg.value())
        return changed

    def read_to_end(self, timeout: float = 10.0) -> None:
        """Apply every record up to the topic's current end; TransportError when Kafka does not answer in time."""
        deadline = time.monotonic() + timeout
        ends: dict[int, int] = {}
        for tp in self._parts:
            try:
                low, high = self._consumer.get_watermark_offsets(tp, timeout=max(deadline - time.monotonic(), 0.5))
            except KafkaException as exc:
                raise TransportError(
                    f"cannot read the end of routes topic {self.topic}: {exc.args[0]}", topic=self.topic
                ) from exc
            if high > low:
                ends[tp.partition] = high
        while ends:
            if time.monotonic() >= deadline:
                raise TransportError(f"timed out after {timeout:g} s reading routes topic {self.topic}", topic=self.topic)
            self.poll(0.2)
            positions = self._consumer.position([TopicPartition(self.topic, p) for p in ends])
            for tp in positions:
                if tp.offset >= ends[tp.partition]:
                    del ends[tp.partition]

    def _take(self, key: bytes | None, value: bytes | None) -> bool:
        if key is None:
            log.warning("routes topic: a record without a key (the input topic) was skipped")
            return False
        topic = key.decode("utf-8", "replace")
        if value is None:
            self.retired.add(topic)
            self.routes.pop(topic, None)
            return True
        try:
            route = Route.from_record(self.codec.decode(value))
        except Exception as exc:  # a bad route record must not stop the scorer
            log.error("routes topic: record for %s skipped: %s", topic, getattr(exc, "message", None) or exc)
            return False
        if route.input_topic != topic:
            log.error("routes topic: record keyed %s names input topic %s; skipped", topic, route.input_topic)
            return False
        self.retired.discard(topic)
        changed = self.routes.get(topic) != route
        self.routes[topic] = route
        return changed

    def close(self) -> None:
        self._consumer.close()


def _produce(config: ClientConfig, topic: str, key: str, value: bytes | None) -> None:
    ensure_topics(config, {topic: {"compacted": True}})
    prod = producer(config)
    prod.produce(topic, key=key.encode(), value=value)
    if prod.flush(30):
        raise TransportError(f"the route for {key} was not written to {topic} within 30 s", topic=topic)


def set_route(config: ClientConfig, route: Route, topic: str = DEFAULT_ROUTES_TOPIC) -> None:
    """Write (or replace) a route; every scorer following ``topic`` picks it up without a restart."""
    _produce(config, topic, route.input_topic, route_codec(Registry(config), topic).encode(route.to_record()))


def retire_route(config: ClientConfig, input_topic: str, topic: str = DEFAULT_ROUTES_TOPIC) -> None:
    """A tombstone: scorers stop serving ``input_topic``."""
    _produce(config, topic, input_topic, None)


def read_routes(config: ClientConfig, topic: str = DEFAULT_ROUTES_TOPIC) -> list[Route]:
    """The routes on the topic now, by input topic."""
    feed = RouteFeed(config, topic)
    try:
        feed.read_to_end()
    finally:
        feed.close()
    return [feed.routes[t] for t in sorted(feed.routes)]
