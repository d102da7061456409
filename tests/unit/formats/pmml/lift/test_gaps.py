"""PMML constructs other tools write that the lift and the fast path now hold, each checked against
what PMML 4.4 says (the conformance tests compare the same documents with pypmml and JPMML-Evaluator)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import interchange
from interchange.formats.pmml.departures import departures


def _both(data: bytes, X: pd.DataFrame) -> tuple[dict, dict]:
    """The lifted IR's and the fast path's outputs on ``X`` (the fast path must take the document)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift(data)
        assert lifted.ok, lifted.report()
        fast = interchange.load(data)
    assert fast.info.engine == "interchange-fast", fast.info.reason
    return lifted.predict(X), fast.predict(X)


_BOOLEAN = b"""<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary>
  <DataField name="flag" optype="categorical" dataType="boolean"/>
  <DataField name="y" optype="categorical" dataType="string"><Value value="a" displayValue="Ay"/><Value value="b"/></DataField>
</DataDictionary>
<TreeModel functionName="classification">
  <MiningSchema><MiningField name="flag"/><MiningField name="y" usageType="target"/></MiningSchema>
  <Output>
    <OutputField name="label" feature="predictedValue"/>
    <OutputField name="shown" feature="predictedDisplayValue"/>
  </Output>
  <Node score="b"><True/>
    <Node score="a"><SimplePredicate field="flag" operator="equal" value="false"/></Node>
    <Node score="b"><True/></Node>
  </Node>
</TreeModel></PMML>"""


def test_a_boolean_field_compared_with_false_reads_the_value_in_its_data_type() -> None:
    # PMML 4.4: "false" is the boolean false, so true goes past the first child (pypmml: every row equals it)
    X = pd.DataFrame({"flag": [True, False, None]})
    for out in _both(_BOOLEAN, X):
        # (a missing flag: missingValueStrategy none reads the UNKNOWN child as not chosen, the next one is)
        assert list(out["label"]) == ["b", "a", "b"]
        assert list(out["shown"]) == ["b", "Ay", "b"]  # the target DataField's displayValue, else the value itself
    assert "SimplePredicate value true / false of a boolean field" in [d.construct for d in departures(_BOOLEAN)]


_SEGMENT_TREE = b"""<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary>
  <DataField name="a" optype="continuous" dataType="double"/>
  <DataField name="y" optype="categorical" dataType="string">
    <Value value="no"/><Value value="yes"/><Value value="maybe"/></DataField>
</DataDictionary>
<MiningModel functionName="classification">
  <MiningSchema><MiningField name="a"/><MiningField name="y" usageType="target"/></MiningSchema>
  <Output><OutputField name="p_maybe" feature="probability" value="maybe"/>
    <OutputField name="label" feature="predictedValue"/></Output>
  <Segmentation multipleModelMethod="average">
    <Segment><True/><TreeModel functionName="classification">
      <MiningSchema><MiningField name="a"/></MiningSchema>
      <Node score="no"><True/>
        <Node score="no"><SimplePredicate field="a" operator="lessThan" value="0"/>
          <ScoreDistribution value="no" recordCount="6"/><ScoreDistribution value="yes" recordCount="4"/></Node>
        <Node score="maybe"><True/>
          <ScoreDistribution value="no" recordCount="1"/><ScoreDistribution value="yes" recordCount="1"/>
          <ScoreDistribution value="maybe" recordCount="8"/></Node>
      </Node></TreeModel></Segment>
    <Segment><True/><TreeModel functionName="classification">
      <MiningSchema><MiningField name="a"/></MiningSchema>
      <Node score="yes"><True/><ScoreDistribution value="no" recordCount="2"/><ScoreDistribution value="yes" recordCount="6"/>
        <ScoreDistribution value="maybe" recordCount="2"/></Node></TreeModel></Segment>
  </Segmentation>
</MiningModel></PMML>"""


def test_a_segment_tree_node_lacking_a_category_gives_it_probability_0() -> None:
    # the first tree's left leaf names no "maybe": 0 there (JPMML; pypmml: missing). At a = -1: no (0.6 + 0.2) / 2,
    # yes (0.4 + 0.6) / 2, maybe (0 + 0.2) / 2; at a = 1: (0.1 + 0.2) / 2, (0.1 + 0.6) / 2, (0.8 + 0.2) / 2
    X = pd.DataFrame({"a": [-1.0, 1.0]})
    for out in _both(_SEGMENT_TREE, X):
        np.testing.assert_allclose(np.asarray(out["p_maybe"], dtype=float), [0.1, 0.5], rtol=1e-12)
        assert list(out["label"]) == ["yes", "maybe"]
    assert "Segmentation over a TreeModel whose Node lacks a category" in [d.construct for d in departures(_SEGMENT_TREE)]
