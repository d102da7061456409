"""ArrayItems: an array column read as one column per item, a wrong length being the record's fault."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import RecordError
from interchange.ir.derive.arrays import ArrayItems


def test_items_become_columns_and_a_missing_array_missing_items() -> None:
    env = {"x": np.array([np.array([1.0, 2.0]), None, [3.5, -1.0]], dtype=object)}
    ArrayItems(("x",), ("x[0]", "x[1]"), 2).apply(env)
    np.testing.assert_array_equal(env["x[0]"], [1.0, np.nan, 3.5])
    np.testing.assert_array_equal(env["x[1]"], [2.0, np.nan, -1.0])


def test_an_index_reads_arrays_at_least_that_long() -> None:
    env = {"x": np.array([[1.0, 2.0, 3.0], [4.0]], dtype=object)}
    ArrayItems(("x",), ("x[0]",)).apply(env)
    np.testing.assert_array_equal(env["x[0]"], [1.0, 4.0])


@pytest.mark.parametrize("length,outputs", [(2, ("x[0]", "x[1]")), (None, ("x[0]", "x[1]", "x[2]"))])
def test_a_wrong_length_is_a_record_error_naming_the_row(length: int | None, outputs: tuple[str, ...]) -> None:
    env = {"x": np.array([[1.0, 2.0], [1.0, 2.0, 3.0]] if length else [[1.0, 2.0, 3.0], [1.0, 2.0]], dtype=object)}
    with pytest.raises(RecordError) as err:
        ArrayItems(("x",), outputs, length).apply(env)
    assert err.value.context.get("row") == 1 and err.value.context.get("field") == "x"
