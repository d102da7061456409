"""Chain as PFA (interchange.ir.combine.chain, PMML 4.4 §Segmentation modelChain).

Each segment's model is written in its own ``do`` block (emit/segments.py's ``_segment``: a missing
input makes its result NaN), evaluated where its predicate is TRUE and NaN elsewhere; its figures
(its value, the probability of a category, an expression over the columns so far) are bound as the
columns later segments read, null where it did not fire or is NaN (a tree routes a missing value;
the other models read it as NaN). The chain's result is, per row, that of the
last segment whose predicate is TRUE: a nested ``if`` from the last segment back; a regression
segment in a classification chain (or the reverse) gives a missing result, and no label.
"""

from __future__ import annotations

from typing import Any

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.document import ARRAY, _Writer
from interchange.formats.pfa.emit.functions import NAN, number_ref
from interchange.formats.pfa.emit.models.segments import _no_label_where_missing, _segment
from interchange.formats.pfa.emit.predicates import truth
from interchange.formats.pfa.emit.transforms import write_transform
from interchange.ir.combine.chain import Chain
from interchange.ir.derive.expressions import Derive
from interchange.signature import Signature

__all__ = ["CHAIN_WRITERS"]


def _refuse(why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the PFA writer has no form for {why}", estimator="Chain", format="pfa")


def _chain(w: _Writer, step: Chain, sig: Signature) -> dict[str, Any]:
    chain = [str(c) for c in step.classes] if step.classes is not None else None
    if chain is not None and [str(c) for c in sig.classes or ()] != chain:
        raise _refuse("a modelChain whose categories are not in the signature's order")
    results: list[tuple[str, Any]] = []
    for i, seg in enumerate(step.segments):
        on: Any = True
        if seg.when is not None:
            w.bind(f"chain_on_{i}", truth(w, seg.when)[0], "boolean")
            on = f"chain_on_{i}"
        kinds = getattr(seg.model, "classes", None)
        own = [str(c) for c in kinds] if kinds is not None else None
        none: Any = NAN if own is None else {"new": [NAN] * len(own), "type": ARRAY}
        result = _segment(w, 900 + i, seg.model, sig, tuple(own) if own is not None else None)
        w.bind(f"chain_r{i}", {"if": on, "then": result, "else": none}, "double" if own is None else "array")
        for link in seg.links:
            if link.expression is not None:
                write_transform(w, Derive((f"{link.name}~raw",), link.expression, "double"))
                figure: Any = {"if": on, "then": number_ref(w, f"{link.name}~raw"), "else": NAN}
            elif link.part == "value":
                if own is not None:
                    raise _refuse(f"chain link {link.name!r}: the value of a classification")
                figure = f"chain_r{i}"
            else:
                if own is None or str(link.category) not in own:
                    raise _refuse(f"chain link {link.name!r}: no probability of {link.category!r}")
                figure = {"attr": f"chain_r{i}", "path": [own.index(str(link.category))]}
            w.bind(f"{link.name}~figure", figure)  # (then null where missing: a tree routes a missing value, not NaN)
            missing = {"impute.isnan": w.cols[f"{link.name}~figure"][0]}
            w.bind(link.name, {"if": missing, "then": None, "else": w.cols[f"{link.name}~figure"][0]}, "double", True)
        if chain is None:
            results.append((on, f"chain_r{i}" if own is None else NAN))
        else:
            cells = [{"attr": f"chain_r{i}", "path": [own.index(c)]} if own is not None and c in own else NAN for c in chain]
            results.append((on, {"new": cells, "type": ARRAY}))
    found: Any = NAN if chain is None else {"new": [NAN] * len(chain), "type": ARRAY}
    for on, got in results:  # (the last segment that fired wins: it is the outermost if)
        found = {"if": on, "then": got, "else": found}
    if chain is None:
        w.bind("chain_value", found)
        return {"value": "chain_value"}
    w.bind("probs", found, "array")
    return _no_label_where_missing({})


CHAIN_WRITERS: dict[type, Any] = {Chain: _chain}
