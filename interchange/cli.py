"""The ``interchange`` command line: convert, check, codegen, eval, publish, keygen, score, route, send, read, sink, serve,
stack."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from interchange.errors import ConversionError, InterchangeError
from interchange.kafka.cliopts import ConfigOpt, SettingOpt

app = typer.Typer(
    help="ML models from the notebook to a Kafka stream through ONNX, PMML and PFA.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _run(fn: Callable[[], Any]) -> Any:
    """Run a command body; an InterchangeError becomes a one-line message and exit code 1."""
    try:
        return fn()
    except InterchangeError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


def _config(config: Path | None, settings: list[str]) -> Any:
    from interchange.kafka.config import load_config

    return load_config(config, settings)


def _document_or_estimator(path: Path) -> Any:
    """A model document (sniffed by content) loaded, else a joblib estimator."""
    from interchange.model import formats, get_format, load

    head = path.read_bytes() if path.is_file() else b""
    if any(get_format(name).sniff(head) for name in formats()):
        return load(path)
    return _load_estimator(path)


def _load_estimator(path: Path) -> Any:
    """A fitted estimator from a joblib/pickle file (only open files you trust: pickle runs code)."""
    import joblib

    return joblib.load(path)


def _read_sample(path: Path) -> Any:
    from interchange.files.evaluate import read_rows

    return next(iter(read_rows(path)))


@app.command()
def convert(
    estimator: Path = typer.Argument(
        ..., help="A fitted estimator saved with joblib (trusted files only), or a PMML / PFA / ONNX document."
    ),
    sample: Path | None = typer.Option(
        None, "--sample", "-s", help="Sample rows (.csv/.jsonl): signature and verification cases (documents: optional)."
    ),
    format: str = typer.Option("onnx", "--format", "-f", help="onnx | pmml | pfa"),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the document."),
    pmml_engine: str | None = typer.Option(
        None,
        "--pmml-engine",
        help="MODULE:FUNCTION, a second PMML engine ((document, signature) -> Model) verifying a PMML side "
        "where pypmml departs from PMML 4.4 (interchange/formats/pmml/departures.py); documents only, trusted code only.",
    ),
) -> None:
    """Convert a fitted estimator, or a document in another format, to a verified ONNX, PMML or PFA document."""
    from interchange.convert import convert as do_convert

    def body() -> None:
        source = _document_or_estimator(estimator)
        if sample is None and not hasattr(source, "document"):
            raise ConversionError("converting an estimator needs --sample rows")
        rows = _read_sample(sample) if sample is not None else None
        if pmml_engine is not None:
            if not hasattr(source, "document"):
                raise ConversionError("--pmml-engine applies to converting a document, not an estimator")
            from interchange.crossformat import convert_document, pmml_engine_at

            converted = convert_document(source, format, sample=rows, pmml_engine=pmml_engine_at(pmml_engine))
        else:
            converted = do_convert(source, format, sample=rows)
        converted.save(output)
        result = converted.verification.result
        typer.echo(
            f"wrote {output} ({converted.document.size} bytes); verified on {result.rows if result else 0} rows, "
            f"max |diff| {result.max_diff if result else 0:.3g}",
            err=True,
        )

    _run(body)


@app.command()
def check(
    estimator: Path = typer.Argument(..., help="A fitted estimator or pipeline saved with joblib (trusted files only)."),
) -> None:
    """Show which formats can represent each step of a fitted pipeline, and why not."""
    from interchange.check import check as do_check
    from interchange.check import format_table

    _run(lambda: typer.echo(format_table(do_check(_load_estimator(estimator)))))


@app.command()
def codegen(
    estimator: Path = typer.Argument(
        ..., help="A PMML / PFA / ONNX document that lifts into the IR, or a fitted estimator (joblib; trusted files only)."
    ),
    sample: Path | None = typer.Option(
        None, "--sample", "-s", help="Sample rows (.csv/.jsonl): verification cases (an estimator needs them: its signature too)."
    ),
    lang: str = typer.Option("python", "--lang", "-l", help="python | java"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write the source (default: stdout)."),
    class_name: str | None = typer.Option(None, "--class-name", help="Java class name (default Model)."),
    package: str | None = typer.Option(None, "--package", help="Java package of the class."),
    test_output: Path | None = typer.Option(None, "--test-output", help="Java: also write a JUnit 5 test replaying the cases."),
) -> None:
    """Write a model document or a fitted estimator as one self-contained Python module (numpy) or Java class."""
    from interchange.codegen import codegen as do_codegen

    def body() -> None:
        from interchange.lift import lift
        from interchange.model import Model

        model = _document_or_estimator(estimator)
        rows = _read_sample(sample) if sample is not None else None
        source = lift(model) if isinstance(model, Model) else model  # (a document is generated from its IR)
        generated = do_codegen(source, lang, sample=rows, class_name=class_name, package=package)
        if output is None:
            typer.echo(generated.source)
        else:
            generated.save(output)
            checked = f"; replayed {generated.result.rows} verification cases" if generated.result else ""
            typer.echo(f"wrote {output} ({len(generated.source)} characters){checked}", err=True)
        if test_output is not None:
            test_output.write_text(generated.test_source())
            typer.echo(f"wrote {test_output}", err=True)

    _run(body)


@app.command("lift")
def lift_(model: Path = typer.Argument(..., help="A PMML, PFA or ONNX document.")) -> None:
    """Read a document into the IR: what lifted (element -> IR step) and what did not, and why."""
    from interchange.lift import lift

    def body() -> None:
        lifted = lift(model)
        typer.echo(lifted.report())
        if not lifted.ok:
            raise typer.Exit(1)

    _run(body)


@app.command("eval")
def eval_(
    model: Path = typer.Argument(..., help="An ONNX, PMML or PFA document."),
    input: Path = typer.Option(..., "--input", "-i", help="Rows as .csv, .jsonl, .parquet or .avro."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Output file: .jsonl, .csv or .parquet (default: JSON lines on stdout)."
    ),
    engine: str = typer.Option("auto", help="auto | fast | reference"),
    chunk_rows: int = typer.Option(10_000, help="Rows read, evaluated and written at a time."),
    progress: bool | None = typer.Option(None, "--progress/--no-progress", help="A progress bar (default: on a terminal)."),
) -> None:
    """Evaluate a model document over rows from a file, a chunk at a time; no Kafka needed."""
    from interchange.files.evaluate import evaluate_chunks
    from interchange.files.rows import open_writer
    from interchange.model import load

    def body() -> None:
        loaded = load(model, engine=engine)
        if not input.is_file():
            raise InterchangeError(f"no input file at {input}")
        writer, opened = open_writer(output, loaded.signature, sys.stdout)
        show = sys.stderr.isatty() if progress is None else progress
        try:
            with typer.progressbar(length=input.stat().st_size, label="evaluating", file=sys.stderr, hidden=not show) as bar:
                done = [0]

                def advance(position: int) -> None:
                    bar.update(position - done[0])
                    done[0] = position

                rows, failed = evaluate_chunks(loaded, input, writer.write, chunk_rows=max(chunk_rows, 1), progress=advance)
        finally:
            writer.close()
            if opened is not None:
                opened.close()
        typer.echo(f"{rows} rows evaluated by {loaded.info.engine}" + (f", {failed} failed" if failed else ""), err=True)
        if failed:
            raise typer.Exit(1)

    _run(body)


@app.command()
def info(model: Path = typer.Argument(..., help="An ONNX, PMML or PFA document.")) -> None:
    """Show a document's format, engine and signature."""
    from interchange.model import load

    def body() -> None:
        loaded = load(model)
        typer.echo(
            json.dumps(
                {
                    "format": loaded.info.format,
                    "engine": loaded.info.engine,
                    "reason": loaded.info.reason,
                    **({"inputs": loaded.info.details["inputs"]} if "inputs" in loaded.info.details else {}),
                    **({"writer": loaded.info.details["writer"]} if "writer" in loaded.info.details else {}),
                    "signature": loaded.signature.to_dict(),
                },
                indent=2,
                default=str,
            )
        )

    _run(body)


@app.command()
def publish(
    model: Path = typer.Argument(..., help="A model document to publish."),
    name: str = typer.Option(..., "--name", "-n", help="Model name (subjects <name>-input / <name>-output)."),
    topic: str = typer.Option("interchange-models", help="The model topic."),
    signing_key: Path | None = typer.Option(
        None, "--signing-key", envvar="INTERCHANGE_SIGNING_KEY", help="Ed25519 private key (PEM) to sign the version with."
    ),
    keep_versions: int = typer.Option(
        10, help="Keep the newest N versions of this model on the topic; older ones are withdrawn."
    ),
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Register a document's Avro contract and publish its next version."""
    from interchange.kafka.modeltopic import publish as do_publish

    def body() -> None:
        done = do_publish(
            model, name=name, config=_config(config, setting), topic=topic, signing_key=signing_key, keep_versions=keep_versions
        )
        typer.echo(json.dumps(done.__dict__))

    _run(body)


@app.command()
def keygen(
    out: Path = typer.Option(..., "--out", "-o", help="Directory for interchange.key (0600) and interchange.pub."),
) -> None:
    """Create an Ed25519 key pair: publishers sign with interchange.key, scorers verify with interchange.pub."""
    from interchange.kafka.modeltopic import load_verify_key, write_keypair
    from interchange.kafka.modeltopic.signing import key_id

    def body() -> None:
        private, public = write_keypair(out)
        typer.echo(
            json.dumps({"private_key": str(private), "public_key": str(public), "key_id": key_id(load_verify_key(public))})
        )

    _run(body)


@app.command()
def sink(
    topic: str = typer.Option(..., "--topic", "-t", help="Topic of Confluent-framed Avro events to land."),
    to: Path = typer.Option(..., "--to", help="Dataset directory; files go to DIR/topic=T/date=YYYY-MM-DD/."),
    flush_events: int = typer.Option(10_000, help="Commit a file after this many events."),
    flush_seconds: float = typer.Option(10.0, help="... or after this many seconds."),
    idle_timeout: float | None = typer.Option(None, help="Stop after this many seconds without events."),
    group: str | None = typer.Option(None, help="Group for lag monitoring (default interchange-sink-<topic>)."),
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Land a topic's Avro events in date-partitioned Parquet, exactly once across crashes."""
    from interchange.kafka.sink.command import run_sink

    _run(
        lambda: run_sink(
            _config(config, setting),
            topic,
            to,
            flush_events=flush_events,
            flush_seconds=flush_seconds,
            idle_timeout=idle_timeout,
            group=group,
        )
    )


@app.command()
def serve(
    port: int = typer.Option(8000, "--port", "-p", help="TCP port."),
    host: str = typer.Option("127.0.0.1", help="Address to bind (127.0.0.1 keeps it on this machine)."),
    model_topic: str = typer.Option("interchange-models", help="The model topic to follow."),
    metrics_topic: str = typer.Option("interchange-metrics", help="Metrics for the status page."),
    alerts_topic: str = typer.Option("interchange-alerts", help="Alerts for the status page."),
    engine: str = typer.Option("auto", help="auto | fast | reference"),
    model: list[str] = typer.Option([], "--model", "-m", help="Serve only these models (repeatable; default all)."),
    verify_key: Path | None = typer.Option(
        None, envvar="INTERCHANGE_VERIFY_KEY", help="Ed25519 public key (PEM): refuse unsigned or wrongly signed versions."
    ),
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Serve every published model over HTTP (OpenAPI at /openapi.json) with a status page at /."""
    from interchange.kafka.serve.command import run_serve

    _run(
        lambda: run_serve(
            _config(config, setting),
            host=host,
            port=port,
            model_topic=model_topic,
            metrics_topic=metrics_topic,
            alerts_topic=alerts_topic,
            engine=engine,
            verify_key=verify_key,
            models=model or None,
        )
    )


@app.command()
def send(
    name: str = typer.Argument(..., help="Model name: rows are typed by <name>-input's latest schema."),
    rows: Path = typer.Argument(..., help="Rows as .csv (header line) or .jsonl; the model's own column names."),
    topic: str | None = typer.Option(None, "--topic", "-t", help="Feature topic (default <name>-features)."),
    key_field: str | None = typer.Option(None, "--key-field", "-k", help="Column whose text is each event's key."),
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Produce rows from a file as feature events of a published model."""
    from interchange.kafka.console import send_file

    def body() -> None:
        sent = send_file(_config(config, setting), name, rows, topic=topic, key_field=key_field)
        typer.echo(f"sent {sent} events to {topic or name + '-features'}", err=True)

    _run(body)


@app.command()
def read(
    topic: str = typer.Argument(..., help="Any topic of Confluent-framed Avro: features, predictions, dead letters, metrics."),
    count: int | None = typer.Option(None, "--count", "-n", min=1, help="Stop after this many events."),
    from_beginning: bool = typer.Option(False, "--from-beginning", help="Start at the beginning (default: the last N, or 10)."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Wait for new events (only new ones unless --from-beginning)."),
    format: str = typer.Option("json", "--format", help="json (one line per event) | table"),
    config: Path | None = ConfigOpt,
    setting: list[str] = SettingOpt,
) -> None:
    """Print decoded events with key, partition, offset and timestamp."""
    from interchange.kafka.console import event_json, event_table, read_events

    if format not in ("json", "table"):
        raise typer.BadParameter("use json or table", param_hint="--format")

    def body() -> None:
        events = read_events(_config(config, setting), topic, count=count, from_beginning=from_beginning, follow=follow)
        if format == "table" and not follow:
            typer.echo(event_table(list(events)))
            return
        header = None
        for event in events:
            if format == "json":
                typer.echo(event_json(event))
                continue
            top, row = event_table([event], fixed=True).split("\n", 1)
            if top != header:
                typer.echo(top)
                header = top
            typer.echo(row)

    try:
        _run(body)
    except KeyboardInterrupt:
        pass


def _mount_stack() -> None:
    try:
        from interchange.kafka.stack.cli import stack_app
    except ImportError:  # the stack package is optional for users with their own cluster
        return
    app.add_typer(stack_app, name="stack")


_mount_stack()


def _mount_loop() -> None:
    """The loop's commands; their bodies live in their packages."""
    from interchange.kafka.monitor.cli import monitor_command
    from interchange.kafka.scorer.cli import route_app, score_command
    from interchange.kafka.training.cli import train_online_command

    app.command("score")(score_command)
    app.add_typer(route_app, name="route")
    app.command("monitor")(monitor_command)
    app.command("train-online")(train_online_command)


_mount_loop()

if __name__ == "__main__":  # pragma: no cover
    app()
