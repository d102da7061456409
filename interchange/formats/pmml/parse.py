"""Read a PMML 4.0-4.4 document safely and find its signature.

Hostile XML fails fast: entity declarations (XXE, billion laughs) are refused before parsing;
the parser never resolves entities, loads DTDs or touches the network; libxml2's default depth
limit stays on (no huge_tree) and documents are capped in size.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from interchange.errors import DocumentError
from interchange.signature import InputField, OutputField, Signature

__all__ = [
    "parse",
    "Parsed",
    "NotCovered",
    "Defer",
    "local",
    "children",
    "child",
    "array_tokens",
    "MAX_BYTES",
    "column_key",
    "row_cells",
]

MAX_BYTES = 256 * 1024 * 1024
_TYPES = {"double": "double", "float": "double", "integer": "integer", "string": "string", "boolean": "boolean"}


class NotCovered(Exception):
    """The fast path does not cover this document; the reason goes into Model.info."""


class Defer(Exception):
    """The fast path cannot answer this batch exactly (e.g. a vote tie whose winner pypmml picks
    in its own order): the batch goes to pypmml, later batches still run fast."""


def local(el: etree._Element) -> str:
    """The element's name without its namespace ("" for comments and processing instructions)."""
    tag = el.tag
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


def children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if local(c) == name]


def column_key(owner: etree._Element, column: str) -> str:
    """The key of an InlineTable column named by ``column`` (a FieldColumnPair's column, an
    outputColumn): a prefixed name (JPMML writes ``data:input`` with ``<data:input>`` cells) is
    resolved against ``owner``'s namespaces; cells in the PMML namespace are keyed by local name."""
    if ":" not in column:
        return column
    prefix, name = column.split(":", 1)
    ns = owner.nsmap.get(prefix)
    if ns is None:
        return column  # an undeclared prefix: matches no cell
    return name if ns == etree.QName(owner).namespace else f"{{{ns}}}{name}"


def row_cells(row: etree._Element) -> dict[str, str]:
    """An InlineTable row's cells by column_key: local names in the row's namespace, else {ns}name."""
    out = {}
    for c in row:
        if isinstance(c.tag, str):
            ns = etree.QName(c).namespace
            out[local(c) if ns == etree.QName(row).namespace else f"{{{ns}}}{local(c)}"] = c.text or ""
    return out


def child(el: etree._Element, name: str) -> etree._Element | None:
    found = children(el, name)
    return found[0] if found else None


@dataclass(frozen=True)
class Parsed:
    root: etree._Element
    model: etree._Element
    signature: Signature


_MODELS = {
    "RegressionModel",
    "GeneralRegressionModel",
    "TreeModel",
    "MiningModel",
    "NeuralNetwork",
    "NaiveBayesModel",
    "ClusteringModel",
    "SupportVectorMachineModel",
    "NearestNeighborModel",
    "Scorecard",
    "RuleSetModel",
    "AssociationModel",
    "SequenceModel",
    "TextModel",
    "TimeSeriesModel",
    "BaselineModel",
    "BayesianNetworkModel",
    "GaussianProcessModel",
    "AnomalyDetectionModel",
}


def _xml(data: bytes) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise DocumentError(f"PMML document is {len(data)} bytes, over the {MAX_BYTES}-byte limit", format="pmml")
    head = data[:65536]
    if b"<!ENTITY" in head or (b"<!DOCTYPE" in head and b"SYSTEM" in head):
        raise DocumentError(
            "PMML document declares XML entities or an external DTD; refused (XXE / entity expansion)", format="pmml"
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"PMML document is not well-formed XML: {exc}", format="pmml") from exc
    if local(root) != "PMML":
        raise DocumentError(f"root element is <{local(root)}>, not <PMML>", format="pmml")
    return root


def parse(data: bytes) -> Parsed:
    """The XML tree, its (first) model element and its signature."""
    root = _xml(data)
    models = [c for c in root if local(c) in _MODELS]
    if not models:
        raise DocumentError("PMML document contains no model element", format="pmml")
    model = models[0]
    return Parsed(root, model, _signature(root, model))


def _signature(root: etree._Element, model: etree._Element) -> Signature:
    header = child(root, "Header")
    for ext in children(header, "Extension") if header is not None else []:
        if ext.get("name") == "interchange.signature":
            try:
                return Signature.from_json(ext.get("value", ""))
            except (ValueError, KeyError, TypeError) as exc:
                raise DocumentError(f"the interchange.signature extension is unreadable: {exc}", format="pmml") from exc
    dictionary = child(root, "DataDictionary")
    fields = {f.get("name"): f for f in children(dictionary, "DataField")} if dictionary is not None else {}
    schema = child(model, "MiningSchema")
    if schema is None:
        raise DocumentError(f"<{local(model)}> has no MiningSchema", format="pmml")
    inputs, target, targets = [], None, []
    for mf in children(schema, "MiningField"):
        name, usage = mf.get("name"), mf.get("usageType", "active")
        if usage in ("target", "predicted"):
            target = name
            targets.append(name)
        elif usage == "active":
            df = fields.get(name)
            if df is None:
                raise DocumentError(f"MiningField {name!r} has no DataField", format="pmml", field=name)
            dtype = _TYPES.get(df.get("dataType", "double"), "string")
            optype = df.get("optype", "continuous" if dtype == "double" else "categorical")
            values = tuple(v.get("value") for v in children(df, "Value") if v.get("property", "valid") == "valid") or None
            inputs.append(InputField(name, dtype, optype, values))  # type: ignore[arg-type]  # _TYPES gives DataType names; optype is a PMML OPTYPE
    segmentation = child(model, "Segmentation")
    if len(targets) > 1 and segmentation is not None and segmentation.get("multipleModelMethod") == "x-multiModelChain":
        return _multi_target(root, model, tuple(inputs), targets, fields)
    if len(targets) > 1:
        # PMML 4.4 gives a model one predicted value: a Node's score, a RegressionTable's sum are not per target
        # (sklearn2pmml writes a multi-output DecisionTreeRegressor so; JPMML-Evaluator refuses it: "Expected 1
        # target field, got 2"); reading the last target alone would drop the others without a word
        raise DocumentError(
            f"<{local(model)}> names {len(targets)} target fields in its MiningSchema ({', '.join(map(str, targets))}): "
            "a model has one target (its scores are not given per target); several are read only as JPMML-SkLearn's "
            'MiningModel with one segment per target (Segmentation multipleModelMethod="x-multiModelChain")',
            format="pmml",
            field=targets[0],
        )
    if target in fields and any(of.get("feature") == "residual" for of in _result_fields(model)):
        # PMML 4.4 §Output residual compares the prediction with the target's actual value: an input then
        df = fields[target]
        dtype = _TYPES.get(df.get("dataType", "double"), "string")
        optype = df.get("optype", "continuous" if dtype == "double" else "categorical")
        inputs.append(InputField(target, dtype, optype, None))  # type: ignore[arg-type]  # as above
    categorical = target is not None and fields.get(target) is not None and fields[target].get("optype") != "continuous"
    # a classification's result is a label whatever the optype its target field declares (Rattle and
    # JPMML's tests declare continuous targets on classification models)
    categorical = categorical or (target is not None and model.get("functionName") == "classification")
    outputs: list[OutputField] = []
    # a classification without a target field (categories from its RegressionTables / ScoreDistributions)
    labelled = categorical or (target is None and model.get("functionName") == "classification")
    for of in _result_fields(model):
        feature = of.get("feature", "predictedValue")
        dtype = _TYPES.get(of.get("dataType") or _output_type(feature, fields.get(target), labelled), "string")
        if feature == "probability":
            outputs.append(OutputField(of.get("name"), "probability", "double", of.get("value")))
        elif feature == "predictedValue":
            outputs.append(OutputField(of.get("name"), "label" if labelled else "value", dtype))  # type: ignore[arg-type]  # _TYPES gives DataType names
        elif feature in ("entityId", "clusterId"):
            outputs.append(OutputField(of.get("name"), "cluster", dtype))  # type: ignore[arg-type]  # _TYPES gives DataType names
        else:
            outputs.append(OutputField(of.get("name"), "score", dtype))  # type: ignore[arg-type]  # _TYPES gives DataType names
    predicted = any(of.get("feature", "predictedValue") == "predictedValue" for of in _result_fields(model))
    if target and not predicted and target not in {f.name for f in outputs}:
        # the target's predicted value is part of every result, as JPMML-Evaluator returns it,
        # even where the Output declares only probabilities
        dtype = _TYPES.get(fields[target].get("dataType", "double"), "string") if target in fields else "double"
        outputs.insert(0, OutputField(target, "label" if categorical else "value", dtype))  # type: ignore[arg-type]  # _TYPES gives DataType names
    function = model.get("functionName", "")
    task = "classification" if categorical else "clustering" if function == "clustering" else "regression"
    classes = None
    if categorical and target in fields:
        kind = _TYPES.get(fields[target].get("dataType", "string"), "string")
        cast = {"integer": int, "double": float}.get(kind, str)
        try:
            valid = [v.get("value") for v in children(fields[target], "Value") if v.get("property", "valid") == "valid"]
            classes = tuple(cast(v) for v in valid) or None
        except (TypeError, ValueError):
            classes = None
    return Signature(
        tuple(inputs),
        tuple(outputs),
        classes=classes,
        task=task,  # type: ignore[arg-type]  # one of the tasks, from functionName
        meta={"pmml_version": root.get("version"), "target": target},
    )


def _multi_target(
    root: etree._Element,
    model: etree._Element,
    inputs: tuple[InputField, ...],
    targets: list[str],
    fields: dict[str, etree._Element],
) -> Signature:
    """A MiningModel with several target fields under Segmentation multipleModelMethod="x-multiModelChain"
    (JPMML-SkLearn's multi-target model, one segment per target): one output per target, named by it,
    as JPMML-Evaluator returns them. Each is a figure of the prediction (kind score, as selectAll's
    parts), the predicted value of its segment (a categorical target's is listed as a label of its
    DataField's type: no engine here evaluates a multi-target classification yet). meta "targets"
    lists them; meta "target" is None (no single target)."""
    outputs = []
    for name in targets:
        df = fields.get(name)
        dtype = _TYPES.get(df.get("dataType", "double"), "string") if df is not None else "double"
        categorical = df is not None and df.get("optype", "continuous") != "continuous"
        outputs.append(OutputField(name, "label" if categorical else "score", dtype))  # type: ignore[arg-type]  # _TYPES gives DataType names
    function = model.get("functionName", "")
    task = "classification" if function == "classification" else "regression"
    meta = {"pmml_version": root.get("version"), "target": None, "targets": list(targets)}
    return Signature(inputs, tuple(outputs), task=task, meta=meta)  # type: ignore[arg-type]  # one of the tasks


def _output_type(feature: str, target: etree._Element | None, labelled: bool) -> str:
    """An OutputField's dataType where it declares none (PMML 4.4 makes it optional): the target's for
    its predicted value (text for a classification without a target field), text for display values
    and reason codes, else double."""
    if feature == "predictedValue":
        if target is not None:
            return target.get("dataType", "double")
        return "string" if labelled else "double"
    return "string" if feature in ("predictedDisplayValue", "reasonCode") else "double"


def _result_fields(model: etree._Element) -> list[etree._Element]:
    """The OutputFields of a model's result: its own Output's, then, for a modelChain, those of
    its last segment (PMML 4.4 §modelChain: the chain's result is the last segment's; JPMML-SkLearn
    declares its boosted classifiers' probabilities there). Intermediate fields are left out."""
    output = child(model, "Output")
    found = [of for of in children(output, "OutputField")] if output is not None else []
    segmentation = child(model, "Segmentation")
    if segmentation is not None and segmentation.get("multipleModelMethod") == "modelChain":
        segments = children(segmentation, "Segment")
        last = [c for c in segments[-1] if local(c) in _MODELS] if segments else []
        if last:
            names = {of.get("name") for of in found}
            found += [of for of in _result_fields(last[0]) if of.get("name") not in names]
    return [of for of in found if of.get("isFinalResult", "true") != "false"]


def array_tokens(text: str) -> list[str]:
    """PMML 4.4 §Array: whitespace-separated, double quotes around values with blanks."""
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == '"':
            j, buf = i + 1, []
            while j < len(text) and text[j] != '"':
                if text[j] == "\\" and j + 1 < len(text) and text[j + 1] == '"':
                    j += 1
                buf.append(text[j])
                j += 1
            out.append("".join(buf))
            i = j + 1
        else:
            j = i
            while j < len(text) and not text[j].isspace():
                j += 1
            out.append(text[i:j])
            i = j
    return out
