"""Generated Java for ArrayItems: an array input's block of slots (its length, then its items), checked as the IR does."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.codegen.java.arrays import array_widths
from interchange.codegen.java.writer import JavaWriter
from interchange.codegen.registry import NOT_GENERATED_BY, lookup, refused_nodes
from interchange.errors import UnsupportedModelError
from interchange.ir.derive.arrays import ArrayItems
from interchange.ir.graph import Graph
from interchange.ir.models.linear import Link, Regression
from interchange.signature import InputField, OutputField, Signature


def _graph(*steps: ArrayItems) -> Graph:
    sig = Signature((InputField("v", "array"),), (OutputField("y", "value"),), task="regression")
    model = Regression(("v[0]", "v[1]"), np.array([[1.0, 2.0]]), np.array([0.5]), Link.IDENTITY)
    return Graph(sig, steps, model)


def test_the_items_are_the_block_after_the_length_and_a_bad_length_throws() -> None:
    out = JavaWriter()
    out.new_num("a")
    first = out.new_array("v", 3)
    assert (first, out.slot_count) == (1, 5)
    step = ArrayItems(("v",), ("v[0]", "v[1]"), 3)
    lines = lookup("java", step)(step, out)
    assert lines[0] == "if (!Double.isNaN(v[1]) && (v[1] < 2 || v[1] != 3)) {"
    assert '"array field \'v\' holds " + (long) v[1] + " items; the model reads 3"' in lines[1]
    assert (out.num("v[0]"), out.num("v[1]")) == ("v[2]", "v[3]")
    step = ArrayItems(("v",), ("w0",))
    assert "(v[1] < 1)) {" in lookup("java", step)(step, out)[0]


def test_an_array_is_not_read_as_a_number_nor_a_number_as_an_array() -> None:
    out = JavaWriter()
    out.new_array("v", 1)
    out.new_num("x")
    with pytest.raises(UnsupportedModelError, match="'v' is an array where a number is needed"):
        out.num("v")
    step = ArrayItems(("x",), ("x[0]",))
    with pytest.raises(UnsupportedModelError, match="not an array input"):
        lookup("java", step)(step, out)


def test_the_width_is_the_most_items_read_or_the_exact_length() -> None:
    assert array_widths(_graph(ArrayItems(("v",), ("v[0]", "v[1]")))) == {"v": 2}
    assert array_widths(_graph(ArrayItems(("v",), ("v[0]", "v[1]"), 5))) == {"v": 5}


def test_java_generates_array_items_now() -> None:
    """The refusal is gone (NOT_GENERATED_BY stays, empty, for the next node a language lags on)."""
    assert "ArrayItems" not in NOT_GENERATED_BY.get("java", {})
    assert refused_nodes(_graph(ArrayItems(("v",), ("v[0]", "v[1]"))), "java") == []
