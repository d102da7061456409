"""Targeted in PFA: the wrapped model's parts, post-processed as ir.targets does (PMML 4.4 §Targets).

A regression's value is clamped to [min, max] (NaN stays NaN, as numpy's ``where``: tested first,
since PFA orders NaN above every number), rescaled, cast (round half up is ``m.floor(v + 0.5)``), and the defaultValue
stands where the model's value is NaN. A classification with priors reads a missing input as NaN
(the model gives no prediction rather than failing the record); where it gives no label or every
probability is NaN, the label is the category of largest prior and the probabilities the priors
(NaN for a category without one). A display value is a ``map`` lookup of the predicted label.

Residual (PMML 4.4 §Output residual) reads the target's actual value from the input the step
names: a regression's actual minus predicted value; a classification's 1 where the actual category
is the predicted one (the most probable), else 0, minus that category's probability; NaN where the
actual value is missing.
"""

from __future__ import annotations

from typing import Any

from interchange.errors import UnsupportedModelError
from interchange.formats.pfa.emit.document import ARRAY, _model, _Writer
from interchange.formats.pfa.emit.functions import NAN, isnan
from interchange.ir.models.targets import Residual, Targeted
from interchange.signature import Signature

__all__ = ["TARGET_WRITERS"]

_CAST = {"round": lambda v: {"m.floor": {"+": [v, 0.5]}}, "ceiling": lambda v: {"m.ceil": v}, "floor": lambda v: {"m.floor": v}}


def _rescaled(w: _Writer, step: Targeted, value: Any) -> Any:
    w.bind("target_raw", value)
    v: Any = "target_raw"
    if step.low is not None:
        v = {"if": {"<": [v, float(step.low)]}, "then": float(step.low), "else": v}
    if step.high is not None:
        v = {"if": {">": [v, float(step.high)]}, "then": float(step.high), "else": v}
    if step.low is not None or step.high is not None:  # (PFA orders NaN above every number: a missing value stays NaN)
        v = {"if": isnan("target_raw"), "then": NAN, "else": v}
    if step.factor != 1.0 or step.constant != 0.0:
        v = {"+": [{"*": [v, float(step.factor)]}, float(step.constant)]}
    if step.cast is not None:
        v = _CAST[step.cast](v)
    if step.default is not None:
        v = {"if": isnan("target_raw"), "then": float(step.default), "else": v}
    return v


def _label(parts: dict[str, Any]) -> Any:
    return parts.get("label") or {"attr": {"cell": "classes"}, "path": [{"a.argmax": "probs"}]}


def _with_priors(w: _Writer, step: Targeted, sig: Signature, parts: dict[str, Any]) -> dict[str, Any]:
    priors = dict(step.priors)
    best = max(priors, key=lambda c: priors[c])
    nullable = bool(parts.get("nullable:label"))
    w.bind("target_pred", _label(parts), "string", nullable)
    nan = {"params": [{"p": "double"}], "ret": "boolean", "do": isnan("p")}
    none: Any = {"a.all": ["probs", nan]}
    label: Any = "target_pred"
    if nullable:
        none = {"||": [none, {"ifnotnull": {"target_got": "target_pred"}, "then": False, "else": True}]}
        label = {"ifnotnull": {"target_got": "target_pred"}, "then": "target_got", "else": {"string": best}}
    w.bind("target_none", none, "boolean")
    w.bind("target_label", {"if": "target_none", "then": {"string": best}, "else": label}, "string")
    prior = [float(priors[c]) if c in priors else NAN for c in map(str, sig.classes or ())]
    w.action.append({"set": {"probs": {"if": "target_none", "then": {"new": prior, "type": ARRAY}, "else": "probs"}}})
    return {**{k: v for k, v in parts.items() if k != "nullable:label"}, "label": "target_label"}


def _text_labels(sig: Signature, what: str) -> None:
    if any(f.type != "string" for f in sig.output("label")):
        raise UnsupportedModelError(f"Targets {what} of a classification whose labels are not text", format="pfa")


def _in_order(w: _Writer, step: Targeted, sig: Signature, parts: dict[str, Any]) -> None:
    """The model's probabilities ("probs") in the signature's class order (a lifted model keeps the
    document's table order; the output record reads "probs" in the signature's)."""
    own = [str(c) for c in getattr(step.model, "classes", None) or ()]
    wanted = [str(c) for c in sig.classes or ()]
    if not own or own == wanted:
        return
    if "label" in parts or sorted(own) != sorted(wanted):
        raise UnsupportedModelError(
            f"Targets around a {type(step.model).__name__} whose categories are in another order than the target's",
            format="pfa",
        )
    w.action.append({"set": {"probs": {"new": [{"attr": "probs", "path": [own.index(c)]} for c in wanted], "type": ARRAY}}})


def _targeted(w: _Writer, step: Targeted, sig: Signature) -> dict[str, Any]:
    if step.priors or step.shown:
        _text_labels(sig, "priors or display values")
    outer = w.missing_as_nan
    w.missing_as_nan = outer or bool(step.priors)  # a missing input gives no prediction, which the priors stand in for
    parts = _model(w, step.model, sig)
    w.missing_as_nan = outer
    if sig.task == "classification":
        _in_order(w, step, sig, parts)
    if step.priors:
        parts = _with_priors(w, step, sig, parts)
    if sig.task != "classification" and "value" in parts:
        parts = {**parts, "value": _rescaled(w, step, parts["value"])}
    if step.shown:
        names = {str(c): str(c) for c in sig.classes or ()} | {str(c): v for c, v in step.display}
        w.cells["display"] = {"type": {"type": "map", "values": "string"}, "init": names}
        shown: Any = {"attr": {"cell": "display"}, "path": [_label(parts)]}
        if parts.get("nullable:label"):
            shown = {"ifnotnull": {"shown_label": _label(parts)}, "then": {**shown, "path": ["shown_label"]}, "else": None}
        parts.update({f"extra:{name}": shown for name in step.shown})
    return parts


def _residual(w: _Writer, step: Residual, sig: Signature) -> dict[str, Any]:
    from interchange.formats.pfa.emit.functions import number_ref

    parts = _model(w, step.model, sig)
    if sig.task != "classification":
        if "value" not in parts:
            raise UnsupportedModelError(f"a residual of a {type(step.model).__name__} that gives no value", format="pfa")
        w.bind("residual", {"-": [number_ref(w, step.target), parts["value"]]})
    else:
        if "label" in parts:  # (a label that is not simply the most probable category: a tree's no-prediction)
            raise UnsupportedModelError(f"a residual of a {type(step.model).__name__} with its own label", format="pfa")
        if any(f.type != "string" for f in sig.output("label")):
            raise UnsupportedModelError("a residual of a classification whose labels are not text", format="pfa")
        w.bind("residual_at", {"a.argmax": "probs"}, "int")
        label = {"attr": {"cell": "classes"}, "path": ["residual_at"]}
        hit = {"if": {"==": ["residual_actual", label]}, "then": 1.0, "else": 0.0}
        actual = w.cols[step.target][0]
        got = {"-": [hit, {"attr": "probs", "path": ["residual_at"]}]}
        w.bind("residual", {"ifnotnull": {"residual_actual": actual}, "then": got, "else": NAN})
    parts.update({f"extra:{name}": "residual" for name in step.names})
    return parts


TARGET_WRITERS: dict[type, Any] = {Targeted: _targeted, Residual: _residual}
