"""Symbolic values the PFA lifter computes with: what a PFA expression is, seen from the IR.

A number, text or boolean per row is a :class:`Scalar` (an IR expression over columns); an
array of known length built with ``new`` is a :class:`Vector`, an array input :class:`Items`; a record a :class:`Record`; a
cell or literal structure a :class:`Constant`. Values on the way to a model's prediction
(scores, probabilities, parts of them) are :class:`Stage` objects, so a document's outputs can
be matched with the parts of one IR model step (value, label, probabilities, decisions, cluster).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interchange.ir.derive.expressions import Const, Expr

__all__ = ["Scalar", "Vector", "Items", "Record", "Constant", "Choice", "Family", "Stage", "Part", "Fcn"]


@dataclass(frozen=True)
class Scalar:
    """One value per row: ``expr`` over columns; ``type`` is double, int, string or boolean (0/1)."""

    expr: Expr
    type: str = "double"
    nullable: bool = False

    @property
    def constant(self) -> Any:
        """The Python value when the expression is a constant, else None."""
        return self.expr.value if isinstance(self.expr, Const) else None


@dataclass(frozen=True)
class Vector:
    """An array of known length whose items are per-row values."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class Items:
    """An array input of numbers (length not declared): the IR reads its items as columns
    (``ir.arrays.ArrayItems``) once a model or an index says how many."""

    name: str


@dataclass(frozen=True)
class Record:
    """A record built in the action (or the input record): field name -> value."""

    fields: dict[str, Any]


@dataclass(frozen=True)
class Constant:
    """A value known when the document is read: a cell's contents, a literal array or record."""

    value: Any


@dataclass(frozen=True)
class Choice:
    """One of several constants per row: ``values[i]`` where ``conds[i]`` holds (the conditions
    exclusive, one true per row): the cluster or neighbour of a given rank, read item by item."""

    conds: tuple[Expr, ...]
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Fcn:
    """A function value: an inline ``{"params", "ret", "do"}`` or a user function's definition."""

    params: tuple[str, ...]
    body: Any
    path: str
    scope: dict[str, Any] | None = field(default=None, compare=False)  # what an inline function sees


@dataclass(eq=False)
class Family:
    """A model being recognised: its kind (linear, trees, neural, naive, cluster, neighbours),
    its parameters, and what the document does with its raw scores (``link``, ``classes``)."""

    kind: str
    inputs: tuple[str, ...]
    params: dict[str, Any]
    path: str
    link: str = "identity"
    classes: tuple[Any, ...] | None = None
    parts: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Stage:
    """An array on the way to a prediction: ``what`` is scores, probs, or a named step of a
    pattern (the stable softmax's max / exp / sum, a logistic probability of the second class)."""

    family: Family
    what: str
    size: int | None = None


@dataclass(frozen=True)
class Part:
    """One output-ready part of a prediction: value, label, cluster, probability or decision (``index``)."""

    family: Family
    kind: str
    index: int | None = None
