"""Online training: learn from a labelled-events topic and publish versions that pass a gate.

``Trainer`` updates an incremental scikit-learn learner (:mod:`interchange.kafka.training.learner`)
from ``<model>-training`` events (:mod:`interchange.kafka.training.topic`), and every N events or
T seconds converts, verifies, judges (:mod:`interchange.kafka.training.gate`) and publishes the
next version to the model topic, where running scorers pick it up.
"""

from __future__ import annotations

from interchange.kafka.training.gate import GateResult, judge
from interchange.kafka.training.learner import ESTIMATORS, OnlineLearner
from interchange.kafka.training.topic import send_training, training_schema, training_topic
from interchange.kafka.training.trainer import Trainer, TrainerOptions, TrainerStats

__all__ = [
    "ESTIMATORS",
    "GateResult",
    "OnlineLearner",
    "Trainer",
    "TrainerOptions",
    "TrainerStats",
    "judge",
    "send_training",
    "training_schema",
    "training_topic",
]
