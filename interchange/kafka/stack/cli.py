"""``interchange stack up | down | status | logs``."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace

import typer

from interchange.errors import StackError

stack_app = typer.Typer(help="Start and stop a local Kafka + Schema Registry (from Maven Central).", no_args_is_help=True)


def _fail(exc: StackError) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(1)


@stack_app.command()
def up(
    sasl: bool | None = typer.Option(
        None,
        "--sasl/--no-sasl",
        help="Also serve Kafka on a SASL_PLAINTEXT (PLAIN) listener and the registry over HTTPS "
        "(default: as the stack was last started; env INTERCHANGE_STACK_SASL).",
    ),
) -> None:
    """Fetch (first time), start and wait until Kafka and the registry are healthy."""
    import interchange.kafka.stack as stack

    started = time.monotonic()
    try:
        config = stack.StackConfig.from_env()
        if sasl is not None:
            config = replace(config, sasl=sasl)
        st = stack.up(config, stack.Progress(sys.stderr))
    except StackError as exc:
        _fail(exc)
    typer.echo(
        f"stack up in {time.monotonic() - started:.1f}s: bootstrap.servers={st.bootstrap_servers} "
        f"schema.registry.url={st.registry_url}"
    )
    if st.sasl:
        secured = stack.sasl_settings(config)
        typer.echo(
            f"secured: bootstrap.servers={secured['bootstrap.servers']} (SASL_PLAINTEXT, PLAIN) "
            f"schema.registry.url={secured['schema.registry.url']}; client settings in "
            f"{config.state_dir / 'sasl-client.properties'}"
        )


@stack_app.command()
def down() -> None:
    """Stop the processes `stack up` started (and nothing else)."""
    import interchange.kafka.stack as stack

    stopped = stack.down()
    typer.echo(f"stopped: {', '.join(stopped) or 'nothing was running'}")


@stack_app.command()
def status() -> None:
    """Show pids and health; exit code 1 when not fully up."""
    import interchange.kafka.stack as stack

    st = stack.status()
    typer.echo(
        json.dumps(
            {
                "bootstrap.servers": st.bootstrap_servers,
                "schema.registry.url": st.registry_url,
                "pids": st.pids,
                "healthy": st.healthy,
                "sasl": st.sasl,
            },
            indent=2,
        )
    )
    if not st.up:
        raise typer.Exit(1)


@stack_app.command()
def logs(
    service: str = typer.Argument("kafka", help="kafka | registry"), lines: int = typer.Option(50, "-n", help="Lines to show.")
) -> None:
    """Show the end of a service's log."""
    import interchange.kafka.stack as stack

    typer.echo(stack.logs(None, service, lines))
