"""Client settings: defaults, files, environment, -X overrides, registry prefix split."""

from __future__ import annotations

from pathlib import Path

import pytest

from interchange.errors import ConfigError
from interchange.kafka.config import DEFAULT_BOOTSTRAP, DEFAULT_REGISTRY, load_config


def test_defaults_point_at_local_stack() -> None:
    cfg = load_config(env={})
    assert cfg.bootstrap_servers == DEFAULT_BOOTSTRAP
    assert cfg.registry_url == DEFAULT_REGISTRY


def test_file_env_and_flags_layer_in_order(tmp_path: Path) -> None:
    props = tmp_path / "client.properties"
    props.write_text(
        "# comment\nbootstrap.servers=file:9092\nsecurity.protocol=SASL_SSL\n"
        "sasl.mechanism=PLAIN\nschema.registry.basic.auth.user.info=u:p\n"
    )
    env = {
        "INTERCHANGE_CONFIG": str(props),
        "INTERCHANGE_BOOTSTRAP_SERVERS": "env:9092",
        "INTERCHANGE_KAFKA__SASL_USERNAME": "alice",
    }
    cfg = load_config(overrides=["schema.registry.url=http://flag:8081"], env=env)
    assert cfg.kafka["bootstrap.servers"] == "env:9092"
    assert cfg.kafka["security.protocol"] == "SASL_SSL"
    assert cfg.kafka["sasl.username"] == "alice"
    assert cfg.registry == {"url": "http://flag:8081", "basic.auth.user.info": "u:p"}


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('"bootstrap.servers" = "t:1"\n[schema.registry]\nurl = "http://r"\n')
    cfg = load_config(path, env={})
    assert cfg.bootstrap_servers == "t:1" and cfg.registry_url == "http://r"


def test_bad_override_and_missing_file() -> None:
    with pytest.raises(ConfigError):
        load_config(overrides=["no-equals"], env={})
    with pytest.raises(ConfigError):
        load_config("/nonexistent/file.properties", env={})


def test_unknown_kafka_key_rejected_by_client() -> None:
    from interchange.kafka.transport import producer

    with pytest.raises(ConfigError) as err:
        producer(load_config(overrides=["no.such.setting=1"], env={}))
    assert "no.such.setting" in err.value.message
