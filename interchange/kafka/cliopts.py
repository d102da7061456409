"""Command-line options every Kafka command shares, defined once so their flags and help agree."""

from __future__ import annotations

import typer

__all__ = ["ConfigOpt", "SettingOpt"]

ConfigOpt = typer.Option(None, "--config", "-c", help="Client settings file (.properties or .toml).")
SettingOpt = typer.Option([], "-X", help="A client setting key=value (librdkafka keys; schema.registry.* for the registry).")
