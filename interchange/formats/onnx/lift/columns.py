"""The ONNX lifter's column plumbing (Identity, Cast, Reshape, Concat, column selection) and
ai.onnx.ml transformations (Imputer, Scaler, Normalizer, Binarizer, OneHotEncoder, LabelEncoder, Where)."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.lift.values import Cols, Lin, Pred, _Label, _where
from interchange.ir.derive.expressions import Call, Const, Expr, Indicator, Lookup, Ref
from interchange.ir.derive.transforms import Impute, Normalize, Threshold
from interchange.ir.graph import Step
from interchange.ir.lifted import Unliftable
from interchange.ir.models.linear import Link, Regression

__all__ = ["ColumnOps", "LifterOps"]


class LifterOps:
    """What the lifter's operator mixins share (the lifter, ``lift.lifter``, defines it)."""

    values: dict[str, Any]
    steps: list[Step]
    classes: tuple[Any, ...] | None

    def derive(self, name: str, expr: Any, single: bool | None) -> str:
        raise NotImplementedError

    def _fresh(self, name: str) -> str:
        raise NotImplementedError

    def _const(self, name: str, node: onnx.NodeProto) -> np.ndarray:
        raise NotImplementedError

    def _cols(self, node: Any, v: Any) -> Cols:
        raise NotImplementedError


class ColumnOps(LifterOps):
    """``op_*`` for column plumbing and transformations."""

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
        if len(ins) == 2 and all(isinstance(v, Lin) for v in ins) and ins[0].negated is ins[1] and at.get("axis") in (1, -1):
            return ins[1]  # [-s, s]: a binary classifier's decision (Perceptron), read as its score s
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
        default = float(default) if numeric else default
        outs = [
            self.derive(f"{n}:code", self._label_lookup(n, table, default, numeric), None if not numeric else False)
            for n in v.names
        ]
        return Cols(outs, False, whole="values_int64s" in at)

    def _label_lookup(self, name: str, table: tuple[tuple[tuple[Any, ...], Any], ...], default: Any, numeric: bool) -> Expr:
        """A LabelEncoder's lookup; over a text input read as "" when missing (``empty_text``), the key ""
        said as a missing input (PMML engines read an empty string as a missing value, so a MapValues
        row keyed "" never matches there)."""
        source = getattr(self, "empty_text", {}).get(name)
        if source is None:
            return Lookup((Ref(name),), table, default, numeric=numeric)
        on_empty = next((x for (k,), x in table if k == ""), default)
        rest = tuple(row for row in table if row[0] != ("",))
        return Call(
            "if", (Call("isMissing", (Ref(source),)), Const(on_empty), Lookup((Ref(source),), rest, default, numeric=numeric))
        )

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
