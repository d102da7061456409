"""Fitted estimators to IR: one extractor per estimator family, in a registry by type.

``to_graph(estimator, signature)`` walks a Pipeline and turns each fitted step into IR steps,
ending in one IR model step. Formats without a library converter (PMML, PFA) write documents
from that graph, and the graph itself evaluates with numpy.
"""

from __future__ import annotations

from interchange.extract.registry import Extraction, extractor, to_graph

__all__ = ["to_graph", "extractor", "Extraction"]
