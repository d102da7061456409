"""Helpers for scorer tests on the real stack: a scorer in a thread or a process, topic readers, faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import interchange
from interchange.kafka.config import ClientConfig
from interchange.kafka.registry import AvroCodec, Registry
from interchange.kafka.scorer import Scorer, ScorerOptions
from interchange.kafka.transport import consumer
from interchange.resources import avro_schema


def iris() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in X.columns]
    return X, y.to_numpy()


def publish_iris(config: ClientConfig, name: str, fmt: str = "onnx", **kwargs) -> LogisticRegression:
    X, y = iris()
    est = LogisticRegression(max_iter=500, **kwargs).fit(X, y)
    interchange.publish(interchange.convert(est, fmt, sample=X), name=name, config=config)
    return est


def wait(
    predicate: Callable[[], bool], timeout: float = 60.0, what: str = "condition", state: Callable[[], object] | None = None
) -> None:
    """Poll ``predicate``; the AssertionError names ``what`` and, given ``state``, what it was at the end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s" + (f" ({state()})" if state is not None else ""))


def progress(scorer: Scorer) -> str:
    """The scorer's counts and health, for a failed wait's message."""
    s = scorer.stats
    return f"scored {s.scored}, dead-lettered {s.dead_lettered}, healthy {s.healthy}, lag {s.lag}"


class Running:
    """A scorer on a thread, stopped at the end of the with-block."""

    def __init__(self, config: ClientConfig, name: str | None = None, **options) -> None:
        opts = options.pop("options", None) or ScorerOptions(model=name, **{"batch_size": 200, **options})
        self.scorer = Scorer(opts, config)
        self.thread = threading.Thread(target=self.scorer.run, daemon=True)

    def __enter__(self) -> Scorer:
        self.thread.start()
        return self.scorer

    def __exit__(self, *exc) -> None:
        self.scorer.stop()
        self.thread.join(60)
        assert not self.thread.is_alive(), "the scorer did not stop within 60 s of stop()"


class ScorerProcess:
    """``interchange score`` in its own process, for kill -9 and SIGTERM."""

    def __init__(self, name: str, *args: str, log: Path) -> None:
        cmd = [sys.executable, "-m", "interchange.cli", "score", "--model", name, "--batch-size", "200", *args]
        self.log = log
        self._log_start = log.stat().st_size if log.exists() else 0  # instances may share one log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))

    def healthy(self) -> bool:
        """This instance has said it is healthy (so its SIGTERM handler is in place)."""
        return b"scorer healthy" in self.log.read_bytes()[self._log_start :]

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def terminate(self, timeout: float = 60.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)


def drain(
    config: ClientConfig, topic: str, expected: int, *, timeout: float = 90.0, committed: bool = True, settle: float = 3.0
) -> list:
    """Every message of ``topic`` (read_committed unless told otherwise), read until ``expected`` arrived
    and nothing more came for ``settle`` seconds, or ``timeout``."""
    extra = {"isolation.level": "read_committed" if committed else "read_uncommitted"}
    cons = consumer(config, f"reader-{uuid.uuid4().hex[:8]}", **extra)
    cons.subscribe([topic])
    out: list = []
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = [m for m in cons.consume(1000, 0.5) if not m.error()]
            if batch:
                out += batch
                quiet_since = time.monotonic()
            elif len(out) >= expected and time.monotonic() - quiet_since > settle:
                break
    finally:
        cons.close()
    return out


def dead_letters(config: ClientConfig, topic: str, expected: int, timeout: float = 60.0) -> list[dict]:
    codec = AvroCodec(avro_schema("dead_letter"), 0, Registry(config).schema)
    return [codec.decode(m.value()) for m in drain(config, topic, expected, timeout=timeout, committed=False, settle=1.0)]
