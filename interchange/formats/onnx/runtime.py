"""Load and evaluate ONNX documents with onnxruntime, ours or anyone's.

Documents written by interchange carry their Signature and the map from fields to tensors in
``metadata_props``; for other documents both are inferred from the graph. External tensor
data may only come from the document's own directory: a location that escapes it (``..``,
absolute paths, symlinks out) is refused before any file is opened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx

from interchange.batch import Columns, missing_mask, num_rows
from interchange.document import Document
from interchange.errors import DocumentError, ModelError, RecordError
from interchange.formats.onnx.foreign import infer
from interchange.formats.onnx.meta import META_INPUTS, META_MISSING_ALONE, META_OUTPUTS, META_SIGNATURE, META_WRITER
from interchange.formats.onnx.shapes import dims, fixed_batch
from interchange.model import Model, ModelInfo, Scored
from interchange.signature import Signature

__all__ = ["ONNXModel", "parse", "Parsed"]

_NUMPY: dict[int, type] = {
    onnx.TensorProto.FLOAT: np.float32,
    onnx.TensorProto.DOUBLE: np.float64,
    onnx.TensorProto.INT64: np.int64,
    onnx.TensorProto.INT32: np.int32,
    onnx.TensorProto.BOOL: np.bool_,
    onnx.TensorProto.STRING: object,
}


@dataclass(frozen=True)
class Parsed:
    proto: onnx.ModelProto
    signature: Signature
    inputs: dict[str, list[Any]]  # field -> [tensor, column or None]
    outputs: dict[str, list[Any]]  # field -> [tensor, column or None]


def parse(document: Document) -> Parsed:
    """Check a document and read (or infer) its signature; raise DocumentError if unusable."""
    try:
        proto = onnx.load_model_from_string(document.data)
    except Exception as exc:
        raise DocumentError(f"not a readable ONNX model: {exc}", format="onnx") from exc
    _load_external(proto, document.base_dir)
    try:
        onnx.checker.check_model(proto)
    except Exception as exc:
        raise DocumentError(f"ONNX model fails onnx.checker: {exc}", format="onnx") from exc
    meta = {p.key: p.value for p in proto.metadata_props}
    if META_SIGNATURE in meta:
        return Parsed(
            proto, Signature.from_json(meta[META_SIGNATURE]), json.loads(meta[META_INPUTS]), json.loads(meta[META_OUTPUTS])
        )
    return Parsed(proto, *infer(proto))


def _load_external(proto: onnx.ModelProto, base_dir: Path | None) -> None:
    from onnx.external_data_helper import _get_all_tensors, uses_external_data

    tensors = [t for t in _get_all_tensors(proto) if uses_external_data(t)]
    if not tensors:
        return
    if base_dir is None:
        raise DocumentError("this ONNX model keeps tensors in external files; load it from a path, not bytes", format="onnx")
    root = base_dir.resolve()
    for t in tensors:
        location = next((e.value for e in t.external_data if e.key == "location"), "")
        target = (root / location).resolve()
        if Path(location).is_absolute() or not target.is_relative_to(root) or not target.is_file():
            raise DocumentError(
                f"external data {location!r} of tensor {t.name!r} is outside the model's directory "
                "or missing; external data may only come from the model's own folder",
                format="onnx",
                path=location,
            )
    onnx.load_external_data_for_model(proto, str(root))


_SCORES = ("probability", "value", "score", "decision")


class ONNXModel(Model):
    """An ONNX document on onnxruntime."""

    def __init__(self, document: Document, parsed: Parsed) -> None:
        import onnxruntime as ort

        self.document = document
        self.signature = parsed.signature
        self._inputs = parsed.inputs
        self._outputs = parsed.outputs
        try:
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.log_severity_level = 4  # (a failed run is raised as an exception, which says it: no log line too)
            self._session = ort.InferenceSession(parsed.proto.SerializeToString(), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise DocumentError(f"onnxruntime cannot load this model: {exc}", format="onnx") from exc
        groups: dict[str, list[tuple[int, str]]] = {}
        for name, (tensor, col) in self._inputs.items():
            groups.setdefault(tensor, []).append((col or 0, name))
        self._groups = {t: [name for _, name in sorted(parts)] for t, parts in groups.items()}
        self._types = {i.name: _NUMPY.get(_elem(i.type), np.float32) for i in parsed.proto.graph.input}
        # [N] inputs take a column, not an [N, 1] matrix; a graph exported for a fixed batch runs in batches of that size
        self._flat = {i.name for i in parsed.proto.graph.input if i.type.HasField("tensor_type") and len(dims(i)) == 1}
        self._batch = fixed_batch(parsed.proto) if META_SIGNATURE not in {p.key for p in parsed.proto.metadata_props} else None
        self._out_names = [o.name for o in self._session.get_outputs()]
        details: dict[str, Any] = {"onnxruntime": ort.__version__}
        meta = {p.key: p.value for p in parsed.proto.metadata_props}
        self._alone = frozenset(json.loads(meta.get(META_MISSING_ALONE, "[]")))  # NaN there is no refusal (a residual)
        if META_WRITER in meta:  # which writer made it: the IR's double graph or skl2onnx
            details["writer"] = meta[META_WRITER]
        if parsed.signature.meta.get("inputs"):  # a foreign [N, k] tensor: how a batch's columns feed it
            details["inputs"] = {
                **parsed.signature.meta["inputs"],
                "note": "columns named otherwise feed the tensor in their order when there are as many",
            }
        self.info = ModelInfo("onnx", "onnxruntime", details=details)

    def _feeds(self, columns: Columns) -> dict[str, np.ndarray]:
        """One array per graph input; a matrix input is filled column by column in one buffer."""
        n = len(next(iter(columns.values())))
        feeds = {}
        for tensor, names in self._groups.items():
            dtype = self._types.get(tensor, np.float32)
            if dtype is object:
                parts = [np.where(missing_mask(columns[f]), "", columns[f]).astype(str) for f in names]
                feeds[tensor] = np.stack(parts, axis=1).astype(object)
                continue
            if np.dtype(dtype).kind in "iub":  # integers and booleans must be whole, present values
                feeds[tensor] = np.stack([_as(columns[f], dtype, tensor) for f in names], axis=1)
                continue
            mat = _shared_matrix([columns[f] for f in names], dtype)
            if mat is not None:  # the columns are a 2-D array's own columns: no copy
                feeds[tensor] = mat
                continue
            mat = np.empty((n, len(names)), dtype=dtype)
            for j, f in enumerate(names):
                mat[:, j] = columns[f]
            feeds[tensor] = mat
        for tensor in self._flat & feeds.keys():
            feeds[tensor] = feeds[tensor].reshape(-1)
        return feeds

    def _run(self, feeds: dict[str, np.ndarray], n: int) -> list[Any]:
        """One session run, or, for a graph exported with a fixed batch size b, runs of b rows (the
        last one padded with copies of its final row, whose outputs are dropped)."""
        b = self._batch
        if b is None or n == b:
            return list(self._session.run(None, feeds))
        parts: list[list[Any]] = []
        for start in range(0, n, b):
            take = np.minimum(np.arange(start, start + b), n - 1)
            parts.append(self._session.run(None, {k: v[take] for k, v in feeds.items()}))
        keep = n - (len(parts) - 1) * b
        out: list[Any] = []
        for j in range(len(parts[0])):
            pieces = [p[j] for p in parts]
            pieces[-1] = pieces[-1][:keep]
            if isinstance(pieces[0], list):  # ZipMap's sequence of maps
                out.append([m for piece in pieces for m in piece])
            else:
                out.append(np.concatenate([np.asarray(piece) for piece in pieces]))
        return out

    def _score_columns(self, columns: Columns) -> Scored:
        """A NaN score means the graph could not compute one (a missing input it has no imputer for):
        the row is refused, naming its missing inputs, rather than predicted from NaN (an argmax of
        NaN probabilities is a label nobody asked for). An output the writer names as missing alone
        (``interchange.missing_alone``: a residual without the actual value) does not refuse the row."""
        out = self._predict_columns(columns)
        numeric = [
            f.name
            for f in self.signature.outputs
            if f.kind in _SCORES and f.name not in self._alone and np.asarray(out[f.name]).dtype.kind == "f"
        ]
        if not numeric:
            return Scored(out, {})
        nan = np.logical_or.reduce([np.isnan(np.asarray(out[name], dtype=np.float64)) for name in numeric])
        refused: dict[int, RecordError] = {}
        for i in np.flatnonzero(nan).tolist():
            gone = [n for n, col in columns.items() if col.dtype.kind == "f" and np.isnan(col[i])]
            why = f"missing inputs {gone}" if gone else "a value it cannot compute"
            refused[i] = RecordError(
                f"no prediction: the ONNX model gives NaN for this event ({why})", field=gone[0] if gone else None
            )
        return Scored(out, refused)

    def _predict_columns(self, columns: Columns) -> Columns:
        try:
            results = self._run(self._feeds(columns), num_rows(columns))
        except Exception as exc:
            if "Unknown Category" in str(exc):  # ai.onnx.ml OneHotEncoder(zeros=0): an encoder that rejects unseen values
                raise RecordError(f"unknown category: a text input holds a value its encoder was not fitted on ({exc})") from exc
            raise RecordError(f"onnxruntime could not evaluate the batch: {exc}") from exc
        by_name = dict(zip(self._out_names, results, strict=False))
        n = num_rows(columns)
        for tensor, _ in self._outputs.values():
            rows = len(by_name[tensor]) if np.ndim(by_name[tensor]) else 0
            if rows != n:  # not any record's fault: the graph does not map rows to rows
                raise ModelError(f"ONNX output {tensor!r} has {rows} rows for a batch of {n}", format="onnx")
        out: Columns = {}
        for f in self.signature.outputs:
            tensor, col = self._outputs[f.name]
            if isinstance(col, dict):  # ZipMap: a sequence of {class: probability} maps
                out[f.name] = np.array([row[col["key"]] for row in by_name[tensor]], dtype=np.float64)
                continue
            value = np.asarray(by_name[tensor])
            if col == "row":  # a vector per row (an output of unknown width or more dimensions)
                matrix = value.reshape(len(value), -1)
                cells = np.empty(len(matrix), dtype=object)
                for i, row in enumerate(matrix):
                    cells[i] = row.tolist()
                out[f.name] = cells
                continue
            if col is not None:
                value = value.reshape(len(value), -1)[:, col]
            elif value.ndim > 1:
                value = value.reshape(len(value), -1)[:, 0]
            out[f.name] = value.astype(np.float64, copy=False) if f.type == "double" and value.dtype.kind in "fiu" else value
        return out


def _shared_matrix(cols: list[np.ndarray], dtype: Any) -> np.ndarray | None:
    """The C-contiguous [N, k] array whose columns ``cols`` are, in order, or None."""
    base = cols[0].base
    if not isinstance(base, np.ndarray) or base.dtype != dtype or base.ndim != 2 or not base.flags.c_contiguous:
        return None
    if base.shape != (len(cols[0]), len(cols)):
        return None
    start, step = base.__array_interface__["data"][0], base.itemsize
    for j, col in enumerate(cols):
        if col.base is not base or col.strides != (base.strides[0],) or col.__array_interface__["data"][0] != start + j * step:
            return None
    return base


def _elem(t: Any) -> int:
    return t.tensor_type.elem_type


def _as(column: np.ndarray, dtype: Any, tensor: str) -> np.ndarray:
    """A batch column in the tensor's element type; integers and booleans must be whole, present values."""
    if np.dtype(dtype).kind in "iub":
        values = np.asarray(column, dtype=np.float64)
        bad = ~np.isfinite(values) | (values != np.round(values))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise RecordError(
                f"input tensor {tensor!r} takes {np.dtype(dtype).name} values; row {i} has {column[i]!r} "
                "(integer tensors have no missing value)",
                row=i,
            )
        return values.astype(dtype)
    return np.asarray(column).astype(dtype)
