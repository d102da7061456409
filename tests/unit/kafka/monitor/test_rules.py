"""Alert rule files: clear errors naming the rule and key; FIRING after `for`, RESOLVED on recovery."""

from __future__ import annotations

import pytest

from interchange.errors import ConfigError
from interchange.kafka.monitor.rules import AlertBook, load_rules, parse_duration, parse_rules


def test_rules_file_parses_durations(tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - {name: acc, metric: accuracy, op: '<', threshold: 0.8, window: 5m, for: 30s}\n"
        "  - {name: drift, metric: psi_x, op: '>', threshold: 0.25}\n"
    )
    acc, drift = load_rules(path)
    assert (acc.window, acc.for_s, acc.threshold) == (300.0, 30.0, 0.8)
    assert (drift.window, drift.for_s) == (None, 0.0)
    assert parse_duration("250ms", rule="r", key="for") == 0.25 and parse_duration(2, rule="r", key="for") == 2.0


@pytest.mark.parametrize(
    ("rule", "key"),
    [
        ({"name": "r1", "metric": "accuracy", "op": "<", "threshold": 1, "windw": "5m"}, "windw"),
        ({"name": "r1", "metric": "accuracy", "op": "<"}, "threshold"),
        ({"name": "r1", "metric": "accuracy", "op": "==", "threshold": 1}, "op"),
        ({"name": "r1", "metric": "accuracy", "op": "<", "threshold": "high"}, "threshold"),
        ({"name": "r1", "metric": "accuracy", "op": "<", "threshold": 1, "for": "soon"}, "for"),
        ({"name": "r1", "metric": "accuracy", "op": "<", "threshold": 1, "window": 0}, "window"),
        ({"name": "r1", "metric": "bad metric", "op": "<", "threshold": 1}, "metric"),
    ],
)
def test_bad_rule_names_rule_and_key(rule, key) -> None:
    with pytest.raises(ConfigError) as err:
        parse_rules({"rules": [rule]})
    assert err.value.key == key and err.value.rule == "r1"
    assert "r1" in err.value.message


def test_bad_files(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_rules(tmp_path / "none.yaml")
    (tmp_path / "bad.yaml").write_text("rules: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(tmp_path / "bad.yaml")
    with pytest.raises(ConfigError, match="two rules are named"):
        parse_rules({"rules": [{"name": "a", "metric": "m", "op": "<", "threshold": 1}] * 2})
    with pytest.raises(ConfigError, match="one key 'rules'"):
        parse_rules({"rule": []})


def test_fires_after_for_and_resolves() -> None:
    (rule,) = parse_rules({"rules": [{"name": "acc", "metric": "accuracy", "op": "<", "threshold": 0.8, "for": 10}]})
    book = AlertBook([rule])
    key = ("accuracy", 60.0)
    assert book.evaluate({key: 0.5}, 0.0, 60.0) == []  # breached, but not for 10 s yet
    assert book.evaluate({}, 5.0, 60.0) == []  # no value: state kept
    (fired,) = book.evaluate({key: 0.6}, 10.0, 60.0)
    assert (fired.state, fired.value) == ("FIRING", 0.6) and book.firing() == ["acc"]
    assert rule.describe(fired.value) == "accuracy 0.6 < 0.8"
    assert book.evaluate({key: 0.7}, 11.0, 60.0) == []  # fires once
    (resolved,) = book.evaluate({key: 0.9}, 12.0, 60.0)
    assert resolved.state == "RESOLVED" and book.firing() == []
    assert rule.describe(resolved.value) == "accuracy 0.9, no longer < 0.8"  # the alert's message (was "0.9 < 0.8")
    assert book.evaluate({key: 0.5}, 13.0, 60.0) == []  # the `for` clock starts again


def test_example_rules_file_loads() -> None:
    from pathlib import Path

    rules = load_rules(Path(__file__).resolve().parents[4] / "examples" / "monitor_rules.yaml")
    assert [r.name for r in rules][:2] == ["accuracy-low", "log-loss-high"] and rules[0].for_s == 120.0
