"""PMML 4.4 §GeneralRegressionModel on the fast path (not covered yet: every document declines)."""

from __future__ import annotations

from lxml import etree

from interchange.formats.pmml.fast import compiler
from interchange.formats.pmml.parse import NotCovered
from interchange.ir.graph import ModelStep, Step

__all__: list[str] = []


@compiler("GeneralRegressionModel")
def _general(model: etree._Element, steps: list[Step]) -> ModelStep:
    raise NotCovered(f"GeneralRegressionModel modelType={model.get('modelType')}")
