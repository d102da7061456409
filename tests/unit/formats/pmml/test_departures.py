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
