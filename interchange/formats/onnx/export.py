"""Fitted scikit-learn-API estimators to ONNX: the IR writer first, then skl2onnx / onnxmltools.

When the IR holds the estimator (``interchange.extract``), ``ir_writer`` writes it with
double operators (trees as ``ai.onnx.ml`` TreeEnsemble opset 5) and the document verifies
at double tolerance; the metadata ``interchange.writer`` says which writer made a document.
Otherwise skl2onnx converts it: double precision is tried first (float32 flips tree branches near thresholds, the most
reported cause of "ONNX predicts differently"); where a converter only supports float the
document is written in float and the looser tolerance is stated with the reason.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
import onnx
from onnx import helper

from interchange.batch import Columns
from interchange.errors import UnsupportedModelError
from interchange.formats.onnx.compat import patch_skl2onnx
from interchange.formats.onnx.ir_writer import finish
from interchange.formats.onnx.meta import (
    IR_WRITER,
    META_INPUTS,
    META_IR_REFUSED,
    META_OUTPUTS,
    META_SIGNATURE,
    META_WRITER,
    SKL2ONNX_WRITER,
)
from interchange.formats.onnx.precision import computes_in_float32
from interchange.ir.graph import Graph
from interchange.signature import Signature
from interchange.verification import Tolerance

__all__ = ["export_estimator", "export_skl2onnx", "META_SIGNATURE", "META_INPUTS", "META_OUTPUTS"]

log = logging.getLogger("interchange.formats.onnx")
TARGET_OPSET = {"": 18, "ai.onnx.ml": 3}
DOUBLE = Tolerance(1e-9, 1e-12, "double precision end to end")
FLOAT = Tolerance(1e-4, 1e-5, "the converter computes in float32")


def _per_column(estimator: Any) -> bool:
    """True when the first step routes named columns itself (a ColumnTransformer)."""
    from sklearn.compose import ColumnTransformer

    first = estimator
    while hasattr(first, "steps"):
        first = first.steps[0][1]
    return isinstance(first, ColumnTransformer)


def _options(estimator: Any) -> dict[int, dict[str, Any]]:
    from sklearn.base import is_classifier

    from interchange.source import final_estimator

    final = final_estimator(estimator)
    return {id(final): {"zipmap": False}} if is_classifier(final) else {}


def _convert(estimator: Any, signature: Signature, tensor: Any) -> onnx.ModelProto:
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import StringTensorType

    if _per_column(estimator):
        types = [(f.name, StringTensorType([None, 1]) if f.type == "string" else tensor([None, 1])) for f in signature.inputs]
    else:
        if any(f.type == "string" for f in signature.inputs):
            raise UnsupportedModelError(
                "text inputs need a Pipeline whose first step is a ColumnTransformer that encodes them",
                estimator=type(estimator).__name__,
                format="onnx",
            )
        types = [("X", tensor([None, len(signature.inputs)]))]
    _register_boosters()
    patch_skl2onnx()
    try:
        return convert_sklearn(estimator, initial_types=types, options=_options(estimator), target_opset=TARGET_OPSET)
    except NameError as exc:  # some classifiers (LinearSVC) take no zipmap option
        if "zipmap" not in str(exc):
            raise
        return convert_sklearn(estimator, initial_types=types, target_opset=TARGET_OPSET)


def _register_boosters() -> None:
    """Teach skl2onnx the XGBoost / LightGBM scikit-learn wrappers when they are installed."""
    from skl2onnx import update_registered_converter  # noqa: F401  (import check)

    from interchange.formats.onnx import boosters

    boosters.register()


MATRIX_INPUT = "input"


def _matrix_front(model: onnx.ModelProto) -> None:
    """Rename skl2onnx's matrix input ``X`` to ``input``: one [N, k] tensor, fields in signature order.

    A single matrix runs a linear model ~5x faster in onnxruntime than one [N, 1] input per
    field joined by a Concat node; the field-to-column map travels in ``interchange.inputs``.
    """
    graph = model.graph
    for vi in graph.input:
        if vi.name == "X":
            vi.name = MATRIX_INPUT
    for node in graph.node:
        node.input[:] = [MATRIX_INPUT if i == "X" else i for i in node.input]
        for attr in node.attribute:  # subgraphs (If / Loop bodies) may read X too
            for sub in [attr.g] if attr.HasField("g") else list(attr.graphs):
                for inner in sub.node:
                    inner.input[:] = [MATRIX_INPUT if i == "X" else i for i in inner.input]


def _input_map(model: onnx.ModelProto, signature: Signature) -> dict[str, list[Any]]:
    """Field -> [tensor, column]: the matrix's columns, or one [N, 1] tensor per field."""
    if any(i.name == MATRIX_INPUT for i in model.graph.input):
        return {f.name: [MATRIX_INPUT, i] for i, f in enumerate(signature.inputs)}
    return {f.name: [f.name, None] for f in signature.inputs}


def _feeds(model: onnx.ModelProto, signature: Signature, sample: Columns) -> dict[str, Any]:
    """onnxruntime feeds for ``sample`` through the graph's input map (used at export time)."""
    elem = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    parts: dict[str, list[Any]] = {}
    for f in signature.inputs:
        tensor = _input_map(model, signature)[f.name][0]
        col = np.asarray(sample[f.name]).reshape(-1)
        if elem[tensor] == onnx.TensorProto.STRING:
            parts.setdefault(tensor, []).append(np.array(["" if v is None else str(v) for v in col], dtype=object))
        else:
            parts.setdefault(tensor, []).append(col.astype(np.float64 if elem[tensor] == onnx.TensorProto.DOUBLE else np.float32))
    return {t: np.stack(cols, axis=1) for t, cols in parts.items()}


def _binary_decision_column(model: onnx.ModelProto, signature: Signature, sample: Columns, expected: Columns) -> int:
    """Which column of a binary classifier's score matrix holds the decision value."""
    decision = signature.output("decision")
    if len(decision) != 1 or decision[0].name not in expected:
        return 1
    import onnxruntime as ort

    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = _feeds(model, signature, sample)
    names = [o.name for o in model.graph.output]
    matrix = next((n for n in names if n in ("probabilities", "scores")), names[-1])
    scores = np.asarray(session.run([matrix], feeds)[0]).reshape(len(next(iter(feeds.values()))), -1)
    want = np.asarray(expected[decision[0].name], dtype=np.float64)
    errors = [np.abs(scores[:, j] - want).max() for j in range(scores.shape[1])]
    return int(np.argmin(errors))


def _output_map(model: onnx.ModelProto, signature: Signature, binary_column: int = 1) -> dict[str, list[Any]]:
    names = [o.name for o in model.graph.output]
    mapping: dict[str, list[Any]] = {}
    per_class = signature.output("probability") or signature.output("decision")
    matrix = next((n for n in names if n in ("probabilities", "scores")), names[-1])
    for f in signature.outputs:
        if f.kind in ("label", "cluster"):
            mapping[f.name] = [names[0], None]
        elif f.kind == "value":
            mapping[f.name] = [names[0], 0]
        elif f.kind == "score":
            mapping[f.name] = [matrix, 0]
        elif f.kind in ("probability", "decision"):
            i = per_class.index(f)
            if f.kind == "decision" and len(per_class) == 1:
                i = binary_column  # converters differ: [-d, d] or [d, -d]
            mapping[f.name] = [matrix, i]
    return mapping


def _text_missing_as_empty(estimator: Any) -> Any:
    """A copy whose text imputers look for "" instead of NaN (the estimator itself if none).

    skl2onnx imputes strings only when ``missing_values`` is a string; the runtime feeds a
    missing text value to ONNX as "", so imputing "" is the same rule (the cases checked at
    convert time include missing text).
    """
    import copy

    clone = copy.deepcopy(estimator)
    changed = False
    for imputer in _imputers(clone):
        stats = getattr(imputer, "statistics_", None)
        if stats is not None and stats.dtype == object and imputer.missing_values != imputer.missing_values:
            imputer.missing_values = ""
            changed = True
    return clone if changed else estimator


def _xgboost_unnamed(estimator: Any) -> Any:
    """onnxmltools reads XGBoost features only as f0, f1, ...: drop the booster's own names.

    The inputs are concatenated in signature order, which is the order XGBoost was fitted in.
    """
    from interchange.source import final_estimator

    final = final_estimator(estimator)
    if not type(final).__name__.startswith("XGB") or getattr(final.get_booster(), "feature_names", None) is None:
        return estimator
    import copy

    clone = copy.deepcopy(estimator)
    final_estimator(clone).get_booster().feature_names = None
    return clone


def _imputers(step: Any) -> Any:
    from sklearn.impute import SimpleImputer

    if isinstance(step, SimpleImputer):
        yield step
    for child in [s for _, s in getattr(step, "steps", [])] + [t for _, t, _ in getattr(step, "transformers_", [])]:
        yield from _imputers(child)


def semantic_gap(step: Any) -> str | None:
    """Why skl2onnx would convert ``step`` with different semantics, or None."""
    if type(step).__name__ == "OrdinalEncoder" and getattr(step, "handle_unknown", "") == "error":
        # measured with skl2onnx 1.20: an unseen category is silently encoded, not refused
        return "skl2onnx encodes an unknown category as a number instead of failing; use handle_unknown='use_encoded_value'"
    return None


def named_writer(signature: Signature, writer: str) -> Signature:
    """``signature`` with its lineage's ``converter`` naming the writer that really wrote the document.

    The IR writer: interchange itself and onnx (no skl2onnx code ran); the fallback: skl2onnx,
    onnxmltools and onnx. The lineage travels in the document's signature metadata.
    """
    import importlib.metadata as md

    from interchange.version import __version__

    lineage = signature.meta.get("lineage")
    if not isinstance(lineage, dict):
        return signature

    def version(pkg: str) -> str | None:
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return None

    packages = ["onnx"] if writer == IR_WRITER else ["skl2onnx", "onnxmltools", "onnx"]
    converter: dict[str, str | None] = {"interchange": __version__} if writer == IR_WRITER else {}
    converter.update({p: version(p) for p in packages})
    meta = {**signature.meta, "lineage": {**lineage, "converter": converter, "writer": writer}}
    return Signature(signature.inputs, signature.outputs, signature.classes, signature.task, meta)


def export_estimator(
    estimator: Any,
    signature: Signature,
    sample: Columns,
    expected: Columns,
    *,
    graph: Graph | None = None,
    ir_refused: str = "the estimator's IR was not given",
) -> tuple[bytes, Tolerance]:
    """ONNX bytes for ``estimator`` (numeric inputs as one [N, k] matrix ``input``), and the tolerance.

    The IR writer first (double precision throughout); skl2onnx when the IR cannot hold the
    estimator or the writer cannot express a step.
    """
    from interchange.source import steps_of

    for path, step in steps_of(estimator):
        reason = semantic_gap(step)
        if reason:
            raise UnsupportedModelError(f"{path}: {reason}", estimator=type(step).__name__, format="onnx")
    from interchange.formats.onnx.ir_writer import export_ir

    try:
        if graph is None:
            raise UnsupportedModelError(ir_refused, format="onnx")
        signature = named_writer(signature, IR_WRITER)
        model, meta, tol = export_ir(graph, signature, per_field=_per_column(estimator))
    except UnsupportedModelError as exc:
        log.info("ONNX through skl2onnx: the IR writer cannot take %s: %s", type(estimator).__name__, exc.message)
        return export_skl2onnx(estimator, named_writer(signature, SKL2ONNX_WRITER), sample, expected, ir_refused=exc.message)
    return finish(model, meta, signature), tol


def export_skl2onnx(
    estimator: Any, signature: Signature, sample: Columns, expected: Columns, *, ir_refused: str = ""
) -> tuple[bytes, Tolerance]:
    """ONNX bytes through skl2onnx / onnxmltools: double tensors where the converter allows, else float."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    estimator = _xgboost_unnamed(_text_missing_as_empty(estimator))
    errors = []
    for tensor, tol in ((DoubleTensorType, DOUBLE), (FloatTensorType, FLOAT)):
        try:
            model = _convert(estimator, signature, tensor)
            if not _per_column(estimator):
                _matrix_front(model)
            _decode_labels(model, estimator, signature)
            onnx.checker.check_model(model)
            _session_ok(model)
        except UnsupportedModelError:
            raise
        except Exception as exc:  # skl2onnx raises many types; try the next precision
            errors.append(f"{tensor.__name__}: {type(exc).__name__}: {exc}")
            continue
        if tol is FLOAT or computes_in_float32(model):
            tol = FLOAT
        meta = {
            META_SIGNATURE: signature.to_json(),
            META_INPUTS: json.dumps(_input_map(model, signature)),
            META_OUTPUTS: json.dumps(_output_map(model, signature, _binary_decision_column(model, signature, sample, expected))),
            META_WRITER: SKL2ONNX_WRITER,
            **({META_IR_REFUSED: ir_refused} if ir_refused else {}),
        }
        return finish(model, meta, signature), tol
    raise UnsupportedModelError(
        f"skl2onnx cannot convert {type(estimator).__name__}: " + " | ".join(e[:300] for e in errors),
        estimator=type(estimator).__name__,
        format="onnx",
    )


def _decode_labels(model: onnx.ModelProto, estimator: Any, signature: Signature) -> None:
    """Map the label output back through the target's LabelEncoder (ai.onnx.ml LabelEncoder).

    Nothing to do unless the signature's classes (decoded) differ from the estimator's.
    """
    from interchange.source import final_estimator

    if signature.task != "classification" or not signature.output("label"):
        return
    encoded = np.asarray(final_estimator(estimator).classes_)
    decoded = np.asarray(signature.classes or ())
    if encoded.tolist() == decoded.tolist():
        return
    if encoded.dtype.kind not in "iu":
        raise UnsupportedModelError("a LabelEncoder over non-integer encoded classes", format="onnx")
    out = model.graph.output[0]  # skl2onnx classifiers: the label comes first
    for node in model.graph.node:
        node.output[:] = [f"{out.name}_encoded" if o == out.name else o for o in node.output]
    attrs: dict[str, Any] = {"keys_int64s": encoded.astype(np.int64).tolist()}
    if decoded.dtype.kind in "iu":
        attrs.update(values_int64s=decoded.astype(np.int64).tolist(), default_int64=-1)
        elem = onnx.TensorProto.INT64
    else:
        attrs.update(values_strings=[str(v) for v in decoded.tolist()], default_string="")
        elem = onnx.TensorProto.STRING
    model.graph.node.append(helper.make_node("LabelEncoder", [f"{out.name}_encoded"], [out.name], domain="ai.onnx.ml", **attrs))
    out.type.tensor_type.elem_type = elem
    for opset in model.opset_import:
        if opset.domain == "ai.onnx.ml" and opset.version < 2:
            opset.version = 2  # LabelEncoder with keys_int64s / values_* is version 2


def _session_ok(model: onnx.ModelProto) -> None:
    import onnxruntime as ort

    ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
