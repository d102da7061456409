"""ai.onnx.ml SVMClassifier / SVMRegressor as the IR SupportVectorMachine, and skl2onnx's one-vs-rest decision.

onnxruntime's SVMClassifier: machine ``p`` for class pair ``(i, j)``, ``i < j`` in order, is
``sum_v coef * K(x, v) + rho[p]`` over one shared vector table, with libsvm's dual layout
(row ``j - 1`` of ``coefficients`` for class ``i``'s vectors, row ``i`` for class ``j``'s);
``f > 0`` votes for ``i``. Its scores output is ``f`` per machine, or ``[-f, f]`` for two
classes. skl2onnx turns the machine values into scikit-learn's one-vs-rest decision with plain
arithmetic: votes from ``f < 0`` and confidences ``sum(+-f)`` squashed by ``c / (3 (|c| + 1))``.
That arithmetic is followed here as affine forms over the basis ``[f_p, [f_p < 0], 1]`` (so
any order or grouping of the sums is recognised) and the result must equal the IR's
``SupportVectorMachine.decision`` term by term, else the node is refused. With ``prob_a`` /
``prob_b`` (skl2onnx's SVC(probability=True)) the scores output holds libsvm's coupled Platt
probabilities, the IR machine's own (``ir/models/svm_probability.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import onnx

from interchange.formats.onnx.lift.models.distance import Kernel
from interchange.formats.onnx.lift.values import Cols, Lin, Pred, _Label, _where
from interchange.ir.derive.expressions import Call, Const, Derive, Ref
from interchange.ir.derive.transforms import Project
from interchange.ir.graph import Step
from interchange.ir.lifted import Unliftable
from interchange.ir.models.svm import SupportVectorMachine, one_vs_one

__all__ = ["SVMOps", "Form", "svm_step"]

_KERNELS = {"LINEAR": "linear", "RBF": "rbf", "POLY": "poly", "SIGMOID": "sigmoid"}


def svm_step(at: dict[str, Any], inputs: tuple[str, ...], classifier: bool, where: str) -> SupportVectorMachine:
    """The IR machine of an SVMClassifier / SVMRegressor node's attributes."""
    if at.get("post_transform", "NONE") != "NONE":
        raise Unliftable(where, f"SVM post_transform={at.get('post_transform')}")
    kernel = _KERNELS.get(str(at.get("kernel_type", "LINEAR")))
    if kernel is None:
        raise Unliftable(where, f"SVM kernel_type={at.get('kernel_type')}")
    gamma, coef0, degree = (list(at.get("kernel_params", [])) + [0.0, 0.0, 3.0])[:3]
    m = len(inputs)
    vectors = np.asarray(at.get("support_vectors", []), dtype=np.float64)
    coefs = np.asarray(at.get("coefficients", []), dtype=np.float64)
    rho = np.asarray(at.get("rho", []), dtype=np.float64)
    if not len(vectors) or len(vectors) % m:
        raise Unliftable(where, "a linear SVM without support vectors (weights in coefficients) has no IR form yet")
    vectors = vectors.reshape(-1, m)
    kw = {"gamma": float(gamma), "coef0": float(coef0), "degree": float(degree)}
    if not classifier:
        if at.get("one_class", 0) or len(rho) != 1 or len(coefs) != len(vectors):
            raise Unliftable(where, "SVMRegressor other than one epsilon / nu regression machine")
        return SupportVectorMachine(inputs, kernel, vectors, coefs.reshape(1, -1), rho, **kw)  # type: ignore[arg-type]
    classes = tuple(at.get("classlabels_strings") or at.get("classlabels_ints") or ())
    per_class = [int(n) for n in at.get("vectors_per_class", [])]
    k = len(classes)
    if k < 2 or len(per_class) != k or sum(per_class) != len(vectors) or coefs.size != (k - 1) * len(vectors):
        raise Unliftable(where, "SVMClassifier whose vectors, classes and coefficients do not agree")
    dual = coefs.reshape(k - 1, -1)
    pairs, rows = one_vs_one(dual, per_class)
    if len(rho) != len(pairs):
        raise Unliftable(where, f"{len(rho)} rho values for {len(pairs)} class pairs")
    platt: dict[str, Any] = {}
    if at.get("prob_a"):  # libsvm's Platt parameters per class pair: probabilities coupled as libsvm does
        prob_a, prob_b = (np.asarray(at.get(n, []), dtype=np.float64) for n in ("prob_a", "prob_b"))
        if len(prob_a) != len(pairs) or len(prob_b) != len(pairs):
            raise Unliftable(where, f"{len(prob_a)} prob_a / {len(prob_b)} prob_b values for {len(pairs)} class pairs")
        platt = {"prob_a": prob_a, "prob_b": prob_b}
    return SupportVectorMachine(
        inputs,
        kernel,  # type: ignore[arg-type]
        vectors,
        rows,
        rho,
        classes=classes,
        pairs=pairs,
        **platt,
        **kw,  # type: ignore[arg-type]
    )


@dataclass
class Form:
    """Columns that are affine in ``[f_0..f_{P-1}, [f_0 < 0]..[f_{P-1} < 0], 1]`` of one machine set."""

    svm: SupportVectorMachine
    rows: np.ndarray  # (columns, 2P + 1)

    @property
    def machines(self) -> int:
        return (self.rows.shape[1] - 1) // 2

    def only(self, block: str) -> bool:
        p = self.machines
        cols = {"f": slice(0, p), "flags": slice(p, 2 * p + 1)}[block]
        rest = np.ones(self.rows.shape[1], dtype=bool)
        rest[cols] = False
        return not np.any(self.rows[:, rest])


@dataclass
class _Machines:
    """``K @ coef.T`` before the intercept: the double writer's machine values (``emit.distance``)."""

    kernel: Kernel
    coef: np.ndarray  # (machines, vectors)


@dataclass
class _Squash:
    """``c / (3 (|c| + 1))`` being built from a form ``c`` of machine values."""

    of: Form
    stage: str  # "abs", "abs+1", "3(abs+1)", "done"


def raw_scores(svm: SupportVectorMachine) -> Form:
    """onnxruntime's SVMClassifier scores: ``f`` per machine, ``[-f, f]`` for two classes."""
    p = len(svm.intercept)
    rows = np.zeros((p, 2 * p + 1))
    rows[:, :p] = np.eye(p)
    if len(svm.classes or ()) == 2:
        rows = np.vstack([-rows, rows])
    return Form(svm, rows)


def _ovr(svm: SupportVectorMachine) -> tuple[np.ndarray, np.ndarray]:
    """The IR's one-vs-rest votes and confidences as form rows."""
    assert svm.pairs is not None and svm.classes is not None
    p, k = len(svm.pairs), len(svm.classes)
    votes, conf = np.zeros((k, 2 * p + 1)), np.zeros((k, 2 * p + 1))
    for m, (i, j) in enumerate(np.asarray(svm.pairs, dtype=int)):
        votes[i, -1] += 1.0  # f > 0 votes for i (skl2onnx: f >= 0; the two differ only where f is exactly 0)
        votes[i, p + m] -= 1.0
        votes[j, p + m] += 1.0
        conf[i, m] += 1.0
        conf[j, m] -= 1.0
    return votes, conf


def _kernel_columns(steps: list[Step], names: tuple[str, ...]) -> tuple[Project, list[Derive], str, float] | None:
    """The double writer's poly / sigmoid kernel columns ``pow(x @ (gamma V)^T + c0, d)`` / ``tanh(...)``:
    one Project with one bias throughout, each of its columns raised to one degree or its tanh taken, in
    order; else None. Returns the Project, the Derive steps, the kernel and the degree."""
    derives = {s.outputs[0]: s for s in steps if isinstance(s, Derive) and len(s.outputs) == 1}
    found = [derives.get(n) for n in names]
    bases, forms = [], set()
    for d in found:
        e = d.expression if d is not None and d.type == "double" else None
        if not (isinstance(e, Call) and e.args and isinstance(e.args[0], Ref)):
            return None
        if e.function == "pow" and len(e.args) == 2 and isinstance(e.args[1], Const):
            forms.add(("poly", float(e.args[1].value)))
        elif e.function == "tanh" and len(e.args) == 1:
            forms.add(("sigmoid", 3.0))
        else:
            return None
        bases.append(e.args[0].name)
    kernel = next((s for s in steps if isinstance(s, Project) and s.outputs == tuple(bases)), None)
    if kernel is None or len(forms) != 1 or len(set(np.asarray(kernel.bias).tolist())) != 1:
        return None
    (name, degree), = forms  # fmt: skip
    return kernel, [d for d in found if d is not None], name, degree


def _const(v: Any) -> np.ndarray | None:
    if isinstance(v, np.ndarray) and v.dtype.kind in "fiub" and v.ndim <= 2 and (v.ndim < 2 or v.shape[0] == 1):
        return np.asarray(v, dtype=np.float64).reshape(-1)
    return None


class SVMOps:
    """Mixin for the lifter: the SVM operators and the arithmetic over their machine values."""

    values: dict[str, Any]
    steps: list[Step]

    def _cols(self, node: Any, v: Any) -> Cols:  # (the lifter's)
        raise NotImplementedError

    def derive(self, name: str, expr: Any, single: bool | None) -> str:  # (the lifter's)
        raise NotImplementedError

    def op_SVMClassifier(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        svm = svm_step(at, tuple(self._cols(node, ins[0]).names), True, _where(node))
        if svm.prob_a is not None:  # the second output holds the coupled probabilities, not machine values
            return _Label(), Pred(svm)
        return _Label(), raw_scores(svm)

    def op_SVMRegressor(self, node: Any, ins: list[Any], at: dict[str, Any]) -> Any:
        return Pred(svm_step(at, tuple(self._cols(node, ins[0]).names), False, _where(node)))

    def svm_forms(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        """The value of a node over machine-value forms, or None when no input is one."""
        op, where = node.op_type, _where(node)
        a = ins[0] if ins else None
        b = ins[1] if len(ins) > 1 else None
        if op == "MatMul" and isinstance(a, Kernel) and a.stage == "exp" and isinstance(b, np.ndarray):
            if b.ndim != 2 or b.shape[0] != len(a.dist.points):
                raise Unliftable(where, "kernel values times other than one coefficient per stored vector")
            return _Machines(a, np.asarray(b, dtype=np.float64).T)
        if op == "Add" and isinstance(a, _Machines) and _const(b) is not None:
            return self._machines(where, a, _const(b))  # type: ignore[arg-type]
        if op == "Greater" and isinstance(a, Lin) and isinstance(b, np.ndarray) and b.ndim == 1:
            form = self._linear_machines(a, b)
            if form is not None:
                for name, v in list(self.values.items()):  # the same scores read later (the decision) are machine values
                    if v is a:
                        self.values[name] = form
                ins, a = [form, b], form
        if not any(isinstance(v, (Form, _Squash)) for v in ins):
            return None
        if op == "Slice" and isinstance(a, Form) and len(ins) >= 4:
            start, end, axis = (int(np.asarray(v).reshape(-1)[0]) for v in ins[1:4])
            if axis in (1, -1) and (len(ins) < 5 or int(np.asarray(ins[4]).reshape(-1)[0]) == 1):
                return replace(a, rows=a.rows[start:end])
        if op == "MatMul" and isinstance(a, Form) and isinstance(b, np.ndarray) and b.ndim == 2 and b.shape[0] == len(a.rows):
            return replace(a, rows=np.asarray(b, dtype=np.float64).T @ a.rows)
        if op == "ArgMax" and isinstance(a, Form):
            return _Label()
        forms = [v for v in ins if isinstance(v, Form)]
        if any(f.svm is not forms[0].svm for f in forms):
            raise Unliftable(where, f"{op} mixing two SVMs' machine values")
        if op in ("Cast", "Identity") and isinstance(a, Form):
            return a
        if op == "Neg" and isinstance(a, Form):
            return replace(a, rows=-a.rows)
        if op in ("ArrayFeatureExtractor", "Gather") and isinstance(a, Form) and isinstance(b, np.ndarray):
            if op == "Gather" and at.get("axis", 0) != 1:
                raise Unliftable(where, "Gather of machine values other than of columns")
            return replace(a, rows=a.rows[[int(i) for i in b.reshape(-1)]])
        if op == "Concat" and all(isinstance(v, Form) for v in ins) and at.get("axis") in (1, -1):
            return replace(forms[0], rows=np.vstack([v.rows for v in ins]))
        if op in ("Sum", "Add", "Sub") and all(isinstance(v, Form) or _const(v) is not None for v in ins):
            return self._affine(node, forms[0], ins)
        if op in ("Mul", "Div") and len(ins) == 2 and isinstance(a, Form) and _const(b) is not None and _const(b).size == 1:  # type: ignore[union-attr]
            s = float(_const(b)[0])  # type: ignore[index]
            return replace(a, rows=a.rows * s if op == "Mul" else a.rows / s)
        if op == "Mul" and isinstance(b, Form) and _const(a) is not None and _const(a).size == 1:  # type: ignore[union-attr]
            return replace(b, rows=b.rows * float(_const(a)[0]))  # type: ignore[index]
        if op in ("Less", "Greater") and isinstance(a, Form) and _const(b) is not None and not np.any(_const(b)):
            if op == "Greater" and a.only("f") and all(np.count_nonzero(r) == 1 and r.max() == 1.0 for r in a.rows):
                flags = self._flags(node, a, 1.0)  # [f > 0] = 1 - [f < 0] (apart from f exactly 0)
                rows = -flags.rows
                rows[:, -1] += 1.0
                return replace(a, rows=rows)
            return self._flags(node, a, 1.0 if op == "Less" else -1.0)
        # the squashed confidence c / (3 (|c| + 1))
        if op == "Abs" and isinstance(a, Form) and a.only("f"):
            return _Squash(a, "abs")
        if isinstance(a, Form) and isinstance(b, _Squash):
            if op == "Div" and b.stage == "3(abs+1)" and np.array_equal(b.of.rows, a.rows):
                return _Squash(a, "done")
            if op == "Add" and b.stage == "done":
                return self._decision(where, a, b.of)
        if isinstance(b, Form) and isinstance(a, _Squash) and op == "Add" and a.stage == "done":
            return self._decision(where, b, a.of)
        sq, other = (a, b) if isinstance(a, _Squash) else (b, a)
        if isinstance(sq, _Squash) and op in ("Add", "Mul") and _const(other) is not None and _const(other).size == 1:  # type: ignore[union-attr]
            x = float(_const(other)[0])  # type: ignore[index]
            if op == "Add" and sq.stage == "abs" and x == 1.0:
                return _Squash(sq.of, "abs+1")
            if op == "Mul" and sq.stage == "abs+1" and x == 3.0:
                return _Squash(sq.of, "3(abs+1)")
        raise Unliftable(where, f"{op} of an SVM's machine values in a pattern the IR has no form for")

    def _linear_machines(self, lin: Lin, zeros: np.ndarray) -> Form | None:
        """The double writer's linear, poly and sigmoid machines: ``K @ coef^T + b`` compared with a zero
        per class pair (a vector, where a linear model's binary label compares with a scalar 0), K
        ``x @ V^T`` or its kernel columns (``_kernel_columns``)."""
        classes = getattr(self, "classes", None)
        k = len(classes or ())
        if lin.link != "none" or np.any(zeros) or k < 2 or len(zeros) != len(lin.coef) or len(lin.coef) != k * (k - 1) // 2:
            return None
        pairs = np.array([(i, j) for i in range(k) for j in range(i + 1, k)], dtype=int)
        kw: dict[str, Any] = {"classes": tuple(classes or ()), "pairs": pairs}
        kernel = next((s for s in self.steps if isinstance(s, Project) and s.outputs == lin.inputs), None)
        shaped = _kernel_columns(self.steps, lin.inputs) if kernel is None else None
        name = "linear"
        if shaped is not None:  # (gamma x.v + c0)^d or tanh(gamma x.v + c0), gamma folded into the vectors: gamma 1
            kernel, columns, name, degree = shaped
            for step in columns:
                self.steps.remove(step)
            kw.update(gamma=1.0, coef0=float(kernel.bias[0]), degree=degree)
        elif kernel is None or np.any(kernel.bias):
            return None
        self.steps.remove(kernel)  # the kernel values are the machine's own
        svm = SupportVectorMachine(kernel.inputs, name, np.asarray(kernel.matrix), lin.coef, lin.intercept, **kw)  # type: ignore[arg-type]
        p = len(pairs)
        return Form(svm, np.hstack([np.eye(p), np.zeros((p, p + 1))]))

    def _machines(self, where: str, m: _Machines, intercept: np.ndarray) -> Form:
        """The double writer's machines: one regression machine, or class pairs in libsvm order."""
        classes = getattr(self, "classes", None)
        d = m.kernel.dist
        if d.finished() != "squaredEuclidean":
            raise Unliftable(where, "a kernel over other than squared distances")
        kw: dict[str, Any] = {"gamma": m.kernel.gamma}
        if classes is not None:
            k = len(classes)
            pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
            if len(pairs) != len(m.coef):
                raise Unliftable(where, f"{len(m.coef)} machines for {k} classes")
            kw.update(classes=tuple(classes), pairs=np.array(pairs, dtype=int))
        intercept = np.broadcast_to(intercept, (len(m.coef),)).astype(np.float64)
        svm = SupportVectorMachine(d.inputs, "rbf", d.points, m.coef, intercept, **kw)
        p = len(m.coef)
        return Form(svm, np.hstack([np.eye(p), np.zeros((p, p + 1))]))  # f per machine

    def _affine(self, node: Any, form: Form, ins: list[Any]) -> Form:
        op = node.op_type
        rows: np.ndarray | None = None
        for n, v in enumerate(ins):
            sign = -1.0 if op == "Sub" and n == 1 else 1.0
            if isinstance(v, Form):
                part = v.rows
            else:
                c = _const(v)
                assert c is not None
                part = np.zeros((len(c), form.rows.shape[1]))
                part[:, -1] = c
            if rows is None:
                rows = sign * part
                continue
            if len(part) != len(rows) and 1 not in (len(part), len(rows)):
                raise Unliftable(_where(node), f"{op} of machine-value columns that do not broadcast")
            rows = rows + sign * part
        assert rows is not None
        return replace(form, rows=rows)

    def _flags(self, node: Any, a: Form, sign: float) -> Form:
        """``[f_p < 0]`` for columns that are ``sign * f_p`` (``Less(f, 0)`` or ``Greater(-f, 0)``)."""
        p = a.machines
        rows = np.zeros_like(a.rows)
        for r, row in enumerate(a.rows):
            hit = np.flatnonzero(row)
            if len(hit) != 1 or hit[0] >= p or row[hit[0]] != sign:
                raise Unliftable(_where(node), f"{node.op_type} of a machine-value column other than the sign of one machine")
            rows[r, p + hit[0]] = 1.0
        return replace(a, rows=rows)

    def _decision(self, where: str, votes: Form, confidence: Form) -> Pred:
        """``votes + c / (3 (|c| + 1))``: the IR's one-vs-rest decision, if the forms say exactly that."""
        want_votes, want_conf = _ovr(votes.svm)
        if not (np.array_equal(votes.rows, want_votes) and np.array_equal(confidence.rows, want_conf)):
            raise Unliftable(where, "votes and confidences other than scikit-learn's one-vs-rest decision")
        return Pred(replace(votes.svm, shape="ovr"))


def form_output(form: Form, columns: list[int], where: str) -> Pred:
    """A graph output holding machine values directly: the IR's binary or one-vs-one decision."""
    svm = form.svm
    p = len(svm.intercept)
    picked = form.rows[columns]
    if (
        len(svm.classes or ()) == 2
        and picked.shape[0] == 1
        and np.array_equal(picked[0, :p], [-1.0])
        and not np.any(picked[0, p:])
    ):
        return Pred(svm)  # the binary decision -f
    if picked.shape[0] == p and np.array_equal(picked[:, :p], np.eye(p)) and not np.any(picked[:, p:]):
        return Pred(svm if svm.classes is None else replace(svm, shape="ovo"))  # regression: its one machine
    raise Unliftable(where, "an SVM's machine values as outputs other than its decision values")
