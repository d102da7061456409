"""MultiwayTreeModel as PMML: the TreeModel as it stands (strategies, penalty, Node figures), lifted back the same."""

from __future__ import annotations

import warnings

import numpy as np
from lxml import etree

import interchange
from interchange.formats.pmml.emit.document import write_graph
from interchange.formats.pmml.emit.xmlbuild import NS
from interchange.ir.trees.multiway import MultiwayTreeModel
from tests.roundtrip.test_wtrees_writers import MULTIWAY, WEIGHTED

P = f"{{{NS}}}"


def _lifted(text: str) -> MultiwayTreeModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift(text.encode())
    assert lifted.graph is not None and isinstance(lifted.graph.model, MultiwayTreeModel), lifted.reasons
    return lifted.graph.model


def test_the_tree_is_written_as_it_stands() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = interchange.lift(MULTIWAY.encode()).graph
    assert graph is not None
    root = etree.fromstring(write_graph(graph))
    model = root.find(f"{P}TreeModel")
    assert model is not None
    assert model.get("missingValueStrategy") == "defaultChild" and model.get("missingValuePenalty") == "0.8"
    nodes = {n.get("id"): n for n in model.iter(f"{P}Node")}
    assert list(nodes) == ["root", "low", "low_x", "low_z", "mid", "high"]
    assert nodes["low"].get("defaultChild") == "low_z"
    assert nodes["low_x"].find(f"{P}CompoundPredicate").get("booleanOperator") == "surrogate"
    dist = {d.get("value"): d.get("confidence") for d in nodes["high"].iter(f"{P}ScoreDistribution")}
    assert dist == {"no": "0.375", "yes": "0.625"}


def test_written_document_lifts_to_the_same_step() -> None:
    for text in (MULTIWAY, WEIGHTED):
        step = _lifted(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = interchange.lift(text.encode()).graph
        assert graph is not None
        again = _lifted(write_graph(graph).decode())
        assert again.ids == step.ids and again.tree.kids == step.tree.kids and again.tree.strategy == step.tree.strategy
        assert again.penalty == step.penalty and again.tree.defaults == step.tree.defaults
        assert np.array_equal(again.tree.records, step.tree.records, equal_nan=True)
        assert np.array_equal(np.asarray(again.probabilities), np.asarray(step.probabilities), equal_nan=True)
        assert np.array_equal(np.asarray(again.confidences), np.asarray(step.confidences), equal_nan=True)
