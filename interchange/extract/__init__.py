"""Fitted estimators to IR: one extractor per estimator family, in a registry by type.

``to_graph(estimator, signature)`` walks a (nested) Pipeline / ColumnTransformer and turns each
fitted step into IR steps, ending in one IR model step. Formats without a library converter
(PMML, PFA) write documents from that graph.
"""

from __future__ import annotations

from typing import Any

from interchange.errors import UnsupportedModelError
from interchange.ir import Graph
from interchange.signature import Signature

__all__ = ["to_graph"]


def to_graph(estimator: Any, signature: Signature, *, format: str = "") -> Graph:
    """The IR graph of a fitted estimator; UnsupportedModelError names what cannot be extracted."""
    raise UnsupportedModelError(
        f"no IR extractor for {type(estimator).__name__} yet", estimator=type(estimator).__name__, format=format
    )
