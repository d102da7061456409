"""The scorer's collector settings: applied while it runs, given back when it closes."""

from __future__ import annotations

import gc
import weakref

from interchange.kafka.scorer import heap


def test_settle_freezes_and_release_restores() -> None:
    before = gc.get_threshold()
    try:
        keep = [[i] for i in range(1000)]  # tracked containers alive at settle time
        heap.settle()
        assert gc.get_freeze_count() >= len(keep)
        assert gc.get_threshold()[0] == max(before[0], heap.YOUNG)
        heap.settle()  # again (a new version): still one saved setting to restore
    finally:
        heap.release()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_cycles_left_by_a_retired_model_are_collected_at_the_next_settle() -> None:
    class Node:
        other: Node

    try:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle, frozen while alive
        alive = weakref.ref(a)
        heap.settle()
        del a, b
        gc.collect()
        assert alive() is not None  # unreachable, but frozen: a full pass skips it
        heap.settle()  # unfreezes first: collected now
        assert alive() is None
    finally:
        heap.release()
