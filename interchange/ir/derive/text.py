"""Text functions over columns: PFA's ``s.*`` library (case, slices, search, replace, translate), and
PMML's regular-expression replace / matches and TextIndex term counts.

:data:`TEXT_FUNCTIONS` (interchange.ir.kernels.text, plain, so generated Python copies it) holds
each function once, per value, with titus2's semantics. The PFA fast path broadcasts the same
functions over its batches (``formats/pfa/fast/library/strings.py``); the IR applies them in a
:class:`TextDerive` step.
A missing argument gives a missing result (None for text, NaN for numbers and truth values).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from interchange.errors import ModelError
from interchange.ir.derive.expressions import Call, Const, Expr, evaluate_expr, references
from interchange.ir.graph import Env, Step
from interchange.ir.kernels.text import TEXT_FUNCTIONS, text_column, words

__all__ = ["TEXT_FUNCTIONS", "TextDerive", "words", "never_missing"]

Result = Literal["string", "int", "boolean"]


@dataclass(frozen=True)
class TextDerive(Step):
    """``outputs[0] = function(*arguments)``: one text function of :data:`TEXT_FUNCTIONS` over
    expression arguments. Text results are object columns (None missing); integers and truth
    values (1.0 / 0.0) float64 (NaN missing)."""

    outputs: tuple[str, ...]
    function: str
    arguments: tuple[Expr, ...]

    def __post_init__(self) -> None:
        if self.function not in TEXT_FUNCTIONS:
            raise ModelError(f"unknown IR text function {self.function!r}")
        if len(self.arguments) != len(TEXT_FUNCTIONS[self.function][1]):
            raise ModelError(f"{self.function} takes {len(TEXT_FUNCTIONS[self.function][1])} arguments")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(sorted(set().union(*(references(a) for a in self.arguments))))

    @property
    def result(self) -> Result:
        return TEXT_FUNCTIONS[self.function][2]  # type: ignore[return-value]

    def apply(self, env: Env) -> None:
        n = getattr(env, "n", None)
        if n is None:
            n = len(next(iter(env.values()))) if env else 0
        env[self.outputs[0]] = text_column(self.function, [evaluate_expr(a, env, n) for a in self.arguments], n)


def never_missing(e: Expr) -> bool:
    """``e`` has a value in every row: a constant, or ``if`` choosing between such (the PMML lift's blank
    ``if(isMissing(x), "", x)`` of a text argument); what a writer need not guard as possibly missing."""
    if isinstance(e, Const):
        return e.value is not None
    if isinstance(e, Call) and e.function == "if" and len(e.args) == 3 and e.fill is None:
        test, then, other = e.args
        blank = isinstance(test, Call) and test.function == "isMissing" and test.args == (other,)
        return never_missing(then) and (blank or never_missing(other))
    return False
