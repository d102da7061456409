"""Lineage on the real stack: Avro fields by default, headers when asked, and models published before
the lineage fields existed.

v1 is published the way earlier releases did (its output schema has ``model {name, version,
format}`` only); v2 by this release, into the same ``<model>-output`` subject: the registry takes
it as BACKWARD compatible. A scorer pinned to v1 writes v1's schema and, since that schema has no
``source`` field, the lineage headers; one serving v2 writes the fields and no headers, which a
consumer holding the old schema reads by Avro resolution; with ``lineage_headers`` both.
"""

from __future__ import annotations

import io

import fastavro
import pytest

import interchange
from interchange.kafka.events import send_features
from interchange.kafka.registry import AvroCodec, Registry, output_subject
from interchange.kafka.scorer import Route, ScorerOptions
from interchange.signature import Signature
from tests.integration.scoring import Running, drain, iris, wait

pytestmark = pytest.mark.integration


def _old_output_schema(self: Signature, model: str) -> dict:
    """The output schema as releases before the lineage fields wrote it."""
    schema = _new_output_schema(self, model)
    fields = [f for f in schema["fields"] if f["name"] != "source"]
    ref = next(f for f in fields if f["name"] == "model")
    ref["type"]["fields"] = [f for f in ref["type"]["fields"] if f["name"] in ("name", "version", "format")]
    return {**schema, "fields": fields}


_new_output_schema = Signature.output_schema


def test_lineage_fields_headers_on_request_and_models_published_before(stack_config, model_name, monkeypatch) -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = iris()
    v1 = interchange.convert(LogisticRegression(max_iter=500).fit(X, y), "onnx", sample=X)
    with monkeypatch.context() as patch:
        patch.setattr(Signature, "output_schema", _old_output_schema)
        interchange.publish(v1, name=model_name, config=stack_config)
    registry = Registry(stack_config)
    old_schema = registry.latest(output_subject(model_name))
    assert "source" not in {f["name"] for f in old_schema["fields"]}
    v2 = interchange.convert(LogisticRegression(max_iter=500, C=0.05).fit(X, y), "pmml", sample=X)
    env2 = interchange.publish(v2, name=model_name, config=stack_config)  # the changed subject takes the new schema
    assert Registry(stack_config).latest(output_subject(model_name)) == v2.signature.output_schema(model_name)  # no cache

    keys = [f"k{i}" for i in range(60)]
    send_features(stack_config, model_name, X.iloc[:60], keys=keys)
    features = f"{model_name}-features"
    runs = {
        "v1": Route(features, model_name, pinned=1, output_topic=f"{model_name}-v1"),
        "v2": Route(features, model_name, output_topic=f"{model_name}-v2"),
        "headers": Route(features, model_name, output_topic=f"{model_name}-headers"),
    }
    for run, route in runs.items():
        options = ScorerOptions(routes=(route,), group=f"{model_name}-{run}", batch_size=25, lineage_headers=run == "headers")
        with Running(stack_config, options=options) as scorer:
            wait(lambda s=scorer: s.stats.scored >= 60, what=f"{run} scored")

    def read(run: str) -> list[tuple[object, dict]]:
        msgs = drain(stack_config, runs[run].output, 60, committed=False, settle=1.0)
        assert len(msgs) == 60
        out = []
        for m in msgs:
            schema_id = int.from_bytes(m.value()[1:5], "big")
            out.append((m, AvroCodec(registry.schema(schema_id), schema_id, registry.schema).decode(m.value())))
        return out

    def source_of(msg) -> str:
        return f"{features}/{msg.partition()}/{msg.offset()}"

    inputs = {m.key(): m for m in drain(stack_config, features, 60, committed=False, settle=1.0)}

    # v1, published before: its own schema (no lineage fields), and the headers instead
    for msg, rec in read("v1"):
        assert set(rec) == {f.name for f in v1.signature.outputs} | {"model"}
        assert "source" not in rec and rec["model"] == {"name": model_name, "version": 1, "format": "onnx"}
        h = {k: v.decode() for k, v in msg.headers()}
        assert (h["interchange.model"], h["interchange.version"], h["interchange.role"]) == (model_name, "1", "base")
        assert h["interchange.source"] == source_of(inputs[msg.key()])

    # v2: the fields, no headers
    for msg, rec in read("v2"):
        assert msg.headers() is None
        ref = rec["model"]
        assert ref == {"name": model_name, "version": 2, "format": "pmml", "sha256": env2.sha256, "role": "base"}
        src = inputs[msg.key()]
        assert rec["source"] == {"topic": features, "partition": src.partition(), "offset": src.offset()}
        # a consumer holding the old schema reads it by Avro resolution
        writer = fastavro.parse_schema(v2.signature.output_schema(model_name))
        old = fastavro.parse_schema(old_schema)
        back = fastavro.schemaless_reader(io.BytesIO(msg.value()[5:]), writer, old)
        assert back["model"] == {"name": model_name, "version": 2, "format": "pmml"} and "source" not in back

    # asked for: fields and headers, saying the same
    for msg, rec in read("headers"):
        h = {k: v.decode() for k, v in msg.headers()}
        ref, src = rec["model"], rec["source"]
        assert (h["interchange.model"], h["interchange.version"], h["interchange.format"]) == (ref["name"], "2", ref["format"])
        assert (h["interchange.sha256"], h["interchange.role"]) == (ref["sha256"], ref["role"])
        assert h["interchange.source"] == f"{src['topic']}/{src['partition']}/{src['offset']}" == source_of(inputs[msg.key()])
