"""The broker's settings on its command line and in server.properties (no JVM is started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from interchange.errors import StackError
from interchange.kafka.stack import StackConfig
from interchange.kafka.stack.commands import DEDUPE_BUFFER_BYTES, _kafka_jvm, _server_properties


def test_the_log_cleaner_map_stays_small(tmp_path: Path) -> None:
    """Its 128 MB default sat in a 512 MB heap for good and kept G1 marking all the time."""
    props = _server_properties(StackConfig(state_dir=tmp_path), sasl=False).read_text().splitlines()
    assert f"log.cleaner.dedupe.buffer.size={DEDUPE_BUFFER_BYTES}" in props
    assert DEDUPE_BUFFER_BYTES <= 32 * 1024 * 1024


COLLECTORS = [("g1", "-XX:+UseG1GC"), ("shenandoah", "-XX:+UseShenandoahGC"), ("zgc", "-XX:+UseZGC")]


@pytest.mark.parametrize(("name", "flag"), COLLECTORS)
def test_the_broker_collector_follows_the_environment(tmp_path: Path, name: str, flag: str) -> None:
    cfg = StackConfig.from_env({"INTERCHANGE_STACK_DIR": str(tmp_path), "INTERCHANGE_STACK_KAFKA_GC": name})
    flags = _kafka_jvm(cfg)
    assert flag in flags
    assert sum(f.startswith("-XX:+Use") and f.endswith("GC") for f in flags) == 1
    assert any(f.startswith("-Xlog:gc:file=") for f in flags)


def test_an_unknown_collector_is_refused(tmp_path: Path) -> None:
    cfg = StackConfig.from_env({"INTERCHANGE_STACK_DIR": str(tmp_path), "INTERCHANGE_STACK_KAFKA_GC": "cms"})
    with pytest.raises(StackError, match="unknown broker collector 'cms'"):
        _kafka_jvm(cfg)


def test_a_concurrent_collector_is_the_default(tmp_path: Path) -> None:
    """G1's stop-the-world pauses were the broker's latency tail (see commands.py)."""
    assert "-XX:+UseShenandoahGC" in _kafka_jvm(StackConfig(state_dir=tmp_path))


def test_transactional_produce_skips_the_coordinator_check(tmp_path: Path) -> None:
    """One coordinator round trip less per transaction for the exactly-once scorer (see commands.py)."""
    props = _server_properties(StackConfig(state_dir=tmp_path), sasl=False).read_text().splitlines()
    assert "transaction.partition.verification.enable=false" in props
