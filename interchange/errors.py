"""The single error hierarchy of interchange.

Every error the toolkit raises on purpose derives from :class:`InterchangeError`. The split
follows JPMML-Evaluator's backbone: a bad *record* is dead-lettered and the stream goes on; a
bad *model* is refused (or quarantined) while the previous version keeps serving.

    InterchangeError
    ├── ConversionError            nothing was produced from an estimator
    │   ├── UnsupportedModelError  the estimator/option cannot be expressed in a format
    │   └── VerificationError      a produced document disagrees with its source
    ├── ModelError                 a document is unusable: refuse or quarantine it
    │   └── DocumentError          malformed, truncated, hostile or invalid document
    ├── RecordError                one event is unusable: dead-letter it, continue
    ├── SchemaError                signature / Avro schema problems, incompatible versions
    ├── RegistryError              Schema Registry unreachable or refused a request
    ├── TransportError             Kafka unreachable or refused a request
    ├── ConfigError                bad configuration value or key
    └── StackError                 the local Kafka + registry stack failed to start/stop

Errors carry their context as attributes (``field``, ``path``, ``subject``...), so callers
never parse messages.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "InterchangeError",
    "ConversionError",
    "UnsupportedModelError",
    "VerificationError",
    "ModelError",
    "DocumentError",
    "RecordError",
    "SchemaError",
    "RegistryError",
    "TransportError",
    "ConfigError",
    "StackError",
]


class InterchangeError(Exception):
    """Base of every error interchange raises on purpose."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context
        for key, value in context.items():
            setattr(self, key, value)


class ConversionError(InterchangeError):
    """Nothing was produced: the estimator could not be converted."""


class UnsupportedModelError(ConversionError):
    """An estimator, step or option cannot be expressed in the requested format.

    Context: ``estimator`` (class name), ``format``, ``supported_formats`` (formats that can).
    """


class VerificationError(ConversionError):
    """A document's predictions disagree with its source beyond the stated tolerance.

    Context: ``format``, ``output`` (field), ``row`` (worst row index), ``expected``,
    ``actual``, ``difference``, ``tolerance``.
    """


class ModelError(InterchangeError):
    """A model document is unusable; refuse it and keep serving the previous version."""


class DocumentError(ModelError):
    """A document is malformed, truncated, hostile or fails validation. Context: ``path``."""


class RecordError(InterchangeError):
    """One input record is unusable; dead-letter it and continue. Context: ``field``."""


class SchemaError(InterchangeError):
    """A signature or Avro schema problem, e.g. an incompatible new version. Context: ``field``."""


class RegistryError(InterchangeError):
    """The Schema Registry could not be reached or refused a request. Context: ``subject``."""


class TransportError(InterchangeError):
    """Kafka could not be reached or refused a request. Context: ``topic``."""


class ConfigError(InterchangeError):
    """A configuration key or value is wrong. Context: ``key``."""


class StackError(InterchangeError):
    """The local Kafka + Schema Registry stack could not be fetched, started or stopped."""
