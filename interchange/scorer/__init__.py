"""The universal scorer: follows the model topic, scores feature events in batches.

One process serves one model name in any format, hot-swapping versions as they are
published; events it cannot use go to the dead-letter topic with their reason; Kafka or
registry outages are waited out, never turned into dead letters.
"""

from __future__ import annotations

from interchange.scorer.options import Guarantee, ScorerOptions, ScorerStats
from interchange.scorer.scorer import Scorer

__all__ = ["Guarantee", "Scorer", "ScorerOptions", "ScorerStats"]
