"""The universal scorer: follows the model topic, scores feature events in batches.

One process serves one model name in any format, hot-swapping versions as they are
published; events it cannot use go to the dead-letter topic with their reason.
"""

from __future__ import annotations

from interchange.scorer.scorer import Scorer, ScorerOptions, ScorerStats

__all__ = ["Scorer", "ScorerOptions", "ScorerStats"]
