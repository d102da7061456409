"""Lift an ONNX document (ai.onnx.ml operators and the ai.onnx arithmetic converters emit) into the IR.

The graph is run symbolically, node by node: a tensor of per-row values becomes IR columns
(one per tensor column), a constant stays a numpy array, an affine map of columns (MatMul,
Gemm, Add) stays symbolic until a link (Sigmoid, Softmax, a normaliser) or the end makes it
a linear model, and an ML operator (LinearClassifier / LinearRegressor / TreeEnsemble*)
becomes the IR model step. Float tensors compute in float32: each elementwise result is a
Derive step rounded to float32 (exact: an IEEE float32 operation equals the double operation
rounded), sums of many terms are evaluated in double. Every node that does not fit says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from interchange.document import Document
from interchange.formats.onnx.lift.distance import DistanceOps
from interchange.formats.onnx.lift.double import DoubleOps, Trees, trees_model
from interchange.formats.onnx.lift.naive_bayes import Jll, NaiveBayesOps, jll_model
from interchange.formats.onnx.lift.outlier import OutlierOps
from interchange.formats.onnx.lift.svm import Form, SVMOps, form_output
from interchange.formats.onnx.lift.trees import tree_ensemble
from interchange.formats.onnx.lift.values import Cols, Lin, Pred, _Label, _where
from interchange.formats.onnx.runtime import parse
from interchange.ir.expressions import Call, Const, Derive, Indicator, Lookup, Ref
from interchange.ir.graph import Graph, ModelStep, Step
from interchange.ir.lifted import Lifted, Reason, Unliftable
from interchange.ir.linear import Link, Regression
from interchange.ir.transforms import Impute, Normalize, Project, Threshold

__all__ = ["lift_onnx"]


def lift_onnx(data: bytes) -> Lifted:
    parsed = parse(Document("onnx", data))
    sig = parsed.signature
    lifter = _Lifter(parsed.proto, sig.classes)
    reasons: list[Reason] = []
    groups: dict[str, list[tuple[int, str]]] = {}
    for name, (tensor, col) in parsed.inputs.items():
        groups.setdefault(tensor, []).append((col or 0, name))
    elem = {i.name: i.type.tensor_type.elem_type for i in parsed.proto.graph.input}
    for tensor, parts in groups.items():
        names = [n for _, n in sorted(parts)]
        if elem.get(tensor) == onnx.TensorProto.FLOAT:
            names = [lifter.derive(f"{n}:f32", Ref(n), True) for n in names]
            lifter.values[tensor] = Cols(names, True)
        elif elem.get(tensor) == onnx.TensorProto.STRING:  # the feed sends a missing text as "" (runtime.py)
            empty = [
                lifter.derive(f"{n}:text", Call("if", (Call("isMissing", (Ref(n),)), Const(""), Ref(n))), None) for n in names
            ]
            lifter.values[tensor] = Cols(empty, False)
        elif elem.get(tensor) == onnx.TensorProto.DOUBLE:
            lifter.values[tensor] = Cols(names, False)
        else:
            reasons.append(Reason(f"input {tensor}", f"input element type {elem.get(tensor)} has no IR form yet"))
    for node in parsed.proto.graph.node:
        try:
            lifter.node(node)
        except Unliftable as exc:
            reasons.append(exc.reason)
            break
    model = None
    wanted = {tensor for f, (tensor, _) in parsed.outputs.items() if sig.output_names and f in sig.output_names}
    found: list[Any] = []
    try:
        for tensor in wanted:
            v = lifter.values.get(tensor)
            if isinstance(v, Trees):
                v = Pred(trees_model(v, sig.classes, "graph outputs"))
            elif isinstance(v, Jll):
                v = Pred(jll_model(v, sig.classes, "graph outputs"))
            elif isinstance(v, Form):  # machine values read as outputs: the decision columns they must be
                cols = [c or 0 for f, (t, c) in parsed.outputs.items() if t == tensor and f in sig.output_names]
                v = form_output(v, cols, "graph outputs")
            found.append(v)
    except Unliftable as exc:
        reasons.append(exc.reason)
    preds = {id(v.model): v.model for v in found if isinstance(v, Pred)}
    lins = [v for v in found if isinstance(v, Lin)]
    if not reasons and (lins or preds):
        if lins and not preds:
            try:
                preds = {0: lifter.linear(lins[0], sig.classes)}
            except Unliftable as exc:
                reasons.append(exc.reason)
    if not reasons:
        if len(preds) != 1:
            kinds = sorted({type(v).__name__ for v in found})
            reasons.append(Reason("graph outputs", f"outputs are not one model's prediction (found {kinds})"))
        else:
            model = next(iter(preds.values()))
    lifted = [(f"node {n}", kind) for n, kind in lifter.done]
    graph = Graph(sig, tuple(lifter.steps), model) if model is not None and not reasons else None
    return Lifted("onnx", sig, graph, tuple(reasons), tuple(lifted))


def _attrs(node: onnx.NodeProto) -> dict[str, Any]:
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        out[a.name] = (
            v.decode()
            if isinstance(v, bytes)
            else [x.decode() if isinstance(x, bytes) else x for x in v]
            if isinstance(v, list)
            else v
        )
        if isinstance(v, onnx.TensorProto):
            out[a.name] = numpy_helper.to_array(v)
    return out


class _Lifter(SVMOps, DistanceOps, NaiveBayesOps, OutlierOps, DoubleOps):
    def __init__(self, proto: onnx.ModelProto, classes: tuple[Any, ...] | None = None) -> None:
        self.classes = classes
        self.values: dict[str, Any] = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
        self.steps: list[Step] = []
        self.done: list[tuple[str, str]] = []
        self._names: set[str] = set()

    def derive(self, name: str, expr: Any, single: bool | None) -> str:
        base, k = name, 1
        while name in self._names:
            k += 1
            name = f"{base}#{k}"
        self._names.add(name)
        self.steps.append(Derive((name,), expr, "string" if single is None else "float" if single else "double"))
        return name

    def _fresh(self, name: str) -> str:
        base, k = name, 1
        while name in self._names:
            k += 1
            name = f"{base}#{k}"
        self._names.add(name)
        return name

    def _const(self, name: str, node: onnx.NodeProto) -> np.ndarray:
        v = self.values.get(name)
        if not isinstance(v, np.ndarray):
            raise Unliftable(_where(node), f"input {name!r} must be a constant here")
        return v

    def linear(self, lin: Lin, classes: Any) -> ModelStep:
        if classes is None:
            if len(lin.coef) != 1 or lin.link not in ("none", "sigmoid"):
                raise Unliftable("graph outputs", "a value output that is not one affine score (or its sigmoid)")
            if lin.link == "none":
                return Regression(lin.inputs, lin.coef, lin.intercept)
            score = "score[0]"  # the sigmoid of an affine score as a column, passed through unchanged (x * 1 + 0)
            self.steps.append(Project(lin.inputs, (score,), lin.coef, lin.intercept))
            out = self.derive("sigmoid(score)", Call("logistic", (Ref(score),)), False)
            return Regression((out,), np.ones((1, 1)), np.zeros(1))
        if lin.link == "sigmoid" and len(lin.coef) == 1:
            return Regression(lin.inputs, lin.coef, lin.intercept, Link.LOGISTIC, tuple(classes))
        if lin.link == "softmax":
            return Regression(lin.inputs, lin.coef, lin.intercept, Link.SOFTMAX, tuple(classes))
        if lin.link == "none" and (len(lin.coef) == len(classes) or (len(classes) == 2 and len(lin.coef) == 1)):
            return Regression(lin.inputs, lin.coef, lin.intercept, Link.IDENTITY, tuple(classes))  # decision values
        if lin.link == "ovr":
            return Regression(lin.inputs, lin.coef, lin.intercept, Link.OVR, tuple(classes))
        raise Unliftable("graph outputs", f"class scores with link {lin.link!r} have no IR form yet")

    def node(self, node: onnx.NodeProto) -> None:
        op = node.op_type
        ins = [self.values.get(i) if i else None for i in node.input]
        if all(isinstance(v, np.ndarray) for v in ins if v is not None) and op in _FOLD:
            outs = _FOLD[op](ins, _attrs(node))
        else:
            at = _attrs(node)
            outs = self.svm_forms(node, ins, at)  # machine values (lift.svm)
            if outs is None:
                outs = self.distance(node, ins, at)  # distance models (lift.distance)
            if outs is None:
                outs = self.naive_bayes(node, ins, at)  # naive Bayes, log-softmax (lift.naive_bayes)
            if outs is None:
                outs = self.outlier(node, ins, at)  # isolation scores (lift.outlier)
            if outs is None:
                outs = self.pattern(node, ins, at)  # the double writer's shapes (lift_double)
            if outs is None:
                fn = getattr(self, f"op_{op}", None)
                if fn is None:
                    raise Unliftable(_where(node), f"operator {node.domain or 'ai.onnx'}.{op} has no IR form yet")
                outs = fn(node, ins, _attrs(node))
        for name, value in zip(node.output, outs if isinstance(outs, tuple) else (outs,), strict=False):
            self.values[name] = value
        self.done.append((node.name or node.output[0], op))

    # --- column plumbing ---------------------------------------------------------------
    def op_Identity(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return ins[0]

    op_ZipMap = op_Identity

    def op_Cast(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = ins[0]
        if isinstance(v, (Pred, _Label)):
            return v
        if isinstance(v, Cols):
            if at["to"] == onnx.TensorProto.FLOAT:
                return Cols([self.derive(f"{n}:f32", Ref(n), True) for n in v.names], True) if not v.single else v
            if at["to"] == onnx.TensorProto.DOUBLE:
                return Cols(v.names, False, v.whole)
            if at["to"] in (onnx.TensorProto.BOOL, onnx.TensorProto.INT64, onnx.TensorProto.INT32) and v.whole:
                return v
        raise Unliftable(_where(node), f"Cast to type {at.get('to')} of {type(v).__name__}")

    def op_Reshape(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if isinstance(ins[0], _Label):
            return ins[0]
        if isinstance(ins[0], (Cols, Pred, Lin)):
            shape = ins[1] if isinstance(ins[1], np.ndarray) else None
            width = len(ins[0].names) if isinstance(ins[0], Cols) else None
            if shape is None or len(shape) != 2 or (width is not None and shape[1] not in (-1, width)):
                raise Unliftable(_where(node), "Reshape other than to [rows, columns]")
            return ins[0]
        raise Unliftable(_where(node), f"Reshape of {type(ins[0]).__name__}")

    def op_Concat(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if at.get("axis") not in (1, -1) or not all(isinstance(v, Cols) for v in ins):
            raise Unliftable(_where(node), "Concat other than of columns along axis 1")
        return Cols([n for v in ins for n in v.names], any(v.single for v in ins))

    def _select(self, node: Any, v: Any, idx: np.ndarray) -> Any:
        index = [int(i) for i in np.asarray(idx).reshape(-1)]
        if isinstance(v, Cols):
            return Cols([v.names[i] for i in index], v.single)
        if isinstance(v, Pred) and index == [1]:  # the positive class's score of a binary classifier
            return v
        raise Unliftable(_where(node), f"column selection from {type(v).__name__}")

    def op_ArrayFeatureExtractor(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if isinstance(ins[1], _Label):  # classes[argmax]: the label
            return ins[1]
        return self._select(node, ins[0], self._const(node.input[1], node))

    def op_Gather(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if at.get("axis", 0) != 1:
            raise Unliftable(_where(node), "Gather other than of columns (axis 1)")
        return self._select(node, ins[0], self._const(node.input[1], node))

    # --- transformations -----------------------------------------------------------------
    def _cols(self, node: Any, v: Any) -> Cols:
        if isinstance(v, Lin) and v.link == "none":  # an affine layer feeding more than a link: its columns
            outs = [f"{node.output[0]}[{j}]" for j in range(len(v.coef))]
            self.steps.append(Project(v.inputs, tuple(outs), v.coef, v.intercept))
            self._names.update(outs)
            return Cols(outs, False)
        if not isinstance(v, Cols):
            raise Unliftable(_where(node), f"expects per-row columns, got {type(v).__name__}")
        return v

    def op_Imputer(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        values = at.get("imputed_value_floats") or at.get("imputed_value_int64s")
        replaced = at.get("replaced_value_float", np.nan)
        if not (isinstance(replaced, float) and np.isnan(replaced)) or not values:
            raise Unliftable(_where(node), "Imputer replacing a value other than NaN")
        values = list(values) * (len(v.names) if len(values) == 1 else 1)
        outs = []
        for n, fill in zip(v.names, values, strict=True):
            out = self.derive(f"{n}:imputed", Ref(n), v.single)  # a new name; Impute writes it
            self.steps[-1] = Impute((n,), (out,), (float(np.float32(fill)) if v.single else float(fill),))
            outs.append(out)
        return Cols(outs, v.single)

    def op_Scaler(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        offset, scale = list(at.get("offset", [0.0])), list(at.get("scale", [1.0]))
        offset = offset * len(v.names) if len(offset) == 1 else offset
        scale = scale * len(v.names) if len(scale) == 1 else scale
        outs = []
        for n, o, s in zip(v.names, offset, scale, strict=True):
            single = True  # ai.onnx.ml Scaler computes and returns float32
            shifted = self.derive(f"{n}-offset", Call("-", (Ref(n), Const(float(np.float32(o))))), single)
            outs.append(self.derive(f"{n}:scaled", Call("*", (Ref(shifted), Const(float(np.float32(s))))), single))
        return Cols(outs, True)

    def op_Normalizer(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = ins[0]
        norm = at.get("norm", "MAX")
        if isinstance(v, Pred) and norm == "L1":
            m = v.model
            if isinstance(m, Regression) and m.link is Link.LOGISTIC and len(m.coef) > 1:
                return Pred(Regression(m.inputs, m.coef, m.intercept, Link.OVR, m.classes))
            return v  # probabilities already summing to 1
        v = self._cols(node, v)
        outs = [f"{n}:{norm.lower()}" for n in v.names]
        self.steps.append(Normalize(tuple(v.names), tuple(outs), norm.lower()))
        return Cols(outs, False)

    def op_Binarizer(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])  # (onnxruntime refuses a NaN input; the IR's Threshold leaves it missing)
        outs = [self._fresh(f"{n}:bin") for n in v.names]
        self.steps.append(Threshold(tuple(v.names), tuple(outs), float(at.get("threshold", 0.0))))
        return Cols(outs, v.single, whole=True)

    def op_OneHotEncoder(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        cats = at.get("cats_strings") or at.get("cats_int64s")
        if at.get("zeros", 1) != 1 or not cats:
            raise Unliftable(_where(node), "OneHotEncoder that rejects unknown categories (zeros=0)")
        outs = []
        for n in v.names:
            for c in cats:
                value = c if isinstance(c, str) else float(c)
                outs.append(self.derive(f"{n}=={c}", Indicator(Ref(n), value, 0.0), False))
        return Cols(outs, True)

    # --- arithmetic ----------------------------------------------------------------------
    def _elementwise(self, node: Any, ins: list[Any], fn: str) -> Any:
        a, b = ins
        if isinstance(a, Lin) and isinstance(b, np.ndarray) and fn in ("+", "-"):
            bias = np.broadcast_to(np.asarray(b, dtype=np.float64).reshape(-1), a.intercept.shape)
            return Lin(a.inputs, a.coef, a.intercept + (bias if fn == "+" else -bias), a.link)
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

    def op_Softmax(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        if isinstance(ins[0], Lin) and ins[0].link == "none" and at.get("axis", -1) in (1, -1):
            return Lin(ins[0].inputs, ins[0].coef, ins[0].intercept, "softmax")
        raise Unliftable(_where(node), f"Softmax of {type(ins[0]).__name__}")

    def op_LabelEncoder(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        keys = at.get("keys_strings") or [float(k) for k in at.get("keys_int64s") or at.get("keys_floats") or []]
        values = at.get("values_int64s") or at.get("values_floats") or at.get("values_strings")
        if not keys or values is None:
            raise Unliftable(_where(node), "LabelEncoder without keys and values")
        numeric = not isinstance(values[0], str)
        default = (
            at.get("default_int64", -1)
            if "values_int64s" in at
            else at.get("default_float", np.nan)
            if numeric
            else at.get("default_string", "_Unused")
        )
        table = tuple(((k,), float(x) if numeric else x) for k, x in zip(keys, values, strict=True))
        outs = [
            self.derive(
                f"{n}:code",
                Lookup((Ref(n),), table, float(default) if numeric else default, numeric=numeric),
                None if not numeric else False,
            )
            for n in v.names
        ]
        return Cols(outs, False, whole="values_int64s" in at)

    def op_Where(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        cond = self._cols(node, ins[0])
        parts: list[list[Any]] = []
        for x in ins[1:]:
            if isinstance(x, np.ndarray) and x.size == 1:
                parts.append(
                    [Const(x.reshape(-1)[0].item() if hasattr(x.reshape(-1)[0], "item") else x.reshape(-1)[0])] * len(cond.names)
                )
            else:
                parts.append([Ref(n) for n in self._cols(node, x).names])
        outs = [self.derive(f"{c}?", Call("if", (Ref(c), a, b)), None) for c, a, b in zip(cond.names, *parts, strict=True)]
        return Cols(outs, False)

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
        names = ins[0].names  # an index column (KBinsDiscretizer's bin): the first largest column
        if at.get("axis", 0) not in (1, -1) or at.get("select_last_index", 0) or len(names) > 16:
            raise Unliftable(_where(node), "ArgMax other than the first largest of up to 16 columns per row")
        expr: Any = Const(float(len(names) - 1))
        for i in range(len(names) - 2, -1, -1):
            beats = [
                Call("greaterOrEqual" if j > i else "greaterThan", (Ref(names[i]), Ref(names[j])))
                for j in range(len(names))
                if j != i
            ]
            expr = Call("if", (Call("and", tuple(beats)), Const(float(i)), expr))
        return Cols([self.derive(f"{node.output[0]}", expr, False)], False, whole=True)

    # --- models --------------------------------------------------------------------------
    def op_LinearRegressor(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        if at.get("post_transform", "NONE") != "NONE" or at.get("targets", 1) != 1:
            raise Unliftable(_where(node), "LinearRegressor with a post_transform or several targets")
        coef = np.asarray(at["coefficients"], dtype=np.float64).reshape(1, -1)
        return Pred(Regression(tuple(v.names), coef, np.asarray(at.get("intercepts", [0.0]), dtype=np.float64)))

    def op_LinearClassifier(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        v = self._cols(node, ins[0])
        classes = tuple(at.get("classlabels_strings") or at.get("classlabels_ints") or ())
        coef = np.asarray(at["coefficients"], dtype=np.float64).reshape(-1, len(v.names))
        intercept = np.asarray(at.get("intercepts", [0.0] * len(coef)), dtype=np.float64)
        post = at.get("post_transform", "NONE")
        binary = len(classes) == 2 and len(coef) == 2 and np.array_equal(coef[0], -coef[1]) and intercept[0] == -intercept[1]
        if len(classes) == 2 and len(coef) == 1:
            binary, coef, intercept = True, np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        if post == "NONE":
            model = Regression(
                tuple(v.names), coef[1:] if binary else coef, intercept[1:] if binary else intercept, Link.IDENTITY, classes
            )
        elif post == "LOGISTIC" and binary:
            model = Regression(tuple(v.names), coef[1:], intercept[1:], Link.LOGISTIC, classes)
        elif post == "LOGISTIC":
            model = Regression(tuple(v.names), coef, intercept, Link.LOGISTIC, classes)  # OVR once normalised
        elif post == "SOFTMAX":
            model = Regression(tuple(v.names), coef, intercept, Link.SOFTMAX, classes)
        else:
            raise Unliftable(_where(node), f"LinearClassifier post_transform={post}")
        pred = Pred(model)
        return _Label(), pred

    def op_TreeEnsembleRegressor(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return Pred(tree_ensemble(node, at, tuple(self._cols(node, ins[0]).names), _where(node)))

    def op_TreeEnsembleClassifier(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return _Label(), Pred(tree_ensemble(node, at, tuple(self._cols(node, ins[0]).names), _where(node)))

    op_TreeEnsemble = op_TreeEnsembleRegressor


@dataclass
class _Sum:
    """ReduceSum of a sigmoid's outputs (the OVR normaliser skl2onnx writes)."""

    of: Lin


def _fold_binary(fn: Any) -> Any:
    return lambda ins, at: fn(np.asarray(ins[0]), np.asarray(ins[1]))


def _fold_label_encoder(ins: list[Any], at: dict[str, Any]) -> np.ndarray:
    keys = at.get("keys_int64s") or at.get("keys_strings") or at.get("keys_floats")
    values = at.get("values_strings") or at.get("values_int64s") or at.get("values_floats")
    default = at.get("default_string", at.get("default_int64", at.get("default_float")))
    table = dict(zip(keys or [], values or [], strict=True))
    return np.array([table.get(k, default) for k in np.asarray(ins[0]).reshape(-1).tolist()], dtype=object)


_FOLD: dict[str, Any] = {
    "LabelEncoder": _fold_label_encoder,
    "Add": _fold_binary(np.add),
    "Sub": _fold_binary(np.subtract),
    "Mul": _fold_binary(np.multiply),
    "Div": _fold_binary(np.divide),
    "Identity": lambda ins, at: ins[0],
    "Reshape": lambda ins, at: np.reshape(ins[0], ins[1]),
}
