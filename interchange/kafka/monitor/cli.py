"""``interchange monitor``: the command's body (registered by ``interchange/cli.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from interchange.errors import InterchangeError
from interchange.kafka.cliopts import ConfigOpt, SettingOpt

__all__ = ["monitor_command"]


def monitor_command(
    model: str = typer.Option(..., "--model", "-m", help="Name of the model to watch."),
    labels: str | None = typer.Option(None, "--labels", help="Labels topic (default <model>-labels; schema <topic>-value)."),
    rules: Path | None = typer.Option(
        None, "--rules", help="Alert rules, YAML (rules: [{name, metric, op, threshold, window, for}])."
    ),
    predictions: str | None = typer.Option(None, help="Predictions topic (default <model>-predictions)."),
    features: str | None = typer.Option(None, help="Features topic for input drift and latency (default <model>-features)."),
    dead_letter_topic: str | None = typer.Option(None, help="Dead-letter topic (default <model>-monitor-dlq)."),
    metrics_topic: str = typer.Option("interchange-metrics", help="Where Metric events go."),
    alerts_topic: str = typer.Option("interchange-alerts", help="Where Alert events go."),
    model_topic: str = typer.Option("interchange-models", help="The model topic (signature and reference profile)."),
    group: str | None = typer.Option(None, help="Consumer group (default interchange-monitor-<model>)."),
    window: float = typer.Option(300.0, help="Default metric window, seconds of event time."),
    join_window: float = typer.Option(3600.0, help="How long a prediction waits for its label, seconds of event time."),
    interval: float = typer.Option(5.0, help="Seconds between metric emissions."),
    sla_ms: float = typer.Option(1000.0, help="Latency SLA (prediction time - feature time), ms."),
    max_pending: int = typer.Option(100_000, help="Most predictions (and early labels) waiting in the join."),
    min_rows: int = typer.Option(30, help="Fewest events in a window for a drift figure."),
    idle_timeout: float | None = typer.Option(None, help="Stop after this many seconds without events."),
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Join predictions with labels; write accuracy, drift and latency metrics and alerts to Kafka."""
    from interchange.kafka.config import load_config
    from interchange.kafka.logs import configure_logging
    from interchange.kafka.monitor.monitor import Monitor, MonitorOptions
    from interchange.kafka.monitor.rules import load_rules

    configure_logging()
    try:
        options = MonitorOptions(
            model=model,
            predictions_topic=predictions,
            labels_topic=labels,
            features_topic=features,
            dead_letter_topic=dead_letter_topic,
            metrics_topic=metrics_topic,
            alerts_topic=alerts_topic,
            model_topic=model_topic,
            group=group,
            window=window,
            join_window=join_window,
            interval=interval,
            sla_ms=sla_ms,
            max_pending=max_pending,
            min_rows=min_rows,
            rules=tuple(load_rules(rules)) if rules else (),
        )
        monitor = Monitor(options, load_config(config, setting))
        typer.echo(
            f"monitoring {model} v{monitor.envelope.version}: {len(options.rules)} rules, metrics every {interval:g} s", err=True
        )
        stats = monitor.run(idle_timeout=idle_timeout)
    except InterchangeError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    summary = {"events": stats.events, "emissions": stats.emissions, "alerts": stats.alerts}
    typer.echo(json.dumps(summary), err=True)
