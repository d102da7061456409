"""Write PMML 4.4 from the IR: DataDictionary, transformations, the model, Output, verification.

Numbers are written with ``repr`` (the shortest text that round-trips a float64), so split
thresholds and coefficients lose nothing: float32-short thresholds flip rows at the boundary.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from interchange.batch import Columns
from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.dates import dates_in_place, typed_in_place
from interchange.formats.pmml.emit.models.elements import model_element
from interchange.formats.pmml.emit.models.select_all import target_fields
from interchange.formats.pmml.emit.text import fold_normalizations
from interchange.formats.pmml.emit.transforms import derived_fields
from interchange.formats.pmml.emit.validity import reported_fields, treatments, write_treatments
from interchange.formats.pmml.emit.xmlbuild import NS, TARGET, E, decision_field, num, text, unprefixed
from interchange.ir.combine.select_all import AllSegments
from interchange.ir.derive.transforms import Impute, OneHot, Ordinal, Validate
from interchange.ir.graph import Graph
from interchange.ir.models.rules import RuleSet
from interchange.ir.reported import Reported
from interchange.signature import Signature
from interchange.verification import Tolerance
from interchange.version import __version__

__all__ = ["export_graph", "write_graph", "SIGNATURE_EXTENSION"]

SIGNATURE_EXTENSION = "interchange.signature"
# pypmml agrees to double precision once it is given full-precision input (see reference.py;
# its DataFrame path rounded inputs to 10 digits, which looked like ~6e-9 regression error).
TOLERANCE = Tolerance(1e-9, 1e-12, "double precision end to end (pypmml fed full-precision JSON)")
_TYPES = {"double": "double", "integer": "integer", "string": "string", "boolean": "boolean"}


def _valid_values(graph: Graph) -> dict[str, list[Any]]:
    """Raw input field -> the categories an encoder that rejects unknown ones accepts.

    PMML cannot raise; a value outside a DataField's <Value> list is invalid, and the default
    invalidValueTreatment (returnInvalid) gives no prediction: the document's form of
    scikit-learn's "unknown category" error. Only raw inputs (or imputed raw inputs) can be
    declared this way.
    """
    raw = {name: name for name in graph.signature.input_names}
    valid: dict[str, list[Any]] = {}
    for step in graph.steps:
        if isinstance(step, Validate):  # a lifted document's own <Value> lists
            for name, values in zip(step.inputs, step.values, strict=True):
                valid.setdefault(name, []).extend(values)
            continue
        if isinstance(step, Impute):
            raw.update({dst: raw[src] for src, dst in zip(step.inputs, step.outputs, strict=True) if src in raw})
        elif isinstance(step, (OneHot, Ordinal)) and (step.unknown in ("error", None)):
            categories = step.categories if isinstance(step, OneHot) else step.categories
            for i, src in enumerate(step.inputs):
                if src not in raw:
                    raise UnsupportedModelError(
                        "an encoder that rejects unknown categories, fed by a computed column, has no PMML form; "
                        "use handle_unknown='ignore'",
                        format="pmml",
                    )
                cats = categories if isinstance(step, OneHot) else categories[i]
                valid.setdefault(raw[src], []).extend(c for c in cats if c is not None)
    return valid


def _extra_categories(graph: Graph) -> list[Any]:
    """Predicted values beyond the signature's classes (a rule set's defaultScore), declared so that
    JPMML-Evaluator does not read them as invalid target values."""
    model = graph.model.model if isinstance(graph.model, Reported) else graph.model
    default = getattr(model, "default", None)
    return [default] if isinstance(model, RuleSet) and default is not None else []


def _data_dictionary(sig: Signature, valid: dict[str, list[Any]], extra: list[Any] = ()) -> etree._Element:  # type: ignore[assignment]
    dd = E("DataDictionary")
    for f in sig.inputs:
        if f.type not in _TYPES:  # (a PFA array or map input, say: a DataField holds one value)
            raise UnsupportedModelError(
                f"input field {f.name!r} is of type {f.type!r}, which no PMML DataField holds "
                f"(PMML 4.4 dataTypes: {', '.join(sorted(set(_TYPES.values())))}); give the model one field per value",
                format="pmml",
                field=f.name,
                type=f.type,
            )
        # <Value> lists only where an encoder rejects unknown categories: elsewhere values a
        # sample did not show are valid input, and PMML treats unlisted values as invalid.
        if f.type not in _TYPES:  # an array or record input (a lifted PFA document's)
            raise UnsupportedModelError(f"PMML has no DataField for input {f.name!r} of type {f.type}", format="pmml")
        field = E("DataField", {"name": f.name, "optype": f.optype, "dataType": _TYPES[f.type]})
        for v in dict.fromkeys(text(c) for c in valid.get(f.name, [])):
            field.append(E("Value", {"value": v}))
        dd.append(field)
    if sig.task == "classification":
        labels = sig.output("label")  # (none: selectAll's parts are figures; its categories are text)
        dtype = _TYPES[labels[0].type] if labels else "string"
        target = E("DataField", {"name": TARGET, "optype": "categorical", "dataType": dtype})
        for c in dict.fromkeys([*(sig.classes or ()), *(c for c in extra if str(c) not in map(str, sig.classes or ()))]):
            target.append(E("Value", {"value": text(c)}))
        dd.append(target)
    elif sig.task in ("regression", "outlier"):  # an outlier model predicts a mean path length
        dd.append(E("DataField", {"name": TARGET, "optype": "continuous", "dataType": "double"}))
    elif sig.task == "clustering":  # PMML 4.4 §Clustering: no target field
        pass
    else:
        raise UnsupportedModelError(f"PMML export of {sig.task} models is not written yet", format="pmml")
    return dd


def _output(sig: Signature) -> etree._Element:
    out = E("Output")
    for f in sig.outputs:
        attrs: dict[str, Any] = {"name": f.name, "dataType": _TYPES[f.type]}
        if f.kind in ("label", "value"):
            attrs.update(optype="categorical" if f.kind == "label" else "continuous", feature="predictedValue")
        elif f.kind == "probability":
            attrs.update(optype="continuous", feature="probability", value=text(f.target))
        elif f.kind == "cluster":  # PMML 4.4 §Clustering: the predicted value is the cluster's id
            attrs.update(optype="categorical", feature="predictedValue")
        elif f.kind == "decision":
            attrs.update(optype="continuous", feature="transformedValue")
            out.append(E("OutputField", attrs, E("FieldRef", {"field": decision_field(f.name)})))
            continue
        else:
            raise UnsupportedModelError(f"PMML writer has no Output mapping for {f.kind} fields", format="pmml")
        out.append(E("OutputField", attrs))
    return out


def _verification(sig: Signature, sample: Columns, expected: Columns, tol: Tolerance) -> etree._Element:
    """PMML 4.4 §ModelVerification: the cases, with precision and zeroThreshold per output."""
    n = len(next(iter(expected.values()))) if expected else 0
    fields = E("VerificationFields")
    # Column elements are named c0, c1, ...: field names need not be XML names ("sepal length (cm)").
    columns = [*((f.name, sample[f.name]) for f in sig.inputs), *((f.name, expected[f.name]) for f in sig.outputs)]
    kinds = {f.name: f.kind for f in sig.outputs}
    for j, (name, _) in enumerate(columns):
        attrs = {"field": name, "column": f"c{j}"}
        if kinds.get(name) in ("probability", "value", "decision", "score"):
            attrs.update(precision=num(tol.rtol), zeroThreshold=num(tol.atol))
        fields.append(E("VerificationField", attrs))
    table = E("InlineTable")
    for i in range(n):
        row = E("row")
        for j, (_, col) in enumerate(columns):
            v = col[i]
            if v is None or (isinstance(v, float) and v != v):
                continue
            cell = etree.SubElement(row, f"{{{NS}}}c{j}")
            cell.text = num(v) if isinstance(v, float) else text(v.item() if hasattr(v, "item") else v)
        table.append(row)
    return E("ModelVerification", {"recordCount": n, "fieldCount": len(sig.inputs) + len(sig.outputs)}, fields, table)


def _single_in_place(root: etree._Element, inputs: list[str]) -> None:
    """An input rounded to float32 under its own name (a lifted float DataField) as its DataField's
    dataType="float" (PMML 4.4 §DataDictionary: a value is converted to its field's dataType)."""
    typed_in_place(root, inputs, ("float",))


def _impute_in_place(root: etree._Element, inputs: list[str]) -> None:
    """An input imputed under its own name (a lifted MiningField missingValueReplacement) as
    missingValueReplacement on every MiningField of it: a DerivedField may not take a
    DataField's name (pypmml ignores such a field, and the model would read the raw input)."""
    names = set(inputs)
    for derived in list(root.iter(f"{{{NS}}}DerivedField")):
        name = derived.get("name")
        if name not in names:
            continue
        body = list(derived)
        ref = body[0] if len(body) == 1 else None
        if ref is None or ref.tag != f"{{{NS}}}FieldRef" or ref.get("field") != name or ref.get("mapMissingTo") is None:
            raise UnsupportedModelError(
                f"a derived column named like the input {name!r}: PMML field names are unique", format="pmml"
            )
        for field in root.iter(f"{{{NS}}}MiningField"):
            if field.get("name") == name:
                field.set("missingValueReplacement", ref.get("mapMissingTo"))
        derived.getparent().remove(derived)


def _result_model(model: etree._Element) -> etree._Element:
    """The element whose Output holds the result: the last segment of a modelChain.

    PMML 4.4 §modelChain: the chain's result is its last segment's; JPMML-Evaluator reads Output
    fields there (on the outer MiningModel it computes probabilities of 0.0 and fails its own
    ModelVerification), and pypmml and the fast path return them too, the way JPMML-SkLearn
    writes its boosted classifiers.
    """
    segmentation = model.find(f"{{{NS}}}Segmentation")
    if segmentation is None or segmentation.get("multipleModelMethod") != "modelChain" or not len(segmentation):
        return model
    return _result_model(segmentation[-1][-1])


def _output_models(model: etree._Element) -> list[etree._Element]:
    """The elements that get the Output: the result model, and under selectFirst every segment's
    too (pypmml 1.5.8 returns the selected segment's own Output fields, not the MiningModel's)."""
    found = [_result_model(model)]
    segmentation = model.find(f"{{{NS}}}Segmentation")
    if segmentation is not None and segmentation.get("multipleModelMethod") == "selectFirst":
        for segment in segmentation:
            found += [m for m in _output_models(segment[-1]) if m.find(f"{{{NS}}}Output") is None]
    return found


def write_graph(
    graph: Graph, sample: Columns | None = None, expected: Columns | None = None, tolerance: Tolerance = TOLERANCE
) -> bytes:
    """A PMML 4.4 document for ``graph``, with verification cases when given."""
    sig = graph.signature
    header = E(
        "Header", {"description": "written by interchange"}, E("Application", {"name": "interchange", "version": __version__})
    )
    meta = {k: v for k, v in sig.meta.items()}
    header.insert(0, E("Extension", {"name": SIGNATURE_EXTENSION, "value": sig.to_json()}))
    if "lineage" in meta:
        header.insert(1, E("Extension", {"name": "interchange.lineage", "value": json.dumps(meta["lineage"], default=str)}))
    reported = graph.model if isinstance(graph.model, Reported) else None
    model = model_element(
        reported.model if reported is not None else graph.model, sig
    )  # (first: an unwritten step is refused by name)
    root = E("PMML", {"version": "4.4"}, header, _data_dictionary(sig, _valid_values(graph), _extra_categories(graph)))
    multi = isinstance(graph.model, AllSegments) and graph.model.targets
    if multi:  # one DataField per target (JPMML-SkLearn's x-multiModelChain) where the one target field stood
        dd = root[1]
        dd.remove(next(df for df in dd if df.get("name") == TARGET))
        dd.extend(target_fields(graph.model))  # type: ignore[arg-type]  # an AllSegments, checked above
    derived = fold_normalizations([d for step in graph.steps for d in derived_fields(step)])
    if derived:
        root.append(E("TransformationDictionary", None, *derived))
    treats = treatments(graph)
    own = model.find(f"{{{NS}}}Output")
    if reported is not None:  # the model's Output (its own, or one written here) gets the Output expressions
        if own is not None:
            own.extend(reported_fields(reported, sig, {of.get("name") for of in own}))
        else:
            for target in _output_models(model):
                target.insert(1, E("Output", None, *reported_fields(reported, sig, set())))
    elif own is None and not multi:  # a model writer may write its own Output (a multi-target model: none)
        for target in _output_models(model):
            target.insert(1, _output(sig))  # after MiningSchema (PMML 4.4 model element order)
    if sample is not None and expected is not None:
        model.append(_verification(sig, sample, expected, tolerance))
    root.append(model)
    _single_in_place(root, sig.input_names)
    dates_in_place(root, sig.input_names)
    _impute_in_place(root, sig.input_names)
    write_treatments(root, treats)
    dictionary = root.find(f"{{{NS}}}TransformationDictionary")
    if dictionary is not None and not len(dictionary):
        root.remove(dictionary)
    return etree.tostring(unprefixed(root), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_graph(graph: Graph, sample: Columns, expected: Columns) -> tuple[bytes, Tolerance]:
    """PMML bytes for an IR graph with its verification cases embedded, and the tolerance to verify them with."""
    tolerance = TOLERANCE.for_source(getattr(graph.model, "source_rounding", None))
    return write_graph(graph, sample, expected, tolerance), tolerance
