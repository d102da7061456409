"""PMML text functions lifted into the IR's TextDerive steps (pmml/read/ir/text.py):
values written out by hand, a missing text giving a missing result (PMML 4.4, JPMML-Evaluator) but in concat,
which leaves it out (JPMML-Evaluator), refusals by name."""

from __future__ import annotations

import numpy as np
import pytest

import interchange
from interchange.ir.derive.text import TextDerive
from interchange.ir.graph import evaluate


def _doc(expression: str, data_type: str = "string", where: str = "TransformationDictionary") -> bytes:
    derived = f'<DerivedField name="t" optype="categorical" dataType="{data_type}">{expression}</DerivedField>'
    dictionary = f"<TransformationDictionary>{derived}</TransformationDictionary>" if where == "TransformationDictionary" else ""
    local = f"<LocalTransformations>{derived}</LocalTransformations>" if where == "LocalTransformations" else ""
    return f"""<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary><DataField name="s" optype="categorical" dataType="string"/>
<DataField name="u" optype="categorical" dataType="string"/>
<DataField name="y" optype="continuous" dataType="double"/></DataDictionary>{dictionary}
<RegressionModel functionName="regression"><MiningSchema><MiningField name="s"/><MiningField name="u"/>
<MiningField name="y" usageType="target"/></MiningSchema>
<Output><OutputField name="out" optype="categorical" dataType="{data_type}" feature="transformedValue">
<FieldRef field="t"/></OutputField>
<OutputField name="yhat" optype="continuous" dataType="double" feature="predictedValue"/></Output>{local}
<RegressionTable intercept="1"/></RegressionModel></PMML>""".encode()


S = np.array([" Ab c ", "yy", None, "x1y"], dtype=object)
U = np.array(["-", "Z", "q", None], dtype=object)
CASES = {
    '<Apply function="uppercase"><FieldRef field="s"/></Apply>': [" AB C ", "YY", None, "X1Y"],
    '<Apply function="lowercase"><FieldRef field="s"/></Apply>': [" ab c ", "yy", None, "x1y"],
    '<Apply function="trimBlanks"><FieldRef field="s"/></Apply>': ["Ab c", "yy", None, "x1y"],
    '<Apply function="concat"><FieldRef field="s"/><FieldRef field="u"/><Constant>!</Constant></Apply>': [
        " Ab c -!",
        "yyZ!",
        "q!",
        "x1y!",
    ],
    '<Apply function="replace"><FieldRef field="s"/><Constant>[a-z]</Constant><Constant>Q</Constant></Apply>': [
        " AQ Q ",
        "QQ",
        None,
        "Q1Q",
    ],
    '<Apply function="uppercase"><Apply function="trimBlanks"><FieldRef field="s"/></Apply></Apply>': ["AB C", "YY", None, "X1Y"],
}


@pytest.mark.parametrize("expression", list(CASES))
def test_a_text_function_lifts_into_text_steps_and_computes_by_hand(expression: str) -> None:
    lifted = interchange.lift(_doc(expression))
    assert lifted.ok, lifted.report()
    assert lifted.graph is not None and any(isinstance(s, TextDerive) for s in lifted.graph.steps)
    out = evaluate(lifted.graph, {"s": S, "u": U})
    assert list(out["out"]) == CASES[expression]


def test_matches_finds_the_pattern_anywhere() -> None:
    lifted = interchange.lift(_doc('<Apply function="matches"><FieldRef field="s"/><Constant>y+$</Constant></Apply>', "boolean"))
    assert lifted.ok, lifted.report()
    assert lifted.graph is not None
    out = evaluate(lifted.graph, {"s": S, "u": U})["out"]
    np.testing.assert_array_equal(out, [0.0, 1.0, np.nan, 1.0])  # a missing text: a missing result


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ('<Apply function="replace"><FieldRef field="s"/><Constant>a</Constant><Constant>$1</Constant></Apply>', "group"),
        ('<Apply function="matches"><FieldRef field="s"/><Constant>\\p{Alpha}</Constant></Apply>', "Java-only"),
        ('<Apply function="matches"><FieldRef field="s"/><FieldRef field="u"/></Apply>', "not a Constant"),
        ('<Apply function="uppercase" mapMissingTo="M"><FieldRef field="s"/></Apply>', "mapMissingTo"),
    ],
)
def test_what_the_ir_cannot_hold_is_refused_by_name(expression: str, why: str) -> None:
    lifted = interchange.lift(_doc(expression, "boolean" if "matches" in expression else "string"))
    assert not lifted.ok and why in str(lifted.reasons[0])


TEXTS = np.array(["Good, good food", "not GOOD-good", None, "good."], dtype=object)


@pytest.mark.parametrize(
    ("weights", "sensitive", "expected"),
    [
        ("termFrequency", "false", [2.0, 0.0, np.nan, 1.0]),
        ("termFrequency", "true", [1.0, 0.0, np.nan, 1.0]),
        ("binary", "false", [1.0, 0.0, np.nan, 1.0]),
        ("logarithmic", "false", [np.log10(3.0), 0.0, np.nan, np.log10(2.0)]),
    ],
)
def test_a_text_index_counts_the_term_among_the_words(weights: str, sensitive: str, expected: list[float]) -> None:
    index = (
        f'<TextIndex textField="s" localTermWeights="{weights}" isCaseSensitive="{sensitive}" wordSeparatorCharacterRE="\\s+">'
        "<Constant>good</Constant></TextIndex>"
    )
    lifted = interchange.lift(_doc(index, "double"))
    assert lifted.ok, lifted.report()
    assert lifted.graph is not None
    out = evaluate(lifted.graph, {"s": TEXTS, "u": U})["out"]
    np.testing.assert_allclose(np.asarray(out, dtype=float), expected, rtol=1e-15)


def test_a_text_index_normalization_replaces_before_the_words_are_counted() -> None:
    # PMML 4.4 §TextIndexNormalization (JPMML-Evaluator, measured): rows in order, every match, inside
    # words too, case folded with the TextIndex; a regex cell "true" reads the text as a regular expression
    table = (
        "<row><string>food</string><stem>good</stem></row>"
        "<row><string>n[o]+t</string><stem>good</stem><regex>true</regex></row>"
        "<row><string>oo</string><stem>o</stem></row>"
    )
    index = (
        f'<TextIndex textField="s" wordSeparatorCharacterRE="\\s+"><TextIndexNormalization><InlineTable>{table}'
        "</InlineTable></TextIndexNormalization><Constant>god</Constant></TextIndex>"
    )
    lifted = interchange.lift(_doc(index, "double"))
    assert lifted.ok and lifted.graph is not None, lifted.report()
    # "Good, good food" -> "God, god god"; "not GOOD-good" -> "god GOD-god"; "good." -> "god."
    out = evaluate(lifted.graph, {"s": TEXTS, "u": U})["out"]
    np.testing.assert_array_equal(np.asarray(out, dtype=float), [3.0, 1.0, np.nan, 1.0])
    fast = interchange.load(_doc(index, "double")).predict({"s": TEXTS, "u": U})["out"]
    np.testing.assert_array_equal(np.asarray(fast, dtype=float), [3.0, 1.0, np.nan, 1.0])


def test_a_recursive_text_index_normalization_is_refused_by_name() -> None:
    index = (
        '<TextIndex textField="s"><TextIndexNormalization recursive="true"><InlineTable><row><string>x</string>'
        "<stem>y</stem></row></InlineTable></TextIndexNormalization><Constant>good</Constant></TextIndex>"
    )
    lifted = interchange.lift(_doc(index, "double"))
    assert not lifted.ok and "TextIndexNormalization recursive" in str(lifted.reasons[0])
