"""The columnar path scores exactly like the record-by-record path, on the real stack.

Two scorers read the same feature topic (their own groups and output topics): one decodes and
encodes a batch at a time, the other record by record with fastavro. Events carry iris's own
column names (not legal Avro), nulls, a second writer schema id and a few broken payloads; the
two must write byte-identical predictions and the same dead letters.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.registry import AvroCodec, Registry, input_subject
from interchange.kafka.scorer import ScorerOptions
from interchange.kafka.scorer.batch.columns import BatchCodec
from interchange.kafka.transport import ensure_topics, producer
from tests.integration.scoring import Running, dead_letters, drain, wait

pytestmark = pytest.mark.integration


def _events(config, name: str) -> tuple[list[tuple[bytes, bytes]], int]:
    """(key, value) feature events: the model's own schema, another writer schema, nulls, broken ones."""
    X, _ = load_iris(return_X_y=True, as_frame=True)
    registry = Registry(config)
    own_id = registry.client.get_latest_version(input_subject(name)).schema_id
    reader = registry.schema(own_id)
    own = AvroCodec(reader, own_id, registry.schema)
    writer = {  # a producer's own schema: every field, in another order, and one more
        "type": "record",
        "name": reader["name"],
        "namespace": reader.get("namespace"),
        "fields": [{"name": "source", "type": "string"}, *reversed(reader["fields"])],
    }
    other = AvroCodec(writer, registry.register(f"{name}-producer-value", writer), registry.schema)
    events = []
    for i, row in enumerate(X.to_dict("records")):
        if i % 7 == 3:
            row[X.columns[i % 4]] = None
        if i % 3 == 0:
            events.append((f"k{i}".encode(), other.encode({**row, "source": "lab"})))
        else:
            events.append((f"k{i}".encode(), own.encode(row)))
    good = len(events)
    events += [
        (b"bad1", own.encode(X.iloc[0].to_dict())[:-3]),
        (b"bad2", own.encode(X.iloc[1].to_dict()) + b"\x00"),
        (b"bad3", b"\x00\x00"),
    ]
    return events, good


def test_columnar_and_record_by_record_scorers_write_the_same_predictions(stack_config, model_name) -> None:
    X, y = load_iris(return_X_y=True, as_frame=True)  # "sepal length (cm)", ...: mapped to legal Avro names
    est = LogisticRegression(max_iter=500).fit(X, y)
    interchange.publish(interchange.convert(est, "onnx", sample=X), name=model_name, config=stack_config)
    features = f"{model_name}-features"
    ensure_topics(stack_config, {features: {}})
    events, good = _events(stack_config, model_name)
    prod = producer(stack_config)
    for key, value in events:
        prod.produce(features, key=key, value=value)
    prod.flush(30)

    runs = {}
    for path in ("columnar", "records"):
        options = ScorerOptions(
            model=model_name,
            group=f"{model_name}-{path}",
            output_topic=f"{model_name}-{path}-predictions",
            dead_letter_topic=f"{model_name}-{path}-dlq",
            batch_size=40,
        )
        running = Running(stack_config, options=options)
        running.scorer.batch_codec = BatchCodec(columnar=path == "columnar")
        with running as scorer:
            wait(lambda s=scorer: s.stats.scored + s.stats.dead_lettered >= len(events), what=f"{path} scorer done")
        runs[path] = running.scorer

    assert runs["columnar"].batch_codec.fast_records > 0 and runs["records"].batch_codec.fast_records == 0
    out = {}
    for path in runs:
        preds = drain(stack_config, f"{model_name}-{path}-predictions", runs[path].stats.scored, settle=1.0)
        out[path] = {m.key(): (m.value(), m.headers()) for m in preds}
    assert out["columnar"] == out["records"]  # byte for byte, lineage fields included (and no headers on either)
    assert runs["columnar"].stats.scored == runs["records"].stats.scored > 0

    dead = {path: dead_letters(stack_config, f"{model_name}-{path}-dlq", runs[path].stats.dead_lettered) for path in runs}
    reasons = {path: sorted((d["key"], d["reason"]) for d in dead[path]) for path in runs}
    assert reasons["columnar"] == reasons["records"]
    assert {b"bad1", b"bad2", b"bad3"} <= {k for k, _ in reasons["columnar"]}
    assert len(out["columnar"]) + len(dead["columnar"]) == len(events)

    # and the predictions are the model's (nulls aside, which the model refuses or scores alike on both paths)
    schema_id = int.from_bytes(next(iter(out["columnar"].values()))[0][1:5], "big")
    codec = AvroCodec(Registry(stack_config).schema(schema_id), schema_id, Registry(stack_config).schema)
    complete = [i for i in range(good) if i % 7 != 3]
    got = np.array([codec.decode(out["columnar"][f"k{i}".encode()][0])["label"] for i in complete])
    assert got.tolist() == est.predict(X.iloc[complete]).tolist()
