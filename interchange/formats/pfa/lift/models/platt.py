"""Our PFA writer's libsvm class probabilities (``emit/models/platt.py``) read back as the IR SVM's
``prob_a`` / ``prob_b``.

The writer binds each machine's Platt sigmoid ``let z = f[m] * A + B``, clips and pairs them, and
couples them with a ``while`` loop (libsvm's ``multiclass_probability``: a per-record number of
sweeps, which the IR holds only as the SVM's own probabilities). The statements start at the first
machine's sigmoid over the SVM's machine values; from the ``A`` / ``B`` constants of each machine's
``let`` and the number of machines (``k (k - 1) / 2`` for k classes, pairs in libsvm's order),
the reference statements are written with the writer's own code, and the document's must be the
same up to the names it binds (each bound name standing for one reference name throughout):
the same functions, the same constants, the loop's condition and body included. The array of
class probabilities it ends with then holds the machine's probabilities; a statement that parts
from libsvm's coupling is refused with its JSON pointer and what differs.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from interchange.formats.pfa.emit.models.platt import svm_probabilities
from interchange.formats.pfa.lift.expressions import Scope
from interchange.formats.pfa.lift.models.svm import Machines
from interchange.formats.pfa.lift.values import Stage
from interchange.ir.lifted import Unliftable

__all__ = ["Platt"]


class _Statements:
    """What the writer's ``svm_probabilities`` writes to: its statements, in order."""

    def __init__(self) -> None:
        self.action: list[Any] = []

    def bind(self, name: str, expr: Any, kind: str = "double", nullable: bool = False) -> None:
        self.action.append({"let": {name: expr}})


def _sigmoid(statement: Any, machines: str, m: int) -> tuple[float, float] | None:
    """``(A, B)`` of ``let z = f[m] * A + B``, else None."""
    if not (isinstance(statement, dict) and list(statement) == ["let"] and len(statement["let"]) == 1):
        return None
    e = next(iter(statement["let"].values()))
    try:
        product, b = e["+"]
        f, a = product["*"]
    except (KeyError, TypeError, ValueError):
        return None
    if f != {"attr": machines, "path": [m]} or not all(type(x) is float for x in (a, b)):
        return None
    return a, b


def _same(ref: Any, doc: Any, names: dict[str, str], path: str) -> str | None:
    """Where ``doc`` parts from ``ref`` (a JSON pointer and what), names bound in ``ref`` standing for
    the document's (``names``, extended by each ``let``); None when they agree."""
    if isinstance(ref, dict):
        if not isinstance(doc, dict) or list(ref) != list(doc):
            return f"{path}: {_show(doc)} where libsvm's coupling has {_show(ref)}"
        for key, r in ref.items():
            d = doc[key]
            if key in ("let", "set") and isinstance(r, dict):
                if not isinstance(d, dict) or len(r) != len(d):
                    return f"{path}/{key}: other symbols than libsvm's coupling binds"
                for (rn, re), (dn, de) in zip(r.items(), d.items(), strict=True):
                    why = _same(re, de, names, f"{path}/{key}/{dn}")
                    if why:
                        return why
                    if key == "let":
                        if dn in names.values() and names.get(rn) != dn:
                            return f"{path}/let/{dn}: a symbol bound twice for two of libsvm's values"
                        names[rn] = dn
                    elif names.get(rn) != dn:
                        return f"{path}/set/{dn}: sets another symbol than libsvm's coupling"
                continue
            why = _same(r, d, names, f"{path}/{key}")
            if why:
                return why
        return None
    if isinstance(ref, list):
        if not isinstance(doc, list) or len(ref) != len(doc):
            return f"{path}: {_show(doc)} where libsvm's coupling has {len(ref)} items"
        for n, (r, d) in enumerate(zip(ref, doc, strict=True)):
            why = _same(r, d, names, f"{path}/{n}")
            if why:
                return why
        return None
    if isinstance(ref, str):
        return None if names.get(ref, ref) == doc else f"{path}: {doc!r} where libsvm's coupling reads {names.get(ref, ref)!r}"
    if type(ref) is not type(doc) or ref != doc:
        return f"{path}: {doc!r} where libsvm's coupling has {ref!r}"
    return None


def _show(node: Any) -> str:
    return f"{{{next(iter(node))!r}: ...}}" if isinstance(node, dict) and node else repr(node)[:40]


class Platt(Machines):
    """The lifter with libsvm's probability coupling over an SVM's machine values."""

    def block(self, statements: list[Any], scope: Scope, path: str) -> Any:
        value = None
        i = 0
        while i < len(statements):
            taken = self._coupling(statements, i, scope, path)
            if taken:
                i, value = i + taken, None
                continue
            value = self.expr(statements[i], scope, f"{path}/{i}")
            i += 1
        return value

    def _coupling(self, statements: list[Any], i: int, scope: Scope, path: str) -> int:
        """How many statements from ``i`` are libsvm's coupling (binding their probabilities), or 0."""
        s = statements[i]
        try:
            machines = next(iter(s["let"].values()))["+"][0]["*"][0]["attr"]
        except (KeyError, TypeError, IndexError, StopIteration, AttributeError):
            return 0
        if not isinstance(machines, str) or _sigmoid(s, machines, 0) is None:
            return 0
        stage = scope.get(machines)
        if not (isinstance(stage, Stage) and stage.what == "machines" and stage.family.kind == "svm"):
            return 0
        fam = stage.family
        where = f"{path}/{i}"
        p = len(np.asarray(fam.params.get("intercept", [])).reshape(-1))
        k = int(round((1 + np.sqrt(1 + 8 * p)) / 2))
        if p < 1 or k * (k - 1) // 2 != p:
            raise Unliftable(where, f"Platt sigmoids over {p} machines, no number of class pairs")
        params = [_sigmoid(statements[i + 3 * m], machines, m) if i + 3 * m < len(statements) else None for m in range(p)]
        if any(x is None for x in params):
            m = next(m for m, x in enumerate(params) if x is None)
            raise Unliftable(f"{path}/{i + 3 * m}", f"machine {m}'s Platt sigmoid other than f[{m}] * A + B with numbers A, B")
        a = np.array([x[0] for x in params if x is not None])
        b = np.array([x[1] for x in params if x is not None])
        pairs = np.array([(c, d) for c in range(k) for d in range(c + 1, k)], dtype=int)
        ref = _Statements()
        svm_probabilities(cast(Any, ref), machines, pairs, a, b, k)
        names: dict[str, str] = {}
        for n, r in enumerate(ref.action):
            at = f"{path}/{i + n}"
            why = _same(r, statements[i + n], names, at) if i + n < len(statements) else f"{at}: missing"
            if why:
                raise Unliftable(where, f"an SVM's probabilities coupled other than as libsvm does ({why})")
        probs = names[next(iter(ref.action[-1]["let"]))]
        fam.params.update(prob_a=a, prob_b=b)
        scope[probs] = Stage(fam, "probs", k)
        self.done.append((where, "Platt coupling"))
        return len(ref.action)
