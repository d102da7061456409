"""The PFA fast path: compile a document's ``action`` into numpy code over whole batches.

The compiler is strict, like the PMML fast path: anything it does not implement exactly raises
NotCovered and ``load`` hands the whole document to titus2. Covered: ``map``-method documents,
inputs of double, float, int, long, boolean, string, enum and ``array(double)`` (one equal-length
vector per row), read-only cells, writes of symbols or literals to cells nothing reads (titus's
chain producer; ``fast.cells``), pure user functions (inlined), literals,
``new``, ``do``, ``let``/``set``, ``attr``/``path``, ``cell`` reads, ``if``/``cond``/``ifnotnull``,
loops (``while``, ``do``/``until``, ``for``, ``foreach``, ``forkey``/``forval`` under row masks, with
titus2's time budget; ``fast.loops``), cells and pools written while scoring: running sums (statements
``x -> x + e``) over whole batches as prefix sums (``fast.scan``, chosen by ``load``), any other write with
``engine='fast'`` only (the action run once per record in order, state carried between records and
batches; ``fast.state``),
``error``, core arithmetic and comparison, ``m.*``, ``m.link.*``, ``m.kernel.*``, ``a.*`` (len,
sum, mean, max, min, argmax, argmin, map, zipmap, fold, reduce, any, all; mode, median, product,
lnsum, geomean, logsumexp in ``fast.library.summaries``; head, last, tail, init, reverse, sort, count, contains,
index, rindex, mapWithIndex, foldRight, reduceRight, concat, append, rotate, subseq, maxN, minN, argmaxN, argminN in
``fast.library.sequences``), ``s.*`` (all of titus2's but s.int, s.number, s.hex, s.split), ``la.*`` (add, sub,
scale, dot), ``cast.*`` (numbers, fanouts, signed / unsigned; ``fast.library.casts``),
``prob.dist.*`` (closed forms; ``fast.library.dist``), ``time.*`` fields (``fast.library.clock``),
``impute.*``, ``metric.*``, ``map.*`` (all 41 of titus2's; maps of numbers,
strings or records as input and output fields too; ``fast.library.collections.maps`` / ``mapfcns``), ``model.reg.linear``,
``model.reg.residual``/``pull``/``mahalanobis``/``reducedChi2`` (array and number forms;
``fast.reg``), ``model.tree.simpleWalk``/``missingWalk`` (+ simpleTest/missingTest on numbers
and strings, all of titus2's operators), ``model.tree.compoundTest``/``surrogateTest``
(``fast.tree_logic``), ``model.cluster.closest(N)``, ``model.neighbor.nearestK``,
``model.neighbor.ballR`` (a batch whose rows keep different numbers of points is deferred) and
``mean`` (weighted too; ``fast.neighbours``), ``model.neural.simpleLayers`` (layers of any widths),
``model.naive.gaussian``, ``model.naive.multinomial`` (arrays) / ``bernoulli`` (a constant map) and
``model.svm.score`` (``fast.scores``).
Not covered (fallback): ``begin``/``end`` sections, cells and pools that are shared or roll back,
``pool-del``, cell writes with a path or inside a function applied per array item,
``emit``/``fold`` methods, ``log``, unknown functions, nullable array inputs,
map arguments of ``model.*`` functions, ``model.reg.updateChi2`` (writes its state),
``model.reg.chi2Prob`` (titus2's own incomplete gamma series), ``model.reg.linearVariance`` and
``gaussianProcess`` (titus2 1.2.0 fails every record of them on NumPy 2: ``float()`` of a 1x1
matrix, ``numpy.int``).

Record errors: where titus2 would raise for a record (``impute.errorOnNull`` on a null, an
``error`` form, int overflow, ``math.exp`` overflow, a bad array index...), the fast path raises
:class:`~interchange.errors.RecordError` for the batch, naming the first failing row (and the
field when the error names one) — the same error class TitusModel raises, so the scorer
dead-letters the record and scores the rest, never a silent number. Branches are evaluated
under row masks, so only rows that take a branch can fail in it. A few rare cases titus2
handles in its own order (NaN distances in ``nearestK``, errors inside ``a.any``, array input
rows of different lengths...) raise ``Defer`` at run time and that batch is evaluated by titus2.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from interchange.batch import Columns
from interchange.document import Document
from interchange.errors import RecordError
from interchange.formats.pfa.fast.cells import drop_write_only
from interchange.formats.pfa.fast.compile import Compiler, Run, Scope
from interchange.formats.pfa.fast.library.collections.boxed import MapInputs, is_map, objects
from interchange.formats.pfa.fast.scan import Scan, ScanFallback
from interchange.formats.pfa.fast.state import State, load_pools, plain, writes_state
from interchange.formats.pfa.fast.types import (
    BOOLEAN,
    DOUBLE,
    INT,
    LONG,
    NULL,
    STRING,
    Arr,
    Defer,
    EnumT,
    NotCovered,
    Nullable,
    Opt,
    Prim,
    Rec,
    Types,
)
from interchange.model import Model, ModelInfo, Scored, shift_row
from interchange.signature import Signature

__all__ = ["FastPFAModel", "NotCovered", "compile_document"]

NUMERIC_KINDS = ("probability", "value", "score", "decision")
VECTOR = Arr(DOUBLE)


def _library() -> dict[str, Any]:
    from interchange.formats.pfa.fast.library import (  # noqa: F401  (each module registers its functions)
        casts,
        clock,
        core,
        imputes,
        refused,  # noqa: F401  (fills only the names left free)
        strings,
    )
    from interchange.formats.pfa.fast.library.collections import (  # noqa: F401
        arrays,
        mapfcns,  # noqa: F401  (imports maps, whose plain forms it wraps)
        ordering,
        sequences,
        summaries,
    )
    from interchange.formats.pfa.fast.library.numeric import dist, gamma, linalg, maths, searches  # noqa: F401
    from interchange.formats.pfa.fast.library.registry import LIBRARY
    from interchange.formats.pfa.fast.models import families, neighbours, reg, scores  # noqa: F401
    from interchange.formats.pfa.fast.trees import comparisons, compound, walk  # noqa: F401

    return LIBRARY


class Program:
    """A compiled document: input fields, the action's closure, output fields."""

    def __init__(self, doc: dict[str, Any]) -> None:
        if not isinstance(doc, dict):
            raise NotCovered("not a PFA document")
        doc = drop_write_only(doc)
        for key in ("begin", "end", "merge", "zero"):
            if doc.get(key):
                raise NotCovered(f"documents with {key}")
        if doc.get("method", "map") != "map":
            raise NotCovered(f"method {doc.get('method')}")
        self.types = Types(doc)
        self.input_t = self.types.parse(doc["input"])
        self.output_t = self.types.parse(doc["output"])
        compiler = Compiler(doc, self.types, _library())
        self.state: State | None = None  # cells / pools the action writes: records run one by one (fast.state)
        if writes_state(doc):
            self.state = compiler.state = State()
            for name, (value, t) in compiler.cells.items():
                self.state.cells[name], self.state.cell_types[name] = value, t
            load_pools(compiler, self.state)
        self.inputs: list[tuple[str, Any]] = []
        if isinstance(self.input_t, Rec) and not self.input_t.recursive:
            self.inputs = list(self.input_t.fields.items())
        else:
            self.inputs = [("input", self.input_t)]
        for name, t in self.inputs:
            base = t.inner if isinstance(t, Opt) else t
            if base == VECTOR and isinstance(t, Opt):
                raise NotCovered(f"input field {name} of type {t} (a nullable array)")
            if base not in (DOUBLE, Prim("float"), INT, LONG, STRING, BOOLEAN, VECTOR) and not isinstance(base, EnumT):
                if not is_map(base):
                    raise NotCovered(f"input field {name} of type {t}")
        # per field: how input_value reads it, worked out once (comparing the type objects per batch and field
        # was a fifth of a 20-feature regression's batch)
        self.maps = MapInputs(doc)
        self.input_kinds: list[tuple[str, str, bool, Any]] = [
            (name, _input_kind(t.inner if isinstance(t, Opt) else t), isinstance(t, Opt), t.inner if isinstance(t, Opt) else t)
            for name, t in self.inputs
        ]
        self.fn, self.input_slot = self._action(compiler, doc)
        self.scan: tuple[Scan, Any, int] | None = None  # the prefix-sum form of the state (fast.scan)
        self.no_scan = ""  # why there is none
        if self.state is not None:
            scan = Scan(self.state, doc)
            prefix = Compiler(doc, self.types, _library())
            prefix.state = scan
            try:
                fn, slot = self._action(prefix, doc)
                self.scan = (scan, fn, slot)
            except NotCovered as why:
                self.no_scan = str(why)
        self.record_out = isinstance(self.output_t, Rec)
        outs = list(self.output_t.fields.items()) if self.record_out else [("output", self.output_t)]
        for name, ot in outs:
            base = ot.inner if isinstance(ot, Opt) else ot
            if isinstance(ot, Arr) and (isinstance(ot.items, EnumT) or (isinstance(ot.items, Prim) and ot.items != NULL)):
                continue  # an array of plain values: one list per row (titus2's output)
            if is_map(ot):
                continue  # a dict per row (titus2's output)
            if not (isinstance(base, Prim) or isinstance(base, EnumT)) or base == NULL:
                raise NotCovered(f"output {name} of type {ot}")
        self.outputs = outs

    def _action(self, compiler: Compiler, doc: dict[str, Any]) -> tuple[Any, int]:
        """The action's closure (coerced to the output type) and the ``input`` slot's id."""
        scope = Scope(None, 0)
        slot = compiler.slot(self.input_t, 0)
        scope.vars["input"] = slot
        action = doc["action"] if isinstance(doc["action"], list) else [doc["action"]]
        fn, t = compiler.block(action, scope)
        if t != self.output_t:
            from interchange.formats.pfa.fast.compile import coerce

            fn = coerce(fn, t, self.output_t)
        return fn, slot.id

    def input_value(self, columns: Columns) -> tuple[Any, list[tuple[np.ndarray, str]]]:
        """The ``input`` variable, and per field the rows where a non-nullable field is missing
        (titus2's input check rejects those records)."""
        bad: list[tuple[np.ndarray, str]] = []
        values: dict[str, Any] = {}  # an ndarray per field, Nullable for optional ones
        for name, kind, optional, base in self.input_kinds:
            if kind == "vector":
                col, missing = _vectors(columns[name])
                if missing.any():
                    bad.append((missing, name))
                values[name] = col
                continue
            if kind == "map":
                col, missing = self.maps.column(name, base, columns[name])
                if missing.any():
                    bad.append((missing, name))
                values[name] = col
                continue
            col = np.asarray(columns[name])
            if kind == "double":
                col = col.astype(np.float64, copy=False)
                missing = np.isnan(col)
            elif kind == "boolean":  # the signature layer gives 1.0 / 0.0, NaN where missing
                numbers = np.array([np.nan if v is None else v for v in col.tolist()], dtype=np.float64)
                missing = np.isnan(numbers)
                col = np.where(missing, False, numbers != 0)
            elif kind == "whole":  # whole numbers (the signature layer refuses fractions), as int64
                numbers = np.array([np.nan if v is None else v for v in col.tolist()], dtype=np.float64)
                missing = np.isnan(numbers)
                lo, hi = (-(2.0**31), 2.0**31 - 1) if base == INT else (-(2.0**63), 2.0**63 - 1024)
                if ((numbers[~missing] < lo) | (numbers[~missing] > hi)).any():
                    raise Defer(f"input field {name} outside the range of a PFA {base}")
                col = np.where(missing, 0.0, numbers).astype(np.int64)
            else:  # strings and enum symbols
                col = col.astype(object, copy=False)
                missing = np.array([v is None for v in col.tolist()], dtype=bool)
                if isinstance(base, EnumT):  # a value outside the symbols: the reference's input check refuses it
                    unknown = ~missing & ~np.isin(col, np.array(base.symbols, dtype=object))
                    if unknown.any():
                        row = int(np.argmax(unknown))
                        raise RecordError(
                            f"row {row}: field {name!r}: {col[row]!r} is not one of the symbols {list(base.symbols)}",
                            field=name,
                            row=row,
                        )
            if optional:
                values[name] = Nullable(col, missing)
            else:
                if missing.any():
                    bad.append((missing, name))
                values[name] = col
        return (values if isinstance(self.input_t, Rec) else values["input"]), bad

    def run(self, columns: Columns, n: int) -> Columns:
        value, bad = self.input_value(columns)
        for mask, field in bad:
            row = int(np.argmax(mask))
            raise RecordError(f"row {row}: field {field!r} is missing and its PFA type is not nullable", field=field, row=row)
        rt = Run(n)
        rt.env[self.input_slot] = value
        with np.errstate(all="ignore"):
            result = self.fn(rt)
        _raise_first(rt, n)
        out: Columns = {}
        for name, t in self.outputs:
            v = result[name] if self.record_out else result
            out[name] = _column(v, t, n)
        return out


def _input_kind(base: Any) -> str:
    if is_map(base):
        return "map"
    if base == VECTOR:
        return "vector"
    if base in (DOUBLE, Prim("float")):
        return "double"
    if base in (INT, LONG):
        return "whole"
    if base == BOOLEAN:
        return "boolean"
    return "text"


def _vectors(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """An ``array(double)`` column (one sequence per row) as an (n, k) float array, and the rows
    that are missing. Rows of different lengths have no (n, k) layout: Defer, and titus2 takes
    that batch (it evaluates each row on its own, failing only the rows whose length is wrong)."""
    if isinstance(column, np.ndarray) and column.ndim == 2 and column.dtype.kind in "fiu":
        return column.astype(np.float64, copy=False), np.zeros(column.shape[0], dtype=bool)
    rows = list(column)
    missing = np.array([v is None or (isinstance(v, float) and v != v) for v in rows], dtype=bool)
    try:
        present = [np.asarray(v, dtype=np.float64) for v, m in zip(rows, missing.tolist(), strict=True) if not m]
    except (TypeError, ValueError):
        raise Defer("array input rows that are not sequences of numbers") from None
    if any(v.ndim != 1 for v in present):
        raise Defer("array input rows that are not flat sequences of numbers")
    widths = {v.shape[0] for v in present}
    if len(widths) > 1:
        raise Defer("array input rows of different lengths")
    k = widths.pop() if widths else 0
    out = np.zeros((len(rows), k))
    if present:
        out[~missing] = np.stack(present)
    return out, missing


def _raise_first(rt: Run, n: int) -> None:
    first, found = n, None
    for mask, depth, message, field in rt.errors:
        m = np.asarray(mask)
        rows = m.reshape(m.shape[0], -1).any(axis=1) if m.ndim == depth + 1 else np.full(n, bool(m.any()))
        if rows.any():
            row = int(np.argmax(rows))
            if row < first:
                first, found = row, (message, field)
    if found is not None:
        message, field = found
        raise RecordError(f"row {first}: the PFA document raises {message!r} for this record", field=field, row=first)


def _column(v: Any, t: Any, n: int) -> np.ndarray:
    """One output column in TitusModel's conventions (None where the union is null, a list per row for arrays)."""
    if isinstance(t, Arr):
        leaf = np.asarray(v)
        rows = np.broadcast_to(leaf, (n, leaf.shape[-1])) if leaf.ndim <= 2 else None
        if rows is None:
            raise NotCovered(f"array output of shape {leaf.shape}")
        kind = t.items.name if isinstance(t.items, Prim) else "string"
        plain = {"double": float, "float": float, "int": int, "long": int, "boolean": bool}.get(kind)
        col = np.empty(n, dtype=object)
        for i, r in enumerate(rows.tolist()):  # one by one: numpy would make equal-length lists a 2-D block
            col[i] = [plain(x) for x in r] if plain else list(r)
        return col
    if is_map(t):
        return objects((n,), np.broadcast_to(np.asarray(v, dtype=object), (n,)).tolist())
    if isinstance(t, Opt):
        values, missing = np.broadcast_to(np.asarray(v.value), (n,)), np.broadcast_to(np.asarray(v.missing), (n,))
        base = t.inner
    else:
        values, missing, base = np.broadcast_to(np.asarray(v), (n,)), None, t
    if isinstance(base, Prim) and base.name in ("double", "float"):
        out = values.astype(np.float64)
        if missing is not None:
            out = np.where(missing, np.nan, out)
        return out
    if isinstance(base, Prim) and base.name in ("int", "long") and missing is None:
        return values.astype(np.int64)  # typed_outputs keeps int64 labels as they are (same Python ints per row)
    items = values.tolist()
    if isinstance(base, Prim) and base.name in ("int", "long"):
        items = [int(x) for x in items]
    elif base == BOOLEAN:
        items = [bool(x) for x in items]
    if missing is not None:
        items = [None if m else x for x, m in zip(items, missing.tolist(), strict=True)]
    col = np.empty(n, dtype=object)
    col[:] = items
    return col


def compile_document(data: bytes) -> Program:
    """A compiled program, or NotCovered naming the first construct the fast path does not take."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise NotCovered(f"unreadable JSON: {exc}") from None
    try:
        return Program(doc)
    except NotCovered:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise NotCovered(f"{type(exc).__name__}: {exc}") from None


# measured (benchmarks/pfa_state.py, results/pfa_state.md: pfa_spec/fallback_counter, pool_counts,
# pfa_foreign/loops_state, 4,000 records a batch): record by record 0.27 / 0.38 / 0.29x titus2's rate; as
# prefix sums (fast.scan) 8x to thousands of times titus2's
STATEFUL_REASON = (
    "cells or pools written while scoring: the fast path would evaluate the action record by record in order, "
    "0.3-0.4x titus2's rate, so titus2 takes it (load(..., engine='fast') evaluates it on the fast path)"
)
CHUNK_ROWS = 8192  # rows per pass of the compiled program over a large batch


class FastPFAModel(Model):
    """A PFA document evaluated by the vectorised fast path (titus2 for the batches it defers)."""

    def __init__(self, document: Document, signature: Signature, *, stateful: bool = False) -> None:
        """``stateful``: take a document that writes cells or pools even without a prefix-sum form
        (``fast.scan``; then record by record, in order); without it such a document is NotCovered,
        since titus2 is faster at one record at a time."""
        self.document = document
        self.signature = signature
        self._program = compile_document(document.data)
        if self._program.state is not None and self._program.scan is None and not stateful:
            raise NotCovered(f"{STATEFUL_REASON}; no prefix-sum form: {self._program.no_scan}")
        self._reference: Model | None = None
        self._handed_over = False  # a stateful document that titus2 evaluates from now on (``_stateful``)
        self.deferred = 0
        self.sequential_batches = 0  # batches of a stateful document evaluated record by record (no prefix-sum form)
        self.info = ModelInfo("pfa", "interchange-fast")

    def _predict_columns(self, columns: Columns) -> Columns:
        return self._evaluate(columns, stop=True).outputs

    def _score_columns(self, columns: Columns) -> Scored:
        return self._evaluate(columns, stop=False)

    def _evaluate(self, columns: Columns, stop: bool) -> Scored:
        """The batch on the fast path, or titus2's answer for a batch it defers: record by record
        there, refusing (``stop`` false) only the records titus2 fails, so a deferred batch with a
        bad record (an endless loop stopped by the time budget) is not halved and rerun."""
        n = len(next(iter(columns.values()))) if columns else 0
        if self._program.state is not None:
            return self._stateful(columns, n, stop)
        try:
            out = self._program.run(columns, n) if n <= CHUNK_ROWS else self._chunked(columns, n)
        except (Defer, NotCovered):  # NotCovered here: a constant only checked when first used (a tree's leaves)
            titus = self._titus()
            return Scored(titus._predict_columns(columns), {}) if stop else titus._score_columns(columns)
        return Scored(self._numeric(out), {})

    def _numeric(self, out: Columns) -> Columns:
        for f in self.signature.outputs:
            if f.name not in out:
                raise RecordError(f"the PFA output has no field {f.name!r}", field=f.name)
            if f.kind in NUMERIC_KINDS and f.type != "string" and out[f.name].dtype != np.float64:  # (a text score stays text)
                out[f.name] = np.array([np.nan if v is None else v for v in out[f.name].tolist()], dtype=np.float64)
        return out

    def _stateful(self, columns: Columns, n: int, stop: bool) -> Scored:
        """A document that writes cells or pools: every record once, in order (``Program.sequential``);
        from a record the fast path defers on, titus2 takes over for good, from the same state."""
        if self._handed_over:
            titus = self._titus()
            return titus._score_columns(columns) if not stop else Scored(titus._predict_columns(columns), {})
        from interchange.formats.pfa.fast.sequential import in_order

        whole = self._prefix_sums(columns, n)
        if whole is not None:
            return Scored(self._numeric(whole), {})
        self.sequential_batches += 1
        out, refused, done = in_order(self._program, columns, n, stop)
        if done < n:
            self._hand_over()
            rest = {k: v[done:] for k, v in columns.items()}
            titus = self._titus()
            tail = titus._score_columns(rest) if not stop else Scored(titus._predict_columns(rest), {})
            refused.update({done + i: why for i, why in tail.refused.items()})
            out = {k: np.concatenate([np.asarray(out[k], dtype=tail.outputs[k].dtype), tail.outputs[k]]) for k in tail.outputs}
            return Scored(out, refused)
        return Scored(self._numeric(out), refused)

    def _prefix_sums(self, columns: Columns, n: int) -> Columns | None:
        """The whole batch at once when the state has a prefix-sum form (``fast.scan``) and no
        record of the batch fails; None otherwise (the state untouched: record by record then)."""
        if self._program.scan is None or n == 0:
            return None
        scan, fn, slot = self._program.scan
        try:
            value, bad = self._program.input_value(columns)
            if bad:
                return None
            rt = Run(n)
            rt.env[slot] = value
            with np.errstate(all="ignore"):
                result = fn(rt)
            if rt.errors:
                return None
            out = {name: _column(result[name] if self._program.record_out else result, t, n) for name, t in self._program.outputs}
        except (ScanFallback, Defer, NotCovered, RecordError):
            scan.pending.clear()
            return None
        scan.commit()
        return out

    def _hand_over(self) -> None:
        """titus2's engine set to the fast path's cells and pools (PFA's Python values)."""
        state = self._program.state
        assert state is not None
        engine = self._titus()._engine  # type: ignore[attr-defined]
        for name, value in state.cells.items():
            engine.cells[name].value = plain(value, state.cell_types[name])
        for name, entries in state.pools.items():
            engine.pools[name].value = {k: plain(v, state.pool_types[name]) for k, v in entries.items()}
        self._handed_over = True

    def _chunked(self, columns: Columns, n: int) -> Columns:
        """The batch in chunks of CHUNK_ROWS rows, outputs joined: every record is evaluated on
        its own (map documents, read-only cells), and a forest's per-tree leaves (rows x trees
        x classes) then stay a few MB instead of hundreds (measured: a 100-tree forest on 100k
        rows 1.3-2x faster). The first failing record is still the one named."""
        parts = []
        for start in range(0, n, CHUNK_ROWS):
            chunk = {k: v[start : start + CHUNK_ROWS] for k, v in columns.items()}
            try:
                parts.append(self._program.run(chunk, len(next(iter(chunk.values())))))
            except RecordError as exc:
                shifted = shift_row(exc, start)
                if shifted is exc:
                    raise
                raise shifted from exc
        return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}

    def _titus(self) -> Model:
        from interchange.formats.pfa.reference import TitusModel

        self.deferred += 1
        if self._reference is None:
            self._reference = TitusModel(self.document, self.signature, "a batch deferred by the fast path")
        return self._reference
