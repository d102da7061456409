"""fast.scan's running sums: the same numbers as titus2's record-after-record additions."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.formats.pfa.fast.scan import ScanFallback, _sums
from interchange.formats.pfa.fast.types import DOUBLE, INT, LONG


def _python_running(start: float, xs: list[float]) -> list[float]:
    out, acc = [start], start
    for x in xs:
        acc = acc + x
        out.append(acc)
    return out


def test_double_sums_add_left_to_right_like_python() -> None:
    """Values whose sum depends on the order (cancellation, 1e16 + 1.0, -0.0): bit for bit Python's."""
    rng = np.random.default_rng(0)
    xs = np.concatenate([rng.normal(0, 1e16, 500), rng.normal(0, 1.0, 500), [1.0, -1e16, 1e16, -0.0, 0.1]])
    rng.shuffle(xs)
    got = _sums(-0.0, xs, DOUBLE)
    want = _python_running(-0.0, xs.tolist())
    assert got.tobytes() == np.array(want).tobytes()


def test_int_sums_outside_the_int_range_run_record_by_record() -> None:
    assert _sums(2**31 - 3, np.array([1, 1]), INT).tolist() == [2**31 - 3, 2**31 - 2, 2**31 - 1]
    with pytest.raises(ScanFallback):
        _sums(2**31 - 3, np.array([1, 1, 1]), INT)
    with pytest.raises(ScanFallback):
        _sums(2**62, np.array([2**62]), LONG)
