"""Shared fixtures: the real local stack for integration tests."""

from __future__ import annotations

import os
import uuid

import pytest


@pytest.fixture(scope="session")
def stack_config():
    """Client settings for a running stack; fails in CI, skips locally when it is not up."""
    from interchange.kafka.config import load_config
    from interchange.kafka.stack import status

    st = status()
    config = load_config()
    if config.bootstrap_servers == st.bootstrap_servers and not st.up:
        message = "the local stack is not running; start it with `interchange stack up`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return config


@pytest.fixture
def model_name() -> str:
    """A fresh model name per test, so tests never see each other's topics or subjects."""
    return f"t{uuid.uuid4().hex[:10]}"
