"""A document that writes cells or pools, evaluated by the fast path one record at a time, in order.

PFA 0.8.1, "Cells" / "Pools": a write is seen by every later record, so the compiled action runs
on batches of one record (``Run.strict``: a record stops at its first error, as in titus2, and the
writes before it stay), the state held in ``fast.state`` between records and batches. A record
the fast path defers leaves the state as it was before that record; the caller hands the rest to
titus2 from there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.batch import Columns
from interchange.errors import RecordError
from interchange.formats.pfa.fast.engine import Program, _column
from interchange.formats.pfa.fast.types import Defer, NotCovered, Nullable, Opt, Prim
from interchange.formats.pfa.fast.values import Failed, Run

__all__ = ["in_order"]


def in_order(program: Program, columns: Columns, n: int, stop: bool) -> tuple[Columns, dict[int, RecordError], int]:
    """The action once per record, in order, cells and pools carried from one to the next.

    Returns the outputs of the records evaluated, the refused ones (a failing record raises
    when ``stop``), and how many records were evaluated: fewer than ``n`` when a record
    defers (state restored to before it; the caller hands the rest to titus2)."""
    assert program.state is not None
    try:
        value, bad = program.input_value(columns)
    except Defer:  # input rows the fast path does not lay out (arrays of different lengths): all to titus2
        return _joined([], program.outputs), {}, 0
    missing = np.zeros(n, dtype=bool)
    why: dict[int, str] = {}
    for mask, field in bad:
        for row in np.flatnonzero(mask & ~missing).tolist():
            why[row] = field
        missing |= mask
    parts: list[Columns] = []
    refused: dict[int, RecordError] = {}
    for i in range(n):
        if missing[i]:
            error = RecordError(f"row {i}: field {why[i]!r} is missing and its PFA type is not nullable", field=why[i], row=i)
        else:
            saved = program.state.snapshot()
            rt = Run(1, strict=True)
            rt.env[program.input_slot] = _row(value, i)
            try:
                with np.errstate(all="ignore"):
                    result = program.fn(rt)
                parts.append({name: _column(result[name] if program.record_out else result, t, 1) for name, t in program.outputs})
                continue
            except (Defer, NotCovered):
                program.state.restore(saved)
                return _joined(parts, program.outputs), refused, i
            except Failed as exc:
                message = f"row {i}: the PFA document raises {exc.message!r} for this record"
                error = RecordError(message, field=exc.field, row=i)
        if stop:
            raise error
        refused[i] = error
        parts.append({name: _missing(t) for name, t in program.outputs})
    return _joined(parts, program.outputs), refused, n


def _row(v: Any, i: int) -> Any:
    """Row ``i`` of an input value as a batch of one."""
    if isinstance(v, dict):
        return {k: _row(x, i) for k, x in v.items()}
    if isinstance(v, Nullable):
        return Nullable(_row(v.value, i), _row(v.missing, i))
    return v[i : i + 1]


def _missing(t: Any) -> np.ndarray:
    base = t.inner if isinstance(t, Opt) else t
    if isinstance(base, Prim) and base.name in ("double", "float"):
        return np.full(1, np.nan)
    return np.empty(1, dtype=object)


def _joined(parts: list[Columns], outputs: list[tuple[str, Any]]) -> Columns:
    if not parts:
        return {name: np.empty(0, dtype=object) for name, _ in outputs}
    out: Columns = {}
    for name, _ in outputs:
        cols = [p[name] for p in parts]
        if any(c.dtype == object for c in cols):
            joined = np.empty(len(cols), dtype=object)
            joined[:] = [c[0] for c in cols]  # one by one: numpy would make equal-length lists a 2-D block
            out[name] = joined
        else:
            out[name] = np.concatenate(cols)
    return out
