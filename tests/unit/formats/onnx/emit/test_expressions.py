"""The ONNX writer's expression emitters (formats/onnx/emit/expressions.py) agree with the IR evaluator.

Each case is one Derive step feeding an identity regression, written to ONNX and run in
onnxruntime over rows with missing values, zeros, negatives, bin edges and overflow; the
result must equal ``ir.graph.evaluate`` bit for bit, or within 1e-14 for exp / ln / log10 / tanh / pow.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

import interchange
from interchange.document import Document
from interchange.errors import RecordError
from interchange.formats.onnx.ir_writer import write_document
from interchange.ir.derive.expressions import Bins, Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref
from interchange.ir.derive.transforms import Validate
from interchange.ir.graph import Graph, Step, evaluate
from interchange.ir.models.linear import Regression
from interchange.signature import InputField, OutputField, Signature

A = np.array([np.nan, 0.0, -1.5, 2.5, 3.0, -0.5, 700.0, 1.0, 4.0, -2.0, 0.5, 10.0])
B = np.array([1.0, 0.0, np.nan, 2.0, -3.0, 0.25, 2.0, np.nan, 4.0, 0.0, 1.0, 3.0])
S = np.array(["x", "y", None, "z", "x", "y", "q", None, "z", "x", "y", "x"], dtype=object)
SIG = Signature(
    (InputField("a"), InputField("b"), InputField("s", "string", "categorical")),
    (OutputField("value", "value"),),
)
a, b, s = Ref("a"), Ref("b"), Ref("s")

CASES: dict[str, Expr] = {
    **{f: Call(f, (a, b)) for f in ("+", "-", "*", "/", "pow", "threshold", "equal", "notEqual")},
    **{f: Call(f, (a, b)) for f in ("lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual", "and", "or")},
    **{f: Call(f, (a,)) for f in ("neg", "exp", "ln", "log10", "sqrt", "abs", "floor", "ceil", "logistic", "tanh")},
    **{f: Call(f, (a,)) for f in ("round", "not")},
    **{f: Call(f, (a, b, Const(1.0))) for f in ("min", "max", "sum", "avg", "product")},
    "min-missing": Call("min", (a, b)),
    "isMissing": Call("isMissing", (s,)),
    "isNotMissing": Call("isNotMissing", (a,)),
    "if": Call("if", (Call("greaterThan", (a, Const(0.0))), a, b)),
    "if-no-else": Call("if", (b, a)),
    "fill-default": Call("/", (a, b), fill=-1.0, default=99.0),
    "text-equal": Call("equal", (s, Const("x"))),
    "interpolate": Interpolate(a, (-1.5, 0.0, 2.5, 4.0), (0.0, 0.3, 0.9, 1.0)),
    "interpolate-missing": Interpolate(a, (-1.5, 4.0), (0.0, 1.0), "asMissingValues", fill=0.5),
    "interpolate-extreme": Interpolate(a, (-1.5, 0.0, 4.0), (0.0, 0.5, 1.0), "asExtremeValues"),
    "indicator-text": Indicator(s, "y", fill=0.0),
    "indicator-number": Indicator(b, 2.0),
    "lookup": Lookup((s,), ((("x",), 1.0), (("y",), 2.0), (("x",), 3.0)), default=-1.0, fill=7.0),
    "lookup-two": Lookup((s, b), ((("x", "1"), 1.0), (("y", "0.25"), 2.0)), default=0.0),
    "bins": Bins(a, ((None, 0.0, "openClosed", 1.0), (0.0, 2.5, "openOpen", 2.0), (2.5, None, "closedOpen", 3.0)), fill=-1.0),
    "const": Const(3.25),
}

TRANSCENDENTAL = {"exp", "ln", "log10", "tanh", "logistic", "pow", "product"}


def _graph(expr: Expr, type: str | None = None) -> Graph:
    steps: list[Step] = [Derive(("d",), expr, type)]
    return Graph(SIG, tuple(steps), Regression(("d",), np.array([[1.0]]), np.array([0.0])))


def _onnx(graph: Graph) -> np.ndarray:
    session = ort.InferenceSession(write_document(graph), providers=["CPUExecutionProvider"])
    feeds = {"a": A.reshape(-1, 1), "b": B.reshape(-1, 1), "s": np.where(S == None, "", S).astype(object).reshape(-1, 1)}  # noqa: E711
    names = [o.name for o in session.get_outputs()]
    return np.asarray(session.run(None, feeds)[names.index("value")], dtype=np.float64).ravel()


@pytest.mark.parametrize("name", list(CASES))
def test_expression_matches_the_ir(name: str) -> None:
    graph = _graph(CASES[name])
    want = evaluate(graph, {"a": A, "b": B, "s": S})["value"]
    rtol = 1e-14 if name in TRANSCENDENTAL else 0.0  # onnxruntime's exp / log / tanh / pow may differ from libm in the last bit
    np.testing.assert_allclose(_onnx(graph), want, rtol=rtol, atol=0, equal_nan=True)


@pytest.mark.parametrize("cast", ["float", "integer", "double"])
def test_derive_casts(cast: str) -> None:
    graph = _graph(Call("*", (a, Const(1.1))), cast)
    np.testing.assert_array_equal(_onnx(graph), evaluate(graph, {"a": A, "b": B, "s": S})["value"])


def test_text_lookup_then_indicator() -> None:
    table = ((("x",), "p"), (("y",), "q"))
    steps = (Derive(("t",), Lookup((s,), table, default="r", numeric=False)), Derive(("d",), Indicator(Ref("t"), "q")))
    graph = Graph(SIG, steps, Regression(("d",), np.array([[1.0]]), np.array([0.0])))
    np.testing.assert_array_equal(_onnx(graph), evaluate(graph, {"a": A, "b": B, "s": S})["value"])


def test_a_value_outside_the_valid_list_refuses_only_its_record() -> None:
    steps: tuple[Step, ...] = (Validate(("s", "b"), (("x", "y", "z"), (0.0, 1.0, 2.0, 4.0))), Derive(("d",), Call("+", (a, b))))
    graph = Graph(SIG, steps, Regression(("d",), np.array([[1.0]]), np.array([0.0])))
    model = interchange.load(Document("onnx", write_document(graph)))
    good = {"a": np.array([1.0, 2.0]), "b": np.array([4.0, np.nan]), "s": np.array(["x", None], dtype=object)}
    np.testing.assert_array_equal(model.predict(good)["value"], [5.0, np.nan])
    for bad in ({"s": np.array(["q"], dtype=object)}, {"b": np.array([3.0])}):
        row = {"a": np.array([1.0]), "b": np.array([1.0]), "s": np.array(["x"], dtype=object), **bad}
        with pytest.raises(RecordError, match="unknown category"):
            model.predict(row)
