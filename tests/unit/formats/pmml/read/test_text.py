"""PMML text functions on the fast path (pmml.read.text): by hand and pypmml."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.formats.pmml.lift.models._pmml import fast_outputs, jpmml

from ._derived import STRING, expression_document

ROWS = {"x": np.array([1.0, 2.0, 3.0]), "s": np.array(["Hello", "ab", " x y "], dtype=object)}


@pytest.mark.parametrize(
    ("expression", "want"),
    [
        ('<Apply function="uppercase"><FieldRef field="s"/></Apply>', ["HELLO", "AB", " X Y "]),
        (
            '<Apply function="substring"><FieldRef field="s"/><Constant>2</Constant><Constant>3</Constant></Apply>',
            ["ell", "b", "x y"],
        ),  # noqa: E501
        ('<Apply function="trimBlanks"><FieldRef field="s"/></Apply>', ["Hello", "ab", "x y"]),
        ('<Apply function="concat"><FieldRef field="s"/><Constant>!</Constant></Apply>', ["Hello!", "ab!", " x y !"]),
    ],
    ids=["uppercase", "substring", "trimBlanks", "concat"],
)
def test_string_functions_by_hand(expression: str, want: list[str]) -> None:
    assert fast_outputs(expression_document(expression, data_type="string", fields=STRING), ROWS)["e"].tolist() == want


def test_string_length_by_hand() -> None:
    data = expression_document('<Apply function="stringLength"><FieldRef field="s"/></Apply>', data_type="integer", fields=STRING)
    assert fast_outputs(data, ROWS)["e"].tolist() == [5.0, 2.0, 5.0]


def test_string_length_counts_utf16_code_units_as_jpmml_and_pypmml() -> None:
    """Java String.length: a character outside the Basic Multilingual Plane counts 2 in JPMML-Evaluator and
    pypmml alike (measured: "ab\U0001f600c" is 5), where Python's len and PFA's s.len count 4 code points."""
    data = expression_document('<Apply function="stringLength"><FieldRef field="s"/></Apply>', data_type="integer", fields=STRING)
    rows = {"x": np.array([1.0, 2.0, 3.0]), "s": np.array(["ab\U0001f600c", "h\u00e9llo", "\U0001d11e\U0001d11e"], dtype=object)}
    got = fast_outputs(data, rows)["e"].tolist()  # (held to pypmml inside)
    assert got == [5.0, 5.0, 4.0] == [float(v) for v in jpmml(data, rows, "e")]
