"""Hostile and broken PFA documents end with an error, quickly; never a hang."""

from __future__ import annotations

import json
import time

import pytest

import interchange
from interchange.errors import DocumentError, RecordError

LOOP = {
    "input": "double",
    "output": "double",
    "action": [{"let": {"i": 0}}, {"while": {"==": [0, 0]}, "do": [{"set": {"i": {"+": ["i", 1]}}}]}, "input"],
}


def test_endless_loop_is_stopped_by_the_record_budget() -> None:
    model = interchange.load(json.dumps(LOOP).encode(), format="pfa")
    start = time.monotonic()
    with pytest.raises(RecordError):
        model.predict({"input": [1.0]})
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(
    "data",
    [b'{"input": "double", "output": "double", "action": [', b"[1, 2, 3]", b'{"input": "double"}', b"[" * 100_000],
    ids=["truncated", "not-a-document", "no-action", "deep-nesting"],
)
def test_broken_documents_are_document_errors(data: bytes) -> None:
    with pytest.raises(DocumentError):
        interchange.load(data, format="pfa")


def test_scalar_document_output_is_named_output() -> None:
    doc = {"input": "double", "output": "double", "action": [{"*": ["input", 2]}]}
    model = interchange.load(json.dumps(doc).encode())
    assert model.signature.output_names == ["output"]
    assert model.predict({"input": [1.5, 2.0]})["output"].tolist() == [3.0, 4.0]
