"""``interchange score`` and ``interchange route set|rm|list``: the scorer's commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from interchange.errors import ConfigError, InterchangeError
from interchange.kafka.cliopts import ConfigOpt, SettingOpt

if TYPE_CHECKING:
    from interchange.kafka.config import ClientConfig

T = TypeVar("T")

__all__ = ["score_command", "route_app"]

route_app = typer.Typer(help="Routes on the routes topic: which model (and version policy) scores which input topic.")

_TopicOpt = typer.Option("interchange-routes", "--routes-topic", help="The compacted routes topic.")


def _run(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except InterchangeError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


def _config(config: Path | None, settings: list[str]) -> ClientConfig:
    from interchange.kafka.config import load_config

    return load_config(config, settings)


def score_command(
    model: str | None = typer.Option(None, "--model", "-m", help="Serve one model (shorthand for one `latest` route)."),
    routes: Path | None = typer.Option(None, "--routes", help="Routes file (YAML): input topic -> model + version policy."),
    routes_topic: str | None = typer.Option(
        None, help="Follow this routes topic (default: interchange-routes unless only --model is given)."
    ),
    input_topic: str | None = typer.Option(None, help="With --model: feature topic (default <model>-features)."),
    output_topic: str | None = typer.Option(None, help="With --model: prediction topic (default <model>-predictions)."),
    dead_letter_topic: str | None = typer.Option(None, help="With --model: dead-letter topic (default <model>-dlq)."),
    model_topic: str = typer.Option("interchange-models", help="The model topic to follow."),
    group: str | None = typer.Option(None, help="Consumer group (default interchange-scorer-<model>, or interchange-scorer)."),
    guarantee: str = typer.Option("at-least-once", help="at-least-once | exactly-once (Kafka transactions)."),
    instance_id: str | None = typer.Option(
        None, help="Static group membership id: a restarted scorer with the same id gets its partitions back at once."
    ),
    verify_key: Path | None = typer.Option(
        None, envvar="INTERCHANGE_VERIFY_KEY", help="Ed25519 public key (PEM): refuse unsigned or wrongly signed versions."
    ),
    batch_size: int = typer.Option(1000, help="Events per batch."),
    max_records: int | None = typer.Option(None, help="Stop after this many events."),
    idle_timeout: float | None = typer.Option(None, help="Stop after this many seconds without events."),
    engine: str = typer.Option("auto", help="auto | fast | reference"),
    metrics_port: int | None = typer.Option(None, help="Serve Prometheus /metrics and /healthz on this port."),
    metrics_host: str = typer.Option("127.0.0.1", help="Address for --metrics-port (127.0.0.1 keeps it on this machine)."),
    metrics_topic: str = typer.Option("interchange-metrics", help="Metric events go here ('' for none)."),
    metrics_interval: float = typer.Option(10.0, help="Seconds between metric events."),
    lineage_headers: bool = typer.Option(
        False,
        "--lineage-headers/--no-lineage-headers",
        envvar="INTERCHANGE_LINEAGE_HEADERS",
        help="Also write the interchange.* lineage headers on every prediction (lineage is always in its Avro fields).",
    ),
    log_format: str = typer.Option("text", help="text | json (one JSON object per log line)."),
    status: bool | None = typer.Option(
        None, "--status/--no-status", help="A one-line status every few seconds (default: on a terminal)."
    ),
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Run the universal scorer for one model or many routes until stopped (SIGTERM finishes the batch in flight)."""
    from interchange.kafka.logs import configure_logging
    from interchange.kafka.scorer import Scorer, ScorerOptions, load_routes
    from interchange.kafka.scorer.observe.status import StatusPrinter

    def body() -> None:
        configure_logging(log_format)
        # --model alone keeps to its one route; with a routes file, or nothing, the routes topic is followed
        follow = routes_topic if routes_topic is not None else (None if model and routes is None else "interchange-routes")
        if guarantee not in ("at-least-once", "exactly-once"):
            raise ConfigError(f"guarantee {guarantee!r} must be at-least-once or exactly-once", key="guarantee")
        opts = ScorerOptions(
            model,
            input_topic,
            output_topic,
            dead_letter_topic,
            model_topic,
            group,
            batch_size,
            engine=engine,
            guarantee=guarantee,  # type: ignore[arg-type]  # typer hands a str; ScorerOptions checks it
            instance_id=instance_id,
            verify_key=verify_key,
            routes=tuple(load_routes(routes)) if routes else (),
            routes_topic=follow or None,
            metrics_topic=metrics_topic or None,
            metrics_interval=metrics_interval,
            metrics_port=metrics_port,
            metrics_host=metrics_host,
            lineage_headers=lineage_headers,
        )
        scorer = Scorer(opts, _config(config, setting))
        if scorer.server is not None:
            typer.echo(f"metrics on http://{metrics_host}:{scorer.server.port}/metrics", err=True)
        show = sys.stderr.isatty() if status is None else status
        printer = StatusPrinter(scorer.stats).start() if show else None
        try:
            stats = scorer.run(max_records=max_records, idle_timeout=idle_timeout)
        finally:
            if printer is not None:
                printer.stop()
        typer.echo(json.dumps(stats.__dict__, default=str), err=True)

    _run(body)


@route_app.command("set")
def route_set(
    input_topic: str = typer.Argument(..., help="The feature topic this route consumes."),
    model: str = typer.Option(..., "--model", "-m", help="Model name."),
    pinned: int | None = typer.Option(None, help="Serve this version (rollback = pin an older one); default latest."),
    canary: int | None = typer.Option(None, help="Canary version, scoring --fraction of events by key hash."),
    fraction: float | None = typer.Option(None, help="Canary share, 0 < f < 1."),
    shadow: int | None = typer.Option(None, help="Shadow version: also scores every event into <model>-shadow."),
    tolerance: float = typer.Option(1e-6, help="Shadow agreement tolerance for numeric outputs."),
    output_topic: str | None = typer.Option(None, help="Prediction topic (default <model>-predictions)."),
    dead_letter_topic: str | None = typer.Option(None, help="Dead-letter topic (default <model>-dlq)."),
    topic: str = _TopicOpt,
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Set (or replace) the route of an input topic; running scorers follow without a restart."""
    from interchange.kafka.scorer import Route, set_route

    def body() -> None:
        route = Route(input_topic, model, pinned, canary, fraction, shadow, tolerance, output_topic, dead_letter_topic)
        set_route(_config(config, setting), route, topic)
        typer.echo(route.describe())

    _run(body)


@route_app.command("rm")
def route_rm(
    input_topic: str = typer.Argument(..., help="The feature topic whose route is retired."),
    topic: str = _TopicOpt,
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Retire a route (a tombstone): scorers stop serving the topic; its events wait, uncommitted."""
    from interchange.kafka.scorer import retire_route

    _run(lambda: retire_route(_config(config, setting), input_topic, topic))


@route_app.command("list")
def route_list(
    as_json: bool = typer.Option(False, "--json", help="One JSON object per route."),
    topic: str = _TopicOpt,
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """The routes on the routes topic now."""
    from interchange.kafka.scorer import read_routes

    def body() -> None:
        for route in read_routes(_config(config, setting), topic):
            typer.echo(
                json.dumps({k: v for k, v in route.to_record().items() if k != "updated_at"}) if as_json else route.describe()
            )

    _run(body)
