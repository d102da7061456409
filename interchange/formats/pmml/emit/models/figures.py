"""Output figures beside a prediction as PMML 4.4 OutputFields: rule confidences, neighbour ids,
SVM vote shares and cluster affinities (the constructs the lift read them from).

RuleConfidence: the RuleSetModel with each rule's ``confidence`` and the RuleSet's
``defaultConfidence``, and OutputField feature="confidence" (PMML 4.4 §RuleSetModel, §Output).
NeighborIds: the NearestNeighborModel with OutputField feature="entityId" and its ``rank``; the
instance ids are the TrainingInstances row numbers (1-based, what pypmml and JPMML-Evaluator
give without an instanceIdVariable) or an ``instanceIdVariable`` column. VoteShares: the
SupportVectorMachineModel with OutputField feature="probability" per class (what pypmml and
JPMML-Evaluator give as an SVM's probability: the vote shares). CenterAffinities: the
ClusteringModel with OutputField feature="affinity" (``value`` = a cluster id, or none: the
predicted cluster's), a distance for a distance-based measure (PMML 4.4 §Output).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.models.compared import compared_writers
from interchange.formats.pmml.emit.models.families import FAMILY_WRITERS
from interchange.formats.pmml.emit.models.scoring import ruleset
from interchange.formats.pmml.emit.xmlbuild import NS, E, num, text
from interchange.ir.models.cluster import CenterAffinities
from interchange.ir.models.neighbors import NeighborIds
from interchange.ir.models.rules import RuleConfidence
from interchange.ir.models.svm import VoteShares
from interchange.signature import Signature

__all__ = ["figure_writers", "INSTANCE_ID"]

INSTANCE_ID = "instance_id"  # the TrainingInstances column of ids that are not the row numbers
_TYPES = {"double": "double", "integer": "integer", "string": "string", "boolean": "boolean"}


def _field(name: str, type_: str, feature: str, optype: str = "continuous", **more: Any) -> etree._Element:
    return E("OutputField", {"name": name, "optype": optype, "dataType": _TYPES.get(type_, "string"), "feature": feature, **more})


def _predicted(sig: Signature, figures: Callable[[str], etree._Element | None]) -> etree._Element:
    """An Output: predictedValue for the label / value / cluster, ``figures(name)`` for the rest."""
    out = E("Output")
    for f in sig.outputs:
        of = figures(f.name)
        if of is not None:
            out.append(of)
        elif f.kind in ("label", "cluster"):
            out.append(_field(f.name, f.type, "predictedValue", "categorical"))
        elif f.kind == "value":
            out.append(_field(f.name, f.type, "predictedValue"))
        else:
            raise UnsupportedModelError(f"PMML writer has no Output mapping for the {f.kind} field {f.name!r}", format="pmml")
    return out


def _with_output(model: etree._Element, output: etree._Element) -> etree._Element:
    model.insert(1, output)  # after MiningSchema (PMML 4.4 model element order)
    return model


def _rule_confidence(step: RuleConfidence, sig: Signature) -> etree._Element:
    model = ruleset(step.rules, sig)
    rules = model.find(f"{{{NS}}}RuleSet")
    assert rules is not None
    if step.rules.default_confidence is not None:
        rules.set("defaultConfidence", num(step.rules.default_confidence))
    for i, rule in enumerate(step.rules.rules):
        simple = rules.find(f".//{{{NS}}}SimpleRule[@id='r{i}']")
        assert simple is not None
        simple.set("confidence", num(rule.confidence))
    names = set(step.names)
    return _with_output(model, _predicted(sig, lambda n: _field(n, "double", "confidence") if n in names else None))


def _neighbor_ids(step: NeighborIds, sig: Signature) -> etree._Element:
    model = FAMILY_WRITERS[type(step.model)](step.model, sig)
    if tuple(step.ids) != tuple(str(i + 1) for i in range(len(step.ids))):
        model.set("instanceIdVariable", INSTANCE_ID)
        fields = model.find(f"{{{NS}}}TrainingInstances/{{{NS}}}InstanceFields")
        table = model.find(f"{{{NS}}}TrainingInstances/{{{NS}}}InlineTable")
        assert fields is not None and table is not None
        fields.append(E("InstanceField", {"field": INSTANCE_ID, "column": INSTANCE_ID}))
        for row, id_ in zip(table, step.ids, strict=True):
            etree.SubElement(row, f"{{{NS}}}{INSTANCE_ID}").text = text(id_)
        instances = model.find(f"{{{NS}}}TrainingInstances")
        assert instances is not None
        instances.set("fieldCount", str(len(fields)))
    ranks = dict(step.ranks)
    return _with_output(
        model,
        _predicted(sig, lambda n: _field(n, "string", "entityId", "categorical", rank=ranks[n]) if n in ranks else None),
    )


def _vote_shares(step: VoteShares, sig: Signature) -> etree._Element:
    model = FAMILY_WRITERS[type(step.model)](step.model, sig)
    by_name = {f.name: f for f in sig.outputs if f.kind == "probability"}
    return _with_output(
        model,
        _predicted(sig, lambda n: _field(n, "double", "probability", value=text(by_name[n].target)) if n in by_name else None),
    )


def _center_affinities(step: CenterAffinities, sig: Signature) -> etree._Element:
    model = {**FAMILY_WRITERS, **compared_writers()}[type(step.model)](step.model, sig)
    wanted = dict(step.wanted)

    def affinity(name: str) -> etree._Element | None:
        if name not in wanted:
            return None
        cluster = wanted[name]
        return _field(name, "double", "affinity", **({} if cluster is None else {"value": text(cluster)}))

    return _with_output(model, _predicted(sig, affinity))


def figure_writers() -> dict[type, Callable[[Any, Signature], etree._Element]]:
    """IR figure step -> its PMML model element writer (each writes its own Output)."""
    return {
        RuleConfidence: _rule_confidence,
        NeighborIds: _neighbor_ids,
        VoteShares: _vote_shares,
        CenterAffinities: _center_affinities,
    }
