"""ensure_topics lets go of its admin client before its error leaves (no broker needed: a closed port)."""

from __future__ import annotations

import gc
import os
import socket
import time

import pytest

from interchange.errors import TransportError
from interchange.kafka.config import load_config
from interchange.kafka.transport import ensure_topics


def librdkafka_threads() -> int:
    """librdkafka's own threads in this process (named rdk:main, rdk:broker..., rdk:bg)."""
    count = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as f:
                count += f.read().startswith("rdk:")
        except OSError:  # the thread ended meanwhile
            pass
    return count


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads through /proc")
def test_a_kept_error_does_not_keep_the_admin_client_alive() -> None:
    config = load_config(overrides=[f"bootstrap.servers=127.0.0.1:{_closed_port()}"], env={})
    gc.collect()
    before = librdkafka_threads()
    with pytest.raises(TransportError, match="cannot reach Kafka") as err:
        ensure_topics(config, {"t": {}}, timeout=1.0)
    kept = err.value  # with its traceback and context, as a retry loop or a log record keeps it
    deadline = time.monotonic() + 10
    while librdkafka_threads() > before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert librdkafka_threads() <= before, f"an admin client outlived its error: {kept}"
