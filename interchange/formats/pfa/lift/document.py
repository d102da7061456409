"""Lift a PFA document (JSON or YAML) into the IR: the input record, the action's let-bindings
as Derive / Impute steps, the model library call as the model step, the output record's fields
as the parts of its prediction.

The action is run symbolically (``models.Models``); each element that has no IR form gives a
Reason with its JSON pointer (``/action/3/let/scores``) and the graph is given only when
nothing was left out. The signature is the document's (our writer's metadata, else read off
the Avro types), with each output field's kind taken from the prediction part it holds.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np

from interchange.errors import DocumentError
from interchange.formats.pfa import signature_of
from interchange.formats.pfa.lift.models.svm import Term, svm_step
from interchange.formats.pfa.lift.models.trees import with_values
from interchange.formats.pfa.lift.unrolled import Unrolled
from interchange.formats.pfa.lift.values import Family, Items, Part, Record, Scalar
from interchange.ir.columns import Columns
from interchange.ir.derive.expressions import Derive, Ref
from interchange.ir.graph import Graph, ModelStep
from interchange.ir.lifted import Lifted, Reason, Unliftable
from interchange.ir.models.cluster import NearestCenter
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.naive_bayes import GaussianNaiveBayes
from interchange.ir.models.neighbors import NearestNeighbors, NeighborIds
from interchange.ir.models.neural import NeuralNetwork
from interchange.ir.models.outlier import IsolationScore
from interchange.ir.trees.ensemble import TreeEnsemble
from interchange.signature import OutputField, Signature

__all__ = ["lift_pfa", "read_pfa"]

_TYPES = {"double": "double", "integer": "int", "string": "string", "boolean": "boolean"}


def read_pfa(data: bytes) -> dict[str, Any]:
    """The document as a JSON object; YAML (a superset of JSON) when it is not JSON."""
    try:
        doc = json.loads(data)
    except ValueError:
        import yaml

        try:
            doc = yaml.safe_load(data)
        except yaml.YAMLError as exc:
            raise DocumentError(f"PFA document is neither JSON nor YAML: {exc}", format="pfa") from exc
    if not isinstance(doc, dict) or not {"input", "output", "action"} <= set(doc):
        raise DocumentError("a PFA document needs input, output and action", format="pfa")
    return {k: v if k in ("cells", "pools") else _unannotated(v) for k, v in doc.items()}


def _unannotated(node: Any) -> Any:
    """``node`` without PFA's ``"@"`` source annotations (PrettyPFA line numbers); a function
    body of one expression as that expression."""
    if isinstance(node, list):
        return [_unannotated(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _unannotated(v) for k, v in node.items() if k != "@"}
    if "params" in out and isinstance(out.get("do"), list) and len(out["do"]) == 1:
        out["do"] = out["do"][0]
    return out


def lift_pfa(data: bytes) -> Lifted:
    """The IR graph of a PFA document, or the reasons (element by element) it cannot be one.

    A document that does not lift as one model step is read again with its models unrolled into
    expressions (``lift/unrolled.py``: model.reg.linear, la.dot, a walk over one tree): outputs
    computed from several models, or from a model's scores with arithmetic, then become named
    columns. When neither lifts, the reasons are the first reading's, or the second's where the first
    only says its outputs are no one model's.
    """
    first = _lift(read_pfa(data), unroll=False)
    if first.ok:
        return first
    second = _lift(read_pfa(data), unroll=True)
    if second.ok:
        return second
    # the first reading stops where no one model step holds the outputs ("a model's score"); then what
    # the unrolled reading could not hold is the better reason
    return second if second.reasons and all("a model's" in r.why for r in first.reasons) else first


def _lift(doc: dict[str, Any], *, unroll: bool) -> Lifted:
    sig = signature_of(json.dumps(doc).encode())
    lifter = Unrolled(doc)
    lifter.unroll = unroll
    reasons: list[Reason] = []
    for key in ("begin", "end", "merge"):
        if doc.get(key):
            reasons.append(Reason(f"/{key}", f"{key} (state kept between records) has no IR form"))
    if doc.get("method", "map") != "map":
        reasons.append(Reason("/method", f"method {doc['method']!r}: the IR scores one record into one result (map)"))
    inputs: dict[str, Any] = {}
    for f in sig.inputs:
        lifter.names.add(f.name)
        if f.type == "array":  # numbers; its items become columns where the action reads them
            inputs[f.name] = Items(f.name)
            continue
        if f.type not in _TYPES:
            reasons.append(Reason(f"/input/{f.name}", f"an input of type {f.type} has no IR form yet"))
            continue
        inputs[f.name] = Scalar(Ref(f.name), _TYPES[f.type], f.nullable)
    record = (
        isinstance(doc["input"], dict)
        and doc["input"].get("type") == "record"
        or isinstance(doc["input"], str)
        and len(sig.inputs) > 1
    )
    scope: dict[str, Any] = {"input": Record(inputs) if record else next(iter(inputs.values()), None)}
    result = None
    if not reasons:
        action = doc["action"] if isinstance(doc["action"], list) else [doc["action"]]
        try:
            result = lifter.block(action, scope, "/action")
        except Unliftable as exc:
            reasons.append(exc.reason)
    model, signature = None, sig
    if not reasons:
        try:
            model, signature = _model(result, sig, lifter)
        except Unliftable as exc:
            reasons.append(exc.reason)
    if model is not None:
        lifter.done.append(("/output", type(model).__name__))
    graph = Graph(signature, tuple(lifter.steps), model) if model is not None and not reasons else None
    return Lifted("pfa", signature, graph, tuple(dict.fromkeys(reasons)), tuple(lifter.done))


def _model(result: Any, sig: Signature, lifter: Unrolled) -> tuple[ModelStep, Signature]:
    """The model step whose prediction parts are the output fields, and the signature saying which part each is."""
    if isinstance(result, Record):
        values = [result.fields.get(f.name) for f in sig.outputs]
    elif len(sig.outputs) == 1:
        values = [result]
    else:
        raise Unliftable("/action", "the action does not end in the output record")
    families = {id(v.family): v.family for v in values if isinstance(v, Part)}
    if not families and len(values) == 1 and isinstance(values[0], Scalar) and values[0].type != "string":
        # a value computed by expressions only: the identity regression over its column (x * 1 + 0, exact)
        col = lifter.column("output", values[0], "/action")
        if not isinstance(col.expr, Ref):
            raise Unliftable("/action", "the output is a constant")
        f = sig.outputs[0]
        return Regression((col.expr.name,), np.ones((1, 1)), np.zeros(1)), replace(sig, outputs=(replace(f, kind="value"),))
    if not families and values and all(isinstance(v, Scalar) for v in values):  # (one text too: a named column)
        return _columns(values, sig, lifter)
    if len(families) != 1:
        raise Unliftable("/output", f"the outputs are not the prediction of one model (found {len(families)} models)")
    fam = next(iter(families.values()))
    outputs = []
    for f, v in zip(sig.outputs, values, strict=True):
        if not isinstance(v, Part):
            raise Unliftable(f"/output/{f.name}", f"output field {f.name!r} is not part of the model's prediction")
        outputs.append(_field(f, v, fam))
    if fam.kind == "svm":
        terms = {f.name: v.term for f, v in zip(sig.outputs, values, strict=True) if isinstance(v, Term)}
        step: ModelStep = svm_step(fam, outputs, terms)
    else:
        step = _step(fam, outputs)
    parts = [(f, v) for f, v in zip(sig.outputs, values, strict=True) if isinstance(v, Part)]
    ranks = tuple((f.name, v.index + 1) for f, v in parts if v.kind == "id" and v.index is not None)  # neighbour ids
    if ranks:
        assert isinstance(step, NearestNeighbors)  # (id parts come from neighbours only)
        step = NeighborIds(step, fam.params["ids"], ranks)
    classes = fam.classes if fam.classes is not None else sig.classes
    return step, replace(sig, outputs=tuple(outputs), classes=tuple(classes) if classes is not None else None)


def _columns(values: list[Any], sig: Signature, lifter: Unrolled) -> tuple[ModelStep, Signature]:
    """An output record of expressions only: each field a column (constants get one too), read
    out by a Columns step as named figures (kind "score", their declared types kept)."""
    cols = []
    for f, v in zip(sig.outputs, values, strict=True):
        col = lifter.column(f"output.{f.name}", v, f"/output/{f.name}")
        if not isinstance(col.expr, Ref):
            lifter.steps.append(Derive((f"output.{f.name}",), col.expr))
            col = Scalar(Ref(f"output.{f.name}"), col.type, col.nullable)
        assert isinstance(col.expr, Ref)
        cols.append(col.expr.name)
    outputs = tuple(replace(f, kind="score", target=None) for f in sig.outputs)
    return Columns(tuple(cols), tuple(f.name for f in sig.outputs)), replace(sig, outputs=outputs, task="transform")


def _field(f: OutputField, part: Part, fam: Family) -> OutputField:
    where = f"/output/{f.name}"
    if part.kind == "label":
        return replace(f, kind="label", target=None)
    if part.kind == "cluster":
        return replace(f, kind="cluster", target=None)
    if part.kind == "value":
        return replace(f, kind="value", target=None)
    if part.kind == "id":  # a neighbour's id (as the PMML lift reads entityId)
        return replace(f, kind="cluster", target=None)
    if part.kind == "term":  # an SVM's value or decision (svm_step checks which)
        return replace(f, kind="value" if fam.classes is None else "decision", target=None)
    if part.kind == "isolation":
        return replace(f, kind="score", target=None)
    if part.kind == "probability":
        if fam.classes is None or part.index is None or not 0 <= part.index < len(fam.classes):
            raise Unliftable(
                where, "a probability output of a model whose classes the document does not name (a.argmax into a class array)"
            )
        return replace(f, kind="probability", target=fam.classes[part.index])
    if part.kind == "score" and fam.classes is not None and fam.kind == "trees" and fam.link == "identity":
        if part.index is None or not 0 <= part.index < len(fam.classes):
            raise Unliftable(where, "a probability output beyond the model's classes")
        return replace(f, kind="probability", target=fam.classes[part.index])  # a forest's averaged leaves are its probabilities
    if part.kind == "score":
        if fam.classes is None:
            if part.index != 0:
                raise Unliftable(where, "a regression output other than its first score")
            return replace(f, kind="value", target=None)
        return replace(f, kind="decision", target=None)
    raise Unliftable(where, f"a model's {part.kind} is not an output the IR gives")


def _step(fam: Family, outputs: list[OutputField]) -> ModelStep:
    classes = fam.classes
    p = fam.params
    if fam.kind == "neighbours":
        return _neighbours(fam)
    link = {"identity": Link.IDENTITY, "softmax": Link.SOFTMAX, "logistic": Link.LOGISTIC}[fam.link]
    decisions = [f for f in outputs if f.kind == "decision"]
    if fam.kind == "linear":
        coef, intercept = p["coef"], p["intercept"]
        if classes is None:
            if coef.shape[0] != 1:
                raise Unliftable(fam.path, "a regression with several scores (the IR's gives one value)")
            return Regression(fam.inputs, coef, intercept)
        k = coef.shape[0]
        if link is Link.IDENTITY and not (k == len(classes) or (k == 1 and len(classes) == 2)):
            raise Unliftable(fam.path, f"{k} decision scores for {len(classes)} classes")
        if link is Link.LOGISTIC and k != 1:
            raise Unliftable(fam.path, "a logistic link over several scores")
        if decisions and link is not Link.IDENTITY:
            raise Unliftable(fam.path, "decision outputs of a model that gives probabilities")
        return Regression(fam.inputs, coef, intercept, link, tuple(classes))
    if fam.kind == "trees":
        kind = p["kind"]
        trees = tuple(with_values(t, leaves, kind, classes) for t, leaves in zip(p["trees"], p["leaves"], strict=True))
        base = p.get("base")
        if classes is None and trees[0].value.shape[1] != 1:
            raise Unliftable(fam.path, "a tree regression with several scores")
        if decisions:
            raise Unliftable(fam.path, "decision outputs of trees")
        ensemble = TreeEnsemble(fam.inputs, trees, p.get("aggregation", "sum"), base, link, tuple(classes) if classes else None)
        if "isolation" in fam.parts:
            if any(f.kind not in ("score", "label") for f in outputs):
                raise Unliftable(fam.path, "an isolation forest with outputs other than its score and label")
            return IsolationScore(fam.inputs, ensemble, p["normaliser"], p["offset"])
        return ensemble
    if fam.kind == "cluster":
        return NearestCenter(fam.inputs, p["centers"], p["ids"], p.get("metric", "squaredEuclidean"))
    if fam.kind == "neural":
        output = {"softmax": "softmax", "logistic": "logistic", "identity": "identity"}[fam.link]
        if classes is not None and output == "identity":
            raise Unliftable(fam.path, "a network's raw scores as class outputs")
        return NeuralNetwork(fam.inputs, p["weights"], p["biases"], p["activations"], output, tuple(classes) if classes else None)
    if fam.kind == "naive":
        if classes is None or fam.link != "softmax":
            raise Unliftable(fam.path, "naive Bayes log likelihoods not normalised into probabilities of named classes")
        return GaussianNaiveBayes(fam.inputs, tuple(classes), p["mean"], p["var"], p["log_prior"])
    raise Unliftable(fam.path, f"a {fam.kind} model has no IR form yet")


def _neighbours(fam: Family) -> ModelStep:
    p = fam.params
    if "weights" not in p:
        raise Unliftable(fam.path, "neighbours whose weights the document does not compute (uniform or 1 / distance)")
    if fam.classes is None:
        if "value" not in fam.parts:
            raise Unliftable(fam.path, "neighbours without their weighted mean")
        targets = np.asarray(p["targets"], dtype=np.float64)
    else:
        targets = np.asarray(p["targets"])
        if targets.dtype.kind not in "iu" or targets.min() < 0 or targets.max() >= len(fam.classes):
            raise Unliftable(fam.path, "neighbour targets that are not indices into the class array")
    return NearestNeighbors(
        fam.inputs, p["points"], targets, p["k"], p["metric"], p["p"], p["weights"], tuple(fam.classes) if fam.classes else None
    )
