"""The array kernel: items as a matrix, the first bad row reported rather than raised (the IR raises, generated code too)."""

from __future__ import annotations

import numpy as np

from interchange.ir.kernels.arrays import array_items


def test_items_missing_arrays_and_the_first_short_row() -> None:
    col = np.empty(3, dtype=object)
    col[:] = [[1.0, 2.0, 3.0], None, [4.0, 5.0, 6.0]]
    out, row, found = array_items(col, 2, None)
    np.testing.assert_array_equal(out, [[1.0, 2.0], [np.nan, np.nan], [4.0, 5.0]])
    assert (row, found) == (-1, 0)
    assert array_items(col, 2, 2)[1:] == (0, 3)
    col[2] = [1.0]
    assert array_items(col, 2, None)[1:] == (2, 1)
