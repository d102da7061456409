"""Local stack settings: defaults, environment overrides, bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from interchange.config import load_config
from interchange.errors import ConfigError
from interchange.stack import StackConfig


def test_defaults_bind_loopback() -> None:
    cfg = StackConfig.from_env({})
    assert cfg.bootstrap_servers == "127.0.0.1:9092"
    assert cfg.registry_url == "http://127.0.0.1:8081/apis/ccompat/v7"
    assert cfg.state_dir == cfg.cache_dir / "run"


def test_env_overrides_and_client_defaults_agree(tmp_path: Path) -> None:
    env = {"INTERCHANGE_CACHE_DIR": str(tmp_path), "INTERCHANGE_KAFKA_PORT": "29092", "INTERCHANGE_REGISTRY_PORT": "28081"}
    cfg = StackConfig.from_env(env)
    assert cfg.cache_dir == tmp_path and cfg.state_dir == tmp_path / "run"
    client = load_config(env=env)
    assert client.bootstrap_servers == cfg.bootstrap_servers
    assert client.registry_url == cfg.registry_url


@pytest.mark.parametrize("value", ["http", "0", "70000"])
def test_bad_port_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError) as err:
        StackConfig.from_env({"INTERCHANGE_KAFKA_PORT": value})
    assert err.value.key == "INTERCHANGE_KAFKA_PORT"


def test_missing_tool_is_a_plain_stack_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from interchange.errors import StackError
    from interchange.stack.artifacts import require

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(StackError, match="'mvn' was not found"):
        require("mvn")
