"""ir.chain: the columns a chain reads."""

from __future__ import annotations

import numpy as np

from interchange.ir.combine.chain import Chain, ChainSegment, Link
from interchange.ir.derive.expressions import Call, Const, Ref
from interchange.ir.models.linear import Link as LinkFunction
from interchange.ir.models.linear import Regression


def test_a_link_expression_reading_its_segments_earlier_figure_is_no_input() -> None:
    first = Regression(("a",), np.array([[1.0]]), np.array([0.0]), LinkFunction.LOGISTIC, ("no", "yes"))
    z = Call("*", (Ref("p"), Const(2.0)))
    last = Regression(("z", "b"), np.array([[1.0, 1.0]]), np.array([0.0]), LinkFunction.IDENTITY)
    chain = Chain(
        (ChainSegment(first, None, (Link("p", "probability", "yes"), Link("z", "expression", None, z))), ChainSegment(last))
    )
    assert chain.inputs == ("a", "b")
