"""PFA's ``s.*`` string functions read into the IR's TextDerive steps (``ir/derive/text.py``).

Each call becomes one TextDerive step computing a fresh column from expression arguments (a
nested call's column first), so ``s.concat(s.upper(x), "-")`` is two steps. Arguments must be
text or integers as the function declares; the IR's text functions are titus2's, one copy
shared with the PFA fast path.
"""

from __future__ import annotations

from typing import Any

from interchange.formats.pfa.lift.expressions import Core, Scope
from interchange.formats.pfa.lift.values import Scalar
from interchange.ir.derive.expressions import Ref
from interchange.ir.derive.text import TEXT_FUNCTIONS, TextDerive
from interchange.ir.lifted import Unliftable

__all__ = ["Texts"]

_KINDS = {"s": ("string",), "i": ("int",)}


class Texts(Core):
    """Core expressions plus the string library."""

    def library(self, head: str, node: dict[str, Any], scope: Scope, path: str) -> Any:
        if head not in TEXT_FUNCTIONS:
            return super().library(head, node, scope, path)
        _, kinds, result = TEXT_FUNCTIONS[head]
        where = f"{path}/{head}"
        args = self.args(node, head)
        if len(args) != len(kinds):
            raise Unliftable(where, f"{head} takes {len(kinds)} arguments, not {len(args)}")
        values = [self.scalar(a, scope, f"{where}/{i}") for i, a in enumerate(args)]
        for i, (v, kind) in enumerate(zip(values, kinds, strict=True)):
            if v.type not in _KINDS[kind]:
                raise Unliftable(f"{where}/{i}", f"{head} of a {v.type} where it takes a {_KINDS[kind][0]}")
        col = self._fresh(head)
        self.steps.append(TextDerive((col,), head, tuple(v.expr for v in values)))
        self.done.append((where, "TextDerive"))
        return Scalar(Ref(col), result, any(v.nullable for v in values))
