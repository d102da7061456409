"""The IR's text functions (TextDerive) and array inputs (ArrayItems) through every writer.

Documents holding them (golden tx_strings, the foreign TextIndex, user-defined-function and PFA
strings / array documents) are converted, and the conversion's own verification must pass
(rtol 1e-9 / atol 1e-12, texts equal). Graphs built from tx_strings' own, with each of its text
steps swapped for another function the PMML writer spells with regular expressions, are written
to PMML and replayed through pypmml and JPMML-Evaluator on texts made to trip them (tabs, line
breaks, regular-expression metacharacters, punctuation, missing values), against the IR.
Generated Python and Java are held to the IR evaluator on the same rows (within 1e-12).
"""

from __future__ import annotations

import dataclasses
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import interchange
from interchange.crossformat import convert_document
from interchange.ir.derive.expressions import Call, Const, Expr, Ref
from interchange.ir.derive.text import TextDerive
from interchange.ir.graph import Graph, evaluate

CONFORMANCE = Path(__file__).parents[1] / "conformance"
TX_STRINGS = CONFORMANCE / "pmml_spec" / "tx_strings.pmml"
TEXTINDEX = CONFORMANCE / "pmml_foreign" / "textindex_regression.pmml"
NORMALIZATION = CONFORMANCE / "pmml_foreign" / "textindex_normalization.pmml"  # (its InlineTables written back)
USER_DEFINED = CONFORMANCE / "pmml_foreign" / "functions_user_defined.pmml"
STRINGS_PFA = CONFORMANCE / "pfa_foreign" / "strings_cleanup.pfa"
RTOL, ATOL = 1e-9, 1e-12

# texts that tell a regular-expression spelling from the function it stands for
TEXTS = [
    "  a.b  ",
    "\t.x*",
    "(xa.bya.b$ ",
    "-- ok\n",
    "ok \n ",
    "]^tail^] ",
    "",
    "a.b",
    "AxB",
    "mixed Case",
    "(x",
    "$ ",
    " \t",
    None,
    "x",
    "yy",
    "Ab c",
    "good, good-good. Bad bad! red Red",
]


def _lifted(path: Path) -> interchange.Lifted:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift(path.read_bytes())
    assert lifted.graph is not None, lifted.report()
    return lifted


def _blank(e: Expr) -> Expr:
    return Call("if", (Call("isMissing", (e,)), Const(""), e))


# (function, arguments) replacing tx_strings' text steps, in their order (up, low, trim, cat#0, rep, match, cat#1):
# five text results and one truth value, arguments missing where s is (Ref) or blanked as the PMML lift does
SWAPS: dict[str, list[tuple[str, tuple[Expr, ...]]]] = {
    "strip": [
        ("s.strip", (Ref("s"), Const(" \t.*"))),
        ("s.lstrip", (Ref("s"), Const(" -"))),
        ("s.rstrip", (Ref("s"), Const("\n ]^"))),
        ("s.replaceall", (Ref("s"), Const("a.b"), Const("+"))),
        ("s.upper", (Ref("s"),)),
        ("s.contains", (Ref("s"), Const("a.b"))),
        ("s.concat", (Ref("s"), Const("|"))),
    ],
    "starts": [
        ("s.upper", (Ref("s"),)),
        ("s.lower", (Ref("s"),)),
        ("s.strip", (Ref("s"), Const(" "))),
        ("s.lstrip", (Ref("s"), Const("("))),
        ("pmml:replace", (Ref("s"), Const("[.$]"), Const("_"))),
        ("s.startswith", (Ref("s"), Const("(x"))),
        ("s.concat", (Ref("s"), Ref("s"))),
    ],
    # empty texts (the lift's blanks, an empty replacement, concat of ""): pypmml reads them as missing
    "empty": [
        ("s.strip", (Ref("s"), Const(""))),
        ("s.lower", (_blank(Ref("s")),)),
        ("s.rstrip", (_blank(Ref("s")), Const(" "))),
        ("s.concat", (Ref("s"), Const(""))),
        ("pmml:replace", (_blank(Ref("s")), Const("a|b"), Const(""))),
        ("s.endswith", (Ref("s"), Const("$ "))),
        ("s.replaceall", (Ref("s"), Const(""), Const("-"))),
    ],
    # what ai.onnx computes exactly: StringConcat, RegexFullMatch over an escaped needle; texts given in every row
    # (an ONNX string output has no null: a text that may be missing is refused, emit/validity.py)
    "onnx": [
        ("s.concat", (_blank(Ref("s")), Const("-"))),
        ("s.concat", (_blank(Ref("s")), Const("|"))),
        ("s.concat", (Const("<"), _blank(Ref("s")))),
        ("s.concat", (_blank(Ref("s")), Const("(x"))),
        ("s.concat", (_blank(Ref("s")), _blank(Ref("s")))),
        ("s.contains", (Ref("s"), Const("a.b"))),
        ("s.concat", (Ref("s"), Const("!"))),
    ],
}


def swapped(name: str | list[tuple[str, tuple[Expr, ...]]]) -> Graph:
    """tx_strings' graph with its text steps computing SWAPS[name] (or the swaps given), and s taking any text."""
    graph = _lifted(TX_STRINGS).graph
    assert graph is not None
    swaps = iter(SWAPS[name] if isinstance(name, str) else name)
    steps = []
    for step in graph.steps:
        if isinstance(step, TextDerive):
            function, args = next(swaps)
            if step.outputs[0].endswith("#1"):  # (cat#1 reads cat#0)
                args = (Ref(step.arguments[0].name), *args[1:])  # type: ignore[attr-defined]
            step = TextDerive(step.outputs, function, args)
        steps.append(step)
    return any_text(Graph(graph.signature, tuple(steps), graph.model))


def any_text(graph: Graph) -> Graph:
    """``graph`` taking any text: its inputs' listed values dropped, and the Validate steps that check them."""
    inputs = tuple(dataclasses.replace(f, values=None) for f in graph.signature.inputs)
    steps = tuple(s for s in graph.steps if type(s).__name__ != "Validate")
    return Graph(dataclasses.replace(graph.signature, inputs=inputs), steps, graph.model)


def text_rows(texts: list[str | None] = TEXTS, n: int | None = None) -> dict[str, np.ndarray]:
    """``n`` rows (one per text by default) of tx_strings' inputs: s cycling through ``texts``, a spread over [-2, 3]."""
    n = len(texts) if n is None else n
    s = np.empty(n, dtype=object)
    s[:] = (texts * (n // len(texts) + 1))[:n]
    return {"a": np.linspace(-2.0, 3.0, n), "s": s}


def same_outputs(graph: Graph, want: dict[str, Any], got: dict[str, Any], engine: str, texts: list[str | None] = TEXTS) -> None:
    """``engine``'s outputs are the IR's: texts equal, numbers within rtol / atol, missing where the IR's are
    (a row is named with its text from ``texts``)."""
    for f in graph.signature.outputs:
        for i, (e, a) in enumerate(zip(np.asarray(want[f.name]).tolist(), np.asarray(got[f.name]).tolist(), strict=True)):
            where = f"{engine} {f.name} row {i} ({texts[i % len(texts)]!r})"
            if f.type == "string":
                assert e == a, f"{where}: IR {e!r}, {engine} {a!r}"
            elif e is None or e != e:
                assert a is None or a != a, f"{where}: IR missing, {engine} {a!r}"
            else:
                assert a is not None and a == a, f"{where}: IR {e!r}, {engine} missing"
                assert abs(float(a) - float(e)) <= ATOL + RTOL * abs(float(e)), f"{where}: {e!r} vs {a!r}"


# --- PMML ---------------------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", [TX_STRINGS, TEXTINDEX, NORMALIZATION, USER_DEFINED], ids=lambda p: p.stem)
def test_pmml_text_documents_convert_to_pmml_and_verify(path: Path) -> None:
    converted = convert_document(interchange.load(path.read_bytes()), "pmml")
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", [TX_STRINGS, TEXTINDEX, NORMALIZATION, USER_DEFINED], ids=lambda p: p.stem)
def test_written_pmml_agrees_with_jpmml_on_odd_texts(path: Path) -> None:
    """The written document replayed by JPMML-Evaluator on texts with punctuation, blanks and missing values."""
    lifted = _lifted(path)
    assert lifted.graph is not None
    graph = any_text(lifted.graph)
    rows = _cases(lifted)
    same_outputs(graph, evaluate(graph, rows), _jpmml(_pmml_of(graph), graph, rows), "JPMML-Evaluator")


def _pmml_of(graph: Graph) -> bytes:
    from interchange.formats.pmml.emit.document import write_graph

    return write_graph(graph)


def _pypmml(data: bytes, rows: dict[str, np.ndarray]) -> dict[str, Any]:
    """pypmml's outputs (interchange's reference PMML engine: one JSON record at a time)."""
    return interchange.load(data, engine="reference").predict(rows)


def _jpmml(data: bytes, graph: Graph, rows: dict[str, np.ndarray]) -> dict[str, Any]:
    from interchange.document import Document
    from tests.roundtrip.test_golden_crossformat import JPMMLModel

    model = JPMMLModel(Document("pmml", data), graph.signature)
    return model.predict(rows)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", ["strip", "starts", "empty"])
def test_text_functions_spelled_in_pmml_agree_with_jpmml_and_pypmml(name: str) -> None:
    """JPMML-Evaluator and pypmml agree with the IR on every row; the empty texts (the lift's blanks, an empty
    replacement, concat of "") are computed, as pypmml reads an empty Constant as missing (departures.py)."""
    from interchange.formats.pmml.departures import departures

    graph = swapped(name)
    rows = text_rows()
    want = evaluate(graph, rows)
    data = _pmml_of(graph)
    same_outputs(graph, want, _jpmml(data, graph, rows), "JPMML-Evaluator")
    assert not departures(data)
    same_outputs(graph, want, _pypmml(data, rows), "pypmml")


# --- generated Python and Java --------------------------------------------------------------------------------------

ODD = ["Red", "green\t", None, "Ünïcode ß", "", " e.e ", "grey-e", "x\U0001f600e", "E", "eee e"]


def _cases(lifted: interchange.Lifted, n: int = 40) -> dict[str, np.ndarray]:
    """Rows of each input: texts from TEXTS and ODD (tabs, punctuation, non-ASCII, an astral character, missing),
    integers from -3 to 9, numbers spread over [-2, 3]."""
    out: dict[str, np.ndarray] = {}
    texts = TEXTS + ODD
    for k, f in enumerate(lifted.signature.inputs):
        if f.type == "string":
            col = np.empty(n, dtype=object)
            col[:] = [texts[(i + 5 * k) % len(texts)] for i in range(n)]
            out[f.name] = col
        elif f.type == "integer":
            out[f.name] = np.array([float((i * 7) % 13 - 3) for i in range(n)])
        else:
            out[f.name] = np.linspace(-2.0, 3.0, n)
    return out


def _text_graphs() -> list[tuple[str, Graph, dict[str, np.ndarray]]]:
    found = []
    for path in (TX_STRINGS, TEXTINDEX, USER_DEFINED, STRINGS_PFA):
        lifted = _lifted(path)
        assert lifted.graph is not None
        found.append((path.stem, lifted.graph, _cases(lifted)))
    for name in SWAPS:
        graph = swapped(name)
        rows = text_rows()
        found.append((f"swap_{name}", graph, rows))
    return found


@pytest.mark.filterwarnings("ignore")
def test_generated_python_computes_the_text_functions_as_the_ir() -> None:
    from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
    from interchange.verification import compare

    for name, graph, rows in _text_graphs():
        module = load_python(codegen(graph, "python").source)
        got = python_outputs(module, graph.signature, rows)
        compare(graph.signature, ir_outputs(graph, rows), got, IR_TOLERANCE, format=f"generated python ({name})")


def _no_tabs(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``rows`` with tabs as vertical tabs and line feeds as carriage returns: the JUnit test's cases are
    tab-separated lines (codegen/java/junit.py), and other control characters still test the blanks."""
    out = {}
    for name, col in rows.items():
        if col.dtype == object:
            col = col.copy()
            col[:] = [v.replace("\t", "\v").replace("\n", "\r") if isinstance(v, str) else v for v in col]
        out[name] = col
    return out


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_computes_the_text_functions_as_the_ir(tmp_path: Path) -> None:
    """Each text graph as a Java class whose JUnit test replays the IR's answers (within 1e-12); one ``mvn test``."""
    from tests.unit.codegen.java.maven import from_graph, run_junit

    written = [from_graph(graph, f"Text{i}", _no_tabs(rows)) for i, (_, graph, rows) in enumerate(_text_graphs())]
    assert len(run_junit(tmp_path, written)) == len(written)


ARRAY_DOCUMENTS = ["array_input_logistic", "array_input_network", "cluster_closest"]  # every PFA document with ArrayItems


def _array_rows(lifted: interchange.Lifted) -> tuple[dict[str, np.ndarray], int]:
    """30 arrays as long as the model reads, a missing one, one of NaNs, one with a null item, one item longer
    (refused where the model reads an exact length), then a short one and an empty one (both refused by the IR);
    and the index of the first refused-by-length row."""
    assert lifted.graph is not None
    (step,) = [s for s in lifted.graph.steps if type(s).__name__ == "ArrayItems"]
    size = step.length or len(step.outputs)  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    values: list[Any] = [list(rng.normal(0, 2, size)) for _ in range(30)]
    values += [None, [np.nan] * size, [None, *rng.normal(0, 2, size - 1)], list(rng.normal(0, 2, size + 1)), [1.0], []]
    arrays = np.empty(len(values), dtype=object)
    arrays[:] = values
    return {"input": arrays}, len(values) - 2


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", ARRAY_DOCUMENTS)
def test_array_items_generate_python_that_agrees_with_the_ir(name: str) -> None:
    from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
    from interchange.verification import compare

    lifted = _lifted(CONFORMANCE / "pfa_foreign" / f"{name}.pfa")
    assert lifted.graph is not None
    rows, short = _array_rows(lifted)
    module = load_python(codegen(lifted.graph, "python").source)
    compare(lifted.signature, ir_outputs(lifted.graph, rows), python_outputs(module, lifted.signature, rows), IR_TOLERANCE)
    with pytest.raises(ValueError, match="holds 1 items in row 0"):
        module.predict({"input": rows["input"][short : short + 1]})


def _doors_test(classes: dict[str, int]) -> str:
    """A JUnit test of the doors of each generated class (name -> its array's width): a double[], a List and an
    Object[] of numbers and texts score alike; a short array is an IllegalArgumentException naming the field."""
    methods = []
    for cls, width in classes.items():
        items = [0.5 * (k + 1) * (-1) ** k for k in range(width)]
        doubles = ", ".join(repr(x) for x in items)
        texts = ", ".join(f'"{x!r}"' for x in items)
        methods.append(
            f"""
    @Test
    void {cls.lower()}ReadsEveryFormOfArray() {{
        Object[] a = {cls}.predictValues(new Object[] {{new double[] {{{doubles}}}}});
        assertArrayEquals(a, {cls}.predictValues(new Object[] {{List.of({doubles})}}));
        assertArrayEquals(a, {cls}.predictValues(new Object[] {{new Object[] {{{texts}}}}}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> {cls}.predictValues(new Object[] {{List.of(1.0)}}));
        assertTrue(e.getMessage().startsWith("array field 'input' holds 1 items; the model reads "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> {cls}.predict(new {cls}.Input(new double[0])));
        assertThrows(IllegalArgumentException.class, () -> {cls}.predictValues(new Object[] {{"1.0"}}));
        assertEquals({width}, {cls}.INPUT_WIDTHS[0]);
    }}"""
        )
    return f"""package generated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArrayDoorsTest {{{"".join(methods)}
}}
"""


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_reads_array_inputs_as_the_ir(tmp_path: Path) -> None:
    """Each array document as a Java class whose JUnit test replays the IR's answers (within 1e-12) on the
    rows above, short and missing arrays among them; one ``mvn test``."""
    from interchange.codegen.api import ir_outputs
    from tests.unit.codegen.java.maven import from_graph, run_junit

    written, widths = [], {}
    for i, name in enumerate(ARRAY_DOCUMENTS):
        lifted = _lifted(CONFORMANCE / "pfa_foreign" / f"{name}.pfa")
        assert lifted.graph is not None
        rows, short = _array_rows(lifted)
        ir = ir_outputs(lifted.graph, rows)  # the IR refuses the short and the empty array: no outputs
        assert all(v is None or v != v for col in ir.values() for v in np.asarray(col, dtype=object)[short:])
        generated = from_graph(lifted.graph, f"Array{i}", rows)
        assert "double[] input" in generated.source
        written.append(generated)
        widths[generated.class_name] = int(generated.source.split("INPUT_WIDTHS = {")[1].split("}")[0])
    reports = run_junit(tmp_path, written, extra={"ArrayDoorsTest": _doors_test(widths)})
    assert len(reports) == len(written) + 1


# --- ONNX -----------------------------------------------------------------------------------------------------------

# what ai.onnx computes exactly: StringConcat, and RegexFullMatch over an escaped needle; text results given in every
# row (an ONNX string output has no null, so a text that may be missing is refused by emit/validity.py)
ONNX_TRUTHS = [("s.contains", "a.b"), ("s.startswith", "(x"), ("s.endswith", "$ "), ("s.contains", "\t.x"), ("s.endswith", "\n")]


def _onnx_rows() -> dict[str, np.ndarray]:
    """The rows but the empty text: in these graphs a missing text is "" (emit/expressions.py), which the IR keeps apart."""
    rows = text_rows()
    keep = np.array([v != "" for v in rows["s"]])
    return {k: v[keep] for k, v in rows.items()}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("function,needle", ONNX_TRUTHS, ids=[f"{f}-{n!r}" for f, n in ONNX_TRUTHS])
def test_concat_and_constant_searches_are_written_to_onnx_and_agree_with_onnxruntime(function: str, needle: str) -> None:
    from interchange.formats.onnx.ir_writer import write_document

    swaps = list(SWAPS["onnx"])
    swaps[5] = (function, (Ref("s"), Const(needle)))
    graph = swapped(swaps)
    rows = _onnx_rows()
    model = interchange.load(write_document(graph))
    assert model.info.format == "onnx"
    same_outputs(graph, evaluate(graph, rows), model.predict(rows), "onnxruntime")


ONNX_REFUSED = [
    ("s.upper", (Ref("s"),), "StringNormalizer changes case one character at a time"),
    ("pmml:replace", (Ref("s"), Const("a"), Const("b")), "no operator replacing matches"),
    ("pmml:matches", (Ref("s"), Const("a")), "RE2's dialect"),
    ("s.len", (Ref("s"),), "no operator measuring, slicing or editing a text"),
    ("s.contains", (Ref("s"), Ref("s")), "RegexFullMatch takes a constant pattern"),
]


@pytest.mark.parametrize("function,args,why", ONNX_REFUSED, ids=[c[0] for c in ONNX_REFUSED])
def test_what_onnx_cannot_compute_is_refused_by_name(function: str, args: tuple[Expr, ...], why: str) -> None:
    from interchange.formats.onnx.ir_writer import write_document

    swaps = list(SWAPS["onnx"])
    swaps[5] = (function, args)
    with pytest.raises(interchange.UnsupportedModelError, match=f"the text function {function} \\(TextDerive\\)"):
        try:
            write_document(swapped(swaps))
        except interchange.UnsupportedModelError as exc:
            assert why in str(exc)
            raise


def test_a_text_that_may_be_missing_is_refused_as_an_onnx_output() -> None:
    from interchange.formats.onnx.ir_writer import write_document

    swaps = list(SWAPS["onnx"])
    swaps[0] = ("s.concat", (Ref("s"), Const("-")))
    with pytest.raises(interchange.UnsupportedModelError, match="a text Output expression that may be missing"):
        write_document(swapped(swaps))


@pytest.mark.filterwarnings("ignore")
def test_written_text_index_normalization_agrees_with_jpmml_on_texts_it_rewrites() -> None:
    """The TextIndexNormalization InlineTables written back (literal and regular-expression rows, case-folded and
    case-sensitive TextIndexes): JPMML-Evaluator on the written document gives the IR's counts."""
    lifted = _lifted(NORMALIZATION)
    assert lifted.graph is not None
    review = ["Goood fine GREAT day", "awful, poor! bad", "Crimson roose red crimson", None, "gooood greeeat", "POOR"]
    col = np.empty(len(review) * 3, dtype=object)
    col[:] = review * 3
    rows = {"review": col, "x": np.linspace(-1.0, 2.0, len(col))}
    want = evaluate(lifted.graph, rows)
    assert np.nanmax(np.asarray(want["good_count"], dtype=float)) >= 3.0  # (the rules rewrite these texts)
    same_outputs(lifted.graph, want, _jpmml(_pmml_of(lifted.graph), lifted.graph, rows), "JPMML-Evaluator")
