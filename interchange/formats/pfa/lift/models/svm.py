"""Kernel SVMs as our PFA writer spells them: kernel values over support vectors (``a.map`` of
``m.kernel.*``), machine values ``la.add(la.dot(coef, k), intercept)``, then votes, confidences
and decisions written out in arithmetic.

What follows the machine values is read as terms over them (``("f", p)`` is machine p), and the
model step is accepted only when the label and decision outputs are exactly the terms the
writer gives for one-vs-one / one-vs-rest / binary decisions (``expected``); anything else says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.models.neighbors import Neighbours
from interchange.formats.pfa.lift.models.walks import _matrix
from interchange.formats.pfa.lift.values import Constant, Fcn, Part, Scalar, Stage, Vector
from interchange.ir.lifted import Unliftable
from interchange.ir.models.svm import SupportVectorMachine

__all__ = ["Machines", "Term", "svm_step"]

_KERNELS = {
    "m.kernel.linear": ("linear", 0),
    "m.kernel.rbf": ("rbf", 1),
    "m.kernel.poly": ("poly", 3),
    "m.kernel.sigmoid": ("sigmoid", 2),
}


@dataclass(frozen=True)
class Term(Part):
    """A value computed from the machine values: ``term`` is a nested tuple (op, args...)."""

    term: Any = None


class Machines(Neighbours):
    """The lifter with kernel SVMs."""

    def kernels(self, array: Any, fcn: Fcn, path: str) -> Any:
        body = fcn.body
        (name, args), (v,) = next(iter(body.items())), fcn.params
        kernel = _KERNELS.get(name)
        if kernel is None or not isinstance(array, Constant) or not isinstance(args, list) or len(args) != 2 + kernel[1]:
            return super().kernels(array, fcn, path)
        if args[1] != v or not isinstance(args[0], str):
            raise Unliftable(path, "a kernel not of (input array, support vector)")
        x = self.expr(args[0], fcn.scope or {}, f"{fcn.path}/do/{name}/0")
        values = [self._as_scalar(self.expr(a, fcn.scope or {}, path), path).constant for a in args[2:]]
        if any(not isinstance(c, float) for c in values):
            raise Unliftable(path, "kernel parameters that are not constants")
        gamma, coef0, degree = (values + [1.0, 0.0, 3.0][len(values) :])[:3]
        vectors = _matrix(array.value, path)
        inputs = self.columns(x, "svm_x", path, vectors.shape[-1] if vectors.ndim == 2 else None)
        if vectors.ndim != 2 or vectors.shape[1] != len(inputs):
            raise Unliftable(path, f"support vectors of shape {vectors.shape} for {len(inputs)} inputs")
        params = {"kernel": kernel[0], "vectors": vectors, "gamma": gamma, "coef0": coef0, "degree": degree}
        return Stage(self.family("svm", inputs, params, path), "kernels")

    def attr(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(value, Stage) and value.what == "machines" and isinstance(key, int):
            return Term(value.family, "term", None, ("f", key))
        return super().attr(value, key, scope, path)

    def staged(self, head: str, values: list[Any], path: str) -> Any:
        fam = next((v.family for v in values if isinstance(v, Term)), None)
        if fam is None:
            return super().staged(head, values, path)
        return Term(fam, "term", None, (head, *(self._term(v, path) for v in values)))

    def _term(self, v: Any, path: str) -> Any:
        if isinstance(v, Term):
            return v.term
        if isinstance(v, (Scalar, Constant)):
            c = self._as_scalar(v, path).constant
            if isinstance(c, (int, float)):
                return float(c)
        raise Unliftable(path, "a per-row value mixed into an SVM's machine values")

    def staged_if(self, test: Any, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if isinstance(test, Term):
            a = self.expr(node.get("then"), dict(scope), f"{path}/then")
            b = self.expr(node.get("else"), dict(scope), f"{path}/else")
            return Term(test.family, "term", None, ("if", test.term, self._term(a, path), self._term(b, path)))
        return super().staged_if(test, node, scope, path)

    def x_a_argmax(self, node: dict[str, Any], scope: Scope, path: str) -> Any:
        s = self.expr(node["a.argmax"], scope, f"{path}/a.argmax")
        if isinstance(s, Vector) and s.items and all(isinstance(t, Term) for t in s.items):
            return Term(s.items[0].family, "argmax", None, ("argmax", tuple(t.term for t in s.items)))
        if isinstance(s, Stage) and s.what in ("probs", "scores", "votes"):
            return Stage(s.family, "argmax")
        raise Unliftable(path, "a.argmax of something other than a model's scores, probabilities or votes")

    def index(self, value: Any, key: Any, scope: Scope, path: str) -> Any:
        if isinstance(key, Term) and key.kind == "argmax" and isinstance(value, Constant) and isinstance(value.value, list):
            fam = key.family
            fam.classes = tuple(value.value)
            fam.params["label"] = key.term
            fam.parts.add("label")
            return Part(fam, "label")
        return super().index(value, key, scope, path)


def _sum(terms: list[Any]) -> Any:
    out = terms[0]
    for t in terms[1:]:
        out = ("+", out, t)
    return out


def expected(k: int) -> dict[str, Any]:
    """The writer's label and decision terms for ``k`` classes over scikit-learn's pairs (i < j)."""
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    votes, conf = [], []
    for c in range(k):
        v, f = [], []
        for p, (i, j) in enumerate(pairs):
            if c in (i, j):
                v.append(("if", (">" if c == i else "<=", ("f", p), 0.0), 1.0, 0.0))
                f.append(("f", p) if c == i else ("u-", ("f", p)))
        votes.append(_sum(v))
        conf.append(_sum(f))
    ovr = [("+", votes[c], ("/", conf[c], ("*", 3.0, ("+", ("m.abs", conf[c]), 1.0)))) for c in range(k)]
    return {
        "pairs": pairs,
        "label": ("argmax", tuple(votes)),
        "binary": [("u-", ("f", 0))],
        "ovo": [("f", p) for p in range(len(pairs))],
        "ovr": ovr,
    }


def svm_step(fam: Any, outputs: list[Any], terms: dict[str, Any]) -> SupportVectorMachine:
    """The IR SVM when the document's outputs are the writer's terms; ``terms``: output name -> term."""
    p = fam.params
    if "coef" not in p or "intercept" not in p:
        raise Unliftable(fam.path, "kernel values not combined as la.add(la.dot(coef, k), intercept)")
    common = {"gamma": p["gamma"], "coef0": p["coef0"], "degree": p["degree"]}
    if fam.classes is None:
        if [terms.get(f.name) for f in outputs] != [("f", 0)] * len(outputs):
            raise Unliftable(fam.path, "SVM outputs other than the first machine's value")
        return SupportVectorMachine(fam.inputs, p["kernel"], p["vectors"], p["coef"], p["intercept"], **common)
    k = len(fam.classes)
    want = expected(k)
    if p.get("label") != want["label"]:
        raise Unliftable(fam.path, "SVM votes other than one vote per pair of classes (i < j), the first winning where f > 0")
    decisions = [terms.get(f.name) for f in outputs if f.kind == "decision"]
    shape: Literal["ovr", "ovo"] = "ovr"
    if decisions:
        if k == 2 and decisions == want["binary"]:
            pass
        elif decisions == want["ovo"]:
            shape = "ovo"
        elif decisions != want["ovr"]:
            raise Unliftable(fam.path, "SVM decision outputs other than scikit-learn's (binary, one-vs-one or one-vs-rest)")
    pairs = np.asarray(want["pairs"], dtype=int).reshape(-1, 2)
    return SupportVectorMachine(
        fam.inputs,
        p["kernel"],
        p["vectors"],
        p["coef"],
        p["intercept"],
        classes=tuple(fam.classes),
        pairs=pairs,
        shape=shape,
        **{n: p[n] for n in ("prob_a", "prob_b") if n in p},  # libsvm's Platt coupling (models/platt.py)
        **common,
    )
