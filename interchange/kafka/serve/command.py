"""``interchange serve``: the HTTP API and status page under uvicorn."""

from __future__ import annotations

import logging
from typing import Any

from interchange.errors import ConfigError
from interchange.kafka.config import ClientConfig

__all__ = ["run_serve"]


def run_serve(
    config: ClientConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    model_topic: str = "interchange-models",
    metrics_topic: str = "interchange-metrics",
    alerts_topic: str = "interchange-alerts",
    engine: str = "auto",
    verify_key: Any = None,
    models: list[str] | None = None,
) -> None:
    """Serve until interrupted."""
    import uvicorn

    from interchange.kafka.registry import Registry
    from interchange.kafka.serve.app import create_app
    from interchange.kafka.serve.catalog import Catalog
    from interchange.kafka.serve.feed import StatusFeed

    if not 0 < port < 65536:
        raise ConfigError(f"port must be 1-65535, got {port}", key="port")
    from interchange.kafka.logs import configure_logging

    configure_logging()
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    registry = Registry(config)
    catalog = Catalog(config, model_topic=model_topic, verify_key=verify_key, engine=engine, registry=registry, names=models)
    feed = StatusFeed(config, registry, metrics_topic=metrics_topic, alerts_topic=alerts_topic)
    uvicorn.run(create_app(catalog, feed), host=host, port=port, log_level="info")
