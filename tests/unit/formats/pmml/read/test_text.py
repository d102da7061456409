"""PMML text functions on the fast path (pmml.read.text): by hand and pypmml."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.formats.pmml.lift.models._pmml import fast_outputs, not_fast

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


def test_string_length_is_left_to_the_reference_engine_by_name() -> None:
    """(a gap: PMML 4.4's stringLength is not compiled for the fast path yet)"""
    data = expression_document('<Apply function="stringLength"><FieldRef field="s"/></Apply>', data_type="integer", fields=STRING)
    assert "Apply function=stringLength" in not_fast(data)
