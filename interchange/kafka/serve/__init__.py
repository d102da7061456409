"""REST serving and the status page: ``interchange serve``.

``Catalog`` follows the model topic and loads each version through the scorer's checks;
``create_app`` puts a FastAPI app (OpenAPI at ``/openapi.json``) over it; ``StatusFeed``
reads the metrics and alerts topics for the status page at ``/``.
"""

from __future__ import annotations

from interchange.kafka.serve.app import create_app
from interchange.kafka.serve.catalog import Catalog, Version
from interchange.kafka.serve.feed import StatusFeed

__all__ = ["create_app", "Catalog", "Version", "StatusFeed"]
