"""Generated Java (and Python) for IR graphs built by hand: every IR function, and models past Java's limits.

One graph computes every IR function, Lookup, Bins, Interpolate, Indicator, mapMissingTo /
defaultValue and the derived-field casts over rows with missing values, unseen categories, zero
divisors and numbers Python and Java print differently; three more are larger than one Java
method may hold (a field of 3,000 categories, a chain of 1,100 steps, 1,500 segments). Each must
agree with the IR evaluator within 1e-12: the Java ones through one ``mvn test`` run.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
from interchange.codegen.java.functions import JAVA_FUNCTIONS
from interchange.codegen.python.expressions import CALLS
from interchange.errors import UnsupportedModelError
from interchange.ir.columns import Columns
from interchange.ir.combine.segmentation import Segmentation
from interchange.ir.derive.expressions import FUNCTIONS, Bins, Call, Const, Derive, Expr, Indicator, Interpolate, Lookup, Ref
from interchange.ir.derive.predicates import Always, Compare, InSet, PredicateColumn
from interchange.ir.derive.transforms import OneHot, Ordinal, Scale, Validate
from interchange.ir.graph import Graph, ModelStep
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.rules import Rule, RuleSet
from interchange.ir.models.scorecard import Attribute, Characteristic, Scorecard
from interchange.ir.reported import Reported
from interchange.signature import InputField, OutputField, Signature
from interchange.verification import compare
from tests.unit.codegen.java.maven import from_graph, run_junit

A, B, S, T = Ref("a"), Ref("b"), Ref("s"), Ref("t")


def test_every_ir_function_has_a_java_and_a_python_form() -> None:
    """A new IR function without a generated form fails here (and one the IR dropped too)."""
    assert set(JAVA_FUNCTIONS) == set(FUNCTIONS)
    assert set(CALLS) == set(FUNCTIONS)


def test_every_ir_step_has_a_java_and_a_python_emitter() -> None:
    """Each Step / ModelStep class of interchange.ir has both emitters, but the nodes no generator writes."""
    import importlib
    import inspect
    import pkgutil

    import interchange.ir
    from interchange.codegen.registry import NOT_GENERATED, NOT_GENERATED_BY, supported
    from interchange.ir.graph import Step

    steps = set()
    for module in pkgutil.walk_packages(interchange.ir.__path__, "interchange.ir."):
        for name, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, (Step, ModelStep)) and cls not in (Step, ModelStep) and not inspect.isabstract(cls):
                steps.add(name)
    assert len(steps) >= 29
    for lang in ("java", "python"):
        assert steps - NOT_GENERATED - set(NOT_GENERATED_BY.get(lang, {})) - set(supported(lang)) == set(), lang


def _call(fn: str, *args: Expr, fill: Any = None, default: Any = None) -> Call:
    return Call(fn, tuple(args), fill, default)


def _expressions() -> list[tuple[str, Expr, str | None]]:
    found: list[tuple[str, Expr, str | None]] = []
    for fn in ("+", "-", "*", "/", "pow", "mod", "rem", "threshold", "lessThan", "lessOrEqual", "greaterThan", "greaterOrEqual"):
        found.append((f"f_{fn}", _call(fn, A, B), "double"))
    for fn in ("neg", "exp", "ln", "log10", "sqrt", "abs", "floor", "ceil", "tanh", "erf", "logistic", "round", "not"):
        found.append((f"f_{fn}", _call(fn, A), "double"))
    for fn in ("min", "max", "sum", "avg", "product", "median"):
        found.append((f"f_{fn}", _call(fn, A, B, Const(1.5)), "double"))
    found += [
        ("median4", _call("median", A, B, Const(1.0), Const(7.0)), "double"),
        ("text_number", _call("*", S, Const(2.0)), "double"),  # a text read as a number
        ("is_missing", _call("isMissing", S), "boolean"),
        ("is_not_missing", _call("isNotMissing", A), "boolean"),
        ("equal_numbers", _call("equal", A, B), "boolean"),
        ("equal_text", _call("equal", S, Const("x")), "boolean"),
        ("equal_mixed", _call("equal", S, A), "boolean"),  # category keys: "2" equals 2.0
        ("not_equal_text", _call("notEqual", S, T), "boolean"),
        ("text_order", _call("lessThan", S, A), "boolean"),
        ("and", _call("and", _call("greaterThan", A, Const(0.0)), _call("lessThan", B, Const(3.0))), "boolean"),
        (
            "or",
            _call("or", _call("greaterThan", A, Const(5.0)), _call("isMissing", B), _call("equal", S, Const("yy"))),
            "boolean",
        ),
        ("if_else", _call("if", _call("greaterThan", A, Const(1.0)), A, B), "double"),
        ("if_no_else", _call("if", _call("lessThan", B, Const(2.0)), Const(10.0)), "double"),
        ("if_text", _call("if", _call("isIn", S, Const("x")), Const("first"), Const("other")), "string"),
        ("if_text_no_else", _call("if", A, Const("set")), "string"),
        ("is_in", _call("isIn", S, Const("x"), Const("Ab c")), "boolean"),
        ("is_not_in", _call("isNotIn", S, Const("yy")), "boolean"),
        ("is_in_numbers", _call("isIn", A, Const(1.0), Const(2.5), Const("0")), "boolean"),
        ("is_in_many", _call("isIn", S, *(Const(f"v{i}") for i in range(100)), Const("x"), Const(2.0)), "boolean"),
        ("is_not_in_many", _call("isNotIn", A, *(Const(float(i)) for i in range(100)), Const(2.5)), "boolean"),
        ("fill_default", _call("/", A, B, fill=-1.0, default=7.0), "double"),
        # numbers and texts in one column until the field's type resolves them
        ("mixed_text", _call("if", _call("greaterThan", A, Const(1.0)), Const("big"), B), "string"),
        ("mixed_number", _call("if", _call("isIn", S, Const("x")), A, S), "double"),
        ("mixed_equal", _call("equal", _call("if", _call("greaterThan", A, Const(0.0)), S, A), Const("2")), "boolean"),
        ("text_fill", _call("*", A, B, fill="gone"), "string"),
        ("number_default", _call("if", _call("isIn", S, Const("yy")), S, default=0.5), "double"),
        ("text_default", _call("if", _call("greaterThan", A, Const(0.0)), Const("pos"), default="none"), "string"),
        ("missing_constant", _call("+", A, Const(None)), "double"),
        ("as_integer", _call("*", A, Const(3.7)), "integer"),
        ("as_float", _call("/", A, Const(3.0)), "float"),
        ("as_text", _call("*", A, B), "string"),  # Python's str of a float: 1e+16, 2.5e-05, 3.0
        ("as_computed", _call("-", A, B), None),
        (
            "lookup_text",
            Lookup(
                (S, T), ((("x", "p"), "XP"), (("x", "q"), "XQ"), (("yy", "p"), "YP"), (("x", "p"), "XP2")), "none", "gone", False
            ),
            "string",
        ),
        ("lookup_number", Lookup((A,), ((("1",), 1.5), (("2.5",), -2.0), (("0",), 4.0)), None, -9.0, True), "double"),
        (
            "bins_text",
            Bins(
                A,
                ((None, 0.0, "openClosed", "low"), (0.0, 3.0, "openOpen", "mid"), (3.0, 3.0, "closedClosed", "three")),
                "other",
                "none",
                False,
            ),
            "string",
        ),
        ("lookup_mixed", Lookup((S,), ((("x",), "ex"), (("yy",), 2.0)), 0.5, "gone", False), "string"),
        ("bins_mixed", Bins(A, ((None, 0.0, "openClosed", "low"), (0.0, 3.0, "openOpen", 1.5)), None, "none", False), "double"),
        ("bins_number", Bins(B, ((-2.0, 2.0, "closedOpen", 1.0), (2.0, None, "closedOpen", 2.0)), None, -1.0, True), "double"),
        ("interpolate", Interpolate(A, (-1.0, 2.0, 6.0), (0.0, 0.5, 1.0)), "double"),
        ("interpolate_missing", Interpolate(A, (-1.0, 2.0, 6.0), (0.0, 0.5, 1.0), "asMissingValues"), "double"),
        ("interpolate_clamped", Interpolate(A, (-1.0, 2.0, 6.0), (0.0, 0.5, 1.0), "asExtremeValues", -9.0), "double"),
        ("indicator", Indicator(S, "x", -1.0), "double"),
        ("indicator_number", Indicator(A, 2.5), "double"),
    ]
    return found


def _signature(inputs: list[InputField], figures: list[tuple[str, str]]) -> Signature:
    outputs = tuple(OutputField(name, "score", type_) for name, type_ in figures) + (OutputField("yhat", "value"),)
    return Signature(tuple(inputs), outputs)


def _figures(model: ModelStep, named: list[tuple[str, Expr, str | None]], inputs: list[InputField]) -> Graph:
    """A graph reporting each expression as a figure: every one a derived field, read back by an Output expression."""
    steps = tuple(Derive((f"{name}_d",), expr, type_) for name, expr, type_ in named)
    figures = tuple((name, Ref(f"{name}_d"), type_) for name, _, type_ in named)
    kinds = [(name, "string" if type_ == "string" else "double") for name, _, type_ in named]
    return Graph(_signature(inputs, kinds), steps, Reported(model, (), figures))


def _regression(inputs: tuple[str, ...]) -> Regression:
    k = len(inputs)
    return Regression(inputs, np.linspace(0.5, 1.5, k)[None, :], np.array([0.25]))


def _rows(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    numbers = [-3.0, -1.0, 0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 7.0, 1e-5, 2.5e-5, 1e16, 123.0, -0.0, np.nan]
    texts = ["x", "yy", "Ab c", "zz", "2", "1.5", None]
    return {
        "a": rng.choice(numbers, n),
        "b": rng.choice(numbers, n),
        "s": np.array([texts[i] for i in rng.integers(0, len(texts), n)], dtype=object),
        "t": np.array([["p", "q", "r", None][i] for i in rng.integers(0, 4, n)], dtype=object),
    }


INPUTS = [InputField("a"), InputField("b"), InputField("s", "string", "categorical"), InputField("t", "string", "categorical")]


def functions_graph() -> Graph:
    return _figures(_regression(("a",)), _expressions(), INPUTS)


def columns_graph() -> Graph:
    """A document of expressions only (a PFA output record of let-bindings): each output a derived column."""
    named = _expressions()[:12] + [e for e in _expressions() if e[2] == "string"]
    steps = tuple(Derive((f"{name}_d",), expr, type_) for name, expr, type_ in named)
    outputs = tuple(OutputField(name, "score", "string" if t == "string" else "double") for name, _, t in named)
    model = Columns(tuple(f"{name}_d" for name, _, _ in named), tuple(name for name, _, _ in named))
    return Graph(Signature(tuple(INPUTS), outputs, task="transform"), steps, model)


def categories_graph(n: int = 3000) -> Graph:
    """A text field of ``n`` categories: one-hot, ordinal, validity and a set predicate over all of them."""
    cats = tuple(f"c{i}" for i in range(n))
    hot = tuple(f"hot{i}" for i in range(n))
    steps = (
        Validate(("s",), ((*cats, "x"),)),
        OneHot(("s",), hot, cats),
        Ordinal(("s",), ("s_ord",), (cats,), -1.0),
        PredicateColumn("s_in", InSet("s", cats[::2])),
        # categories of a number compare as keys: "01" and "1e0" are no number's key
        OneHot(("a",), ("a1", "a25", "a01", "a1e0"), (1.0, 2.5, "01", "1e0")),
        PredicateColumn("a_in", InSet("a", ("2.5", "01", 0))),
    )
    inputs = [InputField("a"), InputField("s", "string", "categorical")]
    return Graph(_signature(inputs, []), steps, _regression(("a", "s_ord", "s_in", "a1", "a25", "a01", "a1e0", "a_in", *hot)))


def category_rows(n: int, count: int = 3000, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = [f"c{i}" for i in rng.integers(0, count, n)]
    s[:3] = ["x", None, "c2999"]  # valid but not a category, missing, the last one
    return {"a": rng.choice([0.0, 1.0, 2.5, -1.5, np.nan], n), "s": np.array(s, dtype=object)}


def chain_graph(n: int = 1100) -> Graph:
    """``n`` steps, each reading the one before (order matters across the methods they are split into)."""
    steps: list[Any] = [Scale(("a",), ("z0",), (0.5,), (2.0,), (1.0,), (0.0,))]
    for i in range(1, n):
        steps.append(
            Derive((f"z{i}",), _call("+", _call("*", Ref(f"z{i - 1}"), Const(0.999)), _call("/", B, Const(i))), "double")
        )
    return Graph(_signature([InputField("a"), InputField("b")], []), tuple(steps), _regression((f"z{n - 1}", "a")))


def segments_graph(n: int = 1500) -> Segmentation:
    models = tuple(Regression(("a", "b"), np.array([[1.0 + i / n, -0.5]]), np.array([i / 100])) for i in range(n))
    predicates = tuple(Compare("a", "greaterThan", -3.0 + 6.0 * i / n) for i in range(n))
    return Segmentation("weightedAverage", predicates, tuple(1.0 + (i % 7) for i in range(n)), models)


def _segments() -> Graph:
    return Graph(_signature([InputField("a"), InputField("b")], []), (), segments_graph())


def class_segments_graph(n: int = 400) -> Graph:
    """``n`` classifying segments (softmax regressions over three classes) combined by majority vote."""
    classes = ("no", "yes", "maybe")
    rng = np.random.default_rng(2)
    models = tuple(Regression(("a", "b"), rng.normal(size=(3, 2)), rng.normal(size=3), Link.SOFTMAX, classes) for _ in range(n))
    predicates = tuple(Compare("b", "lessThan", -3.0 + 6.0 * i / n) for i in range(n))
    step = Segmentation("weightedMajorityVote", predicates, tuple(1.0 + (i % 3) for i in range(n)), models, classes)
    outputs = (OutputField("label", "label", "string"), *(OutputField(f"p_{c}", "probability", target=c) for c in classes))
    signature = Signature((InputField("a"), InputField("b")), outputs, classes, "classification")
    return Graph(signature, (), step)


def rules_graph(n: int = 1500, criterion: str = "firstHit") -> Graph:
    """``n`` rules over two fields, a label each."""
    rules = tuple(
        Rule(
            (Compare("a", "greaterThan", 3.0 - 6.0 * i / n), Compare("b", "lessOrEqual", -2.0 + 5.0 * i / n)),
            f"r{i % 5}",
            1.0 + i % 4,
        )
        for i in range(n)
    )
    outputs = (OutputField("label", "label", "string"),)
    return Graph(
        Signature((InputField("a"), InputField("b")), outputs, task="classification"), (), RuleSet(rules, criterion, "none")
    )  # type: ignore[arg-type]


def scorecard_graph(n: int = 1200) -> Graph:
    """``n`` characteristics of three bins each, with reason codes ranked by points below the baselines."""
    codes = tuple(f"R{j}" for j in range(7))
    characteristics = tuple(
        Characteristic(
            (
                Attribute(Compare("a", "lessThan", -1.0 + i / n), 1.0 + i % 5, codes[i % 7]),
                Attribute(Compare("b", "greaterOrEqual", 2.0 - 3.0 * i / n), "a" if i % 3 == 0 else 2.5, codes[(i + 3) % 7]),
                Attribute(Always(True), 0.5, None),
            ),
            baseline=2.0 + i % 4 if i % 11 else None,
        )
        for i in range(n)
    )
    step = Scorecard(10.0, characteristics, codes, reasons=(("first_reason", 0), ("second_reason", 1)))
    outputs = (
        OutputField("score", "value"),
        OutputField("first_reason", "score", "string"),
        OutputField("second_reason", "score", "string"),
    )
    return Graph(Signature((InputField("a"), InputField("b")), outputs), (), step)


def _agrees_in_python(graph: Graph, cases: dict[str, np.ndarray]) -> None:
    module = load_python(codegen(graph, "python").source)
    got = python_outputs(module, graph.signature, cases)
    compare(graph.signature, ir_outputs(graph, cases), got, IR_TOLERANCE, format="generated python")


@pytest.mark.filterwarnings("ignore")
def test_generated_python_computes_every_function_as_the_ir() -> None:
    _agrees_in_python(functions_graph(), _rows(300))
    _agrees_in_python(columns_graph(), _rows(100))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_agrees_with_the_ir(tmp_path: Path) -> None:
    rows = _rows(60)
    two = {k: rows[k] for k in ("a", "b")}
    generated = [
        from_graph(functions_graph(), "Functions", _rows(300)),
        from_graph(columns_graph(), "ColumnsOnly", _rows(100)),
        from_graph(categories_graph(), "Categories", category_rows(60)),
        from_graph(chain_graph(), "Chain", two),
        from_graph(_segments(), "Segments", two),
        from_graph(class_segments_graph(), "ClassSegments", two),
        *(
            from_graph(rules_graph(criterion=c), f"Rules{c[0].upper()}{c[1:]}", two)
            for c in ("firstHit", "weightedMax", "weightedSum")
        ),
    ]
    sizes = {g.class_name: len(g.source) for g in generated}
    assert sizes["Categories"] < 400_000 and "private static void steps" in generated[3].source, sizes
    assert "private static void segments" in generated[4].source and "private static void segments" in generated[5].source
    assert all("private static void rules" in g.source for g in generated[6:])
    card = from_graph(scorecard_graph(), "LongScorecard", two)
    assert "private static void characteristics" in card.source
    generated.append(card)
    assert len(run_junit(tmp_path, generated)) == len(generated)


@dataclass(frozen=True)
class Unwritten(ModelStep):  # a model step no generator has an emitter for
    model: ModelStep

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.model.inputs

    def predict(self, env: Any) -> Any:
        return self.model.predict(env)


@pytest.mark.parametrize("lang", ["python", "java"])
def test_a_node_no_generator_writes_is_refused_by_name(lang: str) -> None:
    graph = functions_graph()
    wrapped = Graph(graph.signature, graph.steps, Unwritten(graph.model))
    with pytest.raises(UnsupportedModelError, match="Unwritten"):
        codegen(wrapped, lang)


def test_java_refuses_a_field_mixing_numbers_and_texts_with_no_type() -> None:
    graph = _figures(_regression(("a",)), [("mixed", _call("if", A, Const("text"), B), None)], INPUTS)
    with pytest.raises(UnsupportedModelError, match="mixing number and text values"):
        codegen(graph, "java")
    codegen(graph, "python")


@pytest.mark.filterwarnings("ignore")
def test_cli_generates_a_document_that_lifts(tmp_path: Path) -> None:
    """``interchange codegen DOCUMENT``: a PMML document lifted into the IR, written as Python or Java; with
    sample rows the Python module is replayed against the IR at once and Java gets a JUnit test."""
    from typer.testing import CliRunner

    from interchange.cli import app
    from tests.conformance.test_lift_pmml import GOLDEN

    document = next(p for p in GOLDEN if p.stem == "tx_logic")
    import pandas as pd

    rows = _rows(20)
    pd.DataFrame({k: rows[k] for k in ("a", "b", "s")}).assign(s=lambda d: d.s.where(d.s.isin(["x", "yy", "Ab c"]))).to_csv(
        tmp_path / "rows.csv", index=False
    )
    python = CliRunner().invoke(app, ["codegen", str(document), "-s", str(tmp_path / "rows.csv"), "-o", str(tmp_path / "m.py")])
    assert python.exit_code == 0, python.output
    assert "replayed 20 verification cases" in python.output
    args = ["codegen", str(document), "--lang", "java", "--class-name", "Logic", "-o", str(tmp_path / "Logic.java")]
    java = CliRunner().invoke(app, [*args, "-s", str(tmp_path / "rows.csv"), "--test-output", str(tmp_path / "LogicTest.java")])
    assert java.exit_code == 0, java.output
    assert "public final class Logic {" in (tmp_path / "Logic.java").read_text()
    assert "class LogicTest {" in (tmp_path / "LogicTest.java").read_text()


@dataclass(frozen=True)
class Spline:  # (an expression node no generator knows)
    arg: Expr


@pytest.mark.parametrize("lang", ["python", "java"])
def test_an_unknown_expression_is_refused_by_name(lang: str) -> None:
    graph = _figures(_regression(("a",)), [("curve", Spline(A), "double")], INPUTS)  # type: ignore[list-item]
    with pytest.raises(UnsupportedModelError, match="Spline"):
        codegen(graph, lang)


def test_a_document_that_does_not_lift_is_refused_with_its_reasons() -> None:
    from interchange.ir.lifted import Lifted, Reason

    lifted = Lifted("pmml", functions_graph().signature, None, (Reason("/PMML/BaselineModel", "no IR form yet"),))
    with pytest.raises(UnsupportedModelError, match="does not lift.*BaselineModel: no IR form yet"):
        codegen(lifted, "java")
