"""How long the local stack takes to come back: `up` after `down`, and one service alone.

Uses its own stack (own ports and state directory, the shared jar cache), so it never touches
a stack that tests are using. Results: benchmarks/results/stack.json (stack-sasl.json), with the load average
at each measurement (the figures move a lot with it on a shared machine).

    python benchmarks/stack.py [--rounds 3] [--sasl]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from interchange.kafka import stack

RESULTS = Path(__file__).resolve().parent / "results"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(fn) -> dict[str, float]:
    start = time.monotonic()
    fn()
    return {"seconds": round(time.monotonic() - start, 2), "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sasl", action="store_true", help="with the SASL listener and the HTTPS registry")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="interchange-bench-stack-") as state:
        config = replace(
            stack.StackConfig.from_env(),
            state_dir=Path(state),
            kafka_port=_free_port(),
            controller_port=_free_port(),
            registry_port=_free_port(),
            sasl_port=_free_port(),
            registry_tls_port=_free_port(),
            sasl=args.sasl,
        )
        results: dict[str, object] = {"sasl": args.sasl, "cpus": os.cpu_count()}
        try:
            results["first_up (format, certificates)"] = _timed(lambda: stack.up(config))
            rounds = []
            for _ in range(args.rounds):
                stack.down(config)
                rounds.append(_timed(lambda: stack.up(config)))
            results["up_after_down"] = rounds
            results["registry_kill_start"] = [
                _timed(lambda: (stack.kill("registry", config), stack.start_service("registry", config)))
                for _ in range(args.rounds)
            ]
            results["kafka_kill_start"] = [
                _timed(lambda: (stack.kill("kafka", config), stack.start_service("kafka", config))) for _ in range(args.rounds)
            ]
        finally:
            stack.down(config)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("stack-sasl.json" if args.sasl else "stack.json")).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
