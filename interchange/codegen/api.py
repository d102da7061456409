"""codegen(): a fitted estimator (or an IR graph) to one self-contained source file.

The estimator goes through the same extractors as PMML and PFA (``interchange.extract``); each
IR step is written by its language's emitter. With a sample, the estimator's own predictions
on it become the verification cases that the generated code's tests replay; generated Python
is run on them at once and must agree with the IR evaluator within 1e-12.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interchange.batch import to_columns
from interchange.errors import ConversionError, RecordError, UnsupportedModelError
from interchange.ir.graph import Graph, evaluate
from interchange.signature import Signature
from interchange.verification import Tolerance, Verification, VerificationResult, compare

__all__ = ["Generated", "codegen", "load_python", "IR_TOLERANCE", "ir_outputs", "python_outputs"]

IR_TOLERANCE = Tolerance(1e-12, 1e-12, "generated code against the IR evaluator")
DEFAULT_CLASS = "Model"
_JAVA_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass
class Generated:
    """One generated source file, the graph it was written from and the cases it must replay."""

    lang: str
    source: str
    graph: Graph
    class_name: str
    package: str | None = None
    verification: Verification | None = None
    result: VerificationResult | None = None

    @property
    def signature(self) -> Signature:
        return self.graph.signature

    @property
    def filename(self) -> str:
        return f"{self.class_name}.java" if self.lang == "java" else f"{_snake(self.class_name)}.py"

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_text(self.source)
        return target

    def test_source(self) -> str:
        """A test replaying the verification cases: a JUnit 5 class for Java."""
        if self.lang != "java":
            raise ConversionError("test_source() writes JUnit tests; test generated Python by importing it (load_python)")
        if self.verification is None:
            raise ConversionError("no verification cases: generate from an estimator with a sample to get a test")
        from interchange.codegen.java.junit import write_test

        return write_test(self)


def codegen(
    model: Any,
    lang: str = "python",
    *,
    sample: Any = None,
    labels: Any = None,
    class_name: str | None = None,
    package: str | None = None,
    rows: int = 200,
) -> Generated:
    """Generate ``lang`` ("python" or "java") source from a fitted estimator, an IR Graph, or a model
    document: lifted into the IR (``interchange.lift(document)``, a Lifted), loaded
    (``interchange.load``) or a Document.

    An estimator needs ``sample`` (rows like its training data): it gives the signature and
    the verification cases (the estimator's own outputs on the first ``rows`` rows). For a
    graph or a document ``sample`` is optional: its cases are the IR evaluator's outputs.

    Example::

        generated = interchange.codegen(model, lang="java", sample=X, class_name="Churn")
        generated.save("Churn.java")
    """
    from interchange.codegen.registry import _load, refuse_unwritten

    _load(lang)
    name = class_name or DEFAULT_CLASS
    if not _JAVA_NAME.match(name):
        raise ConversionError(f"class name {name!r} is not a valid identifier", field="class_name")
    graph = _graph_of(model)
    verification: Verification | None
    if graph is None:
        graph, verification = _from_estimator(model, sample, labels, rows)
    else:
        verification = None if sample is None else _from_ir(graph, sample, rows)
    refuse_unwritten(graph, lang)
    if lang == "python":
        from interchange.codegen.python.module import write_module

        source = write_module(graph, source=_describe(model))
    else:
        from interchange.codegen.java.klass import write_class

        source = write_class(graph, name, package=package, source=_describe(model))
    generated = Generated(lang, source, graph, name, package, verification)
    if lang == "python" and verification is not None:
        generated.result = check_python(generated)
    return generated


def _graph_of(model: Any) -> Graph | None:
    """The IR graph of a Graph, a Lifted document (``interchange.lift``) or a loaded Model / Document
    (lifted here); None for an estimator."""
    from interchange.document import Document
    from interchange.ir.lifted import Lifted
    from interchange.lift import lift
    from interchange.model import Model

    if isinstance(model, Graph):
        return model
    if isinstance(model, (Model, Document)):
        model = lift(model)
    if not isinstance(model, Lifted):
        return None
    if model.graph is None or not model.ok:
        reasons = "; ".join(str(r) for r in model.reasons) or "it did not lift"
        raise UnsupportedModelError(f"the {model.format} document does not lift into the IR, so no code is generated: {reasons}")
    return model.graph


def _from_ir(graph: Graph, sample: Any, rows: int) -> Verification:
    """Verification cases from a graph and sample rows: the IR evaluator's own outputs (the code must agree within 1e-12)."""
    columns = to_columns(sample, graph.signature)
    cases = {k: v[:rows] for k, v in columns.items()}
    return Verification(cases, ir_outputs(graph, cases), IR_TOLERANCE)


def _describe(model: Any) -> str:
    if isinstance(model, Graph):
        return "an IR graph"
    fmt = getattr(getattr(model, "document", model), "format", None)  # a Lifted, a Document or a loaded Model
    if isinstance(fmt, str):
        return f"a {fmt.upper()} document"
    return f"{type(model).__module__}.{type(model).__qualname__}"


def _from_estimator(estimator: Any, sample: Any, labels: Any, rows: int) -> tuple[Graph, Verification]:
    from interchange.convert import infer_signature
    from interchange.extract import to_graph
    from interchange.source import reference_outputs

    if sample is None:
        raise ConversionError("codegen from an estimator needs sample= rows: they give its signature and verification cases")
    signature = infer_signature(estimator, sample, labels)
    columns = to_columns(sample, signature)
    cases = {k: v[:rows] for k, v in columns.items()}
    try:
        graph = to_graph(estimator, signature, format="code")
    except UnsupportedModelError as exc:
        raise UnsupportedModelError(f"{exc.message} (code generation reads the same IR as PMML and PFA)", **exc.context) from exc
    expected = reference_outputs(estimator, cases, signature, labels)
    rounding = getattr(graph.model, "source_rounding", None)
    return graph, Verification(cases, expected, Tolerance(1e-9, 1e-12, "double precision end to end").for_source(rounding))


def load_python(source: str, name: str = "interchange_generated") -> types.ModuleType:
    """Run generated Python source as a fresh module (only for source interchange generated)."""
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - our own generated code
    return module


def check_python(generated: Generated) -> VerificationResult:
    """Replay the verification cases through the generated module; compare with the source and the IR."""
    assert generated.verification is not None
    module = load_python(generated.source)
    cases = generated.verification.inputs
    sig = generated.signature
    actual = python_outputs(module, sig, cases)
    compare(sig, ir_outputs(generated.graph, cases), actual, IR_TOLERANCE, format="generated python vs IR")
    return compare(sig, generated.verification.expected, actual, generated.verification.tolerance, format="generated python")


def ir_outputs(graph: Graph, columns: dict[str, Any]) -> dict[str, Any]:
    """The IR evaluator's outputs, a row it refuses (RecordError: PMML returnInvalid) with every output
    missing: what the generated code must give for it (Python raises ValueError, Java
    IllegalArgumentException; the replays read that as a refused row). An integer value (a regression's
    integer target) is truncated toward zero, as every engine types it (interchange.batch.typed_outputs)."""
    try:
        out = evaluate(graph, columns)
    except RecordError:
        n = len(next(iter(columns.values()))) if columns else 0
        out = _row_by_row(lambda part: evaluate(graph, part), graph.signature, columns, n, RecordError)
    import numpy as np

    whole = [f.name for f in graph.signature.outputs if f.type == "integer" and f.kind in ("value", "score")]
    return {**out, **{name: np.trunc(out[name]) for name in whole if np.asarray(out[name]).dtype.kind == "f"}}


def python_outputs(module: types.ModuleType, signature: Signature, columns: dict[str, Any]) -> dict[str, Any]:
    """A generated module's outputs, a row it refuses (ValueError) with every output missing."""
    try:
        return module.predict(columns)
    except ValueError:
        pass
    n = len(next(iter(columns.values()))) if columns else 0
    return _row_by_row(module.predict, signature, columns, n, ValueError)


def _row_by_row(run: Any, signature: Signature, columns: dict[str, Any], n: int, refusal: type[Exception]) -> dict[str, Any]:
    import numpy as np

    rows: list[dict[str, Any] | None] = []
    for i in range(n):
        try:
            got = run({k: np.asarray(v)[i : i + 1] for k, v in columns.items()})
            rows.append({k: np.asarray(v, dtype=object)[0] for k, v in got.items()})
        except refusal:
            rows.append(None)
    out: dict[str, Any] = {}
    for f in signature.outputs:
        values = [None if r is None else r[f.name] for r in rows]
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        out[f.name] = (
            np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            if numeric
            else np.array(values, dtype=object)
        )
    return out


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
