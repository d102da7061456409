"""Schema Registry use: subjects, compatibility, and the Confluent wire format.

Any registry speaking the Confluent Schema Registry REST API works (Confluent, Apicurio's
``/apis/ccompat/v7``, Karapace); confluent-kafka's SchemaRegistryClient does the talking.
"""

from __future__ import annotations

from interchange.kafka.registry.client import Registry, input_subject, output_subject
from interchange.kafka.registry.shape import same_shape
from interchange.kafka.registry.wire import AvroCodec, frame, unframe

__all__ = ["Registry", "input_subject", "output_subject", "AvroCodec", "frame", "unframe", "same_shape"]
