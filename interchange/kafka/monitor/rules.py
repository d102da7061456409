"""Alert rules from a small YAML file, and the state machine that fires and resolves them.

A rules file::

    rules:
      - name: accuracy-low          # unique; names the alert
        metric: accuracy            # a monitor metric: accuracy, log_loss, auc, rmse, mae, psi_prediction,
                                    # psi_<feature>, psi_max, latency_p99_ms, labels_expired, dead_letters, ...
        op: "<"                     # <, <=, >, >= (the condition that is bad)
        threshold: 0.8
        window: 5m                  # span the metric is computed over (s, m, h or seconds); default: the monitor's
        for: 1m                     # how long the condition must hold before FIRING; default 0

A rule goes FIRING once its condition has held for ``for`` and RESOLVED at the first
evaluation where it no longer holds. An evaluation without a value for the metric (too few
joined labels, for instance) leaves the rule as it is.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interchange.errors import ConfigError

__all__ = ["Rule", "RuleState", "Transition", "load_rules", "parse_rules", "parse_duration", "AlertBook"]

_OPS: dict[str, Callable[[float, float], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_KEYS = {"name", "metric", "op", "threshold", "window", "for"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


@dataclass(frozen=True)
class Rule:
    """One alert rule; ``window`` and ``for_s`` are seconds (``window`` None: the monitor's default)."""

    name: str
    metric: str
    op: str
    threshold: float
    window: float | None = None
    for_s: float = 0.0

    def breached(self, value: float) -> bool:
        return _OPS[self.op](value, self.threshold)

    def describe(self, value: float) -> str:
        """The condition with the value that broke it, or, when it holds no more, says so."""
        if self.breached(value):
            return f"{self.metric} {value:.4g} {self.op} {self.threshold:g}"
        return f"{self.metric} {value:.4g}, no longer {self.op} {self.threshold:g}"


def parse_duration(value: Any, *, rule: str, key: str) -> float:
    """Seconds from ``30``, ``"30s"``, ``"5m"``, ``"1h"`` or ``"250ms"``; ConfigError naming the rule and key."""
    if isinstance(value, bool):
        raise ConfigError(f"rule {rule!r}: {key} must be a duration such as 30s, 5m or 1h, got {value!r}", rule=rule, key=key)
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ConfigError(f"rule {rule!r}: {key} must be a duration such as 30s, 5m or 1h, got {value!r}", rule=rule, key=key)
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not math.isfinite(seconds) or seconds < 0:
        raise ConfigError(f"rule {rule!r}: {key} must be a non-negative duration, got {value!r}", rule=rule, key=key)
    return seconds


def parse_rules(data: Any, source: str = "rules") -> list[Rule]:
    """Rules from the parsed YAML document (a mapping with a ``rules`` list)."""
    if data is None:
        return []
    if not isinstance(data, Mapping) or set(data) - {"rules"}:
        raise ConfigError(f"{source}: expected a mapping with one key 'rules' (a list of rules)", key="rules")
    items = data.get("rules") or []
    if not isinstance(items, list):
        raise ConfigError(f"{source}: 'rules' must be a list of rules", key="rules")
    rules: list[Rule] = []
    for i, item in enumerate(items):
        label = item.get("name", f"#{i + 1}") if isinstance(item, Mapping) else f"#{i + 1}"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{source}: rule {label} must be a mapping of {sorted(_KEYS)}", rule=label, key="rule")
        unknown = sorted(set(map(str, item)) - _KEYS)
        if unknown:
            raise ConfigError(
                f"{source}: rule {label!r} has unknown key {unknown[0]!r}; known keys are {sorted(_KEYS)}",
                rule=label,
                key=unknown[0],
            )
        for key in ("name", "metric", "op", "threshold"):
            if key not in item:
                raise ConfigError(f"{source}: rule {label!r} needs {key!r}", rule=label, key=key)
        name, metric, op, threshold = item["name"], item["metric"], item["op"], item["threshold"]
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{source}: rule {label!r}: name must be a non-empty string", rule=label, key="name")
        if not isinstance(metric, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", metric):
            raise ConfigError(f"{source}: rule {name!r}: metric must be a metric name, got {metric!r}", rule=name, key="metric")
        if op not in _OPS:
            raise ConfigError(f"{source}: rule {name!r}: op must be one of {sorted(_OPS)}, got {op!r}", rule=name, key="op")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
            raise ConfigError(
                f"{source}: rule {name!r}: threshold must be a number, got {threshold!r}", rule=name, key="threshold"
            )
        window = parse_duration(item["window"], rule=name, key="window") if item.get("window") is not None else None
        if window == 0:
            raise ConfigError(f"{source}: rule {name!r}: window must be longer than 0", rule=name, key="window")
        for_s = parse_duration(item.get("for", 0), rule=name, key="for")
        if any(r.name == name for r in rules):
            raise ConfigError(f"{source}: two rules are named {name!r}; names identify alerts", rule=name, key="name")
        rules.append(Rule(name, metric, op, float(threshold), window, for_s))
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    """Rules from a YAML file; ConfigError naming the file, the rule and the key when it is wrong."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"rules file {path} does not exist", key="rules")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"rules file {path} is not valid YAML: {exc}", key="rules") from exc
    return parse_rules(data, str(path))


@dataclass
class RuleState:
    breached_since: float | None = None  # monitor clock when the condition started to hold
    firing: bool = False
    value: float | None = None


@dataclass(frozen=True)
class Transition:
    """A rule that changed state at one evaluation: ``state`` is FIRING or RESOLVED."""

    rule: Rule
    state: str
    value: float
    at: float


@dataclass
class AlertBook:
    """The state of every rule; ``evaluate`` returns the rules that fired or resolved."""

    rules: list[Rule]
    states: dict[str, RuleState] = field(default_factory=dict)

    def evaluate(self, values: Mapping[tuple[str, float], float], now: float, default_window: float) -> list[Transition]:
        """Check every rule against ``values[(metric, window)]`` at time ``now`` (seconds)."""
        out: list[Transition] = []
        for rule in self.rules:
            state = self.states.setdefault(rule.name, RuleState())
            value = values.get((rule.metric, rule.window or default_window))
            if value is None or not math.isfinite(value):
                continue
            state.value = value
            if rule.breached(value):
                if state.breached_since is None:
                    state.breached_since = now
                if not state.firing and now - state.breached_since >= rule.for_s:
                    state.firing = True
                    out.append(Transition(rule, "FIRING", value, now))
            else:
                state.breached_since = None
                if state.firing:
                    state.firing = False
                    out.append(Transition(rule, "RESOLVED", value, now))
        return out

    def firing(self) -> list[str]:
        return [name for name, s in self.states.items() if s.firing]
