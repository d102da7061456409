"""Keep the garbage collector's work in proportion to what a scorer allocates, not to what it has loaded.

A scorer's heap is almost all long-lived: the imported libraries and each loaded model (an
ONNX session, a parsed PMML or PFA document, their codecs). Python's full (generation 2)
collections walk all of it, and the objects a model load leaves behind trigger one soon after:
50-150 ms of CPU here, 4-5 µs per event over a 30,000-event run (profiled,
benchmarks/results/scorer_profile.md), and the largest single cause of the benchmark's round
to round spread. After a version goes live (or leaves), :func:`settle` collects once and moves
what is alive to the permanent generation (``gc.freeze``) that collections skip; reference
counting still frees those objects as usual, and cycles among them wait for the next settle.

A batch also allocates a few containers per event (header lists, tuples) that live until the
batch is handed over; with the default young-generation threshold (700) each is traversed by a
young and then a middle collection while still in use. :data:`YOUNG` lets a batch's worth
of them die first. Both are process-wide settings: :func:`release` gives back the previous ones.
"""

from __future__ import annotations

import gc

__all__ = ["settle", "release", "YOUNG"]

YOUNG = 50_000  # allocations between young collections (Python's default: 700)
_saved: list[tuple[int, int, int]] = []  # the thresholds before the first settle


def settle() -> None:
    """Collect what is garbage now, then leave everything alive out of later collections."""
    if not _saved:
        _saved.append(gc.get_threshold())
        first, *rest = gc.get_threshold()
        gc.set_threshold(max(first, YOUNG), *rest)
    gc.unfreeze()  # cycles among objects frozen earlier (a model retired since) are collected too
    gc.collect()
    gc.freeze()


def release() -> None:
    """Give the frozen objects back to the collector and restore its thresholds (a scorer closing
    inside a longer-lived process)."""
    gc.unfreeze()
    if _saved:
        gc.set_threshold(*_saved.pop())
