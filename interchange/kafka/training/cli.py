"""``interchange train-online``: the command's body (registered by ``interchange/cli.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from interchange.errors import InterchangeError
from interchange.kafka.cliopts import ConfigOpt, SettingOpt

__all__ = ["train_online_command"]


def train_online_command(
    model: str = typer.Option(..., "--model", "-m", help="Name of the model to train and publish."),
    estimator: str = typer.Option(
        ..., "--estimator", "-e", help="sgd-classifier | sgd-regressor | multinomial-nb | minibatch-kmeans"
    ),
    every: int = typer.Option(1000, "--every", help="Offer a candidate every N trained events."),
    seconds: float | None = typer.Option(None, "--seconds", help="... or every T seconds (with new events)."),
    format: str | None = typer.Option(None, "--format", "-f", help="onnx | pmml | pfa (default: the live version's)."),
    topic: str | None = typer.Option(None, help="Training topic (default <model>-training; schema <topic>-value)."),
    model_topic: str = typer.Option("interchange-models", help="The model topic (live version; where versions go)."),
    group: str | None = typer.Option(None, help="Consumer group (default interchange-trainer-<model>)."),
    holdout_every: int = typer.Option(5, help="Every k-th event is held out for the gate, never trained on."),
    holdout_size: int = typer.Option(1000, help="Newest held-out events the gate judges on."),
    min_holdout: int = typer.Option(30, help="Fewest held-out events before a candidate is judged."),
    margin: float = typer.Option(0.0, help="How much worse than live a candidate may be and still pass."),
    clusters: int = typer.Option(8, help="Clusters for minibatch-kmeans."),
    max_events: int | None = typer.Option(None, help="Stop after reading this many events."),
    idle_timeout: float | None = typer.Option(None, help="Stop after this many seconds without events."),
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Learn online from labelled events; publish each candidate that is not worse than the live version."""
    from interchange.kafka.config import load_config
    from interchange.kafka.logs import configure_logging
    from interchange.kafka.training.trainer import Trainer, TrainerOptions

    configure_logging()
    try:
        options = TrainerOptions(
            model=model,
            estimator=estimator,
            every=every,
            seconds=seconds,
            format=format,
            topic=topic,
            model_topic=model_topic,
            group=group,
            holdout_every=holdout_every,
            holdout_size=holdout_size,
            min_holdout=min_holdout,
            margin=margin,
            clusters=clusters,
        )
        trainer = Trainer(options, load_config(config, setting))
        live = f"v{trainer.live.version}" if trainer.live else "none"
        typer.echo(f"training {model} with {estimator} on {trainer.topic} (live version: {live})", err=True)
        stats = trainer.run(max_events=max_events, idle_timeout=idle_timeout)
    except InterchangeError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    summary = {"events": stats.events, "trained": stats.trained, "published": stats.published, "refused": stats.refused}
    typer.echo(json.dumps(summary), err=True)
