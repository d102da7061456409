"""Watch a served model: join predictions with late labels, measure quality, drift and latency.

``Monitor`` reads a model's predictions, labels and feature topics and writes Metric and
Alert events (``schemas/metric.avsc``, ``schemas/alert.avsc``); the reference profile for
drift is captured by ``convert`` (:mod:`interchange.profile`) and travels in the
model envelope. Alert rules come from a small YAML file (:mod:`interchange.kafka.monitor.rules`).
"""

from __future__ import annotations

from interchange.kafka.monitor.labels import labels_schema, labels_topic, send_labels
from interchange.kafka.monitor.monitor import ALERTS_TOPIC, METRICS_TOPIC, Monitor, MonitorOptions
from interchange.kafka.monitor.rules import Rule, load_rules
from interchange.profile import psi, reference_profile

__all__ = [
    "ALERTS_TOPIC",
    "METRICS_TOPIC",
    "Monitor",
    "MonitorOptions",
    "Rule",
    "load_rules",
    "labels_schema",
    "labels_topic",
    "send_labels",
    "psi",
    "reference_profile",
]
