"""formats/pmml/departures.py: the constructs named where the golden rows (missing values everywhere) met them."""

from __future__ import annotations

from pathlib import Path

from interchange.formats.pmml.departures import departures, empty_text_outputs

CONFORMANCE = Path(__file__).parents[3] / "conformance"


def _named(name: str) -> set[str]:
    path = next(CONFORMANCE.glob(f"pmml_*/{name}.pmml"))
    return {d.construct for d in departures(path.read_bytes())}


def test_booleans_of_an_invalid_record() -> None:
    assert "a boolean OutputField where an invalid value is returnInvalid" in _named("tx_logic")
    assert "a boolean OutputField where an invalid value is returnInvalid" not in _named("regression_class_probit")


def test_aggregate_nodes_probabilities() -> None:
    assert "TreeModel aggregateNodes probabilities" in _named("spec_aggregate_nodes_probabilities")
    assert "TreeModel aggregateNodes probabilities" not in _named("tree_regression_aggregate_nodes")


def test_the_outputs_whose_empty_text_is_none() -> None:
    data = (CONFORMANCE / "pmml_spec" / "tree_regression_aggregate_nodes.pmml").read_bytes()
    assert empty_text_outputs(data) == {"node"}
    assert empty_text_outputs((CONFORMANCE / "pmml_spec" / "targets_rescale.pmml").read_bytes()) == set()


def _with(derived: str, mining: str = '<MiningField name="s"/>') -> bytes:
    return f"""<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>
<DataField name="s" optype="categorical" dataType="string"/></DataDictionary><TransformationDictionary>
<DerivedField name="d" optype="categorical" dataType="string">{derived}</DerivedField></TransformationDictionary>
<RegressionModel functionName="regression"><MiningSchema>{mining}</MiningSchema><RegressionTable intercept="1"/>
</RegressionModel></PMML>""".encode()


def test_a_text_function_of_a_text_that_can_be_missing() -> None:
    from interchange.formats.pmml.departures import MISSING_TEXT_ARGUMENT

    assert MISSING_TEXT_ARGUMENT in _named("tx_strings") and MISSING_TEXT_ARGUMENT in _named("tx_number_text")
    assert MISSING_TEXT_ARGUMENT not in _named("tx_lift_functions")
    upper = '<Apply function="uppercase"><FieldRef field="s"/></Apply>'
    named = lambda data: {d.construct for d in departures(data)}  # noqa: E731
    assert MISSING_TEXT_ARGUMENT in named(_with(upper))
    # never missing: a replaced field, a Constant, the writer's guard, the lift's blank, concat (leaves it out)
    assert MISSING_TEXT_ARGUMENT not in named(_with(upper, '<MiningField name="s" missingValueReplacement="x"/>'))
    assert MISSING_TEXT_ARGUMENT not in named(_with('<Apply function="uppercase"><Constant>a</Constant></Apply>'))
    guarded = f'<Apply function="if"><Apply function="isNotMissing"><FieldRef field="s"/></Apply>{upper}</Apply>'
    assert MISSING_TEXT_ARGUMENT not in named(_with(guarded))
    test = '<Apply function="isMissing"><FieldRef field="s"/></Apply>'
    blank = f'<Apply function="if">{test}<Constant>a</Constant><FieldRef field="s"/></Apply>'
    assert MISSING_TEXT_ARGUMENT not in named(_with(f'<Apply function="lowercase">{blank}</Apply>'))
    concat = '<Apply function="concat"><FieldRef field="s"/><Constant>-</Constant></Apply>'
    assert MISSING_TEXT_ARGUMENT not in named(_with(f'<Apply function="trimBlanks">{concat}</Apply>'))
    assert MISSING_TEXT_ARGUMENT in named(_with(f'<Apply function="trimBlanks">{upper}</Apply>'))
