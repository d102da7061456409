"""GeneralizedLinear, CumulativeLink and NormalizedClassifier as PFA expressions.

The linear predictor is ``model.reg.linear`` over a cell (as for Regression); the inverse
links are written as PMML 4.4 defines them, with PFA's m.link.* where they agree (logit,
probit, cloglog, cauchit) and arithmetic where they do not (PFA's m.link.loglog is
exp(-exp(y)), PMML's exp(-exp(-y))). Cumulative probabilities become class probabilities as
differences of neighbours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from interchange.errors import UnsupportedModelError
from interchange.ir.kernels.trees import FLOAT_MATH
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear, NormalizedClassifier
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["GENERAL_WRITERS", "inverse_link"]

ARRAY = {"type": "array", "items": "double"}
_LINKS = {"logit": "m.link.logit", "probit": "m.link.probit", "cloglog": "m.link.cloglog", "cauchit": "m.link.cauchit"}


def inverse_link(name: str, y: Any, parameter: float = 0.0) -> Any:
    """mu = g^-1(y) for PMML 4.4 linkFunction ``name`` (interchange.ir.models.general.inverse_link)."""
    if name == "identity":
        return y
    if name in ("log", "exp"):
        return {"m.exp": y}
    if name == "logc":
        return {"-": [1.0, {"m.exp": y}]}
    if name in _LINKS:
        return {_LINKS[name]: y}
    if name == "loglog":
        return {"m.exp": {"u-": {"m.exp": {"u-": y}}}}
    if name == "negbin":
        return {"/": [1.0, {"*": [parameter, {"-": [{"m.exp": {"u-": y}}, 1.0]}]}]}
    if name == "power":
        return {"**": [y, 1.0 / parameter]} if parameter != 0 else {"m.exp": y}
    if name == "oddspower":
        if parameter == 0:
            return {"m.link.logit": y}
        return {"/": [1.0, {"+": [1.0, {"**": [{"+": [1.0, {"*": [parameter, y]}]}, -1.0 / parameter]}]}]}
    raise UnsupportedModelError(f"the PFA writer has no inverse link {name!r}", estimator="GeneralizedLinear", format="pfa")


def _linear(w: _Writer, cell: str, columns: tuple[str, ...], coef: np.ndarray, intercept: np.ndarray, nan: bool) -> Any:
    """``model.reg.linear`` over ``columns``; ``nan``: a missing one is NaN (the IR's missing score), else it
    fails the record (emit/document.py's _regression makes the same choice)."""
    from interchange.formats.pfa.emit.document import _numbers, _vector

    w.cells[cell] = {
        "type": {
            "type": "record",
            "name": f"Linear_{cell}",
            "fields": [{"name": "coeff", "type": {"type": "array", "items": ARRAY}}, {"name": "const", "type": ARRAY}],
        },
        "init": {"coeff": np.asarray(coef, dtype=float).tolist(), "const": np.asarray(intercept, dtype=float).tolist()},
    }
    return {"model.reg.linear": [(_numbers if nan else _vector)(w, columns), {"cell": cell}]}


def _source(w: _Writer, source: str | float, nan: bool = False) -> Any:
    from interchange.formats.pfa.emit.functions import number_ref

    if not isinstance(source, str):
        return float(source)
    return number_ref(w, source) if nan else w.value(source)


def _generalized(w: _Writer, step: GeneralizedLinear, sig: Signature) -> dict[str, Any]:
    if step.precision == "float":
        raise UnsupportedModelError(f"the PFA writer has no form yet for a GeneralizedLinear link in {FLOAT_MATH}", format="pfa")
    # a regression: a missing input makes the value missing (NaN), as in the IR (ir/models/general.py)
    scores = _linear(w, "glm", step.columns, np.asarray(step.coef)[None, :], np.array([step.intercept]), True)
    w.bind("glm_scores", scores, "array")
    eta: Any = {"attr": "glm_scores", "path": [0]}
    if step.offset is not None:
        eta = {"+": [eta, _source(w, step.offset, True)]}
    w.bind("glm_eta", eta)
    mu = inverse_link(step.link, "glm_eta", step.parameter)
    if isinstance(step.trials, str):  # a trials count is truncated towards zero
        w.bind("glm_trials", _source(w, step.trials, True))
        mu = {"*": [mu, {"if": {">=": ["glm_trials", 0.0]}, "then": {"m.floor": "glm_trials"}, "else": {"m.ceil": "glm_trials"}}]}
    elif step.trials is not None:
        mu = {"*": [mu, float(np.trunc(step.trials))]}
    w.bind("glm_mu", mu)
    return {"value": "glm_mu"}


def _cumulative(w: _Writer, step: CumulativeLink, sig: Signature) -> dict[str, Any]:
    w.bind("cum_scores", _linear(w, "cumulative", step.columns, step.coef, step.intercept, w.missing_as_nan), "array")
    offset = _source(w, step.offset, w.missing_as_nan) if step.offset is not None else None
    cumulative = []
    for j in range(len(step.intercept)):
        y: Any = {"attr": "cum_scores", "path": [j]}
        name = f"cum_{j}"
        w.bind(name, inverse_link(step.link, {"+": [y, offset]} if offset is not None else y))
        cumulative.append(name)
    bounds: list[Any] = [0.0, *cumulative, 1.0]
    probs = [{"-": [bounds[j + 1], bounds[j]]} for j in range(len(bounds) - 1)]
    w.bind("probs", {"new": in_order(probs, step.classes, sig), "type": ARRAY}, "array")
    return {}


def in_order(probs: list[Any], classes: tuple[Any, ...], sig: Signature) -> list[Any]:
    """The model's class probabilities in the signature's class order (the output mapping's)."""
    mine = [str(c) for c in classes]
    return [probs[mine.index(str(c))] for c in sig.classes or classes]


def _normalized(w: _Writer, step: NormalizedClassifier, sig: Signature) -> dict[str, Any]:
    k = len(step.classes)
    w.bind("norm_scores", _linear(w, "normalized", step.columns, step.coef, step.intercept, w.missing_as_nan), "array")
    y = [{"attr": "norm_scores", "path": [j]} for j in range(k)]
    probs: list[Any]
    if step.normalization == "simplemax":
        total: Any = y[0]
        for t in y[1:]:
            total = {"+": [total, t]}
        w.bind("norm_total", total)
        probs = [{"/": [t, "norm_total"]} for t in y]
    else:
        head = []
        for j in range(k - 1):
            score = y[j] if step.normalization == "none" else inverse_link(step.normalization, y[j])
            if step.normalization == "none" and k == 2:  # clamped, as the IR (and the PMML engines)
                score = {"max": [0.0, {"min": [1.0, score]}]}
            w.bind(f"norm_{j}", score)
            head.append(f"norm_{j}")
        rest: Any = head[0]
        for h in head[1:]:
            rest = {"+": [rest, h]}
        probs = [*head, {"-": [1.0, rest]}]
    w.bind("probs", {"new": in_order(list(probs), step.classes, sig), "type": ARRAY}, "array")
    return {}


GENERAL_WRITERS: dict[type, Any] = {
    GeneralizedLinear: _generalized,
    CumulativeLink: _cumulative,
    NormalizedClassifier: _normalized,
}
