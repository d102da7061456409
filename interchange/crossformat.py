"""Cross-format conversion: a PMML, PFA or ONNX document written as the same model in another format.

The source document is lifted into the IR (``interchange.lift``) and the IR written by the
target format's graph writer, found in one registry (``GRAPH_WRITERS``), so a new writer (the
double-precision IR -> ONNX writer) plugs in with one line. The result is verified by replaying
inputs through the source document's reference engine and the target's: the source's own
verification rows when given, else synthetic rows drawn from the signature (categories from
its allowed values and the graph's indicators; numbers around the graph's split thresholds,
centres and constants; for a field with a MiningField treatment, the values it is about). Both
engines score the rows with ``Model.score``: a record one refuses (an invalid value under
returnInvalid) has every output missing and must be refused, or left without a prediction, by
the other. A mismatch is a VerificationError naming the row and field.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from interchange.batch import Columns, num_rows, to_columns
from interchange.converted import Converted
from interchange.document import Document
from interchange.errors import DocumentError, UnsupportedModelError, VerificationError
from interchange.formats.onnx.precision import computes_in_float32
from interchange.ir.derive.arrays import ArrayItems
from interchange.ir.derive.expressions import Call, Derive, Indicator, Ref, references
from interchange.ir.derive.transforms import Impute, Validate
from interchange.ir.graph import Graph
from interchange.ir.kernels.dates import DATE_TYPES, date_text
from interchange.ir.lifted import Lifted
from interchange.ir.trees.ensemble import TreeEnsemble
from interchange.ir.validity import Treat
from interchange.lift import lift
from interchange.model import Model, Scored, get_format, load, read_document
from interchange.signature import Signature
from interchange.verification import Tolerance, Verification, compare

__all__ = ["GRAPH_WRITERS", "register_graph_writer", "convert_document", "pmml_engine_at", "TOLERANCE"]

# format -> "module:function" writing an IR Graph as that format's document bytes
GRAPH_WRITERS: dict[str, str | Callable[[Graph], bytes]] = {
    "pmml": "interchange.formats.pmml.emit.document:write_graph",
    "pfa": "interchange.formats.pfa.emit.document:write_graph",
    "onnx": "interchange.formats.onnx.ir_writer:write_document",
}
# Both reference engines (and the IR between them) compute in double.
TOLERANCE = Tolerance(1e-9, 1e-12, "double precision: source reference engine vs target reference engine")
SYNTHETIC_ROWS = 200


def register_graph_writer(format: str, writer: str | Callable[[Graph], bytes]) -> None:
    """Register the IR -> ``format`` writer (refuses to replace one silently)."""
    if format in GRAPH_WRITERS:
        raise ValueError(f"a graph writer for {format!r} is already registered")
    GRAPH_WRITERS[format] = writer


def _writer(format: str) -> Callable[[Graph], bytes]:
    target = GRAPH_WRITERS.get(format)
    if target is None:
        raise UnsupportedModelError(
            f"no IR writer for {format!r}",
            format=format,
            supported_formats=sorted(GRAPH_WRITERS),
        )
    if callable(target):
        return target
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


PMMLEngine = Callable[[Document, Signature], Model]


def convert_document(
    source: Any,
    format: str,
    *,
    sample: Any = None,
    rows: int = SYNTHETIC_ROWS,
    seed: int = 0,
    pmml_engine: PMMLEngine | None = None,
) -> Any:
    """The model of ``source`` (path, bytes, Document or loaded Model) as a verified ``format`` document.

    ``pmml_engine``: a second PMML engine (``(document, signature) -> Model``; JPMML-Evaluator in the
    tests), used on a PMML side where pypmml disagrees and the document holds a construct on which
    pypmml departs from PMML 4.4 (``formats.pmml.departures``): there the written document must
    agree with that engine instead, and the result says which engine verified it.

    Example::

        converted = interchange.convert(interchange.load("model.pmml"), "pfa")
        converted.save("model.pfa")
    """
    model = source if isinstance(source, Model) else load(source if isinstance(source, Document) else read_document(source))
    lifted = lift(model)
    if not lifted.ok or lifted.graph is None:
        raise UnsupportedModelError(
            f"the {model.document.format} document cannot be read into the IR: " + "; ".join(map(str, lifted.reasons)),
            format=format,
            reasons=lifted.reasons,
        )
    graph = lifted.graph
    cases = to_columns(sample, lifted.signature) if sample is not None else synthetic_rows(lifted, rows, seed)
    data = _writer(format)(graph)
    plugin = get_format(format)
    document = Document(format, data, plugin.media_type)
    tolerance = TOLERANCE
    single = model.document.format == "onnx" and computes_in_float32(model.document.data)
    if single or any(isinstance(s, Derive) and s.type == "float" for s in graph.steps):
        # converters' ONNX graphs compute (and return) float32
        tolerance = Tolerance(1e-4, 1e-5, "the source computes in float32 (sums of terms: a few float32 ulps of the largest)")
    # Model.score: a record an engine refuses (an invalid value under returnInvalid, a PFA record error) has
    # every output missing, so a refusal must meet a refusal (or a missing prediction) on the other side
    source_ref, second = _reference(model.document, lifted.signature, pmml_engine)
    scored = source_ref.score(cases)
    departs = list(_departures(model.document))
    failed = len(scored.refused) == num_rows(cases) and pmml_engine is not None and bool(departs)
    if failed and not second:  # pypmml fails every record on a construct it departs on (formatNumber): JPMML answers
        second = True
        assert pmml_engine is not None
        source_ref = pmml_engine(model.document, lifted.signature)
        scored = source_ref.score(cases)
    if len(scored.refused) == num_rows(cases):  # nothing would be compared
        first = next(iter(scored.refused.values()))
        hint = "".join(
            f"; pypmml departs from PMML 4.4 on this document ({d.construct}: {d.reason}): pass pmml_engine= to verify "
            "it with another engine"
            for d in departs[:1]
        )
        raise VerificationError(
            f"the source refuses every one of the {num_rows(cases)} rows ({first}); nothing to verify against{hint}",
            format=format,
            departures=departs,
        )
    target_ref, target_second = _reference(document, lifted.signature, pmml_engine)
    lineage = {"source_format": model.document.format, "source_sha256": model.document.sha256, "via": "interchange IR"}
    if second:
        lineage["pmml_engine"] = f"{source_ref.info.engine} (" + "; ".join(f"{d.construct}: {d.reason}" for d in departs) + ")"
    elif target_second:
        said = "; ".join(f"{d.construct}: {d.reason}" for d in _departures(document))
        lineage["pmml_engine"] = f"{target_ref.info.engine} ({said})"
    sig = lifted.signature
    expected = _read(scored, sig, model.document, lineage)
    try:
        result = compare(sig, expected, _read(target_ref.score(cases), sig, document, lineage), tolerance, format=format)
    except VerificationError as exc:
        named = [*_departures(model.document), *_departures(document)]
        if not named:
            raise
        why = "; ".join(f"{d.construct}: {d.reason}" for d in dict.fromkeys(named))
        if pmml_engine is None:
            hint = f"pypmml departs from PMML 4.4 on this document ({why}); pass pmml_engine= to verify it with another engine"
            raise VerificationError(f"{exc.message}. {hint}", **exc.context, departures=named) from exc
        # pypmml departs on a named construct: the PMML sides that hold one are replayed through pmml_engine
        try:
            if _departures(model.document):
                source_ref = pmml_engine(model.document, sig)
                judged = source_ref.score(cases)
                expected = _read(judged, sig, model.document, lineage)
            if _departures(document):
                target_ref = pmml_engine(document, sig)
        except Exception as refused:  # (an engine that does not take the document: nothing to verify with)
            said = f"{exc.message}; pypmml departs from PMML 4.4 on this document ({why}) and the second PMML engine"
            raise VerificationError(f"{said} cannot evaluate it: {refused}", **exc.context, departures=named) from refused
        pmml_side = source_ref if model.document.format == "pmml" else target_ref
        answered = target_ref.score(cases)
        actual = _read(answered, sig, document, lineage)
        if _departures(model.document):
            keep = _judged(model.document, judged, (scored, answered), lineage)
            cases, expected, actual = ({k: np.asarray(v)[keep] for k, v in c.items()} for c in (cases, expected, actual))
        try:
            result = compare(sig, expected, actual, tolerance, format=format)
        except VerificationError as again:
            said = f"{again.message} (against {pmml_side.info.engine}: pypmml departs from PMML 4.4 on this document, {why})"
            raise VerificationError(said, **again.context, departures=named) from again
        lineage["pmml_engine"] = f"{pmml_side.info.engine} ({why})"
    return Converted(document, sig, Verification(cases, expected, tolerance, result), lineage, target_ref)


def pmml_engine_at(spec: str) -> PMMLEngine:
    """The PMML engine named ``module:function`` (trusted code: the module is imported)."""
    module, _, name = spec.partition(":")
    try:
        engine = getattr(importlib.import_module(module), name) if module and name else None
    except (ImportError, AttributeError) as exc:
        raise UnsupportedModelError(f"no PMML engine at {spec!r}: {exc}", format="pmml") from exc
    if not callable(engine):
        raise UnsupportedModelError(f"no PMML engine at {spec!r}: give MODULE:FUNCTION, a callable", format="pmml")
    return engine


def _reference(document: Document, signature: Signature, pmml_engine: PMMLEngine | None) -> tuple[Model, bool]:
    """The document's reference engine, and whether it is ``pmml_engine``: a PMML document holding a departure
    on which pypmml is wrong on every row (``Departure.whole``: date fields, which it reads as missing) goes to
    ``pmml_engine`` from the start, and without one is refused (pypmml against pypmml would verify nothing); a
    PMML document pypmml cannot load on a construct it departs on goes to ``pmml_engine``."""
    whole = [d for d in _departures(document) if d.whole]
    if whole and pmml_engine is not None:
        return pmml_engine(document, signature), True
    if whole:
        said = "; ".join(f"{d.construct}: {d.reason}" for d in whole)
        raise VerificationError(
            f"pypmml, the PMML reference engine, departs from PMML 4.4 on every row of this document ({said}), so "
            "its answers would verify nothing: pass pmml_engine= (the CLI's --pmml-engine MODULE:FUNCTION) to verify "
            "it with another PMML engine",
            format=document.format,
            departures=whole,
        )
    try:
        return load(document, engine="reference"), False
    except DocumentError:
        if pmml_engine is None or not _departures(document):
            raise
        return pmml_engine(document, signature), True


def _judged(source: Document, second: Scored, others: tuple[Scored, Scored], lineage: dict[str, Any]) -> np.ndarray:
    """The records to compare: on a source applying a text function to a text that can be missing (pypmml reads
    "", JPMML-Evaluator fails the record, PMML 4.4 makes the function's result missing and goes on:
    ``formats/pmml/departures.py``), not those the second PMML engine gives no result where pypmml and the
    written document answer them, as no engine judges those (stated in ``lineage``); all of them elsewhere (a
    record refused for an invalid value is refused on every side, and compared)."""
    from interchange.formats.pmml.departures import MISSING_TEXT_ARGUMENT

    n = len(next(iter(second.outputs.values())))
    keep = np.ones(n, dtype=bool)
    unjudged = sorted(set(second.refused) - set(others[0].refused) - set(others[1].refused))
    if not unjudged or len(unjudged) == n or all(d.construct != MISSING_TEXT_ARGUMENT for d in _departures(source)):
        return keep
    keep[unjudged] = False
    lineage["pmml_engine_unjudged"] = (
        f"{len(unjudged)} of {n} records the second PMML engine gives no result where pypmml and the written "
        "document answer them, "
        f"left out ({MISSING_TEXT_ARGUMENT}; e.g. {second.refused[unjudged[0]]})"
    )
    return keep


def _departures(document: Document) -> tuple[Any, ...]:
    """The constructs of a PMML document on which pypmml departs from PMML 4.4 (none for other formats)."""
    if document.format != "pmml":
        return ()
    from interchange.formats.pmml.departures import departures

    return departures(document.data)


def _read(scored: Scored, signature: Signature, document: Document, lineage: dict[str, Any]) -> Columns:
    """An engine's outputs read as the IR gives them: ``_blanked``, and the empty text that stands for none
    read as missing (stated in ``lineage`` where it was): in an IR-written ONNX graph (ONNX has no null text,
    ``formats/onnx/departures.py``) and in a PMML document's entityId / predictedDisplayValue (pypmml's
    departure, ``formats/pmml/departures.py``)."""
    from interchange.formats.onnx.departures import MISSING_TEXT, written_by_ir
    from interchange.formats.pmml.departures import EMPTY_TEXT, empty_text_outputs

    outputs = _blanked(scored, signature)
    if written_by_ir(document):
        names, gap = {f.name for f in signature.outputs}, (MISSING_TEXT.construct, MISSING_TEXT.reason)
    elif document.format == "pmml":
        names, gap = empty_text_outputs(document.data), (EMPTY_TEXT.construct, EMPTY_TEXT.reason)
    else:
        return outputs
    out = dict(outputs)
    for f in signature.outputs:
        col = out.get(f.name)
        if f.name not in names or col is None or np.asarray(col).dtype != object:
            continue
        empty = np.array([isinstance(v, str) and v == "" for v in col], dtype=bool)
        if empty.any():
            col = np.array(col, dtype=object)
            col[empty] = None
            out[f.name] = col
            lineage[f"{document.format}_empty_text"] = ": ".join(gap)
    return out


def _blanked(scored: Scored, signature: Signature) -> Columns:
    """The outputs with the label and cluster of a refused row missing: an ONNX string or integer output
    has no null, so a row onnxruntime gives NaN scores for (refused: no prediction) still carries the
    argmax of those NaNs as its label, where the IR and the other engines give none."""
    if not scored.refused:
        return scored.outputs
    rows = np.array(sorted(scored.refused), dtype=np.int64)
    out = dict(scored.outputs)
    for f in signature.outputs:
        if f.kind in ("label", "cluster"):
            col = np.array(out[f.name], dtype=object)
            col[rows] = None
            out[f.name] = col
    return out


MISSING_SHARE = 0.1


def synthetic_rows(lifted: Lifted, n: int, seed: int = 0) -> Columns:
    """``n`` rows over the signature: categories the graph tests for, numbers near the values it compares with.

    A field the document says what to do with when missing (an imputer or a missing-value test
    reads it, or a tree ensemble routes it) is missing in about ``MISSING_SHARE`` of the rows, so
    the replay covers that handling too.
    """
    assert lifted.graph is not None
    columns = _values(lifted, n, np.random.default_rng(seed))
    holes = np.random.default_rng(seed + 1)  # (its own stream: the present values stay as they were)
    handled = missing_handled(lifted.graph)
    _probe_treated(lifted.graph, columns, np.random.default_rng(seed + 2))  # (its own stream too)
    for f in lifted.signature.inputs:
        if f.name in handled:
            blank = holes.random(n) < MISSING_SHARE
            col = np.array(columns[f.name], dtype=object if columns[f.name].dtype == object else np.float64)
            col[blank] = None if col.dtype == object else np.nan
            columns[f.name] = col
    return columns


def missing_handled(graph: Graph) -> set[str]:
    """Input fields whose missing values the graph handles: read (through derived columns) by an
    Impute step or a missing-value test, or by a tree ensemble (each split routes a missing value)."""
    inputs = set(graph.signature.input_names)
    source: dict[str, set[str]] = {name: {name} for name in inputs}
    handled: set[str] = set()

    def fields(cols: Any) -> set[str]:
        return set().union(*(source.get(c, set()) for c in cols)) if cols else set()

    for step in graph.steps:
        reads = references(step.expression) if isinstance(step, Derive) else set(getattr(step, "inputs", ()))
        if isinstance(step, (Impute, Treat)):
            handled |= fields(step.inputs)
        if isinstance(step, Derive) and _tests_missing(step.expression):
            handled |= fields(references(step.expression))
        for out in getattr(step, "outputs", ()):
            source[out] = fields(reads)
    model = graph.model
    if isinstance(model, TreeEnsemble):
        handled |= fields(getattr(model, "inputs", ()))
    return handled & inputs


PROBE_SHARE = 0.3


def _probe_treated(graph: Graph, columns: dict[str, Any], rng: np.random.Generator) -> None:
    """Fields a Treat step reads get, in about ``PROBE_SHARE`` of the rows, the values its treatment is
    about: those listed valid, invalid and missing, interval margins and the outlier bounds (each, and
    one either side), and a category nobody listed."""
    for step in graph.steps:
        if not isinstance(step, Treat) or step.inputs[0] not in columns:
            continue
        col = columns[step.inputs[0]]
        listed = [*step.valid, *step.invalid_values, *step.missing_values]
        if col.dtype == object:
            probes: list[Any] = [*listed, "unlisted"]
        else:
            edges = [v for iv in step.intervals for v in (iv.low, iv.high) if v is not None]
            edges += [v for v in (step.low, step.high) if v is not None]
            probes = [float(v) for v in listed] + [e + d for e in edges for d in (-1.0, 0.0, 1.0)]
        if not probes:
            continue
        pick = np.flatnonzero(rng.random(len(col)) < PROBE_SHARE)
        col = col.copy()
        for i, k in zip(pick, rng.integers(len(probes), size=len(pick)), strict=True):
            col[i] = probes[k]
        columns[step.inputs[0]] = col


def _tests_missing(expr: Any) -> bool:
    if isinstance(expr, Call):
        return expr.function in ("isMissing", "isNotMissing") or any(_tests_missing(a) for a in expr.args)
    return False


def _values(lifted: Lifted, n: int, rng: np.random.Generator) -> dict[str, Any]:
    assert lifted.graph is not None
    graph = lifted.graph
    columns: dict[str, Any] = {}
    for f in lifted.signature.inputs:
        if f.type == "boolean":  # true and false as the batches hold them, 1.0 / 0.0 (interchange.batch)
            columns[f.name] = rng.integers(2, size=n).astype(np.float64)
            continue
        if f.type == "array":  # arrays as long as the graph reads them (ArrayItems), so that it scores them
            steps = [s for s in graph.steps if isinstance(s, ArrayItems) and s.inputs == (f.name,)]
            reads = [max(len(s.outputs), s.length or 0) for s in steps]
            columns[f.name] = np.empty(n, dtype=object)
            columns[f.name][:] = [rng.normal(0.0, 3.0, max(reads, default=1)) for _ in range(n)]
            continue
        date_type = _date_type(graph, f.name)
        if date_type is not None:  # ISO 8601 text, as a PMML engine reads a date / time field
            columns[f.name] = _dates(date_type, n, rng)
            continue
        if f.type == "string" or f.optype == "categorical":
            pool = list(f.values or ()) or _categories(graph, f.name) or _valid(graph, f.name) or ["a", "b"]
            columns[f.name] = np.array([pool[i] for i in rng.integers(len(pool), size=n)], dtype=object)
            continue
        near = _numbers(graph, f.name)
        x = rng.normal(0.0, 3.0, n)
        if near.size:
            pick = rng.random(n) < 0.5
            x = np.where(pick, near[rng.integers(near.size, size=n)] + rng.normal(0.0, 0.5, n), x)
        if f.type == "integer":
            x = np.round(x)
        columns[f.name] = x
    return columns


def _date_type(graph: Graph, name: str) -> str | None:
    """The PMML date / time type the graph casts input ``name`` to (the lift's in-place cast), if any."""
    for step in graph.steps:
        if isinstance(step, Derive) and step.expression == Ref(name) and step.outputs == (name,) and step.type in DATE_TYPES:
            return step.type
    return None


DATE_RANGE = ("1950-01-01", "2050-01-01")  # synthetic dates and dateTimes fall in these years


def _dates(date_type: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` ISO 8601 texts for a field of ``date_type``: dates (a "dateDaysSince" too), dateTimes in whole
    seconds (a "dateTimeSecondsSince" too) or times of day in whole seconds (a timeSeconds has no fraction)."""
    low, high = (int(np.datetime64(d, "s").astype(np.int64)) for d in DATE_RANGE)
    if date_type in ("time", "timeSeconds"):
        seconds, kind = rng.integers(0, 86_400, size=n), "time"
    elif date_type == "date" or date_type.startswith("dateDaysSince"):
        seconds, kind = rng.integers(low // 86_400, high // 86_400, size=n) * 86_400, "date"
    else:
        seconds, kind = rng.integers(low, high, size=n), "dateTime"
    return np.array([date_text(float(v), kind) for v in seconds.tolist()], dtype=object)


def _categories(graph: Graph, name: str) -> list[Any]:
    found: list[Any] = []
    for step in graph.steps:
        if isinstance(step, Derive) and isinstance(step.expression, Indicator) and references(step.expression) == {name}:
            found.append(step.expression.value)
        cats = getattr(step, "categories", None)
        if cats is not None and name in getattr(step, "inputs", ()):
            i = step.inputs.index(name)
            found += [c for c in (cats if not isinstance(cats[0], tuple) else cats[i]) if c is not None]
    return list(dict.fromkeys(found))


def _valid(graph: Graph, name: str) -> list[Any]:
    """The values a Validate step accepts for ``name`` (a lifted document's own <Value> list: a target
    read as an input by a residual, say), where no step tests for categories."""
    found = [v for s in graph.steps if isinstance(s, Validate) and name in s.inputs for v in s.values[s.inputs.index(name)]]
    return list(dict.fromkeys(found))


def _numbers(graph: Graph, name: str) -> np.ndarray:
    """Values the model compares ``name`` with (tree thresholds, centres, points), when it reads it directly."""
    m = graph.model
    inputs = getattr(m, "inputs", ())
    if name not in inputs:
        return np.empty(0)
    j = inputs.index(name)
    trees = getattr(m, "trees", None)
    if trees:
        return np.concatenate([t.threshold[t.feature == j] for t in trees] or [np.empty(0)])
    for attr in ("centers", "points", "vectors"):
        table = getattr(m, attr, None)
        if table is not None:
            return np.asarray(table, dtype=np.float64)[:, j]
    return np.empty(0)
