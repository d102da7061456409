"""PMML 4.4 §Regression (RegressionModel) lifted into the IR.

One table: Regression, or GeneralizedLinear under a normalizationMethod link. Classification:
softmax over the tables and binary logit as Regression links, simplemax / none and the binary
probit, cloglog, loglog, cauchit as NormalizedClassifier. Our writer's decision classifier
(decision values as linear DerivedFields under a softmax / logit) reads back as decision values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from lxml import etree

from interchange.formats.pmml.fast import engine as fast
from interchange.formats.pmml.parse import child, children, local
from interchange.formats.pmml.read.compile import elements
from interchange.formats.pmml.read.ir.expressions import path_of
from interchange.ir.derive.expressions import Call, Const, Derive, Expr, Indicator, Ref
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable
from interchange.ir.models.general import NORMALIZATIONS, GeneralizedLinear, NormalizedClassifier
from interchange.ir.models.linear import Link, Regression

if TYPE_CHECKING:
    from interchange.formats.pmml.lift.models.elements import LiftContext

__all__ = ["lift_regression"]


def _tables(model: etree._Element, lc: LiftContext) -> tuple[list[str], np.ndarray, np.ndarray, list[str | None]]:
    """Columns, coefficients (tables x columns), intercepts and target categories of the tables."""
    columns: list[str] = []
    rows: list[dict[str, float]] = []
    intercepts, categories = [], []
    for t in children(model, "RegressionTable"):
        coefs: dict[str, float] = {}
        for p in elements(t):
            tag, name, c = local(p), p.get("name"), float(p.get("coefficient", "nan"))
            if tag == "NumericPredictor":
                if float(p.get("exponent", "1")) != 1.0:
                    col = lc.derive(f"{name}^{p.get('exponent')}", Call("pow", (Ref(name), Const(float(p.get("exponent"))))))
                else:
                    col = name
            elif tag == "CategoricalPredictor":  # PMML 4.4: a missing value matches no category (0)
                value = p.get("value")
                numeric = lc.ctx.numeric(name)
                col = lc.derive(f"{name}=={value}", Indicator(Ref(name), float(value) if numeric else value, 0.0))
            elif tag == "PredictorTerm":
                refs = elements(p)
                if not refs or any(local(r) != "FieldRef" or r.get("mapMissingTo") is not None for r in refs):
                    raise Unliftable(path_of(p), "PredictorTerm with other than plain FieldRefs")
                expr: Expr = Ref(refs[0].get("field"))
                for r in refs[1:]:
                    expr = Call("*", (expr, Ref(r.get("field"))))
                col = lc.derive("*".join(r.get("field") for r in refs), expr)
            else:
                raise Unliftable(path_of(p), f"<{tag}> in RegressionTable")
            coefs[col] = coefs.get(col, 0.0) + c
            if col not in columns:
                columns.append(col)
        rows.append(coefs)
        intercepts.append(float(t.get("intercept", "0")))
        categories.append(t.get("targetCategory"))
    coef = np.array([[r.get(c, 0.0) for c in columns] for r in rows]).reshape(len(rows), len(columns))
    return columns, coef, np.array(intercepts), categories


def lift_regression(model: etree._Element, lc: LiftContext) -> ModelStep:
    """PMML 4.4 §Regression: one table (regression), softmax tables, or binary logit (the first
    table's logistic is its category's probability; the last table takes 1 minus it)."""
    columns, coef, intercept, cats = _tables(model, lc)
    fn, norm = model.get("functionName"), model.get("normalizationMethod", "none")
    path = path_of(model)
    if not len(intercept):
        raise Unliftable(path, "RegressionModel without RegressionTable")
    if fn == "regression":
        link = _REGRESSION_LINKS.get(norm)
        if len(intercept) != 1 or link is None:
            why = " (pypmml 1.5.8 gives no value for loglog)" if norm == "loglog" else ""
            raise Unliftable(path, f"regression with {len(intercept)} tables and normalizationMethod={norm}{why}")
        if link == "identity":
            return Regression(tuple(columns), coef, intercept)
        return GeneralizedLinear(tuple(columns), coef[0], float(intercept[0]), link)
    if fn != "classification" or any(c is None for c in cats) or len(set(cats)) != len(cats):
        raise Unliftable(path, f"RegressionModel functionName={fn} (or tables without distinct targetCategory)")
    if norm == "softmax" and len(cats) >= 2:
        step: ModelStep = Regression(tuple(columns), coef, intercept, Link.SOFTMAX, tuple(cats))
    elif norm == "logit" and len(cats) == 2:
        # a tie (p = 0.5) goes to the first table's category, as pypmml gives it
        step = Regression(tuple(columns), coef[:1], intercept[:1], Link.LOGISTIC, (cats[1], cats[0]), ties="last")
    elif norm in NORMALIZATIONS and (norm in ("none", "simplemax") or len(cats) == 2) and not _ordinal_target(model, norm):
        step = NormalizedClassifier(tuple(columns), coef, intercept, norm, tuple(cats))
    else:
        raise Unliftable(path, f"classification with {len(cats)} tables and normalizationMethod={norm} has no IR link yet")
    return _as_decisions(step, lc) if lc.decisions and isinstance(step, Regression) else step


# PMML 4.4 §Regression normalizationMethod of a regression -> the inverse link of the value
_REGRESSION_LINKS = {
    "none": "identity",
    "softmax": "logit",
    "logit": "logit",
    "exp": "log",
    "probit": "probit",
    "cloglog": "cloglog",
    "cauchit": "cauchit",
}


def _ordinal_target(model: etree._Element, norm: str) -> bool:
    """An ordinal target under a link (a cumulative model pypmml reads otherwise): refused."""
    if norm in ("none", "simplemax", "softmax"):
        return False
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType") in ("target", "predicted"):
            df = fast.current().fields.get(mf.get("name"))
            return (mf.get("optype") or (df.get("optype") if df is not None else None)) == "ordinal"
    return False


def _linear(expr: Expr) -> tuple[float, dict[str, float]] | None:
    """``intercept + sum c_i * x_i`` as (intercept, {x_i: c_i}), when ``expr`` is that form."""
    if isinstance(expr, Const) and isinstance(expr.value, float):
        return expr.value, {}
    if isinstance(expr, Call) and expr.function == "+" and expr.fill is None and expr.default is None:
        left = _linear(expr.args[0])
        term = expr.args[1]
        if left is None or not (isinstance(term, Call) and term.function == "*" and len(term.args) == 2):
            return None
        ref, c = term.args
        if not (isinstance(ref, Ref) and isinstance(c, Const) and isinstance(c.value, float)):
            return None
        return left[0], {**left[1], ref.name: left[1].get(ref.name, 0.0) + c.value}
    return None


def _as_decisions(step: Regression, lc: LiftContext) -> Regression:
    """Our writer's decision classifier (decision values as linear DerivedFields under a
    softmax / logit, see emit_models._decision_classifier) back as decision values."""
    defs = {s.outputs[0]: s for s in lc.steps if isinstance(s, Derive)}
    eye = np.eye(len(step.inputs))
    if not all(n in defs for n in step.inputs) or not np.array_equal(step.coef, eye[: len(step.coef)]) or step.intercept.any():
        return step
    forms = [_linear(defs[n].expression) for n in step.inputs]
    if any(f is None for f in forms):
        return step
    names = list(dict.fromkeys(k for f in forms for k in f[1]))  # type: ignore[index]
    coef = np.array([[f[1].get(n, 0.0) for n in names] for f in forms])  # type: ignore[index]
    intercept = np.array([f[0] for f in forms])  # type: ignore[index]
    lc.steps[:] = [s for s in lc.steps if not (isinstance(s, Derive) and s.outputs[0] in step.inputs)]
    return Regression(tuple(names), coef, intercept, Link.IDENTITY, step.classes)
