"""The universal scorer: follows the model topic, scores feature events in batches.

One process serves any number of models in any format through routes (input topic -> model
and version policy: latest, pinned, canary, shadow), hot-swapping versions as they are
published and routes as they change; events it cannot use go to the dead-letter topic with their reason; Kafka or
registry outages are waited out, never turned into dead letters.
"""

from __future__ import annotations

from interchange.kafka.routes.feed import read_routes, retire_route, set_route
from interchange.kafka.routes.route import DEFAULT_ROUTES_TOPIC, Route, load_routes
from interchange.kafka.scorer.options import Guarantee, ScorerOptions, ScorerStats
from interchange.kafka.scorer.scorer import Scorer

__all__ = [
    "DEFAULT_ROUTES_TOPIC",
    "Guarantee",
    "Route",
    "Scorer",
    "ScorerOptions",
    "ScorerStats",
    "load_routes",
    "read_routes",
    "retire_route",
    "set_route",
]
