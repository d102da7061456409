"""Keep the scorer's long-lived objects out of Python's full garbage collections.

A scorer's heap is almost all long-lived: the imported libraries and each loaded model (an
ONNX session, a parsed PMML or PFA document, their codecs). Python's full (generation 2)
collections walk all of it, and the objects a model load leaves behind trigger one soon after:
50-150 ms of CPU here, 3.8 µs per event over a 30,000-event run (profiled,
benchmarks/results/scorer_profile.md), and the largest single cause of the benchmark's round
to round spread. After a version goes live (or leaves), :func:`settle` collects once and moves
what is alive to the permanent generation (``gc.freeze``) that collections skip; reference
counting still frees those objects as usual, and cycles among them wait for the next settle.
"""

from __future__ import annotations

import gc

__all__ = ["settle", "release"]


def settle() -> None:
    """Collect what is garbage now, then leave everything alive out of later collections."""
    gc.unfreeze()  # cycles among objects frozen earlier (a model retired since) are collected too
    gc.collect()
    gc.freeze()


def release() -> None:
    """Give the frozen objects back to the collector (a scorer closing inside a longer-lived process)."""
    gc.unfreeze()
