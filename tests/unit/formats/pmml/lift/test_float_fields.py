"""A float DataField lifted: the input is rounded to float32 in place (an IR Derive of type float, after the
field's treatments), as JPMML-Evaluator and the fast path read it; the PMML writer writes the step back as the
DataField's dataType="float"."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.document import write_graph
from interchange.ir.derive.expressions import Call, Const, Derive, Ref
from interchange.ir.derive.transforms import Impute


def _doc(dtype: str, mining: str = '<MiningField name="x"/>') -> bytes:
    return f"""<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary><DataField name="x" optype="continuous" dataType="{dtype}"/>
<DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
<RegressionModel functionName="regression"><MiningSchema>{mining}<MiningField name="y" usageType="target"/></MiningSchema>
<RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
</RegressionModel></PMML>""".encode()


def test_a_float_input_is_rounded_to_float32_in_place() -> None:
    lifted = interchange.lift(_doc("float"))
    assert lifted.ok and lifted.graph is not None, lifted.report()
    assert lifted.graph.steps == (Derive(("x",), Ref("x"), "float"),)
    got = lifted.predict(pd.DataFrame({"x": [0.1, 3.0000000000000004, None]}))["y"]
    np.testing.assert_array_equal(got[:2], [float(np.float32(0.1)), 3.0])
    assert np.isnan(got[2])
    fast = interchange.load(_doc("float")).predict(pd.DataFrame({"x": [0.1]}))["y"]
    assert fast[0] == got[0]


def test_a_double_input_is_read_as_it_is() -> None:
    lifted = interchange.lift(_doc("double"))
    assert lifted.ok and lifted.graph is not None and lifted.graph.steps == ()


def test_the_rounding_follows_the_missing_value_replacement() -> None:
    lifted = interchange.lift(_doc("float", '<MiningField name="x" missingValueReplacement="0.1"/>'))
    assert lifted.graph is not None
    assert [type(s) for s in lifted.graph.steps] == [Impute, Derive]
    assert lifted.predict(pd.DataFrame({"x": [None]}))["y"][0] == float(np.float32(0.1))


def test_written_back_as_a_float_data_field() -> None:
    lifted = interchange.lift(_doc("float", '<MiningField name="x" missingValueReplacement="0.1"/>'))
    assert lifted.graph is not None
    written = write_graph(lifted.graph)
    assert b'<DataField name="x" optype="continuous" dataType="float"' in written
    assert b"DerivedField" not in written and b'missingValueReplacement="0.1"' in written
    again = interchange.lift(written)
    assert again.graph is not None and [type(s) for s in again.graph.steps] == [Impute, Derive]


def test_another_float_step_under_an_input_name_is_still_refused() -> None:
    lifted = interchange.lift(_doc("float"))
    assert lifted.graph is not None
    graph = replace(lifted.graph, steps=(Derive(("x",), Call("*", (Ref("x"), Const(2.0))), "float"),))
    with pytest.raises(UnsupportedModelError, match="a derived column named like the input 'x'"):
        write_graph(graph)
