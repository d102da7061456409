"""MiningModel Segmentation checked against an independent, row-by-row computation (``pmml_segments/``).

Each segment's model is cut out into a document of its own and scored by pypmml (its
RegressionModel and TreeModel agree with the fast path in test_pmml_spec.py); the predicates
are evaluated here, three-valued (a segment is used only where its predicate is TRUE), and
the results are combined row by row from the document's own weights, twice:

- ``_spec``, PMML 4.4 §Segmentation with missingPredictionTreatment "continue": a missing
  result of a used segment makes the combination missing, except for the votes, which are
  missing only when the missing results get the most (weighted) votes; vote probabilities are
  the (weighted) votes over all used (weighted) votes; max, median and weightedMedian return
  the average probabilities of the segments whose probability of the winning category is the
  chosen one (either middle one for an even median); ties go to the first category;
- ``_pypmml``, pypmml 1.5.8 as measured: weightedMajorityVote divides the weighted votes by the
  number of used segments; missing votes never win; a missing result of a used segment in
  average / weightedAverage / max / median / weightedMedian is NaN, which Scala's ordering puts
  above every number, so the label becomes the first category and (median, weightedMedian:
  sorted last, Java's order) the median may skip it; max averages every segment whose own
  prediction is the winner; median / weightedMedian return the per-category medians; ties
  between five or more categories follow its hash map (measured for c1..c5); selectFirst
  returns the segment model's own columns ("predicted", "probability_<c>"), not the
  MiningModel's Output.

The fast path must equal ``_spec`` on every row, pypmml must equal ``_pypmml`` on every row
(so an upgrade that changes it fails here), and each document must contain rows where the two
part ways (it exercises the departure). Numbers within rtol 1e-9 / atol 1e-12, labels exactly.
"""

from __future__ import annotations

import copy
import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from lxml import etree

import interchange
from interchange.errors import DocumentError
from tests.conformance.test_pmml_spec import ATOL, RTOL, _rows

HERE = Path(__file__).parent / "pmml_segments"
DOCS = sorted(HERE.glob("*.pmml"))
PMML = "http://www.dmg.org/PMML-4_4"
NS = {"p": PMML}
T, F, U = "T", "F", "U"
# pypmml 1.5.8's iteration order of these category names in its hash map (measured with
# two-segment majority votes, each pair tied both ways round): the first wins a tie
HASH_ORDER = {("c1", "c2", "c3", "c4", "c5"): ("c5", "c2", "c4", "c1", "c3")}
Result = Any  # regression: float | None; classification: (label | None, {category: p or NaN})


def _name(el: etree._Element) -> str:
    return etree.QName(el).localname


def _kids(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and _name(c) != "Extension"]


def _truth(el: etree._Element, row: dict[str, Any]) -> str:
    tag = _name(el)
    if tag in ("True", "False"):
        return T if tag == "True" else F
    if tag == "SimplePredicate":
        v = row[el.get("field")]
        if v is None:
            return U
        ref, op = float(el.get("value")), el.get("operator")
        ok = {"lessThan": v < ref, "lessOrEqual": v <= ref, "greaterThan": v > ref, "greaterOrEqual": v >= ref}[op]
        return T if ok else F
    assert tag == "CompoundPredicate", tag
    parts = [_truth(c, row) for c in _kids(el)]
    if el.get("booleanOperator") == "and":
        return F if F in parts else U if U in parts else T
    return T if T in parts else U if U in parts else F


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _standalone(root: etree._Element, model: etree._Element, classes: list[str]) -> bytes:
    """A document holding only ``model`` (a segment's), with an Output of its result."""
    doc = copy.deepcopy(root)
    mining = doc.find("p:MiningModel", NS)
    mine = copy.deepcopy(model)
    for old in mine.findall("p:Output", NS):
        mine.remove(old)
    schema = mine.find("p:MiningSchema", NS)
    present = {f.get("name") for f in schema}
    for name in ("a", "b"):  # every input, so a model reading none still scores every row
        if name not in present:
            etree.SubElement(schema, f"{{{PMML}}}MiningField", name=name)
    etree.SubElement(schema, f"{{{PMML}}}MiningField", name="y", usageType="target")
    output = etree.Element(f"{{{PMML}}}Output")
    if classes:
        etree.SubElement(output, f"{{{PMML}}}OutputField", name="label", optype="categorical", dataType="string")
        for c in classes:
            attrs = {"name": f"p_{c}", "optype": "continuous", "dataType": "double", "feature": "probability", "value": c}
            etree.SubElement(output, f"{{{PMML}}}OutputField", attrs)
    else:
        etree.SubElement(output, f"{{{PMML}}}OutputField", name="value", optype="continuous", dataType="double")
    mine.insert(1, output)
    doc.replace(mining, mine)
    return etree.tostring(doc)


def _segment_results(root: etree._Element, models: list[etree._Element], classes: list[str], X: pd.DataFrame) -> list[list[Any]]:
    """Each segment model's result on every row, from pypmml on the model alone."""
    out = []
    for model in models:
        scored = interchange.load(_standalone(root, model, classes), engine="reference").predict(X)
        if not classes:
            out.append([None if _missing(v) else float(v) for v in scored["value"]])
            continue
        rows: list[Result] = []
        for i, label in enumerate(scored["label"]):
            probs = {c: float(scored[f"p_{c}"][i]) for c in classes}  # NaN where pypmml gives none
            rows.append((None if _missing(label) else label, probs))
        out.append(rows)
    return out


# ---- PMML 4.4 -------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    s, n = sorted(values), len(values)
    return (s[(n - 1) // 2] + s[n // 2]) / 2.0


def _weighted_median(values: list[float], weights: list[float]) -> float:
    pairs = sorted(zip(values, weights, strict=True), key=lambda p: p[0])
    half, running = 0.5 * sum(weights), 0.0
    for v, w in pairs:
        running += w
        if running >= half:
            return v
    raise AssertionError("unreachable")


def _first_max(scores: dict[str, float], order: list[str]) -> str:
    best = order[0]
    for c in order[1:]:
        if scores[c] > scores[best]:
            best = c
    return best


def _spec(method: str, used: list[tuple[float, Result]], classes: list[str]) -> Result:
    if method == "selectFirst":
        return used[0][1] if used else (None if not classes else (None, None))
    if not classes:
        values, weights = [r for _, r in used], [w for w, _ in used]
        if not used or any(v is None for v in values):
            return None
        if method == "median":
            return _median(values)  # type: ignore[arg-type]
        return _weighted_median(values, weights)  # type: ignore[arg-type]
    nothing = (None, None)
    if not used:
        return nothing
    if method in ("majorityVote", "weightedMajorityVote"):
        votes = dict.fromkeys(classes, 0.0)
        missing = total = 0.0
        for w, (label, _) in used:
            w = w if method == "weightedMajorityVote" else 1.0
            total += w
            if label is None:
                missing += w
            else:
                votes[label] += w
        if missing > max(votes.values()):
            return nothing
        return _first_max(votes, classes), {c: votes[c] / total for c in classes}
    P = [p for _, (_, p) in used]
    if any(math.isnan(v) for p in P for v in p.values()):  # one missing probability: a missing result
        return nothing
    if method in ("average", "weightedAverage"):
        ws = [w if method == "weightedAverage" else 1.0 for w, _ in used]
        probs = {c: sum(w * p[c] for w, p in zip(ws, P, strict=True)) / sum(ws) for c in classes}
        return _first_max(probs, classes), probs
    if method == "max":
        combined = {c: max(p[c] for p in P) for c in classes}
    elif method == "median":
        combined = {c: _median([p[c] for p in P]) for c in classes}
    else:
        combined = {c: _weighted_median([p[c] for p in P], [w for w, _ in used]) for c in classes}
    win = _first_max(combined, classes)
    if method == "median":
        s, n = sorted(p[win] for p in P), len(P)
        chosen = {s[(n - 1) // 2], s[n // 2]}
    else:
        chosen = {combined[win]}
    takers = [p for p in P if p[win] in chosen]
    return win, {c: sum(p[c] for p in takers) / len(takers) for c in classes}


# ---- pypmml 1.5.8, as measured ------------------------------------------------------------


def _greater(x: float, y: float) -> bool:
    """java.lang.Double.compare(x, y) > 0: NaN above every number."""
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and not math.isnan(y)
    return x > y


def _java_max_by(scores: dict[str, float], order: list[str]) -> str:
    best = order[0]
    for c in order[1:]:
        if _greater(scores[c], scores[best]):
            best = c
    return best


def _java_sorted(values: list[float]) -> list[float]:
    return sorted(values, key=lambda v: (math.isnan(v), v))


def _java_median(values: list[float]) -> float:
    s, n = _java_sorted(values), len(values)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def _java_weighted_median(values: list[float], weights: list[float]) -> float:
    pairs = sorted(zip(values, weights, strict=True), key=lambda p: (math.isnan(p[0]), p[0]))
    half, running = 0.5 * sum(weights), 0.0
    for v, w in pairs:
        running += w
        if running >= half:
            return v
    raise AssertionError("unreachable")


def _pypmml(method: str, used: list[tuple[float, Result]], classes: list[str]) -> Result:
    nan = float("nan")
    if not classes:
        values = [nan if r is None else r for _, r in used]
        if not used:
            return None
        if method == "median":
            v = _java_median(values)
        else:
            v = _java_weighted_median(values, [w for w, _ in used])
        return None if math.isnan(v) else v
    if not used:
        return None, None
    order = list(HASH_ORDER.get(tuple(classes), classes))  # the order of its Map of probabilities
    if method in ("majorityVote", "weightedMajorityVote"):
        votes = dict.fromkeys(classes, 0.0)
        for w, (label, _) in used:
            if label is not None:
                votes[label] += w if method == "weightedMajorityVote" else 1.0
        probs = {c: votes[c] / len(used) for c in classes}
        return _java_max_by(probs, order), probs
    P = [p for _, (_, p) in used]
    ws = [w for w, _ in used]
    if method in ("average", "weightedAverage"):
        if method == "average":
            ws = [1.0] * len(P)
        probs = {c: sum(w * p[c] for w, p in zip(ws, P, strict=True)) / sum(ws) for c in classes}
        label = _java_max_by(probs, order)
    elif method == "max":
        top = {c: nan if any(math.isnan(p[c]) for p in P) else max(p[c] for p in P) for c in classes}
        label = _java_max_by(top, classes)  # an Array here: the categories' own order
        takers = [p for p in P if _java_max_by(p, classes) == label]
        probs = {c: sum(p[c] for p in takers) / len(takers) if takers else nan for c in classes}
    else:
        if method == "median":
            probs = {c: _java_median([p[c] for p in P]) for c in classes}
        else:
            probs = {c: _java_weighted_median([p[c] for p in P], ws) for c in classes}
        label = _java_max_by(probs, order)
    return label, {c: (None if math.isnan(v) else v) for c, v in probs.items()}


# ---- comparisons ---------------------------------------------------------------------------


def _flatten(result: Result, classes: list[str], names: dict[str, str]) -> dict[str, Any]:
    """A combined result as the MiningModel's Output columns (``names``: column -> feature)."""
    if not classes:
        return {col: result for col in names}
    label, probs = result
    out = {}
    for col, what in names.items():
        out[col] = label if what == "" else (None if probs is None else probs[what])
    return out


def _same(a: Any, e: Any) -> bool:
    if _missing(a) or _missing(e):
        return _missing(a) and _missing(e)
    if isinstance(e, str) or isinstance(a, str):
        return str(a) == str(e)
    return abs(float(a) - float(e)) <= ATOL + RTOL * abs(float(e))


def _pypmml_columns(document: bytes, X: pd.DataFrame) -> dict[str, list[Any]]:
    """pypmml's own result columns, whatever they are named (selectFirst ignores the Output)."""
    from pypmml import Model

    rows = [[None if _missing(v) else float(v) for v in r] for r in X.itertuples(index=False)]
    batch = json.dumps({"columns": list(X.columns), "data": rows})
    result = json.loads(Model.fromString(document.decode()).call("predict", batch))
    return {name: [r[i] if i < len(r) else None for r in result["data"]] for i, name in enumerate(result["columns"])}


@pytest.mark.parametrize("path", DOCS, ids=lambda p: f"{p.stem}-pmml-segments")
def test_segments_follow_pmml_and_pypmml_as_measured(path: Path) -> None:
    document = path.read_bytes()
    root = etree.fromstring(document)
    mining = root.find("p:MiningModel", NS)
    seg = mining.find("p:Segmentation", NS)
    method = seg.get("multipleModelMethod")
    target = root.find("p:DataDictionary/p:DataField[@name='y']", NS)
    classes = [v.get("value") for v in target.findall("p:Value", NS)]
    names = {f.get("name"): f.get("value", "") for f in mining.findall("p:Output/p:OutputField", NS)}
    segments = seg.findall("p:Segment", NS)
    preds = [_kids(s)[0] for s in segments]
    models = [_kids(s)[1] for s in segments]
    weights = [float(s.get("weight", "1")) for s in segments]

    auto = interchange.load(document)
    assert auto.info.engine == "interchange-fast", auto.info.reason
    X = _rows(document, auto.signature.input_names)
    results = _segment_results(root, models, classes, X)
    fast = auto.predict(X)
    pypmml = _pypmml_columns(document, X)
    departures = 0
    for i, row in enumerate(X.itertuples(index=False)):
        record = {k: (None if _missing(v) else float(v)) for k, v in zip(X.columns, row, strict=True)}
        used = [(w, results[j][i]) for j, (p, w) in enumerate(zip(preds, weights, strict=True)) if _truth(p, record) == T]
        spec = _flatten(_spec(method, used, classes), classes, names)
        for col, want in spec.items():
            assert _same(fast[col][i], want), f"{col} row {i} {record}: fast {fast[col][i]!r}, PMML 4.4 {want!r}"
        if method == "selectFirst":  # pypmml: the selected segment model's own columns
            assert not set(names) & set(pypmml), list(pypmml)
            own = {"predicted": ""} | {f"probability_{c}": c for c in classes}
            measured = _flatten(_spec(method, used, classes), classes, own)
        else:
            measured = _flatten(_pypmml(method, used, classes), classes, names)
        for col, want in measured.items():
            assert _same(pypmml[col][i], want), f"{col} row {i} {record}: pypmml {pypmml[col][i]!r}, modelled {want!r}"
        if method != "selectFirst":
            departures += not all(_same(measured[c], spec[c]) for c in spec)
    assert method == "selectFirst" or departures > 0, "no row where pypmml departs: the document does not exercise it"


def test_every_method_has_a_document() -> None:
    methods = {etree.fromstring(p.read_bytes()).find("p:MiningModel/p:Segmentation", NS).get("multipleModelMethod") for p in DOCS}
    wanted = {"majorityVote", "weightedMajorityVote", "average", "weightedAverage", "median", "weightedMedian", "max"}
    assert wanted | {"selectFirst"} <= methods


@pytest.mark.parametrize(
    ("name", "method"), [("mining_median", "max"), ("mining_class_average", "sum"), ("mining_class_average", "weightedSum")]
)
def test_methods_outside_pmml_are_refused(name: str, method: str) -> None:
    """PMML 4.4 has no max for regression and no sum / weightedSum for classification: the fast
    path declines them and pypmml refuses the document, so loading it fails."""
    text = (HERE.parent / "pmml_spec" / f"{name}.pmml").read_text()
    text = re.sub(r'multipleModelMethod="\w+"', f'multipleModelMethod="{method}"', text)
    with pytest.raises(DocumentError, match=f"'{method}' is not supported"):
        interchange.load(text.encode())
