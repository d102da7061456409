"""convert(): a fitted estimator to a verified document in one call.

The estimator's signature is inferred from sample data, the format plugin writes the
document, the document is loaded back on the format's reference runtime, and the sample's
predictions are compared with the estimator's own. A disagreement beyond the stated tolerance
raises VerificationError: a document that predicts differently is never returned.
"""

from __future__ import annotations

import hashlib
import logging
import platform
from typing import Any

import numpy as np

from interchange.batch import Columns, to_columns
from interchange.converted import Converted
from interchange.document import Document
from interchange.errors import ConversionError, UnsupportedModelError
from interchange.ir.graph import Graph
from interchange.model import Format, GraphWriter, Model, formats, get_format, load
from interchange.signature import Signature
from interchange.source import output_fields, reference_outputs
from interchange.verification import Tolerance, Verification
from interchange.version import __version__

__all__ = ["Converted", "convert", "infer_signature", "VERIFICATION_ROWS"]

log = logging.getLogger("interchange.convert")

VERIFICATION_ROWS = 200
PROFILE_ROWS = 2_000


def infer_signature(estimator: Any, sample: Any, labels: Any = None) -> Signature:
    """The Signature of a fitted estimator, inputs inferred from ``sample``."""
    names = getattr(estimator, "feature_names_in_", None)
    inputs = Signature.infer_inputs(sample, None if names is None else [str(n) for n in names])
    task, classes, outputs = output_fields(estimator, labels)
    return Signature(inputs, outputs, classes, task)  # type: ignore[arg-type]  # output_fields gives one of the tasks, typed str


def _completed(exc: UnsupportedModelError, estimator: Any, format: str) -> UnsupportedModelError:
    """The error with estimator, format and the formats that can take the pipeline filled in.

    Writers raise from deep inside and do not know the other formats; ``check`` does.
    """
    from interchange.check import check

    context = dict(exc.context)
    rows = check(estimator)
    if context.get("estimator") not in {r.estimator for r in rows}:  # an IR writer names its IR step
        context["estimator"] = rows[-1].estimator if rows else type(estimator).__name__
    context["format"] = format
    others = [f for f in formats() if f != format and all(r.verdicts.get(f) is None for r in rows)]
    context["supported_formats"] = others
    hint = f"; formats that can take it: {', '.join(others)}" if others else "; no other format can take it"
    message = exc.message if "formats that can take it" in exc.message else exc.message + hint
    return UnsupportedModelError(f"{context['estimator']} to {format}: {message}", **context)


def _export(plugin: Format, estimator: Any, signature: Signature, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
    """The document's bytes and tolerance: through the IR for a format written from it, else the format's own converter."""
    from interchange.extract import to_graph  # sklearn: imported when an estimator is converted, not on load

    if isinstance(plugin, GraphWriter):
        from interchange.extract.verify import check_graph

        graph = to_graph(estimator, signature, format=plugin.name)
        data, tolerance = plugin.export_graph(graph, sample, expected)  # (refuses what the format cannot hold first)
        # an extractor bug is named as such, before the document's own verification
        check_graph(graph, sample, expected, tolerance, source=type(estimator).__name__)
        return data, tolerance
    ir: Graph | None = None
    refused = ""
    try:
        ir = to_graph(estimator, signature, format=plugin.name)
    except UnsupportedModelError as exc:  # the format's own converter may still take it
        refused = exc.message
    return plugin.export(estimator, signature, sample, expected, graph=ir, ir_refused=refused)  # type: ignore[attr-defined]


def _lineage(estimator: Any, fmt: str, sample: Columns) -> dict[str, Any]:
    import importlib.metadata as md

    def version(pkg: str) -> str | None:
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return None

    module = type(estimator).__module__.split(".")[0]
    library = {"sklearn": "scikit-learn"}.get(module, module)
    converter = {"onnx": ["skl2onnx", "onnxmltools", "onnx"], "pmml": ["lxml"], "pfa": []}.get(fmt, [])
    digest = hashlib.sha256()
    for name in sorted(sample):
        digest.update(name.encode())
        digest.update(np.asarray(sample[name]).astype(str).tobytes())
    return {
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "source_library": library,
        "source_version": version(library),
        "converter": {p: version(p) for p in converter},
        "interchange": __version__,
        "python": platform.python_version(),
        "sample_sha256": digest.hexdigest(),
    }


def convert(
    estimator: Any, format: str = "onnx", *, sample: Any = None, rows: int = VERIFICATION_ROWS, labels: Any = None
) -> Converted:
    """Convert a fitted estimator or pipeline to a verified ``format`` document.

    ``sample`` (DataFrame or array, e.g. a slice of the training data) gives the input
    signature and the verification cases. ``labels``: the fitted LabelEncoder the training
    targets went through, so that the document predicts the original labels.

    Example::

        converted = interchange.convert(LogisticRegression().fit(X, y), "onnx", sample=X)
        converted.save("model.onnx")
    """
    if isinstance(estimator, (Model, Document)):  # a document in another format: lift, write, replay
        from interchange.crossformat import convert_document

        return convert_document(estimator, format, sample=sample, rows=rows)
    if sample is None:
        raise ConversionError("convert(estimator, ...) needs sample= rows: they give the signature and the verification cases")
    signature = infer_signature(estimator, sample, labels)
    columns = to_columns(sample, signature)
    cases = {k: v[:rows] for k, v in columns.items()}
    expected = reference_outputs(estimator, cases, signature, labels)
    plugin = get_format(format)
    lineage = _lineage(estimator, format, cases)
    signature = Signature(signature.inputs, signature.outputs, signature.classes, signature.task, {"lineage": lineage})
    try:
        data, tolerance = _export(plugin, estimator, signature, cases, expected)
    except UnsupportedModelError as exc:
        raise _completed(exc, estimator, format) from exc
    document = Document(format, data, plugin.media_type)
    verification = Verification(cases, expected, tolerance)
    # The reference runtime is the judge; the fast path (where the format has one) must agree too.
    reference = load(document, engine="reference")
    written = reference.signature.meta.get("lineage")
    if isinstance(written, dict) and written != lineage:  # the format named the writer that really wrote it (ONNX)
        lineage = written
        signature = Signature(signature.inputs, signature.outputs, signature.classes, signature.task, {"lineage": lineage})
    result = verification.check(reference, signature)
    model = load(document)
    if model.info.engine != reference.info.engine:
        verification.check(model, signature)
    profile = _profile(estimator, columns, signature, labels)
    return Converted(document, signature, Verification(cases, expected, tolerance, result), lineage, model, profile)


def _profile(estimator: Any, columns: Columns, signature: Signature, labels: Any) -> dict[str, Any]:
    """The sample's reference profile (at most PROFILE_ROWS rows, evenly spaced) with the estimator's outputs on it."""
    from interchange.profile import reference_profile

    n = len(next(iter(columns.values()), ()))
    keep = np.unique(np.linspace(0, n - 1, min(n, PROFILE_ROWS)).astype(np.int64)) if n else np.empty(0, np.int64)
    rows = {k: v[keep] for k, v in columns.items()}
    try:  # the profile is for monitoring: rows past the verification cases must not fail a conversion
        outputs = reference_outputs(estimator, rows, signature, labels) if n else None
    except Exception as exc:
        log.warning("no prediction profile for %s: the estimator failed on the profile rows: %s", type(estimator).__name__, exc)
        outputs = None
    return reference_profile(rows, signature, outputs)
