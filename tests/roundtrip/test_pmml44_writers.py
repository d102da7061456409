"""PMML 4.4's trigonometric built-ins (sin ... tanh), expm1 / ln1p / rint / hypot and stringLength through
every writer.

The golden documents tx_trig_functions and tx_string_length (tests/conformance/pmml_spec, held to pypmml and
JPMML-Evaluator there) are lifted and converted to PMML and PFA, whose conversions verify themselves
(rtol 1e-9 / atol 1e-12); generated Python is held to the IR evaluator. stringLength counts UTF-16 code
units (Java String.length): texts outside the Basic Multilingual Plane are replayed through titus2 and
generated Python. ONNX writes sin / cos (onnxruntime has double kernels for them) and refuses by name
what it cannot compute in double or at all. PFA refuses expm1, ln1p and hypot by name: titus2's namesakes
compute exp(x) - 1, log(1 + x) and sqrt(x**2 + y**2), which lose digits or overflow.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.crossformat import convert_document
from interchange.ir.derive.expressions import Call, Derive, Ref
from interchange.ir.graph import Graph, evaluate

SPEC = Path(__file__).parents[1] / "conformance" / "pmml_spec"
DOCUMENTS = ["tx_trig_functions", "tx_string_length", "tx_math44_functions"]
NUMBERS = np.array([-6.0, -0.5, 0.0, 0.3, 0.5, 1.5, 2.5, 1.2, 11.999, 1e-12, np.nan])
TEXTS = np.array(["ab\U0001f600c", "h\u00e9llo", "\U0001d11e\U0001d11e", "", None, "x y"], dtype=object)


def _lifted(name: str) -> interchange.Lifted:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift((SPEC / f"{name}.pmml").read_bytes())
    assert lifted.ok and lifted.graph is not None, lifted.report()
    return lifted


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    ("name", "fmt"), [(d, f) for d in DOCUMENTS for f in ("pmml", "pfa") if (d, f) != ("tx_math44_functions", "pfa")]
)
def test_documents_convert_and_verify(name: str, fmt: str) -> None:
    converted = convert_document(interchange.load((SPEC / f"{name}.pmml").read_bytes()), fmt)
    assert converted.verification.result is not None and converted.verification.result.rows > 0


@pytest.mark.parametrize("name", DOCUMENTS)
def test_generated_python_computes_them_as_the_ir(name: str) -> None:
    from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
    from interchange.verification import compare

    graph = _lifted(name).graph
    assert graph is not None
    rows = {"s": TEXTS} if name == "tx_string_length" else {"a": NUMBERS}
    module = load_python(codegen(graph, "python").source)
    compare(graph.signature, ir_outputs(graph, rows), python_outputs(module, graph.signature, rows), IR_TOLERANCE)


def test_string_length_in_utf16_code_units_through_pfa() -> None:
    """titus2 runs the written PFA: 5, 5, 4, 0, missing, 3 (s.len alone would say 4 for the first)."""
    from interchange.formats.pfa.emit.document import write_graph

    graph = _lifted("tx_string_length").graph
    assert graph is not None
    want = evaluate(graph, {"s": TEXTS})["len"]
    np.testing.assert_array_equal(want, [5.0, 5.0, 4.0, 0.0, np.nan, 3.0])
    got = interchange.load(write_graph(graph), engine="reference").predict({"s": TEXTS})["len"]
    np.testing.assert_array_equal(np.asarray(got, dtype=np.float64), want)


def _trig_graph(functions: tuple[str, ...]) -> Graph:
    """tx_trig_functions' graph, each derived field's function replaced in turn by ``functions``."""
    from dataclasses import replace

    graph = _lifted("tx_trig_functions").graph
    assert graph is not None
    names = iter(functions * 9)
    steps = []
    for step in graph.steps:
        if isinstance(step, Derive) and isinstance(step.expression, Call) and step.expression.function != "/":
            step = replace(step, expression=Call(next(names), (Ref("a"),)))
        steps.append(step)
    return Graph(graph.signature, tuple(steps), graph.model)


def test_sin_and_cos_are_written_to_onnx_and_agree_with_onnxruntime() -> None:
    from interchange.formats.onnx.ir_writer import write_document

    graph = _trig_graph(("sin", "cos", "tanh"))
    rows = {"a": np.array([-6.0, -0.5, 0.0, 0.3, 1.2, 11.999, np.nan])}
    model = interchange.load(write_document(graph))
    assert model.info.format == "onnx"
    want, got = evaluate(graph, rows), model.predict(rows)
    for f in graph.signature.outputs:
        np.testing.assert_allclose(np.asarray(got[f.name], dtype=np.float64), want[f.name], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("function", ["tan", "asin", "acos", "atan", "sinh", "cosh"])
def test_what_onnxruntime_has_no_double_kernel_for_is_refused_by_name(function: str) -> None:
    from interchange.formats.onnx.ir_writer import write_document

    with pytest.raises(interchange.UnsupportedModelError, match=f"'{function}': onnxruntime has no double kernel"):
        write_document(_trig_graph((function,)))


def test_string_length_is_refused_by_onnx_by_name() -> None:
    from interchange.formats.onnx.ir_writer import write_document

    with pytest.raises(interchange.UnsupportedModelError, match="pmml:stringLength .*measuring a text's length"):
        write_document(_lifted("tx_string_length").graph)  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_computes_them_as_the_ir(tmp_path: Path) -> None:
    """The graphs as Java classes (Math.sin ..., Math.expm1 ..., String.length) whose JUnit tests replay the
    IR's answers; one mvn test."""
    from tests.unit.codegen.java.maven import from_graph, run_junit

    trig, length, math44 = (_lifted(name).graph for name in DOCUMENTS)
    assert trig is not None and length is not None and math44 is not None
    written = [
        from_graph(trig, "Trig", {"a": NUMBERS}),
        from_graph(length, "Length", {"s": TEXTS}),
        from_graph(math44, "Math44", {"a": NUMBERS}),
    ]
    assert len(run_junit(tmp_path, written)) == len(written)


@pytest.mark.parametrize("function", ["expm1", "ln1p", "hypot", "rint"])
def test_what_onnx_has_no_exact_operator_for_is_refused_by_name(function: str) -> None:
    from interchange.formats.onnx.ir_writer import write_document

    with pytest.raises(interchange.UnsupportedModelError, match=f"'{function}'"):
        write_document(_only(function))


@pytest.mark.parametrize("function", ["expm1", "ln1p", "hypot"])
def test_what_titus2_computes_otherwise_is_refused_by_pfa_by_name(function: str) -> None:
    from interchange.formats.pfa.emit.document import write_graph

    with pytest.raises(interchange.UnsupportedModelError, match=f"'{function}': titus2's m.{function} computes"):
        write_graph(_only(function))


def test_rint_is_written_to_pfa_and_titus2_rounds_halves_to_even() -> None:
    from interchange.formats.pfa.emit.document import write_graph

    graph = _only("rint")
    want = evaluate(graph, {"a": NUMBERS})
    got = interchange.load(write_graph(graph), engine="reference").predict({"a": NUMBERS})
    for f in graph.signature.outputs:
        np.testing.assert_allclose(np.asarray(got[f.name], dtype=np.float64), want[f.name], rtol=1e-9, atol=1e-12)


def _only(function: str) -> Graph:
    """tx_math44_functions' graph with the derived fields that do not call ``function`` computing floor(a)."""
    from dataclasses import replace

    graph = _lifted("tx_math44_functions").graph
    assert graph is not None
    floor = Call("floor", (Ref("a"),))
    steps = [
        s if not isinstance(s, Derive) or _calls(s.expression, function) else replace(s, expression=floor) for s in graph.steps
    ]
    return Graph(graph.signature, tuple(steps), graph.model)


def _calls(e: object, function: str) -> bool:
    return isinstance(e, Call) and (e.function == function or any(_calls(a, function) for a in e.args))
