"""PMML 4.4 §DataField validity (Value, Interval) and §MiningField treatment lifted into the IR's Treat step.

Only what the plainer steps cannot say goes through Treat: a replacement of missing values alone
stays an Impute, returnInvalid over a categorical field's valid Values a Validate (every writer
takes those). What Treat cannot hold raises Unliftable naming the element.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from interchange.formats.pmml.parse import children
from interchange.formats.pmml.read.ir.expressions import path_of
from interchange.ir.lifted import Unliftable
from interchange.ir.validity import INVALID_TREATMENTS, OUTLIER_TREATMENTS, Interval, Treat

__all__ = ["field_treatment"]

_NUMERIC = ("double", "float", "integer")
_MISSING_TREATMENTS = ("asIs", "asMean", "asMode", "asMedian", "asValue", "returnInvalid")  # (only returnInvalid acts)
_ATTRS = ("invalidValueReplacement", "outliers", "lowValue", "highValue")


def field_treatment(mf: etree._Element, df: etree._Element | None) -> Treat | None:
    """The Treat step for one active MiningField, or None when Impute / Validate say it all."""
    name = mf.get("name")
    invalid = mf.get("invalidValueTreatment", "returnInvalid")
    missing_treatment = mf.get("missingValueTreatment", "asIs")
    outliers = mf.get("outliers", "asIs")
    if invalid not in INVALID_TREATMENTS:
        raise Unliftable(path_of(mf), f"MiningField invalidValueTreatment={invalid} is no PMML 4.4 treatment")
    if missing_treatment not in _MISSING_TREATMENTS:
        raise Unliftable(path_of(mf), f"MiningField missingValueTreatment={missing_treatment} is no PMML 4.4 treatment")
    if outliers not in OUTLIER_TREATMENTS:
        raise Unliftable(path_of(mf), f"MiningField outliers={outliers} is no PMML 4.4 treatment")
    values = children(df, "Value") if df is not None else []
    intervals = children(df, "Interval") if df is not None else []
    props = {v.get("property", "valid") for v in values}
    plain = (
        invalid in ("returnInvalid", "asIs")
        and missing_treatment != "returnInvalid"
        and outliers == "asIs"
        and not intervals
        and props <= {"valid"}
        and all(mf.get(a) is None for a in _ATTRS if a != "outliers")
    )
    if plain:
        return None
    if df is None:
        raise Unliftable(path_of(mf), "a treatment of a MiningField that is no DataField")
    optype, dtype = df.get("optype", "continuous"), df.get("dataType", "double")
    if mf.get("optype") is not None and mf.get("optype") != optype:
        raise Unliftable(path_of(mf), f"MiningField optype={mf.get('optype')} overriding the DataField's {optype}")
    if dtype not in (*_NUMERIC, "string"):
        raise Unliftable(path_of(df), f"validity of a DataField of dataType={dtype}")
    if intervals and optype != "continuous":
        raise Unliftable(path_of(df), f"Interval on a {optype} DataField (PMML 4.4 allows it on continuous ones only)")
    by = {
        p: tuple(_typed(v.get("value"), dtype) for v in values if v.get("property", "valid") == p)
        for p in ("valid", "invalid", "missing")
    }
    if optype == "continuous" and by["valid"] and not intervals:
        raise Unliftable(
            path_of(df), "a continuous DataField with valid Values and no Interval (PMML 4.4 leaves its other values open)"
        )
    if invalid == "asValue" and mf.get("invalidValueReplacement") is None:
        raise Unliftable(path_of(mf), "invalidValueTreatment=asValue without invalidValueReplacement")
    if outliers != "asIs" and dtype not in _NUMERIC:
        raise Unliftable(path_of(mf), f"outliers={outliers} on a text field")
    return Treat(
        (name,),
        (name,),
        optype=optype,
        valid=by["valid"],
        invalid_values=by["invalid"],
        missing_values=by["missing"],
        intervals=tuple(_interval(iv) for iv in intervals),
        invalid=invalid,
        invalid_replacement=_typed(mf.get("invalidValueReplacement"), dtype),
        missing_invalid=missing_treatment == "returnInvalid",
        replacement=_typed(mf.get("missingValueReplacement"), dtype),
        outliers=outliers,
        low=_number(mf, "lowValue"),
        high=_number(mf, "highValue"),
    )


def _interval(iv: etree._Element) -> Interval:
    closure = iv.get("closure")
    try:
        return Interval(_number(iv, "leftMargin"), _number(iv, "rightMargin"), closure)
    except ValueError:
        raise Unliftable(path_of(iv), f"Interval closure={closure}") from None


def _typed(raw: str | None, dtype: str) -> Any:
    if raw is None:
        return None
    return float(raw) if dtype in _NUMERIC else raw


def _number(el: etree._Element, attr: str) -> float | None:
    raw = el.get(attr)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Unliftable(path_of(el), f"{attr}={raw!r} is not a number") from None
