"""Golden PMML documents whose lift needs the IR's validity step (ir.validity.Treat), user
functions (DefineFunction inlined), transformedValue outputs or the probability of the predicted
category (ir.reported), against both reference engines.

The rows (tests/conformance/test_pmml_spec._rows) hold values inside and outside each
DataField's Intervals, values declared valid / invalid / missing, unseen categories and missing
values. The IR (``ir.graph.evaluate``; a row it refuses under returnInvalid has no outputs) must
agree with pypmml 1.5.8 fed JSON records and with JPMML-Evaluator 0.16: numbers within rtol 1e-9
/ atol 1e-12, labels equal.

Stated exception (``PYPMML_DEPARTS``): Discretize's mapMissingTo / defaultValue, which pypmml
reads otherwise than PMML 4.4 (test_pmml_spec.py); there the IR is held to JPMML only, and
pypmml is checked to still differ.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.batch import to_columns
from tests.conformance.lifting import differing_outputs, disagreements, lifted_outputs
from tests.conformance.test_pmml_spec import _rows
from tests.roundtrip.helpers import jpmml_outputs

SPEC = Path(__file__).parent / "pmml_spec"
DOCUMENTS = [
    "schema_invalid_asis",
    "schema_invalid_asmissing",
    "schema_invalid_asvalue",
    "schema_invalid_returninvalid",
    "schema_missing_replacement",
    "schema_outliers",
    "tx_definefunction",
    "tx_discretize",
    "tx_discretize_default_missing",
    "tx_normcontinuous",
    "tx_normdiscrete_local",
    "regression_class_none",
    "regression_class_softmax",
]
PYPMML_DEPARTS = {"tx_discretize_default_missing": "Discretize mapMissingTo / defaultValue: pypmml gives defaultValue"}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("stem", DOCUMENTS)
def test_lifted_document_agrees_with_pypmml_and_jpmml(stem: str) -> None:
    data = (SPEC / f"{stem}.pmml").read_bytes()
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    X = _rows(data, lifted.signature.input_names)
    bad = disagreements(lifted, interchange.load(data, engine="reference"), X)
    if stem in PYPMML_DEPARTS:
        assert bad, f"pypmml now agrees with the IR on {stem}: drop the stated exception"
    else:
        assert not bad, bad
    want = jpmml_outputs(data, to_columns(X, lifted.signature), lifted.signature, verify=False)
    got = lifted_outputs(lifted, X)
    bad = differing_outputs(lifted, want, got, ("JPMML", "IR"))
    assert not bad, bad


def test_the_rows_exercise_invalid_and_missing_values() -> None:
    """Every validity document's rows reach its treatments: some rows missing, and some invalid
    wherever the document declares valid ranges or values."""
    from interchange.ir.validity import Treat

    for stem in DOCUMENTS[:6]:
        data = (SPEC / f"{stem}.pmml").read_bytes()
        lifted = interchange.lift(data)
        assert lifted.graph is not None
        cols = to_columns(_rows(data, lifted.signature.input_names), lifted.signature)
        treats = [s for s in lifted.graph.steps if isinstance(s, Treat)]
        assert treats, stem
        invalid = missing = 0
        declares = any(t.valid or t.invalid_values or t.intervals for t in treats)
        for t in treats:
            bad, gone = t.classify(np.asarray(cols[t.inputs[0]]))
            invalid, missing = invalid + int(bad.sum()), missing + int(gone.sum())
        assert missing > 0 and (invalid > 0 or not declares), (stem, invalid, missing)
