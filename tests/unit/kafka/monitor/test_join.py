"""The label join and the monitor state: late, out-of-order and missing labels; bounded state."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

from interchange.kafka.monitor.join import LabelJoin
from interchange.kafka.monitor.state import MonitorState, StateLimits
from interchange.signature import InputField, OutputField, Signature


def test_join_in_either_order_within_window() -> None:
    join = LabelJoin(window_ms=1000)
    assert join.add_prediction(b"a", 0, "pa") is None
    hit = join.add_label(b"a", 900, "la")
    assert hit is not None and (hit.prediction, hit.label) == ("pa", "la")
    assert join.add_label(b"b", 1000, "lb") is None  # label read first
    assert join.add_prediction(b"b", 500, "pb").label == "lb"
    join.add_prediction(b"c", 0, "pc")
    assert join.add_label(b"c", 1001, "lc") is None  # too late
    assert (join.counts.joined, join.counts.expired, join.counts.unjoined) == (2, 1, 1)


def test_expiry_by_the_other_streams_time_and_eviction() -> None:
    join = LabelJoin(window_ms=100, max_pending=3)
    for i in range(3):
        join.add_prediction(i, i * 10, i)
    join.add_label("other", 115, 0)  # labels' time passes 0+100 and 10+100, not 20+100
    join.expire()
    assert join.counts.expired == 2 and list(join.predictions) == [2]
    join.add_prediction(3, 30, 3)
    join.add_prediction(4, 40, 4)
    join.add_prediction(5, 50, 5)
    assert join.counts.evicted == 1 and list(join.predictions) == [3, 4, 5]
    join.add_prediction(6, 500, 6)  # predictions' time passes the early label's window
    join.expire()
    assert join.counts.unjoined == 1 and "other" not in join.labels


def _classifier() -> Signature:
    return Signature(
        (InputField("x"),),
        (
            OutputField("label", "label", "integer"),
            OutputField("probability_0", "probability", "double", 0),
            OutputField("probability_1", "probability", "double", 1),
        ),
        (0, 1),
        "classification",
    )


def test_state_figures_match_sklearn_on_joined_pairs() -> None:
    rng = np.random.default_rng(3)
    n = 400
    p1 = rng.uniform(size=n)
    truth = (rng.uniform(size=n) < p1).astype(int)
    state = MonitorState(_classifier(), None, [60_000], StateLimits(join_window_ms=5_000))
    kept = []
    order = rng.permutation(n)
    for i in range(n):
        state.add_prediction(i, i * 10, {"label": int(p1[i] > 0.5), "probability_0": 1 - p1[i], "probability_1": p1[i]})
    for i in order:  # labels out of order; every 5th never, every 7th too late
        if i % 5 == 0:
            continue
        delay = 6_000 if i % 7 == 0 else 100
        state.add_label(i, i * 10 + delay, int(truth[i]))
        if delay <= 5_000:
            kept.append(i)
    kept = sorted(kept)
    figures = state.figures(sla_ms=1000)
    y, p = truth[kept], p1[kept]
    assert figures[("labelled", 60.0)] == len(kept)
    assert figures[("accuracy", 60.0)] == pytest.approx(accuracy_score(y, (p > 0.5).astype(int)))
    assert figures[("log_loss", 60.0)] == pytest.approx(log_loss(y, np.c_[1 - p, p]))
    assert figures[("auc", 60.0)] == pytest.approx(roc_auc_score(y, p))
    assert figures[("labels_unjoined_total", None)] == len([i for i in range(n) if i % 5 and i % 7 == 0])


def test_state_latency_and_regression() -> None:
    sig = Signature((InputField("x"),), (OutputField("prediction", "value"),), None, "regression")
    state = MonitorState(sig, None, [10_000], StateLimits())
    state.add_features(b"k1", 1000, {"x": 1.0})
    state.add_prediction(b"k1", 1250, {"prediction": 2.0})
    state.add_prediction(b"k2", 1300, {"prediction": 4.0})  # features read after the prediction
    state.add_features(b"k2", 1100, {"x": 1.0})
    state.add_label(b"k1", 2000, 3.0)
    state.add_label(b"k2", 2000, 4.0)
    f = state.figures(sla_ms=220)
    assert f[("latency_p50_ms", 10.0)] == pytest.approx(225.0)
    assert f[("latency_sla_breach_ratio", 10.0)] == 0.5
    assert f[("rmse", 10.0)] == pytest.approx(np.sqrt(0.5)) and f[("mae", 10.0)] == pytest.approx(0.5)
