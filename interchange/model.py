"""One interface for every loaded model, whatever its format, and the format registry.

A :class:`Model` takes a columnar batch and returns columns named by its signature, the same
for ONNX, PMML and PFA. Each format is a plugin (:class:`Format`) registered once under its
name; :func:`load` detects the format from the document's content and hands it over.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from interchange.batch import Columns, is_missing, missing_mask, num_rows, to_columns, to_records, typed_outputs
from interchange.document import Document
from interchange.errors import DocumentError, InterchangeError, RecordError
from interchange.signature import Signature
from interchange.verification import Tolerance

if TYPE_CHECKING:
    from interchange.ir.graph import Graph, Step

__all__ = [
    "Model",
    "ModelInfo",
    "Scored",
    "Format",
    "EstimatorWriter",
    "GraphWriter",
    "register_format",
    "get_format",
    "formats",
    "load",
    "read_document",
]

MAX_DOCUMENT_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class ModelInfo:
    """Which engine evaluates a model and why (e.g. the fast path, or a fallback's reason)."""

    format: str
    engine: str
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scored:
    """A scored batch: one output row per input row, and the rows the model refused, with why.

    A refused row's outputs are missing. The model says which rows it refused (an invalid
    input value, a user error raised by the document); callers never guess from null outputs.
    """

    outputs: Columns
    refused: dict[int, RecordError]


class Model(ABC):
    """A loaded document, ready to evaluate batches.

    ``predict`` is the primitive (columns in, columns out); ``predict_one`` wraps it.
    """

    signature: Signature
    info: ModelInfo
    document: Document

    def predict(self, batch: Any) -> Columns:
        """Evaluate a batch (DataFrame, dict of arrays, list of records or 2-D array).

        Example::

            model = interchange.load("iris.onnx")
            out = model.predict({"sepal_length": [5.1], ...})
            out["label"]
        """
        columns = to_columns(batch, self.signature)
        if num_rows(columns) == 0:
            return {f.name: np.empty(0, dtype=object) for f in self.signature.outputs}
        return typed_outputs(self._predict_columns(columns), self.signature.outputs)

    def score(self, batch: Any) -> Scored:
        """Evaluate a batch row by row's fate: outputs for every row plus the rows refused.

        A RecordError from the whole batch is narrowed down by halving, so one bad record costs
        O(log n) extra evaluations and the rest of the batch is still scored. Any other error
        is not the records' fault and propagates (the caller treats it as a model error).
        """
        signature = self.signature
        # records are typed part by part (a bad value refuses only its record); other batches are typed
        # once, and their columns halved without a Python object per value
        rows: list[Any] | Columns = batch if isinstance(batch, list) else to_columns(batch, signature)
        outputs: list[Columns] = []
        refused: dict[int, RecordError] = {}

        def run(start: int, part: list[Any] | Columns) -> None:
            try:
                columns = to_columns(part, signature) if isinstance(part, list) else part  # columns are typed above
                scored = self._score_columns(columns)
            except RecordError as exc:
                size = len(part) if isinstance(part, list) else num_rows(part)
                if size == 1:
                    refused[start] = shift_row(exc, start)
                    outputs.append(_missing_outputs(signature, 1))
                    return
                half = size // 2
                run(start, _rows(part, 0, half))
                run(start + half, _rows(part, half, size))
                return
            typed = typed_outputs(scored.outputs, signature.outputs)
            outputs.append(typed)
            refused.update({start + i: shift_row(why, start) for i, why in scored.refused.items()})
            refused.update(
                {start + i: why for i, why in no_result(typed, columns, signature).items() if start + i not in refused}
            )

        if (len(rows) if isinstance(rows, list) else num_rows(rows)) > 0:
            run(0, rows)
        else:
            outputs.append(_missing_outputs(signature, 0))
        if len(outputs) == 1:
            return Scored(outputs[0], refused)
        merged = {f.name: np.concatenate([o[f.name] for o in outputs]) for f in signature.outputs}
        return Scored(merged, refused)

    def _score_columns(self, columns: Columns) -> Scored:
        """Outputs and refused rows of typed columns; formats that can tell refusals apart override it."""
        return Scored(self._predict_columns(columns), {})

    def predict_one(self, record: dict[str, Any]) -> dict[str, Any]:
        """Evaluate one record; a convenience over :meth:`predict`."""
        return to_records(self.predict([record]))[0]

    @abstractmethod
    def _predict_columns(self, columns: Columns) -> Columns:
        """Evaluate typed input columns; return one array per output field."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.info.format} via {self.info.engine} inputs={self.signature.input_names}>"


def no_result(outputs: Columns, columns: Columns, signature: Signature) -> dict[int, RecordError]:
    """Rows for which the model returned nothing at all (every output missing, e.g. PMML's
    nullPrediction or a value outside a field's declared values): not a prediction anyone can use."""
    if not signature.outputs:
        return {}
    cols = sorted((np.asarray(outputs[f.name]) for f in signature.outputs), key=lambda c: c.dtype.kind != "f")
    empty = np.ones(len(cols[0]), dtype=bool)
    for col in cols:  # float columns first (vectorised): on the hot path most batches stop here
        empty &= missing_mask(col)
        if not empty.any():
            return {}
    found: dict[int, RecordError] = {}
    for i in np.flatnonzero(empty).tolist():
        gone = [f.name for f in signature.inputs if f.name in columns and is_missing(columns[f.name][i])]
        detail = f" (missing inputs: {gone})" if gone else ""
        found[i] = RecordError(
            f"no prediction: the model returned no result for this event{detail}", field=gone[0] if gone else None
        )
    return found


def shift_row(exc: RecordError, offset: int) -> RecordError:
    """``exc`` raised for a part of a batch starting at row ``offset``, renumbered for the whole batch:
    its ``row`` context and the message's leading "row N:" (as titus2's refusals name the batch row)."""
    row = exc.context.get("row")
    if offset == 0 or not isinstance(row, int):
        return exc
    message = exc.message.replace(f"row {row}:", f"row {row + offset}:", 1) if exc.message.startswith("row ") else exc.message
    shifted = type(exc)(message, **{**exc.context, "row": row + offset})
    shifted.__cause__ = exc
    return shifted


def _rows(part: list[Any] | Columns, start: int, stop: int) -> list[Any] | Columns:
    if isinstance(part, list):
        return part[start:stop]
    return {name: col[start:stop] for name, col in part.items()}


def _missing_outputs(signature: Signature, n: int) -> Columns:
    return typed_outputs({f.name: np.full(n, None, dtype=object) for f in signature.outputs}, signature.outputs)


class Format(Protocol):
    """A model format plugin: recognise, validate and load documents, and write them.

    A format writes in one of two ways: from the IR (:class:`GraphWriter`: the extractors in
    ``interchange.extract`` lift the estimator, the format writes the graph) or straight from
    the estimator with its own converter library (:class:`EstimatorWriter`: ONNX through
    skl2onnx). ``check`` and ``convert``, above both, pick the way; a format never imports the
    extractors.
    """

    name: str
    media_type: str
    suffixes: tuple[str, ...]

    def sniff(self, data: bytes) -> bool:
        """True when ``data`` looks like a document of this format."""
        ...

    def load(self, document: Document, *, engine: str = "auto") -> Model:
        """Validate and load a document; raise DocumentError when it is unusable.

        ``engine``: ``"auto"`` (fast path when it covers the document, else the reference
        runtime), ``"fast"`` (fast path or DocumentError), ``"reference"`` (onnxruntime,
        pypmml or titus2).
        """
        ...


@runtime_checkable
class EstimatorWriter(Format, Protocol):
    """A format that writes fitted estimators with its own converter library."""

    def supports(self, step: Any) -> str | None:
        """None when this format can represent one fitted pipeline step, else the reason."""
        ...

    def export(
        self,
        estimator: Any,
        signature: Signature,
        sample: Columns,
        expected: Columns,
        *,
        graph: Graph | None = None,
        ir_refused: str = "",
    ) -> tuple[bytes, Tolerance]:
        """Write a fitted estimator as a document of this format, with ``expected`` outputs
        for ``sample`` embedded as verification cases where the format has a place for them;
        return the bytes and the tolerance this conversion path is verified with. ``graph`` is
        the estimator's IR when it could be extracted (a format may write it itself), else
        ``ir_refused`` says why not."""
        ...


@runtime_checkable
class GraphWriter(Format, Protocol):
    """A format written from the fitted-model IR; raises UnsupportedModelError for what it cannot hold."""

    def write_graph(self, graph: Graph) -> bytes:
        """A document for ``graph``, without verification cases."""
        ...

    def write_steps(self, signature: Signature, steps: Sequence[Step]) -> None:
        """Write transformation steps alone (no model), only to learn whether the format holds them."""
        ...

    def export_graph(self, graph: Graph, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
        """A document for ``graph`` with ``expected`` outputs for ``sample`` embedded where the format
        has a place for them, and the tolerance this conversion path is verified with."""
        ...


_FORMATS: dict[str, Format] = {}
_LAZY: dict[str, Callable[[], Format]] = {}


def register_format(name: str, factory: Callable[[], Format]) -> None:
    """Register a format plugin factory under ``name``; refuses to overwrite silently."""
    if name in _LAZY:
        raise InterchangeError(f"format {name!r} is already registered")
    _LAZY[name] = factory


def get_format(name: str) -> Format:
    """The plugin for ``name``, created on first use so unused formats cost no imports."""
    if name not in _FORMATS:
        if name not in _LAZY:
            raise DocumentError(f"unknown format {name!r}; known formats: {sorted(_LAZY)}", format=name)
        _FORMATS[name] = _LAZY[name]()
    return _FORMATS[name]


def formats() -> list[str]:
    return sorted(_LAZY)


def read_document(source: str | Path | bytes, *, format: str | None = None) -> Document:
    """A Document from a path or bytes, its format detected from the content."""
    base_dir: Path | None = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise DocumentError(f"no model document at {path}", path=str(path))
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"{path} is larger than {MAX_DOCUMENT_BYTES} bytes", path=str(path))
        data = path.read_bytes()
        base_dir = path.resolve().parent
    if not data:
        raise DocumentError("the document is empty")
    name = format or _detect(data)
    fmt = get_format(name)
    return Document(name, data, fmt.media_type, base_dir)


def _detect(data: bytes) -> str:
    for name in formats():
        if get_format(name).sniff(data):
            return name
    head = data[:40]
    raise DocumentError(f"cannot tell the format of this document (starts with {head!r}); known formats: {formats()}")


def load(source: str | Path | bytes | Document, *, format: str | None = None, engine: str = "auto") -> Model:
    """Load any ONNX, PMML or PFA document as a :class:`Model`.

    Example::

        model = interchange.load("model.pmml")
        model.predict(frame)
    """
    doc = source if isinstance(source, Document) else read_document(source, format=format)
    return get_format(doc.format).load(doc, engine=engine)
