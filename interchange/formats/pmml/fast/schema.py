"""PMML 4.4 §DataDictionary validity and §MiningSchema value treatment on the fast path.

A DataField's Value (property valid / invalid / missing) and Interval elements decide which
input values are valid, invalid or missing; the model's MiningField then says what to do:
missingValueReplacement, invalidValueTreatment (returnInvalid: the whole record's outputs
are missing; asIs; asMissing; asValue with invalidValueReplacement) and outliers with
lowValue / highValue. Applied once, to the outermost model's inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from lxml import etree

from interchange.formats.pmml.parse import Defer, NotCovered, child, children, local
from interchange.formats.pmml.read.compile import interval_mask
from interchange.formats.pmml.read.scope import keys, missing, num

__all__ = ["Treatment", "treatments", "check_nested", "data_fields"]

_TREATMENT_ATTRS = (
    "missingValueReplacement",
    "missingValueTreatment",
    "invalidValueTreatment",
    "invalidValueReplacement",
    "outliers",
    "lowValue",
    "highValue",
    "optype",
)

Classify = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]  # column -> (invalid, missing)


def data_fields(root: etree._Element) -> dict[str, etree._Element]:
    dd = child(root, "DataDictionary")
    return {f.get("name"): f for f in children(dd, "DataField")} if dd is not None else {}


def _classifier(df: etree._Element) -> Classify | None:
    """PMML 4.4 §Value, §Interval: which values of a DataField are invalid or mean missing
    (None: the DataField declares none, so every present value is valid)."""
    optype, dtype = df.get("optype"), df.get("dataType", "double")
    numeric = dtype in ("double", "float", "integer")
    values = children(df, "Value")
    intervals = children(df, "Interval")
    by = {p: [v.get("value") for v in values if v.get("property", "valid") == p] for p in ("valid", "invalid", "missing")}
    if intervals and optype != "continuous":
        raise NotCovered(f"Interval on {optype} DataField {df.get('name')}")
    if optype == "continuous" and by["valid"] and not intervals:
        raise NotCovered(f"continuous DataField {df.get('name')} with valid Values and no Interval")
    if dtype == "boolean" and not values and not intervals:
        return None  # a 1.0 / 0.0 column (interchange.batch), every present value valid
    if dtype not in ("double", "float", "integer", "string"):
        raise NotCovered(f"DataField {df.get('name')} dataType={dtype}")

    def as_keys(vs: list[str]) -> np.ndarray:
        if numeric:
            return keys(np.array([float(v) for v in vs], dtype=np.float64))
        return np.array(vs, dtype=object)

    valid, invalid, gone = as_keys(by["valid"]), as_keys(by["invalid"]), as_keys(by["missing"])

    if not intervals and not any(len(v) for v in (valid, invalid, gone)):
        return None  # no Value / Interval: every present value is valid (the common case, kept cheap)

    def classify(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = keys(col)
        is_missing = missing(col) | np.isin(k, gone)
        bad = np.isin(k, invalid)
        if intervals:
            x = num(col)
            inside = np.zeros(len(col), dtype=bool)
            for iv in intervals:
                inside |= interval_mask(iv, x)
            bad |= ~inside & ~np.isin(k, valid)
        elif len(valid) and optype != "continuous":
            bad |= ~np.isin(k, valid)
        return bad & ~is_missing, is_missing

    return classify


@dataclass(frozen=True)
class Treatment:
    """One MiningField's treatment of one input column."""

    name: str
    classify: Classify | None  # None: no Value / Interval declared
    invalid: str
    invalid_value: str | None
    replacement: str | None
    missing_invalid: bool
    outliers: str
    low: float | None
    high: float | None
    single: bool = False  # a float DataField: values are float32 (PMML 4.4 §DataType; JPMML-Evaluator)
    compared: bool = False  # a predicate of the document reads the field

    @cached_property
    def plain(self) -> bool:
        """Nothing to treat in a column without invalid values: no outliers, replacement, float32 or
        returnInvalid for missing values (a batch of them then skips every mask below)."""
        return self.outliers == "asIs" and self.replacement is None and not self.missing_invalid and not self.single

    def apply(self, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The treated column and the mask of rows made invalid (returnInvalid)."""
        if self.classify is None:
            if self.plain and col.dtype.kind == "f":  # the common case: a double column is kept, NaN is missing
                return col.astype(np.float64, copy=True), np.zeros(len(col), dtype=bool)
            bad, gone = np.zeros(len(col), dtype=bool), missing(col)
        else:
            bad, gone = self.classify(col)
        if self.invalid == "asIs" and self.compared and bad.any():
            # pypmml 1.5.8 compares an invalid value kept asIs its own way (measured on
            # JPMML-SkLearn's XGBoost documents: not as the text it is); PMML 4.4 does not say
            raise Defer(f"an invalid value of {self.name} kept asIs reaches a predicate")
        numeric = col.dtype.kind == "f"
        out = col.astype(np.float64 if numeric else object, copy=True)
        if numeric and self.single:
            out = out.astype(np.float32).astype(np.float64)
        rejected = np.zeros(len(col), dtype=bool)
        if self.invalid == "returnInvalid":
            rejected |= bad
        elif self.invalid == "asMissing":
            gone = gone | bad
        elif self.invalid == "asValue":
            out[bad] = float(self.invalid_value) if numeric else self.invalid_value  # type: ignore[arg-type]  # text columns are object arrays
        if numeric and self.outliers != "asIs":
            x = out
            low = (x < self.low) & ~gone & ~bad if self.low is not None else np.zeros(len(x), dtype=bool)
            high = (x > self.high) & ~gone & ~bad if self.high is not None else np.zeros(len(x), dtype=bool)
            if self.outliers == "asMissingValues":
                gone = gone | low | high
            else:
                out[low], out[high] = self.low, self.high
        if self.missing_invalid:
            rejected |= gone
        out[gone] = np.nan if numeric else None
        if self.replacement is not None:
            out[gone] = float(self.replacement) if numeric else self.replacement
        return out, rejected


def _treatment(mf: etree._Element, df: etree._Element | None) -> Treatment | None:
    name = mf.get("name")
    if mf.get("optype") is not None and (df is None or mf.get("optype") != df.get("optype")):
        raise NotCovered(f"MiningField {name} optype override")
    invalid = mf.get("invalidValueTreatment", "returnInvalid")
    if invalid not in ("returnInvalid", "asIs", "asMissing", "asValue"):
        raise NotCovered(f"MiningField {name} invalidValueTreatment={invalid}")
    if invalid == "asValue" and mf.get("invalidValueReplacement") is None:
        raise NotCovered(f"MiningField {name} asValue without invalidValueReplacement")
    outliers = mf.get("outliers", "asIs")
    if outliers not in ("asIs", "asMissingValues", "asExtremeValues"):
        raise NotCovered(f"MiningField {name} outliers={outliers}")
    treatment = mf.get("missingValueTreatment", "asIs")
    if treatment not in ("asIs", "asMean", "asMode", "asMedian", "asValue", "returnInvalid"):
        raise NotCovered(f"MiningField {name} missingValueTreatment={treatment}")
    if df is None:
        if any(mf.get(a) is not None for a in _TREATMENT_ATTRS):
            raise NotCovered(f"treatment of MiningField {name}, which is no DataField")
        return None
    low, high = mf.get("lowValue"), mf.get("highValue")
    return Treatment(
        name,
        _classifier(df),
        invalid,
        mf.get("invalidValueReplacement"),
        mf.get("missingValueReplacement"),
        treatment == "returnInvalid",
        outliers,
        None if low is None else float(low),
        None if high is None else float(high),
        df.get("dataType") == "float",
    )


def treatments(model: etree._Element, fields: dict[str, etree._Element], target: str | None = None) -> list[Treatment]:
    """The outermost model's MiningField treatments of its active DataFields, and of ``target``
    where the target is an input too (an OutputField residual reads its actual value; pypmml and
    JPMML-Evaluator refuse a row whose value is invalid for it)."""
    out = []
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType", "active") != "active" and mf.get("name") != target:
            continue
        t = _treatment(mf, fields.get(mf.get("name")))
        if t is not None:
            out.append(t)
    if any(t.invalid == "asIs" for t in out):  # (read only then: a forest has some 50k predicates)
        compared = {e.get("field") for e in model.iter("{*}SimplePredicate", "{*}SimpleSetPredicate")}
        out = [replace(t, compared=t.name in compared) for t in out]
    return out


def _attrs(mf: etree._Element) -> dict[str, str | None]:
    defaults = {"invalidValueTreatment": "returnInvalid", "outliers": "asIs", "missingValueTreatment": "asIs"}
    # optype: equal to the DataField's (checked in check_nested), so it changes nothing
    wanted = [a for a in _TREATMENT_ATTRS if a != "optype" and (a != "missingValueTreatment" or mf.get(a) == "returnInvalid")]
    return {a: mf.get(a, defaults.get(a)) for a in wanted}


def current_fields() -> dict[str, etree._Element]:
    from interchange.formats.pmml.fast.engine import current

    return current().fields


def check_nested(model: etree._Element, top: etree._Element) -> None:
    """A nested model's MiningFields must treat values exactly as the outermost model does
    (then treating them once is the same as treating them at every level)."""
    outer = {mf.get("name"): _attrs(mf) for mf in children(child(top, "MiningSchema"), "MiningField")}
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        if mf.get("usageType", "active") != "active":
            continue
        df = current_fields().get(mf.get("name"))
        if mf.get("optype") is not None and (df is None or mf.get("optype") != df.get("optype")):
            if not _numeric_use_only(model, mf):
                raise NotCovered(f"MiningField {mf.get('name')} optype override in <{local(model)}>")
        theirs = outer.get(mf.get("name"))
        if theirs is not None and not any(mf.get(a) is not None for a in _TREATMENT_ATTRS):
            # a bare declaration (JPMML-SkLearn's segments): the outermost treatment is the only one;
            # its default returnInvalid would only matter for values the outer one keeps asIs, and
            # pypmml 1.5.8 scores those (test_fast_coverage checks unseen categories against it)
            continue
        mine = _attrs(mf)
        if theirs is None:
            if any(v is not None and v not in ("returnInvalid", "asIs") for v in mine.values()):
                raise NotCovered(f"<{local(model)}> treats field {mf.get('name')} that the outer model does not declare")
            continue
        if mine != theirs:
            raise NotCovered(f"<{local(model)}> treats field {mf.get('name')} unlike the outermost model")


def _numeric_use_only(model: etree._Element, mf: etree._Element) -> bool:
    """An optype="continuous" MiningField in a RegressionModel that reads the field only through
    NumericPredictors: the optype cannot change what is computed (nyoka declares one on the
    decision function its gradient boosting classifiers pass down a modelChain)."""
    if local(model) != "RegressionModel" or mf.get("optype") != "continuous":
        return False
    name = mf.get("name")
    uses = [
        e
        for e in model.iter()
        if isinstance(e.tag, str) and local(e) != "MiningField" and name in (e.get("name"), e.get("field"))
    ]
    return all(local(e) == "NumericPredictor" for e in uses)
