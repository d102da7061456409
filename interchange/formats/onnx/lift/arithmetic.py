"""The ONNX lifter's arithmetic: elementwise operators over columns, affine maps (MatMul, Gemm)
and their links (Sigmoid, Softmax, skl2onnx's one-vs-rest normaliser), ArgMax."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.formats.onnx.lift.columns import LifterOps
from interchange.formats.onnx.lift.values import Cols, Lin, _Label, _scalar, _where
from interchange.ir.derive.expressions import Call, Const, Ref
from interchange.ir.lifted import Unliftable

__all__ = ["ArithmeticOps"]


@dataclass
class _Sum:
    """ReduceSum of a sigmoid's outputs (the OVR normaliser skl2onnx writes)."""

    of: Lin


class ArithmeticOps(LifterOps):
    """``op_*`` for arithmetic."""

    # --- arithmetic ----------------------------------------------------------------------
    def _elementwise(self, node: Any, ins: list[Any], fn: str) -> Any:
        a, b = ins
        if isinstance(a, np.ndarray) and not isinstance(b, np.ndarray) and fn in ("+", "*"):
            a, b = b, a  # a commutative operator with the constant first
        neutral = 1.0 if fn in ("*", "/") else 0.0
        if isinstance(b, np.ndarray) and b.size and np.all(np.asarray(b, dtype=np.float64) == neutral) and b.ndim <= 1:
            return a  # x * 1, x / 1, x + 0, x - 0 (onnxmltools multiplies a classifier's probabilities by one)
        if isinstance(a, Lin) and isinstance(b, np.ndarray) and fn in ("+", "-"):
            bias = np.broadcast_to(np.asarray(b, dtype=np.float64).reshape(-1), a.intercept.shape)
            return Lin(a.inputs, a.coef, a.intercept + (bias if fn == "+" else -bias), a.link)
        if isinstance(a, Lin) and a.link == "none" and fn in ("*", "/") and _scalar(b) not in (None, 0.0):
            k = float(_scalar(b)) if fn == "*" else 1.0 / float(_scalar(b))  # type: ignore[arg-type]
            return Lin(a.inputs, a.coef * k, a.intercept * k, negated=a if k == -1.0 else None)  # (Perceptron's -score)
        if isinstance(a, Lin) and fn == "/" and isinstance(b, _Sum) and b.of is a and a.link == "sigmoid":
            return Lin(a.inputs, a.coef, a.intercept, "ovr")
        if isinstance(a, Cols) and isinstance(b, np.ndarray):
            c = np.broadcast_to(np.asarray(b, dtype=np.float64).reshape(-1), (len(a.names),))
            outs = [
                self.derive(f"{n}{fn}{x}", Call(fn, (Ref(n), Const(float(x)))), a.single) for n, x in zip(a.names, c, strict=True)
            ]
            return Cols(outs, a.single)
        if isinstance(a, Cols) and isinstance(b, Cols) and len(a.names) == len(b.names):
            single = a.single or b.single
            pairs = zip(a.names, b.names, strict=True)
            return Cols([self.derive(f"{x}{fn}{y}", Call(fn, (Ref(x), Ref(y))), single) for x, y in pairs], single)
        raise Unliftable(_where(node), f"{node.op_type} of {type(a).__name__} and {type(b).__name__}")

    def op_Add(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return self._elementwise(node, ins, "+")

    def op_Sub(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return self._elementwise(node, ins, "-")

    def op_Mul(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return self._elementwise(node, ins, "*")

    def op_Div(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return self._elementwise(node, ins, "/")

    def op_MatMul(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        w = np.asarray(self._const(node.input[1], node), dtype=np.float64)
        if w.ndim == 1:  # [N, columns] @ [columns]: one score per row (skl2onnx's PoissonRegressor)
            w = w[:, None]
        if w.ndim != 2 or w.shape[0] != len(v.names):
            raise Unliftable(_where(node), "MatMul by other than a [columns, k] constant")
        return Lin(tuple(v.names), w.T.copy(), np.zeros(w.shape[1]))

    def op_Gemm(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        if at.get("transA", 0):
            raise Unliftable(_where(node), "Gemm with transA")
        b = np.asarray(self._const(node.input[1], node), dtype=np.float64)
        b = b.T if at.get("transB", 0) else b
        c = np.asarray(self.values.get(node.input[2]) if len(node.input) > 2 else 0.0, dtype=np.float64)
        coef = at.get("alpha", 1.0) * b.T
        bias = np.broadcast_to(at.get("beta", 1.0) * c.reshape(-1), (coef.shape[0],))
        return Lin(tuple(v.names), coef, np.array(bias, dtype=np.float64))

    def op_Sigmoid(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if isinstance(ins[0], Lin) and ins[0].link == "none":
            return Lin(ins[0].inputs, ins[0].coef, ins[0].intercept, "sigmoid")
        if isinstance(ins[0], Cols):
            v = ins[0]
            return Cols([self.derive(f"sigmoid({n})", Call("logistic", (Ref(n),)), v.single) for n in v.names], v.single)
        raise Unliftable(_where(node), f"Sigmoid of {type(ins[0]).__name__}")

    def op_Exp(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if isinstance(ins[0], Lin) and ins[0].link == "none" and len(ins[0].coef) == 1:
            return Lin(ins[0].inputs, ins[0].coef, ins[0].intercept, "exp")  # a log link (exp of one affine score)
        if isinstance(ins[0], Cols):
            v = ins[0]
            return Cols([self.derive(f"exp({n})", Call("exp", (Ref(n),)), v.single) for n in v.names], v.single)
        raise Unliftable(_where(node), f"Exp of {type(ins[0]).__name__}")

    def op_Softmax(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if isinstance(ins[0], Lin) and ins[0].link == "none" and at.get("axis", -1) in (1, -1):
            return Lin(ins[0].inputs, ins[0].coef, ins[0].intercept, "softmax")
        raise Unliftable(_where(node), f"Softmax of {type(ins[0]).__name__}")

    def op_Relu(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])  # x * (x > 0): NaN stays NaN, as in onnxruntime
        return Cols(
            [self.derive(f"relu({n})", Call("*", (Ref(n), Call("threshold", (Ref(n), Const(0.0))))), v.single) for n in v.names],
            v.single,
        )

    def op_Tanh(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        return Cols([self.derive(f"tanh({n})", Call("tanh", (Ref(n),)), v.single) for n in v.names], v.single)

    def op_Abs(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if isinstance(ins[0], Lin) and ins[0].link == "sigmoid":
            return ins[0]  # sigmoids are positive
        raise Unliftable(_where(node), f"Abs of {type(ins[0]).__name__}")

    def op_ReduceSum(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if isinstance(ins[0], Lin):
            return _Sum(ins[0])
        raise Unliftable(_where(node), f"ReduceSum of {type(ins[0]).__name__}")

    def op_ArgMax(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if not isinstance(ins[0], Cols):
            return _Label()  # the argmax of a model's scores: the IR's label is its argmax too
        names = ins[0].names  # an index column (KBinsDiscretizer's bin)
        if at.get("axis", 0) not in (1, -1) or at.get("select_last_index", 0) or len(names) > 16:
            raise Unliftable(_where(node), "ArgMax other than the first largest of up to 16 columns per row")
        # onnxruntime's ArgMax scans a row keeping the first largest, replaced only by a greater value:
        # a NaN never replaces it, and a NaN first is never replaced (index 0). skl2onnx's KBinsDiscretizer
        # leans on it: each column's row is [x < edge..., x0 * 0 + 1], whose last entry is NaN when the
        # first input x0 is NaN, which moves every column's "above all edges" row to bin 0 (measured).
        last = len(names) - 1  # taken when no earlier index is: the first largest when names[0] is a number
        expr: Any = Const(float(last))
        for i in range(last - 1, -1, -1):
            beaten = [
                Call("not", (Call("greaterOrEqual" if j < i else "greaterThan", (Ref(names[j]), Ref(names[i]))),))
                for j in range(len(names))
                if j != i
            ]
            if i:
                beaten.append(Call("isNotMissing", (Ref(names[i]),)))  # (a NaN at 0 has no later j beating it)
            test = beaten[0] if len(beaten) == 1 else Call("and", tuple(beaten))  # (PMML's and takes two or more)
            expr = Call("if", (test, Const(float(i)), expr))
        return Cols([self.derive(f"{node.output[0]}", expr, False)], False, whole=True)
