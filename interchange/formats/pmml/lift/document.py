"""Lift a PMML 4.x document into the IR: MiningSchema treatments, derived fields, the model, Output.

Reuses the reader (parse.py) and the fast path's compilers, which already build IR objects
for trees, forests and the other families; what they produce as closures (expressions) is
lifted again as IR expressions (lift_expressions). Every element the IR cannot hold adds a
Reason with its path; the graph is given only when nothing was left out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lxml import etree

from interchange.errors import DocumentError
from interchange.formats.pmml.fast.engine import _CURRENT, Compilation
from interchange.formats.pmml.fast.schema import data_fields
from interchange.formats.pmml.lift.models.elements import LiftContext, lift_model, ordered_classes
from interchange.formats.pmml.lift.validity import field_treatment
from interchange.formats.pmml.parse import NotCovered, child, children, local, parse
from interchange.formats.pmml.read.compile import Ctx, elements
from interchange.formats.pmml.read.ir.dates import DateCtx, date_inputs, dates_read_as_numbers, gives_text, unread_dates
from interchange.formats.pmml.read.ir.expressions import lift_derived_fields, lift_expression, path_of, user_functions
from interchange.ir.combine.select_all import AllSegments
from interchange.ir.derive.expressions import Call, Derive, Expr, Ref, references
from interchange.ir.derive.transforms import Impute, Validate
from interchange.ir.graph import Graph, ModelStep, Step
from interchange.ir.lifted import Lifted, Reason, Unliftable
from interchange.ir.models.cluster import CenterAffinities, NearestCenter
from interchange.ir.models.scorecard import Scorecard
from interchange.ir.models.svm import SupportVectorMachine
from interchange.ir.models.targets import Targeted
from interchange.ir.reported import Reported
from interchange.ir.trees.ensemble import TreeEnsemble
from interchange.ir.trees.nodes import NodeFigures
from interchange.signature import OutputField, Signature

__all__ = ["lift_pmml"]

_KINDS_OF_PREDICTION = {"label", "value", "probability", "cluster", "decision"}
# Reported's bindings, expressions, replaced parts
_Report = tuple[tuple[tuple[str, str, Any], ...], tuple[tuple[str, Expr, str | None], ...], tuple[tuple[str, str], ...]]


def lift_pmml(data: bytes) -> Lifted:
    """The IR graph of a PMML document, or the reasons (element by element) it cannot be one."""
    parsed = parse(data)
    root, model = parsed.root, parsed.model
    reasons: list[Reason] = []
    fields = data_fields(root)
    ctx = DateCtx({name: df.get("dataType", "double") for name, df in fields.items()})
    reasons.extend([*unread_dates(fields), *dates_read_as_numbers(root, ctx.types)])
    token = _CURRENT.set(Compilation(root, model, ctx, fields))
    try:
        with user_functions():
            steps: list[Step] = _treatments(model, fields, reasons)
            steps += lift_derived_fields(child(root, "TransformationDictionary"), ctx, reasons)
            lc = LiftContext(ctx, reasons, steps, decisions=bool(parsed.signature.output("decision")))
            step = _model(model, lc)
            reported = _transformed_values(model, parsed.signature, ctx, reasons)
    finally:
        _CURRENT.reset(token)
    signature = _signature(parsed.signature, step)
    if step is not None:
        step = _in_order(step, signature.classes)
    if step is not None:
        _check_outputs(model, signature, step, reasons, _reported_names(signature, reported))
    lifted = [(f"field {s.outputs[0]}" if s.outputs else "MiningSchema", type(s).__name__) for s in steps]
    if step is not None:
        lifted.append((path_of(model), type(step).__name__))
    steps = _in_dependency_order(steps, set(signature.input_names), reasons)
    if step is not None and reported is not None:
        step = Reported(step, *reported)
        signature = _reported_signature(signature, reported)
        lifted.append((f"{path_of(model)}/Output", "Reported"))
    graph = Graph(signature, tuple(steps), step) if step is not None and not reasons else None
    return Lifted("pmml", signature, graph, tuple(dict.fromkeys(reasons)), tuple(lifted))


def _in_order(step: ModelStep, classes: tuple[Any, ...] | None) -> ModelStep:
    """A tree ensemble's classes in the document's category order (ties go to the first), inside
    the steps that wrap a model (node figures, targets)."""
    if isinstance(step, TreeEnsemble):
        return ordered_classes(step, classes)
    if isinstance(step, NodeFigures):
        return replace(step, model=ordered_classes(step.model, classes))
    if isinstance(step, Targeted):
        return replace(step, model=_in_order(step.model, classes))
    return step


def _in_dependency_order(steps: list[Step], inputs: set[str], reasons: list[Reason]) -> list[Step]:
    """Steps ordered so each reads only inputs and earlier steps' columns (PMML fields may be
    defined in any order, across the dictionary and the models' LocalTransformations)."""
    done, todo = set(inputs), list(steps)
    out: list[Step] = []
    while todo:
        ready = [s for s in todo if set(s.inputs) <= done | set(s.outputs)]
        if not ready:
            missing = sorted(set(todo[0].inputs) - done)
            reasons.append(Reason(f"field {todo[0].outputs[0] if todo[0].outputs else '?'}", f"reads {missing}, defined nowhere"))
            return out + todo
        for s in ready:
            out.append(s)
            done.update(s.outputs)
        todo = [s for s in todo if all(s is not r for r in ready)]
    return out


def _model(model: etree._Element, lc: LiftContext) -> ModelStep | None:
    try:
        return lift_model(model, lc, top=True)
    except Unliftable as exc:
        lc.reasons.append(exc.reason)
    except NotCovered as exc:
        lc.reasons.append(Reason(path_of(model), str(exc)))
    except DocumentError as exc:
        lc.reasons.append(Reason(path_of(model), exc.message))
    return None


def _treatments(model: etree._Element, fields: dict[str, etree._Element], reasons: list[Reason]) -> list[Step]:
    """PMML 4.4 §MiningSchema on the outermost model's inputs: a plain replacement becomes Impute,
    returnInvalid over declared categories Validate (the steps every writer takes); any other
    validity or treatment (Interval, invalid / missing Values, asMissing, asValue, outliers,
    missingValueTreatment returnInvalid) the IR's Treat step. What Treat cannot hold adds a reason."""
    steps: list[Step] = []
    validate: list[tuple[str, tuple[Any, ...]]] = []
    output = child(model, "Output")
    residual = output is not None and any(of.get("feature") == "residual" for of in children(output, "OutputField"))
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        name, usage = mf.get("name"), mf.get("usageType", "active")
        if usage != "active" and not (residual and usage in ("target", "predicted")):  # (a residual reads the target)
            continue
        df = fields.get(name)
        try:
            treat = field_treatment(mf, df)
        except Unliftable as exc:
            reasons.append(exc.reason)
            continue
        if treat is not None:
            steps.append(treat)
            continue
        invalid = mf.get("invalidValueTreatment", "returnInvalid")
        replacement = mf.get("missingValueReplacement")
        if replacement is not None:
            numeric = df is None or df.get("dataType", "double") in ("double", "float", "integer", "boolean")
            steps.append(Impute((name,), (name,), (float(replacement) if numeric else replacement,)))
        if df is None:
            continue
        values = tuple(v.get("value") for v in children(df, "Value") if v.get("property", "valid") == "valid")
        if values and invalid == "returnInvalid" and df.get("optype") != "continuous":
            numeric = df.get("dataType", "double") in ("double", "float", "integer")
            validate.append((name, tuple(float(v) for v in values) if numeric else values))
    if validate:
        steps.insert(0, Validate(tuple(n for n, _ in validate), tuple(v for _, v in validate)))
    return steps + _singles(model, fields)


def _singles(model: etree._Element, fields: dict[str, etree._Element]) -> list[Step]:
    """PMML 4.4 §DataDictionary: a value is converted to its field's dataType; a float field holds a
    float32 (JPMML-Evaluator, the fast path's treatments): each active float input rounded in place,
    after its treatments, before any other step reads it."""
    names = [
        mf.get("name")
        for mf in children(child(model, "MiningSchema"), "MiningField")
        if mf.get("usageType", "active") == "active"
    ]
    floats: list[Step] = [
        Derive((n,), Ref(n), "float") for n in dict.fromkeys(names) if n in fields and fields[n].get("dataType") == "float"
    ]
    return floats + date_inputs(names, {n: df.get("dataType", "double") for n, df in fields.items()})


def _signature(sig: Signature, step: ModelStep | None) -> Signature:
    """The document's signature; a clustering model's predicted value is its cluster id; selectAll's
    outputs are each one segment's part, figures of the step (kind score)."""
    if isinstance(step, AllSegments):
        parts = set(step.figures)
        return replace(sig, outputs=tuple(replace(f, kind="score", target=None) if f.name in parts else f for f in sig.outputs))
    if step is None or sig.task != "clustering":
        return sig
    outputs = tuple(replace(f, kind="cluster") if f.kind == "value" else f for f in sig.outputs)
    return replace(sig, outputs=outputs)


def _transformed_values(model: etree._Element, sig: Signature, ctx: Ctx, reasons: list[Reason]) -> _Report | None:
    """PMML 4.4 §Output transformedValue: each an expression over the fields, the predicted value,
    categories' probabilities and earlier transformedValues (ir.reported); what else they read
    adds a reason. None when the document reports none."""
    out = child(model, "Output")
    kinds = {f.name: f.kind for f in sig.outputs}
    wanted = {name for name, kind in kinds.items() if kind not in ("probability", "decision")}  # (grows below)
    bindings: list[tuple[str, str, Any]] = []
    expressions: list[tuple[str, Expr, str | None]] = []
    unbound: set[str] = set()
    for of in children(out, "OutputField") if out is not None else []:
        name, feature = of.get("name"), of.get("feature", "predictedValue")
        if feature == "predictedValue":
            bindings.append((name, "value" if _regression(model) else "label", None))
            continue
        if feature == "probability" and of.get("value") is not None:
            bindings.append((name, "probability", of.get("value")))
            continue
        if feature == "probability" and sig.classes and kinds.get(name) == "probability":
            # PMML 4.4 §OutputField: without a value, the probability of the predicted category (the largest)
            parts = tuple((f"{name} [{c}]", "probability", c) for c in sig.classes)
            bindings.extend(parts)
            expressions.append((name, Call("max", tuple(Ref(p) for p, _, _ in parts)), "double"))
            wanted.add(name)
            continue
        body, dt = _expressions(of), of.get("dataType")
        if feature != "transformedValue" and not (feature == "decision" and body):  # PMML 4.4: a decision is its expression
            unbound.add(name)
            continue
        try:
            if len(body) != 1:
                raise Unliftable(path_of(of), f"a {feature} OutputField with {len(body)} expressions")
            if dt == "string" and not gives_text(body[0], ctx):
                raise Unliftable(path_of(of), "a number converted to text (pypmml prints it rounded)")
            if dt not in (None, "double", "float", "integer", "boolean", "string"):
                raise Unliftable(path_of(of), f"OutputField dataType={dt}")
            expr = lift_expression(body[0], ctx)
            others = sorted(references(expr) & unbound)
            if others:
                raise Unliftable(path_of(of), f"a {feature} over the OutputFields {others}, which the IR does not hold")
        except Unliftable as exc:
            if name in wanted:
                reasons.append(exc.reason)
            unbound.add(name)
            continue
        expressions.append((name, expr, dt))
    if not any(n in wanted for n, _, _ in expressions):
        return None
    replaces = tuple((n, kinds[n]) for n, _, _ in expressions if kinds.get(n) in ("value", "label", "cluster"))
    return tuple(bindings), tuple(expressions), replaces


def _reported_names(sig: Signature, reported: _Report | None) -> set[str]:
    """The signature outputs a Reported step gives (as extra figures or a replaced value / label)."""
    names = {n for n, _, _ in reported[1]} if reported else set()
    return {f.name for f in sig.outputs if f.name in names and (f.kind not in ("probability", "decision") or _best(f))}


def _best(f: OutputField) -> bool:
    """The probability of the predicted category (an OutputField probability without a value)."""
    return f.kind == "probability" and f.target is None


def _reported_signature(sig: Signature, reported: _Report | None) -> Signature:
    """The probability of the predicted category is a figure the Reported step gives (kind score)."""
    names = {n for n, _, _ in reported[1]} if reported else set()
    outputs = tuple(replace(f, kind="score") if f.name in names and _best(f) else f for f in sig.outputs)
    return replace(sig, outputs=outputs)


def _expressions(of: etree._Element) -> list[etree._Element]:
    """An OutputField's expression (PMML 4.4: Extension*, Decisions?, EXPRESSION?, Value*)."""
    return [e for e in elements(of) if local(e) not in ("Extension", "Decisions", "Value")]


def _regression(model: etree._Element) -> bool:
    return model.get("functionName") == "regression"


def _check_outputs(model: etree._Element, sig: Signature, step: ModelStep, reasons: list[Reason], reported: set[str]) -> None:
    """Each signature output must be a part of the IR prediction (value, label, probability...)."""
    declared = {of.get("name"): of for of in model.iter("{*}OutputField")}
    figures = set(getattr(step, "figures", ()))  # what a step reporting figures beside its prediction names (ir.tree_nodes...)
    for f in sig.outputs:
        if f.name in reported or f.name in figures:
            continue
        if isinstance(step, AllSegments):  # (the target's predicted value, say: selectAll combines nothing)
            reasons.append(Reason(f"OutputField[@name={f.name!r}]", "an output of a selectAll model that is no segment's part"))
            continue
        if f.kind == "probability" and f.target is None:
            reasons.append(
                Reason(f"OutputField[@name={f.name!r}]", "probability of the predicted category (no value) has no IR form yet")
            )
            continue
        if f.kind == "probability" and isinstance(step, SupportVectorMachine):
            reasons.append(
                Reason(f"OutputField[@name={f.name!r}]", "SVM probabilities (PMML engines give vote shares) are not in the IR")
            )
            continue
        if f.kind == "cluster" and not isinstance(step, (NearestCenter, CenterAffinities)):
            reasons.append(
                Reason(f"OutputField[@name={f.name!r}]", f"{f.name!r} (an entity id) is not part of the IR's prediction")
            )
            continue
        if f.kind == "score" and isinstance(step, Scorecard) and f.name in dict(step.reasons):
            continue
        if f.kind in _KINDS_OF_PREDICTION:
            if f.kind == "decision" and getattr(step, "link", None) is not None and step.link.value != "identity":  # type: ignore[attr-defined]
                reasons.append(Reason(f"OutputField[@name={f.name!r}]", "decision output of a model that gives probabilities"))
            continue
        of = declared.get(f.name)
        where = path_of(of) if of is not None else f"OutputField[@name={f.name!r}]"
        feature = of.get("feature") if of is not None else f.kind
        reasons.append(Reason(where, f"OutputField feature={feature} is not part of the IR's prediction"))
    return None
