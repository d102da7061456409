"""IR -> ONNX (the double writer) -> IR: each transform step the writer handles lifts back to the same model.

A graph of one transform step and a model on top is written to ONNX and lifted again; the
lifted graph, evaluated by the IR, must give what the original graph gives (rtol 1e-12) on
rows with missing values and categories the encoders do not know. Steps whose ONNX form the
lifter does not read back are checked to say which node stops it.
"""

from __future__ import annotations

import numpy as np
import pytest

from interchange.formats.onnx.ir_writer import write_document
from interchange.ir.derive.expressions import Call, Const, Derive, Ref
from interchange.ir.derive.transforms import (
    Bin,
    Impute,
    Normalize,
    OneHot,
    Ordinal,
    Polynomial,
    Project,
    Scale,
    Threshold,
    Validate,
)
from interchange.ir.graph import Graph, Step, evaluate
from interchange.ir.models.linear import Link, Regression
from interchange.lift import lift
from interchange.signature import InputField, OutputField, Signature
from tests.unit.formats.onnx.emit.test_expressions import CASES as EXPRESSIONS

A = np.array([np.nan, 0.0, -1.5, 2.5, 3.0, -0.5, 7.0, 1.0, 4.0, -2.0, 0.5, 10.0])
B = np.array([1.0, 0.0, np.nan, 2.0, -3.0, 0.25, 2.0, np.nan, 4.0, 0.0, 1.0, 3.0])
S = np.array(["x", "y", None, "z", "x", "y", "q", None, "z", "x", "y", "x"], dtype=object)
INPUTS = (InputField("a"), InputField("b"), InputField("s", "string", "categorical"))
COLUMNS = {"a": A, "b": B, "s": S}

STEPS: dict[str, tuple[tuple[Step, ...], tuple[str, ...]]] = {
    "impute": ((Impute(("a", "b"), ("ia", "ib"), (0.5, -1.0)),), ("ia", "ib")),
    "impute-text+onehot": (
        (Impute(("s",), ("is",), ("x",)), OneHot(("is",), ("s=x", "s=y"), ("x", "y"))),
        ("s=x", "s=y"),
    ),
    "scale": ((Scale(("a", "b"), ("sa", "sb"), (1.0, 0.5), (2.0, 4.0), (1.0, 1.0), (0.0, 0.0)),), ("sa", "sb")),
    "onehot-ignore": ((OneHot(("s",), ("s=x", "s=z"), ("x", "z")),), ("s=x", "s=z")),
    "ordinal": ((Ordinal(("s",), ("os",), (("x", "y"),), unknown=-1.0),), ("os",)),
    "threshold": ((Threshold(("a",), ("ta",), 0.5),), ("ta",)),
    "bins": ((Bin(("a",), ("ba",), ((0.0, 2.5),)),), ("ba",)),
    "normalize-l2": ((Normalize(("a", "b"), ("na", "nb"), "l2"),), ("na", "nb")),
    "polynomial": ((Polynomial(("a", "b"), ("p1", "p2", "p3"), np.array([[1, 0], [1, 1], [0, 2]])),), ("p1", "p2", "p3")),
    "project": ((Project(("a", "b"), ("pa",), np.array([[0.5, -2.0]]), np.array([0.25])),), ("pa",)),
    "derive-arithmetic": ((Derive(("d",), Call("*", (Ref("a"), Const(2.5)))),), ("d",)),
}
# the writer's ONNX for these has shapes the lifter does not read back yet: the node that stops it
NOT_READ_BACK = {}

EXPRESSIONS_NOT_READ_BACK: dict[str, str] = {}


def _graph(steps: tuple[Step, ...], columns: tuple[str, ...], classes: bool) -> Graph:
    coef = np.linspace(-1.0, 1.5, len(columns)).reshape(1, -1)
    if classes:
        sig = Signature(
            INPUTS,
            (OutputField("label", "label", "string"), *(OutputField(f"p{c}", "probability", target=c) for c in "ab")),
            ("a", "b"),
            "classification",
        )
        return Graph(sig, steps, Regression(columns, coef, np.array([0.125]), Link.LOGISTIC, ("a", "b")))
    return Graph(Signature(INPUTS, (OutputField("value", "value"),)), steps, Regression(columns, coef, np.array([0.125])))


@pytest.mark.parametrize("classes", [False, True], ids=["regression", "logistic"])
@pytest.mark.parametrize("name", list(STEPS))
def test_a_written_step_lifts_back(name: str, classes: bool) -> None:
    graph = _graph(*STEPS[name], classes)
    lifted = lift(write_document(graph))
    if name in NOT_READ_BACK:
        assert not lifted.ok and any(NOT_READ_BACK[name] in str(r) for r in lifted.reasons), lifted.report()
        return
    assert lifted.ok and lifted.graph is not None, lifted.report()
    want, got = evaluate(graph, COLUMNS), evaluate(lifted.graph, COLUMNS)
    for f in graph.signature.outputs:
        if f.kind == "label":
            assert [str(v) for v in want[f.name]] == [str(v) for v in got[f.name]]
        else:
            np.testing.assert_allclose(got[f.name], want[f.name], rtol=1e-12, atol=0, equal_nan=True, err_msg=f.name)


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_a_written_expression_lifts_back(name: str) -> None:
    graph = _graph((Derive(("d",), EXPRESSIONS[name]),), ("d",), False)
    lifted = lift(write_document(graph))
    if name in EXPRESSIONS_NOT_READ_BACK:
        assert not lifted.ok and any(EXPRESSIONS_NOT_READ_BACK[name] in str(r) for r in lifted.reasons), lifted.report()
        return
    assert lifted.ok and lifted.graph is not None, lifted.report()
    want, got = evaluate(graph, COLUMNS)["value"], evaluate(lifted.graph, COLUMNS)["value"]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True)


def test_a_validity_check_does_not_lift_back_yet() -> None:
    """Validate's ONNX form (a OneHotEncoder with zeros=0 failing the batch) is stated, not read back."""
    steps: tuple[Step, ...] = (Validate(("s",), (("x", "y", "z"),)), Derive(("d",), Ref("a")))
    lifted = lift(write_document(_graph(steps, ("d",), False)))
    assert not lifted.ok and any("zeros=0" in str(r) for r in lifted.reasons), lifted.report()


def test_a_column_imputed_in_place_is_read_imputed_by_later_steps() -> None:
    """PMML's missing-value replacement lifts as Impute(("a",), ("a",)): the model must read the new column
    (numbers only, so the inputs arrive as one matrix the writer had cached)."""
    sig = Signature(INPUTS[:2], (OutputField("value", "value"),))
    graph = Graph(sig, (Impute(("a",), ("a",), (5.0,)),), Regression(("a", "b"), np.array([[1.0, 1.0]]), np.array([0.0])))
    got = lift(write_document(graph))
    assert got.ok and got.graph is not None, got.report()
    columns = {"a": A, "b": B}
    want = evaluate(graph, columns)["value"]
    np.testing.assert_allclose(evaluate(got.graph, columns)["value"], want, rtol=1e-12, equal_nan=True)
    assert not np.isnan(want[0])  # (row 0 has a missing "a")
