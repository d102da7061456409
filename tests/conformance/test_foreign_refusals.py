"""Documents from other tools that no engine can score get a DocumentError naming what is wrong.

(Found by the foreign scan, tests/conformance/foreign_scan.py: a NaiveBayesModel without its required
BayesOutput, as one R writer leaves it, raised a TypeError from the fast path's compiler.)
"""

from __future__ import annotations

import pytest

import interchange

NAIVE_BAYES_WITHOUT_OUTPUT = b"""<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header/>
  <DataDictionary numberOfFields="2">
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField>
  </DataDictionary>
  <NaiveBayesModel functionName="classification" threshold="0.001">
    <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <BayesInputs>
      <BayesInput fieldName="x">
        <TargetValueStats>
          <TargetValueStat value="a"><GaussianDistribution mean="0" variance="1"/></TargetValueStat>
          <TargetValueStat value="b"><GaussianDistribution mean="2" variance="1"/></TargetValueStat>
        </TargetValueStats>
      </BayesInput>
    </BayesInputs>
  </NaiveBayesModel>
</PMML>
"""


def test_naive_bayes_without_bayes_output_is_refused_by_name() -> None:
    with pytest.raises(interchange.DocumentError, match="BayesOutput"):
        interchange.load(NAIVE_BAYES_WITHOUT_OUTPUT)
