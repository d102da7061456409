"""Stop and restart one server of the local stack, for fault tests."""

from __future__ import annotations

import os
import signal
import time

from interchange.stack.config import StackConfig
from interchange.stack.processes import running_pid, services, start, wait_healthy


def _service(name: str):
    config = StackConfig.from_env()
    return next(s for s in services(config) if s.name == name), config


def kill(name: str) -> None:
    """SIGKILL ``kafka`` or ``registry`` (and wait until it is gone)."""
    service, config = _service(name)
    pid = running_pid(service, config)
    assert pid is not None, f"{name} is not running"
    os.killpg(pid, signal.SIGKILL)
    while running_pid(service, config) == pid:
        time.sleep(0.1)


def restart(name: str) -> None:
    """Start ``name`` again with the same state, and wait until it answers."""
    service, config = _service(name)
    wait_healthy(service, config, start(service, config))
