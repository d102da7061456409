"""The model topic: versioned ModelEnvelopes on a compacted Kafka topic, keyed by model name.

``publish`` registers a model's Avro contract and appends its next version; ``ModelFollower``
reads the topic from the beginning and keeps up with it, which is how the scorer hot-swaps.
Documents larger than one Kafka message travel as chunk records keyed ``name/version/index``.
"""

from __future__ import annotations

from interchange.modeltopic.envelope import DEFAULT_MODEL_TOPIC, Envelope
from interchange.modeltopic.follow import ModelFollower, latest_versions
from interchange.modeltopic.publish import Published, publish

__all__ = ["DEFAULT_MODEL_TOPIC", "Envelope", "ModelFollower", "latest_versions", "Published", "publish"]
