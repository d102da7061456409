"""Local stack settings: defaults, environment overrides, bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from interchange.errors import ConfigError
from interchange.kafka.config import load_config
from interchange.kafka.stack import StackConfig


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
    from interchange.kafka.stack.artifacts import require

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(StackError, match="'mvn' was not found"):
        require("mvn")


def test_sasl_settings_from_env(tmp_path: Path) -> None:
    cfg = StackConfig.from_env(
        {"INTERCHANGE_STACK_SASL": "1", "INTERCHANGE_SASL_PORT": "29094", "INTERCHANGE_REGISTRY_TLS_PORT": "28443"}
    )
    assert cfg.sasl is True
    assert cfg.sasl_bootstrap_servers == "127.0.0.1:29094"
    assert cfg.registry_tls_url == "https://127.0.0.1:28443/apis/ccompat/v7"
    assert StackConfig.from_env({}).sasl is None  # keep what the state directory was started with
    assert StackConfig.from_env({"INTERCHANGE_STACK_SASL": "off"}).sasl is False
    with pytest.raises(ConfigError) as err:
        StackConfig.from_env({"INTERCHANGE_STACK_SASL": "maybe"})
    assert err.value.key == "INTERCHANGE_STACK_SASL"


def _in(tmp_path: Path, **changes) -> StackConfig:
    from dataclasses import replace

    return replace(StackConfig(), cache_dir=tmp_path / "cache", state_dir=tmp_path / "state", **changes)


def test_secured_broker_properties_are_private_and_complete(tmp_path: Path) -> None:
    from interchange.kafka.stack import secure
    from interchange.kafka.stack.commands import _server_properties

    cfg = _in(tmp_path, kafka_port=1111, controller_port=2222, sasl_port=3333)
    cfg.state_dir.mkdir()
    plain = _server_properties(cfg, sasl=False).read_text()
    assert "SASL" not in plain and "listeners=PLAINTEXT://127.0.0.1:1111,CONTROLLER://127.0.0.1:2222" in plain
    path = _server_properties(cfg, sasl=True)
    props = dict(line.split("=", 1) for line in path.read_text().splitlines() if line)
    assert path.stat().st_mode & 0o777 == 0o600
    assert props["listeners"].endswith(",SASL_PLAINTEXT://127.0.0.1:3333")
    assert "SASL_PLAINTEXT://127.0.0.1:3333" in props["advertised.listeners"]
    assert "SASL_PLAINTEXT:SASL_PLAINTEXT" in props["listener.security.protocol.map"]
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert props["sasl.enabled.mechanisms"] == "PLAIN"
    users = secure.users(cfg)
    assert secure.users(cfg) == users and set(users) == {"admin", "alice"}  # generated once, then kept
    jaas = props["listener.name.sasl_plaintext.plain.sasl.jaas.config"]
    assert jaas.startswith("org.apache.kafka.common.security.plain.PlainLoginModule required")
    assert f'user_alice="{users["alice"]}"' in jaas and jaas.endswith(";")
    assert (cfg.state_dir / "secrets" / "users.json").stat().st_mode & 0o777 == 0o600


def test_registry_database_is_a_file_in_the_state_dir(tmp_path: Path) -> None:
    from interchange.errors import StackError
    from interchange.kafka.stack.commands import registry_db_url

    cfg = _in(tmp_path)
    assert registry_db_url(cfg) == f"jdbc:h2:file:{cfg.state_dir}/registry-db/registry;WRITE_DELAY=0"
    with pytest.raises(StackError, match="';'"):
        registry_db_url(_in(tmp_path / "a;b"))


def test_fault_controls_name_a_service_and_touch_only_our_processes(tmp_path: Path) -> None:
    import os

    from interchange.kafka import stack

    cfg = _in(tmp_path)
    with pytest.raises(ConfigError, match="unknown stack service 'zookeeper'"):
        stack.kill("zookeeper", cfg)
    cfg.state_dir.mkdir()
    (cfg.state_dir / "registry.pid").write_text(str(os.getpid()))  # a live pid that is not our registry
    assert stack.kill("registry", cfg) is False
    assert stack.status(cfg).pids == {"kafka": None, "registry": None}


def test_progress_stage_lines_and_bar(tmp_path: Path) -> None:
    import io

    from interchange.kafka.stack.progress import MavenOutput, Progress

    quiet = io.StringIO()
    log = Progress(quiet, tty=False)
    out = MavenOutput(log, "downloading Kafka")
    out.feed("[INFO] Downloading from central: https://repo/x.jar")
    out.feed("[INFO] Downloaded from central: https://repo/x.jar (2.5 MB at 40 MB/s)")
    out.feed("[INFO] Downloaded from central: https://repo/y.pom (1.5 kB at 40 kB/s)")
    log.stage("Kafka: " + out.summary())
    assert out.files == 2 and out.bytes == 2_501_500
    assert quiet.getvalue().endswith("s] Kafka: 2 files, 2.5 MB downloaded\n") and "\r" not in quiet.getvalue()

    terminal = io.StringIO()
    shown = Progress(terminal, tty=True)
    shown.bar("downloading Apicurio", 54e6, 108e6, force=True)
    shown.stage("unpacking")
    text = terminal.getvalue()
    assert text.startswith("\r[") and "[##############..............] 54.0 MB / 108.0 MB" in text
    assert text.endswith("s] unpacking\n") and "\n[" in text
