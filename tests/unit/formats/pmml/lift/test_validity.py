"""PMML validity and treatments (pmml/lift/validity.py -> ir.validity.Treat), user functions inlined,
and transformedValue outputs (ir.reported.Reported): what lifts, what is refused and why, and that
the graph writers and code generators refuse the two new steps by name (they have no mapping yet)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.codegen.api import codegen
from interchange.crossformat import _writer
from interchange.ir.derive.expressions import Call, Derive
from interchange.ir.derive.transforms import Impute, Validate
from interchange.ir.reported import Reported
from interchange.ir.validity import Treat

SPEC = Path(__file__).parents[4] / "conformance" / "pmml_spec"


def _doc(field: str, mining: str, transforms: str = "", model_extra: str = "") -> bytes:
    return f"""<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary>{field}<DataField name="y" optype="continuous" dataType="double"/></DataDictionary>{transforms}
<RegressionModel functionName="regression"><MiningSchema>{mining}<MiningField name="y" usageType="target"/></MiningSchema>
{model_extra}<RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable>
</RegressionModel></PMML>""".encode()


_PLAIN = '<DataField name="x" optype="continuous" dataType="double"/>'
_X = (
    '<DataField name="x" optype="continuous" dataType="double">'
    '<Interval closure="closedClosed" leftMargin="0" rightMargin="10"/></DataField>'
)


def test_an_interval_with_as_missing_and_a_replacement_is_one_treat_step() -> None:
    lifted = interchange.lift(_doc(_X, '<MiningField name="x" invalidValueTreatment="asMissing" missingValueReplacement="5"/>'))
    assert lifted.ok, lifted.report()
    (step,) = lifted.graph.steps  # type: ignore[union-attr]
    assert isinstance(step, Treat) and step.invalid == "asMissing" and step.replacement == 5.0
    got = lifted.predict(pd.DataFrame({"x": [1.0, 11.0, None]}))["y"]
    np.testing.assert_array_equal(got, [3.0, 11.0, 11.0])  # 2 * x + 1, x = 11 and None both become 5


def test_plain_treatments_keep_the_steps_every_writer_takes() -> None:
    field = '<DataField name="x" optype="categorical" dataType="double"><Value value="1"/><Value value="2"/></DataField>'
    lifted = interchange.lift(_doc(field, '<MiningField name="x" missingValueReplacement="1"/>'))
    assert lifted.ok and {type(s) for s in lifted.graph.steps} == {Validate, Impute}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "field,mining,why",
    [
        (_X, '<MiningField name="x" invalidValueTreatment="asValue"/>', "asValue without invalidValueReplacement"),
        (_X, '<MiningField name="x" invalidValueTreatment="asSomething"/>', "no PMML 4.4 treatment"),
        (_X, '<MiningField name="x" optype="categorical" invalidValueTreatment="asMissing"/>', "optype"),
        (
            '<DataField name="x" optype="continuous" dataType="double"><Value value="3"/></DataField>',
            '<MiningField name="x" invalidValueTreatment="asMissing"/>',
            "valid Values and no Interval",
        ),
        (
            '<DataField name="x" optype="continuous" dataType="double"><Interval closure="halfOpen" leftMargin="0"/></DataField>',
            '<MiningField name="x"/>',
            "closure",
        ),
    ],
)
def test_what_treat_cannot_hold_is_refused_naming_the_element(field: str, mining: str, why: str) -> None:
    lifted = interchange.lift(_doc(field, mining))
    assert not lifted.ok and any(why in r.why for r in lifted.reasons), lifted.report()
    assert all(r.path.startswith("/PMML/") for r in lifted.reasons)


def test_user_functions_are_inlined_and_misuse_is_refused() -> None:
    define = (
        '<TransformationDictionary><DefineFunction name="f" optype="continuous" dataType="double">'
        '<ParameterField name="v"/><Apply function="*"><FieldRef field="v"/><Constant>3</Constant></Apply></DefineFunction>'
        '<DerivedField name="d" optype="continuous" dataType="double"><Apply function="f">{args}</Apply></DerivedField>'
        "</TransformationDictionary>"
    )
    out = (
        '<Output><OutputField name="o" optype="continuous" dataType="double" feature="transformedValue">'
        '<FieldRef field="d"/></OutputField></Output>'
    )
    ok = interchange.lift(
        _doc(
            _PLAIN,
            '<MiningField name="x"/>',
            define.format(args='<FieldRef field="x"/>'),
            out,
        )
    )
    assert ok.ok, ok.report()
    derive = next(s for s in ok.graph.steps if isinstance(s, Derive))  # type: ignore[union-attr]
    assert derive.expression == Call("*", (derive.expression.args[0], derive.expression.args[1]))  # type: ignore[union-attr]
    assert isinstance(ok.graph.model, Reported)  # type: ignore[union-attr]
    assert ok.predict(pd.DataFrame({"x": [2.0]}))["o"].tolist() == [6.0]
    bad = interchange.lift(
        _doc(
            '<DataField name="x" optype="continuous" dataType="double"/>',
            '<MiningField name="x"/>',
            define.format(args='<FieldRef field="x"/><Constant>1</Constant>'),
            out,
        )
    )
    assert not bad.ok and any("DefineFunction has 1" in r.why for r in bad.reasons)


@pytest.mark.parametrize("stem", ["schema_invalid_asvalue", "tx_definefunction"])
def test_writers_and_code_generators_take_the_new_steps(stem: str) -> None:
    """Treat and Reported are written by every writer and code generator (their agreement with the IR:
    tests/roundtrip/test_treat_writers.py)."""
    lifted = interchange.lift((SPEC / f"{stem}.pmml").read_bytes())
    assert lifted.ok and lifted.graph is not None
    for fmt in ("pmml", "pfa", "onnx"):
        assert _writer(fmt)(lifted.graph)
    for lang in ("python", "java"):
        assert codegen(lifted.graph, lang).source
