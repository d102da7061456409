"""The ONNX lifter's reading of what the double-precision IR writer (``formats.onnx.emit``) emits.

That writer spells links out in plain operators (``1 / (1 + exp(-s))``, ``exp(s - max) /
sum``), writes opset-5 TreeEnsembles as regressors whose averaging, base score and link
follow as ``Div`` / ``Add`` / link operators, and writes transforms as broadcast elementwise
arithmetic. Here those shapes are recognised: on a model's scores (an affine map or a tree
ensemble) the link patterns become the IR model's link; on per-row columns each elementwise
operator becomes one Derive per column, broadcasting ``[N, 1]`` against ``[N, k]`` as ONNX does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.lift.models.naive_bayes import Jll
from interchange.formats.onnx.lift.models.trees import v5_parts
from interchange.formats.onnx.lift.values import Cols, Lin, _Label, _scalar, _where
from interchange.ir.derive.expressions import Call, Const, Derive, Expr, Lookup, Ref
from interchange.ir.graph import Step
from interchange.ir.lifted import Unliftable
from interchange.ir.models.linear import Link
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

__all__ = ["DoubleOps", "Trees", "trees_model"]


@dataclass
class Trees:
    """An opset-5 tree ensemble's sums (classes None, identity link) with what follows it."""

    model: TreeEnsemble
    link: str = "none"
    complement: bool = False  # the last class is 1 - the sum of the others


@dataclass
class _Rows:
    """The shape ``[N, 1]`` of the rows (Shape of an input, sliced and concatenated), or ``[N, width]``
    (Shape of per-row columns)."""

    width: int | None = None


@dataclass
class _Chain:
    """A step of a link pattern over a model's scores (``of``): "neg", "exp-neg", "max", ..."""

    of: Any
    stage: str


_LINKS = {"none": Link.IDENTITY, "sigmoid": Link.LOGISTIC, "softmax": Link.SOFTMAX, "ovr": Link.OVR}
_UNARY = {"Exp": "exp", "Neg": "neg", "Sqrt": "sqrt", "Log": "ln", "Abs": "abs", "Floor": "floor", "Ceil": "ceil"}
_BINARY = {
    "Add": "+",
    "Sub": "-",
    "Mul": "*",
    "Div": "/",
    "Pow": "pow",
    "Max": "max",  # (the writer's Max takes no missing value; the IR's max leaves missing ones out)
    "Min": "min",
    "Greater": "greaterThan",
    "Less": "lessThan",
    "GreaterOrEqual": "greaterOrEqual",
    "LessOrEqual": "lessOrEqual",
    "And": "and",
    "Or": "or",
}

_ELEMENTWISE = {*_UNARY, *_BINARY, "Equal", "IsNaN", "IsInf", "Not", "Where"} - {"Add", "Sub", "Mul", "Div", "Neg", "Exp"}
_REDUCE = {"ReduceSum": "+", "ReduceProd": "*", "ReduceMax": "max", "ReduceMin": "min"}


def trees_model(t: Trees, classes: tuple[Any, ...] | None, where: str) -> TreeEnsemble:
    """The IR model of a lifted tree ensemble, once the signature says its classes."""
    m = t.model
    if t.complement:  # the writer left the last class out: each leaf's probabilities sum to 1
        m = replace(m, trees=tuple(_with_rest(tree) for tree in m.trees))
    width = np.asarray(m.trees[0].value).reshape(len(m.trees[0].feature), -1).shape[1]
    if classes is None:
        if width != 1 or t.link != "none":
            raise Unliftable(where, "a tree regressor with several targets or a link")
        return m
    if not (width == len(classes) or (width == 1 and len(classes) == 2 and t.link == "sigmoid")):
        raise Unliftable(where, f"{width} tree score columns for {len(classes)} classes")
    return replace(m, link=_LINKS[t.link], classes=tuple(classes))


def _with_rest(tree: Tree) -> Tree:
    value = np.asarray(tree.value, dtype=np.float64).reshape(len(tree.feature), -1)
    leaf = np.asarray(tree.feature) < 0
    rest = np.where(leaf, 1.0 - value.sum(axis=1), 0.0)
    return replace(tree, value=np.column_stack([value, rest]))


def _merged(trees: tuple[Tree, ...]) -> tuple[Tree, ...]:
    """One tree per source tree: the writer walks a tree once per class (consecutive copies, each
    feeding its own target); copies with the same splits and disjoint targets are added back
    together (exact: each adds zeros to the others' columns)."""
    out: list[Tree] = []
    used: list[np.ndarray] = []
    for t in trees:
        v = np.asarray(t.value, dtype=np.float64).reshape(len(t.feature), -1)
        cols = np.any(v != 0, axis=0)
        if out and _same_splits(out[-1], t) and not np.any(used[-1] & cols):
            prev = np.asarray(out[-1].value, dtype=np.float64).reshape(v.shape)
            out[-1] = replace(out[-1], value=prev + v)
            used[-1] = used[-1] | cols
            continue
        out.append(t)
        used.append(cols)
    return tuple(out)


def _same_splits(a: Tree, b: Tree) -> bool:
    return all(
        np.array_equal(np.asarray(getattr(a, f)), np.asarray(getattr(b, f)))
        for f in ("feature", "threshold", "left", "right", "missing_left", "op")
    )


def _combined(a: Lin, b: Lin, sign: float) -> Lin:
    """``a + sign * b`` as one affine map over the union of their columns."""
    names = list(dict.fromkeys(a.inputs + b.inputs))
    coef = np.zeros((max(len(a.coef), len(b.coef)), len(names)))
    for lin, s in ((a, 1.0), (b, sign)):
        for j, n in enumerate(lin.inputs):
            coef[:, names.index(n)] += s * lin.coef[:, j]
    return Lin(tuple(names), coef, a.intercept + sign * b.intercept)


def _scores(v: Any) -> bool:
    return isinstance(v, (Lin, Trees, Jll)) and v.link == "none"


def _linked(v: Any, link: str) -> Any:
    return Lin(v.inputs, v.coef, v.intercept, link) if isinstance(v, Lin) else replace(v, link=link)


class DoubleOps:
    """Mixin for the lifter: ``pattern`` returns the value of a node it recognises, else None."""

    values: dict[str, Any]
    steps: list[Step]

    def derive(self, name: str, expr: Any, single: bool | None) -> str:  # (the lifter's)
        raise NotImplementedError

    def _cols(self, node: Any, v: Any) -> Cols:  # (the lifter's: an affine map becomes Project columns)
        raise NotImplementedError

    def pattern(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        op = node.op_type
        if op == "TreeEnsemble" and isinstance(ins[0], Cols):
            trees, aggregation, link, _ = v5_parts(at, _where(node))
            model = TreeEnsemble(tuple(ins[0].names), _merged(trees), aggregation)  # type: ignore[arg-type]
            names = {Link.IDENTITY: "none", Link.LOGISTIC: "sigmoid", Link.SOFTMAX: "softmax"}
            return Trees(model, names[link])
        found = self._link(op, ins, at)
        if found is not None:
            return found
        if any(isinstance(v, (Trees, _Chain)) for v in ins) and op not in ("Identity", "ArgMax", "Reshape"):
            raise Unliftable(_where(node), f"{op} of a model's scores in a pattern the IR has no form for")
        if op == "Slice" and isinstance(ins[0], Lin) and ins[0].link == "none" and len(ins) >= 4:
            start, end, axis = (int(np.asarray(v).reshape(-1)[0]) for v in ins[1:4])
            if axis in (1, -1) and (len(ins) < 5 or int(np.asarray(ins[4]).reshape(-1)[0]) == 1):
                lin = ins[0]
                return Lin(lin.inputs, lin.coef[start:end], lin.intercept[start:end])  # some of the scores
        if op in ("Add", "Sub") and all(isinstance(v, Lin) and v.link == "none" for v in ins) and len(ins) == 2:
            return _combined(ins[0], ins[1], 1.0 if op == "Add" else -1.0)  # (SVM votes: two affine maps summed)
        if op == "Gather" and at.get("axis", 0) == 0 and len(ins) > 1 and isinstance(ins[1], _Label):
            return ins[1]  # classes[argmax]
        if op == "Greater" and isinstance(ins[0], Lin) and _scalar(ins[1]) == 0.0:
            return _Label()  # a binary decision's label
        rows = self._rows(node, ins, at)
        if rows is not None:
            return rows
        if op in _ELEMENTWISE and any(isinstance(v, Lin) and v.link == "none" for v in ins):
            ins = [self._cols(node, v) if isinstance(v, Lin) else v for v in ins]  # an affine map's columns
        if all(isinstance(v, (Cols, np.ndarray)) for v in ins) and any(isinstance(v, Cols) for v in ins):
            return self._columns(node, ins, at)
        return None

    def _link(self, op: str, ins: list[Any], at: dict[str, Any]) -> Any:
        """The writer's link and aggregation patterns over a model's scores (see ``emit.linear``)."""
        a = ins[0]
        b = ins[1] if len(ins) > 1 else None
        if op == "Neg" and isinstance(a, Lin) and a.link == "none":  # exact: the negated map, remembering its source
            return Lin(a.inputs, -a.coef, -a.intercept, negated=a)
        if op == "Neg" and _scores(a):
            return _Chain(a, "neg")
        if op == "Exp" and isinstance(a, Lin) and a.negated is not None:
            return _Chain(a.negated, "exp-neg")
        if op == "Exp" and isinstance(a, _Chain) and a.stage in ("neg", "shift"):
            return _Chain(a.of, f"exp-{a.stage}")
        if op == "Add" and _scalar(a) == 1.0 and isinstance(b, _Chain) and b.stage == "exp-neg":
            return _Chain(b.of, "1+exp-neg")
        if op == "Div" and _scalar(a) == 1.0 and isinstance(b, _Chain) and b.stage == "1+exp-neg":
            return _linked(b.of, "sigmoid")
        if op == "ReduceMax" and _scores(a):
            return _Chain(a, "max")
        if op == "Sub" and _scores(a) and isinstance(b, _Chain) and b.of is a and b.stage == "max":
            return _Chain(a, "shift")
        if op == "ReduceSum" and isinstance(a, _Chain) and a.stage == "exp-shift":
            return _Chain(a.of, "sum-exp")
        if (
            op == "Div"
            and isinstance(a, _Chain)
            and isinstance(b, _Chain)
            and a.of is b.of
            and (a.stage, b.stage) == ("exp-shift", "sum-exp")
        ):
            return _linked(a.of, "softmax")
        if op == "ReduceSum" and isinstance(a, (Lin, Trees)) and a.link in ("sigmoid", "none"):
            return _Chain(a, "sum")
        if (
            op == "Div"
            and isinstance(a, (Lin, Trees))
            and a.link == "sigmoid"
            and isinstance(b, _Chain)
            and b.of is a
            and b.stage == "sum"
        ):
            return _linked(a, "ovr")
        if op == "Sub" and _scalar(a) == 1.0 and isinstance(b, _Chain) and b.stage == "sum" and isinstance(b.of, Trees):
            return _Chain(b.of, "1-sum")
        if op == "Sub" and _scalar(a) == 1.0 and isinstance(b, (Lin, Trees)) and b.link == "sigmoid":
            return _Chain(b, "1-p")
        if op == "Concat" and len(ins) == 2 and isinstance(a, _Chain) and a.of is b and a.stage == "1-p":
            return b  # [1 - p, p]: the binary probabilities of the sigmoid
        if op == "Concat" and len(ins) == 2 and isinstance(b, _Chain) and b.of is a and b.stage == "1-sum":
            return replace(a, complement=True)
        if isinstance(a, Trees) and a.link == "none" and not a.complement:
            m = a.model
            if op == "Div" and _scalar(b) == float(len(m.trees)) and m.aggregation == "sum":
                return replace(a, model=replace(m, aggregation="average"))
            if op == "Add" and isinstance(b, np.ndarray) and m.base is None:
                return replace(a, model=replace(m, base=np.asarray(b, dtype=np.float64).reshape(-1)))
        return None

    def _rows(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        """The writer's ``Expand(x, [N, 1])`` (a constant made one value per row) and the shape it takes."""
        op = node.op_type
        if op == "Shape" and isinstance(ins[0], Cols):
            return _Rows(len(ins[0].names))
        if op in ("Slice", "Concat") and isinstance(ins[0], _Rows):
            return _Rows()
        if op == "Expand" and len(ins) == 2 and isinstance(ins[1], _Rows):
            if isinstance(ins[0], Cols):
                return ins[0]
            value = _scalar(ins[0])
            if value is not None:
                return Cols([self.derive("const", Const(value), False)], False)
            if isinstance(ins[0], np.ndarray) and ins[0].size == 1:  # a text constant
                return Cols([self.derive("const", Const(str(ins[0].reshape(-1)[0])), None)], False)
        if op == "ConstantOfShape" and isinstance(ins[0], _Rows) and ins[0].width == 1:  # skl2onnx's bias column
            fill = np.asarray(at.get("value", np.zeros(1, dtype=np.float32)))
            if fill.size != 1 or fill.dtype.kind not in "fiu":
                raise Unliftable(_where(node), "ConstantOfShape of other than one number")
            single = fill.dtype == np.float32
            return Cols([self.derive("const", Const(float(fill.reshape(-1)[0])), single)], single)
        return None

    # --- per-row columns -----------------------------------------------------------------
    def _operands(self, node: Any, ins: list[Any]) -> tuple[list[list[Expr]], int, bool]:
        """Each operand as one expression per output column (ONNX broadcasting of [N, 1] / [k])."""
        widths = {len(v.names) if isinstance(v, Cols) else int(np.asarray(v).shape[-1]) if np.ndim(v) else 1 for v in ins}
        width = max(widths)
        if widths - {1, width}:
            raise Unliftable(_where(node), f"operands of widths {sorted(widths)} do not broadcast")
        out: list[list[Expr]] = []
        for v in ins:
            if isinstance(v, Cols):
                refs: list[Expr] = [Ref(n) for n in v.names]
                out.append(refs * (width if len(v.names) == 1 else 1))
                continue
            flat = np.asarray(v).reshape(-1)
            if np.asarray(v).ndim > 2 or (np.asarray(v).ndim == 2 and np.asarray(v).shape[0] != 1):
                raise Unliftable(_where(node), "a constant that is not one row")
            items = [x.item() if hasattr(x, "item") else x for x in flat.tolist()]
            if any(isinstance(x, float) and x != x for x in items) and node.op_type == "Equal":
                raise Unliftable(_where(node), "Equal with NaN (never true in ONNX)")
            consts: list[Expr] = [Const(x.decode() if isinstance(x, bytes) else x) for x in items]
            out.append(consts * (width if len(items) == 1 else 1))
        single = any(isinstance(v, Cols) and v.single for v in ins)
        return out, width, single

    def _columns(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        op = node.op_type
        tag = node.output[0]
        if op == "Slice" and isinstance(ins[0], Cols):
            consts = [np.asarray(v).reshape(-1) for v in ins[1:]]
            if len(consts) < 3 or [int(x) for x in consts[2]] not in ([1], [-1]) or (len(consts) > 3 and int(consts[3][0]) != 1):
                raise Unliftable(_where(node), "Slice other than of columns (axis 1, step 1)")
            return Cols(ins[0].names[int(consts[0][0]) : int(consts[1][0])], ins[0].single)
        if op in _REDUCE and isinstance(ins[0], Cols):
            axes = np.asarray(ins[1]).reshape(-1).tolist() if len(ins) > 1 else [1]
            if axes not in ([1], [-1]) or not at.get("keepdims", 1):
                raise Unliftable(_where(node), f"{op} other than across columns")
            names = ins[0].names
            how = _REDUCE[op]
            if how in ("max", "min"):  # the writer masks missing values first; the IR's min / max leave them out
                expr: Expr = Call(how, tuple(Ref(n) for n in names))
            else:
                expr = Ref(names[0])
                for n in names[1:]:
                    expr = Call(how, (expr, Ref(n)))  # left to right, NaN propagating as onnxruntime does
            return Cols([self.derive(f"{tag}", expr, ins[0].single)], ins[0].single, whole=ins[0].whole and how != "*")
        if op == "Gather" and at.get("axis", 0) == 0 and isinstance(ins[0], np.ndarray) and isinstance(ins[1], Cols):
            table = np.asarray(ins[0])
            if table.ndim != 1 or table.dtype.kind not in "fiu" or not ins[1].whole:
                raise Unliftable(_where(node), "Gather of a constant other than a vector of numbers at whole-number columns")
            pairs = tuple(((str(i),), float(v)) for i, v in enumerate(table.tolist()))
            return Cols([self.derive(f"{tag}", Lookup((Ref(n),), pairs), False) for n in ins[1].names], False)
        if op == "Where" and len(ins) == 3:
            parts, width, single = self._operands(node, ins)
            cond = ins[0]
            if isinstance(cond, np.ndarray):  # a constant condition picks each column's operand
                picks = np.broadcast_to(np.asarray(cond, dtype=bool).reshape(-1), (width,))
                exprs = [parts[1][j] if picks[j] else parts[2][j] for j in range(width)]
            else:
                exprs = [Call("if", (c, a, b)) for c, a, b in zip(*parts, strict=True)]
            texts = {s.outputs[0] for s in self.steps if isinstance(s, Derive) and s.type == "string"}
            text = any(
                isinstance(e, Const) and isinstance(e.value, str) or isinstance(e, Ref) and e.name in texts
                for p in parts[1:]
                for e in p
            )
            return Cols([self.derive(f"{tag}[{j}]", e, None if text else single) for j, e in enumerate(exprs)], single)
        fn: str | None = None
        if op == "IsInf":  # the IR has no infinity test; comparisons see infinities (they do not clean them)
            parts, width, _ = self._operands(node, ins)
            big = float(np.finfo(np.float64).max)
            exprs = [Call("or", (Call("greaterThan", (x, Const(big))), Call("lessThan", (x, Const(-big))))) for x in parts[0]]
            return Cols([self.derive(f"{tag}[{j}]", e, False) for j, e in enumerate(exprs)], False, whole=True)
        if op == "IsNaN":
            fn = "isMissing"
        elif op == "Not":
            fn = "not"
        elif op == "Equal":
            fn = "equal"
        else:
            fn = _UNARY.get(op) or _BINARY.get(op)
        if fn is None:
            return None
        parts, width, single = self._operands(node, ins)
        calls: list[Any] = [Call(fn, tuple(p[j] for p in parts)) for j in range(width)]
        if op == "Equal" and all(isinstance(v, Cols) for v in ins) and not self._text(ins[0]):
            # ONNX: NaN equals nothing; the IR: two missing values are equal
            calls = [Call("and", (c, Call("isNotMissing", (c.args[0],)))) for c in calls]
        if op == "Equal":
            calls = [self._empty_text_test(c) for c in calls]
        flags = op in ("IsNaN", "Not", "Equal", "And", "Or") or fn in ("greaterThan", "lessThan", "greaterOrEqual", "lessOrEqual")
        whole = flags or (
            op in ("Add", "Sub", "Mul")
            and all(
                v.whole if isinstance(v, Cols) else bool(np.all(np.mod(np.asarray(v, dtype=np.float64), 1) == 0)) for v in ins
            )
        )
        kind = False if flags else single
        outs = [self.derive(f"{tag}[{j}]", c, kind) for j, c in enumerate(calls)]
        return Cols(outs, False if flags else single, whole=whole)

    def _empty_text_test(self, c: Call) -> Expr:
        """``x:text == ""`` over a text input read as "" when missing: ``isMissing(x) or x == ""``, said
        without the "" stand-in (PMML engines read an empty string as a missing value)."""
        a, b = c.args
        if isinstance(a, Const) and isinstance(b, Ref):
            a, b = b, a
        source = getattr(self, "empty_text", {}).get(a.name) if isinstance(a, Ref) else None
        if source is None or not (isinstance(b, Const) and b.value == ""):
            return c
        return Call("if", (Call("isMissing", (Ref(source),)), Const(1.0), Call("equal", (Ref(source), Const("")))))

    def _text(self, v: Cols) -> bool:
        texts = {s.outputs[0] for s in self.steps if isinstance(s, Derive) and s.type == "string"}
        return any(n in texts for n in v.names)
