"""The double writer's libsvm class probabilities (``emit/models/platt.py``) read back as the IR SVM's
``prob_a`` / ``prob_b``.

The writer turns an SVM's machine values ``f`` into Platt sigmoids per class pair and couples them
with an ONNX ``Loop`` (libsvm's ``multiclass_probability``). That shape starts at ``Mul(f, A)`` and
``Add(., B)`` with one Platt parameter per machine; from those constants, the classes and libsvm's
pair order, the reference shape is built with the writer's own code and the document must compute
exactly it (``lift/match.py``: operators, attributes, data flow and every constant, the loop's body
included), and nothing outside may read its inner tensors. The coupled probabilities are then the
IR machine's own (``ir/models/svm_probability.py``). A ``Loop`` anywhere else, or a coupling that
differs, is refused with the node where it parts from libsvm's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from interchange.formats.onnx.emit.builder import Builder
from interchange.formats.onnx.emit.models.platt import svm_probabilities
from interchange.formats.onnx.lift.blanks import without_blanks
from interchange.formats.onnx.lift.match import Mismatch, match_nodes, reads
from interchange.formats.onnx.lift.models.svm import Form
from interchange.formats.onnx.lift.values import Pred, _where
from interchange.ir.lifted import Unliftable
from interchange.ir.models.svm import SupportVectorMachine

__all__ = ["PlattOps"]

_F = "machine_values"  # the reference's name for f


class _Coupled:
    """A tensor inside the matched coupling: nothing outside it reads one."""


def _vector(v: Any, n: int) -> np.ndarray | None:
    if isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == (n,):
        return v
    return None


class PlattOps:
    """Mixin for the lifter: ``platt`` returns the value of a coupling's first node, else None."""

    values: dict[str, Any]
    classes: tuple[Any, ...] | None
    proto: onnx.ModelProto
    claimed: set[str]

    def _platt_svm(self, v: Any) -> SupportVectorMachine | None:
        """The SVM whose machine values (all of them, in order) ``v`` is, or None."""
        classes = self.classes
        if classes is None or len(classes) < 2:
            return None
        k = len(classes)
        p = k * (k - 1) // 2
        if isinstance(v, Form) and v.svm.classes is not None and v.svm.pairs is not None:
            if v.rows.shape == (p, 2 * p + 1) and np.array_equal(v.rows, np.hstack([np.eye(p), np.zeros((p, p + 1))])):
                return v.svm
        return None

    def platt(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        if node.op_type != "Mul" or len(ins) != 2:
            return None
        svm = self._platt_svm(ins[0])
        a = _vector(ins[1], len(svm.intercept)) if svm is not None else None
        if svm is None or a is None:
            return None
        nodes = without_blanks(self.proto.graph)
        loops = any(n.op_type == "Loop" for n in nodes)
        add = [n for n in nodes if n.op_type == "Add" and len(n.input) == 2 and n.input[0] == node.output[0]]
        b = _vector(self.values.get(add[0].input[1]), len(a)) if len(add) == 1 else None
        if b is None:
            if loops:
                raise Unliftable(_where(node), "Platt sigmoids other than A f + B with one A and B per class pair")
            return None
        assert svm.pairs is not None and svm.classes is not None
        ref = Builder()
        result = svm_probabilities(ref, _F, np.asarray(svm.pairs), a, b, len(svm.classes))
        ref_init = {t.name: numpy_helper.to_array(t) for t in ref.initializers}
        mapping = {_F: node.input[0]}
        try:
            used = match_nodes(ref.nodes, ref_init.get, nodes, self._platt_const, mapping)
        except Mismatch as exc:
            raise Unliftable(_where(node), f"an SVM's probabilities coupled other than as libsvm does: {exc}") from None
        if list(nodes[used[0]].output) != list(node.output):  # (a twin of this node matched the coupling's start)
            raise Unliftable(_where(node), "two Platt sigmoids over the same machine values")
        inner = {o for n in used for o in nodes[n].output} - {mapping[result]}
        outside = [nodes[n] for n in range(len(nodes)) if n not in used and reads(nodes[n]) & inner]
        if outside or inner & {o.name for o in self.proto.graph.output}:
            what = _where(outside[0]) if outside else "a graph output"
            raise Unliftable(what, "reads a tensor inside libsvm's probability coupling")
        coupled = replace(svm, prob_a=a, prob_b=b)
        for name, v in list(self.values.items()):  # the machine values read elsewhere (votes, decision) are this SVM's
            if isinstance(v, Form) and v.svm is svm:
                self.values[name] = replace(v, svm=coupled)
        self.claimed |= inner - set(node.output)
        self.values[mapping[result]] = Pred(coupled)
        self.claimed.add(mapping[result])
        return _Coupled()

    def _platt_const(self, name: str) -> np.ndarray | None:
        v = self.values.get(name)
        return v if isinstance(v, np.ndarray) else None

    def op_Loop(self, node: onnx.NodeProto, ins: list[Any], at: dict[str, Any]) -> Any:
        raise Unliftable(
            _where(node), "a Loop other than libsvm's probability coupling of an SVM's machine values has no IR form"
        )
