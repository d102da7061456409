"""Exactly-once on the real broker: a transaction whose commit fails after the broker has its outputs and offsets
(in the foreground, or for a full batch in the background while the next one is scored) is aborted, the scorer
rewinds to the group's committed offsets, and every input still has exactly one committed output. kill -9 and broker outages:
tests/integration/test_scorer_faults.py."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException

from interchange.kafka.events import send_features
from interchange.kafka.scorer import Scorer, ScorerOptions
from tests.integration.scoring import drain, iris, publish_iris, wait

pytestmark = pytest.mark.integration


class _FailingOnce:
    """A real transactional producer whose ``fail_at``-th commit_transaction raises an abortable error (after the
    broker has the transaction's outputs and offsets), as a fenced or timed-out transaction would."""

    def __init__(self, real: Any, fail_at: int, log: list[str]) -> None:
        self._real, self._fail_at, self._log = real, fail_at, log
        self.commits = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __len__(self) -> int:
        return len(self._real)

    def commit_transaction(self, *args: Any) -> None:
        self.commits += 1
        if self.commits == self._fail_at:
            self._log.append("failed")
            raise KafkaException(KafkaError(KafkaError._STATE, "injected commit failure", txn_requires_abort=True))
        self._real.commit_transaction(*args)

    def abort_transaction(self, *args: Any) -> None:
        self._log.append("aborted")
        self._real.abort_transaction(*args)


def test_a_failed_commit_is_aborted_rewinds_and_scores_everything_once(stack_config, model_name) -> None:
    total = 2000
    publish_iris(stack_config, model_name)
    options = ScorerOptions(model=model_name, guarantee="exactly-once", batch_size=50)
    scorer = Scorer(options, stack_config)
    log: list[str] = []
    scorer.delivery.producer = _FailingOnce(scorer.delivery.producer, fail_at=5, log=log)
    thread = threading.Thread(target=scorer.run, daemon=True)
    thread.start()
    try:
        wait(lambda: scorer.stats.healthy and scorer.stats.version is not None, timeout=90, what="the scorer's start")
        X, _ = iris()
        rows = X.sample(n=total, replace=True, random_state=1).reset_index(drop=True)
        for start in range(0, total, 100):  # a stream: full batches (50 of 100 waiting) commit in the background
            part = rows.iloc[start : start + 100]
            send_features(stack_config, model_name, part, keys=[f"e{i}" for i in range(start, start + len(part))])
            time.sleep(0.05)
        out = drain(stack_config, f"{model_name}-predictions", total, timeout=180, committed=True)
    finally:
        scorer.stop()
        thread.join(60)
    assert "failed" in log, "the injected failure must have happened"
    assert "aborted" in log and log.index("failed") < log.index("aborted"), f"the failed transaction is aborted: {log}"
    keys = [m.key().decode() for m in out]
    assert set(keys) == {f"e{i}" for i in range(total)}, "every input has an output"
    assert len(keys) == total, f"{len(keys) - total} duplicates under exactly-once"
