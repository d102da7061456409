"""One helper for lift tests: a document's IR graph against the document's own engine, row by row."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.batch import to_columns
from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
from interchange.codegen.registry import refused_nodes
from interchange.crossformat import _writer
from interchange.document import Document
from interchange.ir.graph import Graph, evaluate
from interchange.ir.lifted import Lifted
from interchange.model import get_format
from interchange.verification import compare

RTOL, ATOL = 1e-9, 1e-12  # the IR and the fast path / reference engines all compute in double
RESULTS = Path(__file__).parent / ".results" / "lift.jsonl"


def unwritten(lifted: Lifted) -> str | None:
    """A pattern matching what a writer's refusal names for a graph holding IR nodes that no graph writer
    or code generator writes yet (``codegen.registry.NOT_GENERATED``: node figures, multiway trees, ...), else None."""
    names = refused_nodes(lifted.graph) if lifted.graph is not None else []
    return "|".join(names) if names else None


def quiet_lift(data: bytes) -> Lifted:
    """``interchange.lift`` with its warnings (a departure, a float field read as float32) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return interchange.lift(data)


def documents_lifting_into(paths: Iterable[Path], keep: Callable[[Graph], bool]) -> list[Path]:
    """The documents of ``paths`` that lift whole into a graph ``keep`` takes."""
    found = []
    for path in paths:
        lifted = quiet_lift(path.read_bytes())
        if lifted.ok and lifted.graph is not None and keep(lifted.graph):
            found.append(path)
    return found


def written_model(lifted: Lifted, target: str) -> interchange.Model:
    """The lifted graph written by ``target``'s graph writer, loaded on that format's reference engine."""
    assert lifted.graph is not None
    data = _writer(target)(lifted.graph)
    return interchange.load(Document(target, data, get_format(target).media_type), engine="reference")


def frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Columns (``crossformat.synthetic_rows``'s, say) as a DataFrame of the values themselves."""
    return pd.DataFrame({k: list(v) for k, v in columns.items()})


def empty_text_as_missing(outputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """An ONNX string tensor has no null: a missing label or id comes out as "", read here as missing."""
    return {
        k: np.array([None if v == "" else v for v in np.asarray(col, dtype=object)], dtype=object) for k, col in outputs.items()
    }


def assert_python_agrees(lifted: Lifted, frames: Iterable[pd.DataFrame]) -> None:
    """Python generated from the lifted graph gives the IR evaluator's outputs on each of ``frames`` (within 1e-12)."""
    assert lifted.graph is not None
    module = load_python(codegen(lifted.graph, "python").source)
    for X in frames:
        cases = {k: np.asarray(v) for k, v in to_columns(X, lifted.signature).items()}
        want = ir_outputs(lifted.graph, cases)
        compare(lifted.signature, want, python_outputs(module, lifted.signature, cases), IR_TOLERANCE, format="python")


def assert_libsvm_platt(lifted: Lifted, estimator: Any, kernel: str) -> None:
    """The lifted model is an SVM with ``kernel`` whose Platt parameters are the fitted SVC's own, exactly."""
    from interchange.ir.models.svm import SupportVectorMachine

    assert lifted.graph is not None
    model = lifted.graph.model
    assert isinstance(model, SupportVectorMachine) and model.kernel == kernel
    with warnings.catch_warnings():  # scikit-learn 1.9 deprecates probA_ / probB_ with probability=True
        warnings.simplefilter("ignore", FutureWarning)
        np.testing.assert_array_equal(model.prob_a, estimator.probA_)
        np.testing.assert_array_equal(model.prob_b, estimator.probB_)


_T = TypeVar("_T")


def unless_refused(refused: str | None, make: Callable[[], _T]) -> _T | None:
    """``make()``; or, where a refusal is expected, None once ``make()`` is seen raising UnsupportedModelError
    with a message matching ``refused`` (so a cell that starts or stops converting shows)."""
    if refused:
        with pytest.raises(interchange.UnsupportedModelError, match=refused):
            make()
        return None
    return make()


def record(source: str, fmt: str, name: str, lifted: Lifted | None, agrees: bool | None, note: str = "") -> None:
    """One line per document for the lift-rate table (benchmarks/lift_coverage_table.py)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    reasons = [str(r) for r in lifted.reasons] if lifted is not None else []
    with RESULTS.open("a") as out:
        row = {"source": source, "format": fmt, "name": name, "lifted": bool(lifted and lifted.ok), "agrees": agrees}
        out.write(json.dumps({**row, "reasons": reasons[:5], "note": note}) + "\n")


def lifted_outputs(lifted: Lifted, X: pd.DataFrame) -> dict[str, np.ndarray]:
    """The IR's outputs; a row the IR refuses (RecordError: an invalid value) has missing outputs,
    as the document's engines give no prediction for it (a PMML boolean output shows that as false:
    pypmml 1.5.8, and the fast path with it)."""
    assert lifted.graph is not None
    try:
        return evaluate(lifted.graph, to_columns(X, lifted.signature))
    except interchange.RecordError:
        pass
    rows: list[dict[str, Any]] = []
    for i in range(len(X)):
        try:
            out = evaluate(lifted.graph, to_columns(X.iloc[i : i + 1].reset_index(drop=True), lifted.signature))
            rows.append({k: np.asarray(v, dtype=object)[0] for k, v in out.items()})
        except interchange.RecordError:
            pmml = "pmml_version" in lifted.signature.meta
            rows.append({f.name: False if pmml and f.type == "boolean" else None for f in lifted.signature.outputs})
    return {f.name: np.array([r[f.name] for r in rows], dtype=object) for f in lifted.signature.outputs}


def disagreements(lifted: Lifted, model: Any, X: pd.DataFrame) -> list[str]:
    """Output fields where the IR and ``model`` differ, each with its first differing row. A PMML boolean output
    the IR leaves missing (PMML 4.4: a text function of a missing text) is read as false, as pypmml 1.5.8 and
    the fast path with it show every missing boolean output (FastPMMLModel; test_pmml_jpmml.py)."""
    got = lifted_outputs(lifted, X)
    if "pmml_version" in lifted.signature.meta:
        for f in lifted.signature.outputs:
            if f.type == "boolean":
                got[f.name] = np.array([False if v is None or v != v else v for v in got[f.name].tolist()], dtype=object)
    return differing_outputs(lifted, model.predict(X), got)


def differing_outputs(lifted: Lifted, want: Any, got: Any, names: tuple[str, str] = ("engine", "IR")) -> list[str]:
    """Output fields where ``want`` and ``got`` (named ``names`` in the message) differ, with the first such row."""
    bad = []
    for f in lifted.signature.outputs:
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        rows = _differ(np.asarray(want[f.name]), np.asarray(got[f.name]), numeric)
        if rows:
            i = rows[0]
            bad.append(f"{f.name}: {len(rows)} rows, e.g. row {i}: {names[0]} {want[f.name][i]!r}, {names[1]} {got[f.name][i]!r}")
    return bad


def _differ(expected: np.ndarray, actual: np.ndarray, numeric: bool) -> list[int]:
    out = []
    for i, (e, a) in enumerate(zip(expected.tolist(), actual.tolist(), strict=True)):
        e_missing = e is None or (isinstance(e, float) and e != e)
        a_missing = a is None or (isinstance(a, float) and a != a)
        if e_missing or a_missing:
            if e_missing != a_missing:
                out.append(i)
        elif numeric:
            if abs(float(a) - float(e)) > ATOL + RTOL * abs(float(e)):
                out.append(i)
        elif str(e) != str(a) and not _same_number(e, a):
            out.append(i)
    return out


def _same_number(e: Any, a: Any) -> bool:
    try:
        return float(e) == float(a)
    except (TypeError, ValueError):
        return False
