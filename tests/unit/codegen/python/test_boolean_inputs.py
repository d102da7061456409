"""A boolean input given as numpy bools is one category ("1" / "0") for the IR and for generated code."""

from __future__ import annotations

import numpy as np

from interchange.batch import to_columns
from interchange.codegen.api import codegen
from interchange.ir.columns import Columns
from interchange.ir.derive.expressions import Derive, Lookup, Ref
from interchange.ir.graph import Graph, evaluate
from interchange.signature import InputField, OutputField, Signature


def test_numpy_bools_take_the_category_of_their_typed_column() -> None:
    flag = InputField("flag", "boolean", "categorical")
    sig = Signature(inputs=(flag,), outputs=(OutputField("y", "score"),), task="transform")
    table = ((("1",), 5.0), (("0",), 7.0), (("True",), 50.0), (("False",), 70.0))
    graph = Graph(sig, (Derive(("y_d",), Lookup((Ref("flag"),), table, default=-1.0)),), Columns(("y_d",), ("y",)))
    raw = {"flag": np.array([True, False])}
    namespace: dict[str, object] = {}
    exec(compile(codegen(graph, "python").source, "generated", "exec"), namespace)  # noqa: S102
    generated = namespace["predict"](raw)  # type: ignore[operator]
    for got in (evaluate(graph, raw), evaluate(graph, to_columns(raw, sig)), generated):
        assert list(got["y"]) == [5.0, 7.0]
