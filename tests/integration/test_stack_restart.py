"""The local stack keeps its state: schemas and events survive `down` / `up` and one-service faults."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import uuid

import pytest

from interchange.kafka import stack
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.transport import consumer, ensure_topics, producer

pytestmark = pytest.mark.integration


@pytest.fixture
def local_stack(stack_config):
    """The local stack's own config, when the tests run against it (not a user's cluster)."""
    cfg = stack.StackConfig.from_env()
    st = stack.status(cfg)
    if stack_config.bootstrap_servers != st.bootstrap_servers or not st.up:
        message = "these tests restart the local stack; start it with `interchange stack up`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield cfg
    if not stack.status(cfg).up:  # leave it up for the rest of the suite, whatever happened
        stack.up(cfg)


def _schema(name: str, fields: list[str]) -> dict:
    return {"type": "record", "name": name, "fields": [{"name": f, "type": "double"} for f in fields]}


def _refuses(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=3)
    except urllib.error.URLError as exc:
        return isinstance(exc.reason, ConnectionRefusedError)
    return False


def _read_one(config, topic: str) -> bytes:
    cons = consumer(config, f"reader-{uuid.uuid4().hex[:8]}")
    try:
        cons.subscribe([topic])
        for _ in range(60):
            msg = cons.poll(1.0)
            if msg is not None and not msg.error():
                return msg.value()
    finally:
        cons.close()
    raise AssertionError(f"no event came back from {topic}")


def test_schemas_and_events_survive_down_and_up(local_stack, stack_config, model_name) -> None:
    registry = Registry(stack_config)
    first = _schema("Features", ["x", "y"])
    first_id = registry.register(f"{model_name}-input", first)
    other_id = registry.register(f"{model_name}-other", _schema("Other", ["z"]))
    topic = f"{model_name}-features"
    ensure_topics(stack_config, {topic: {}})
    prod = producer(stack_config)
    prod.produce(topic, key=b"k", value=AvroCodec(first, first_id, registry.schema).encode({"x": 1.5, "y": -2.25}))
    assert prod.flush(30) == 0

    assert set(stack.down(local_stack)) == {"kafka", "registry"}
    assert _refuses(f"{local_stack.registry_url}/subjects")
    stack.up(local_stack)

    fresh = Registry(stack_config)  # a new client: nothing cached from before the restart
    assert fresh.schema(first_id) == first
    assert fresh.client.get_latest_version(f"{model_name}-input").schema_id == first_id
    assert fresh.register(f"{model_name}-input", first) == first_id  # the same schema keeps its id
    event = _read_one(stack_config, topic)
    assert AvroCodec(first, first_id, fresh.schema).decode(event) == {"x": 1.5, "y": -2.25}
    new_id = fresh.register(f"{model_name}-later", _schema("Later", ["w"]))
    assert new_id not in {first_id, other_id}  # ids are never reused after a restart


def test_kill_and_start_registry_alone(local_stack, stack_config, model_name) -> None:
    schema = _schema("Killed", ["a"])
    schema_id = Registry(stack_config).register(f"{model_name}-input", schema)
    kafka_pid = stack.status(local_stack).pids["kafka"]

    assert stack.kill("registry", local_stack) is True  # SIGKILL straight after the write
    assert _refuses(f"{local_stack.registry_url}/subjects")
    assert stack.status(local_stack).pids == {"kafka": kafka_pid, "registry": None}
    assert stack.kill("registry", local_stack) is False

    stack.start_service("registry", local_stack)
    assert Registry(stack_config).schema(schema_id) == schema
    assert stack.status(local_stack).up


def test_terminate_and_start_kafka_alone(local_stack, stack_config, model_name) -> None:
    topic = f"{model_name}-events"
    ensure_topics(stack_config, {topic: {}})
    prod = producer(stack_config)
    prod.produce(topic, value=b"kept")
    assert prod.flush(30) == 0
    registry_pid = stack.status(local_stack).pids["registry"]

    assert stack.kill("kafka", local_stack, hard=False) is True
    with pytest.raises(OSError):
        import socket

        socket.create_connection(("127.0.0.1", local_stack.kafka_port), timeout=2).close()
    stack.start_service("kafka", local_stack)
    assert _read_one(stack_config, topic) == b"kept"
    assert stack.status(local_stack).pids["registry"] == registry_pid
