"""pypmml (PMML4S on a JVM): the PMML reference runtime, and the fallback for rare elements.

One JVM per process, started on first use. Whole batches go through one call, as JSON we
write ourselves: pypmml's own DataFrame path uses pandas ``to_json``, which keeps 10
significant digits and moved values by up to ~5e-11 (measured), enough to put a row on the
other side of a split or bin edge. Result columns are matched to the signature's output names
(with <Output> declared, pypmml returns only the Output fields).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from lxml import etree

from interchange.batch import Columns, is_missing
from interchange.document import Document
from interchange.errors import DocumentError, RecordError
from interchange.model import Model, ModelInfo, Scored
from interchange.signature import Signature

__all__ = ["PypmmlModel"]


class PypmmlModel(Model):
    """A PMML document evaluated by pypmml."""

    def __init__(self, document: Document, signature: Signature, reason: str = "") -> None:
        from pypmml import Model as _Pypmml

        self.document = document
        self.signature = signature
        self._predicted: str | None = None
        text = document.data.decode("utf-8")
        target = signature.meta.get("target")
        if target and target in signature.output_names:
            text, self._predicted = _with_predicted_value(document.data, target)
        text = _with_header(text)
        try:
            self._model = _Pypmml.fromString(text)
        except Exception as exc:
            raise DocumentError(f"pypmml cannot load this PMML document: {str(exc)[:500]}", format="pmml") from exc
        self.info = ModelInfo("pmml", "pypmml", reason)

    def _predict_columns(self, columns: Columns) -> Columns:
        names = [f.name for f in self.signature.inputs]
        rows = [list(r) for r in zip(*(_plain(columns[n]) for n in names), strict=True)]
        try:
            results = [self._call(names, rows)]
        except Exception:
            # pypmml 1.5.8's JSON batch path fails on some documents (its CombinedSeries of
            # selectAll segment outputs): evaluate record by record through its dict API instead
            results = []
            for i, row in enumerate(rows):
                try:
                    answer = self._model.predict(dict(zip(names, row, strict=True)))
                    results.append({"columns": list(answer), "data": [list(answer.values())]})
                except Exception as exc:
                    raise RecordError(f"row {i}: pypmml could not evaluate it: {str(exc)[:500]}", row=i) from exc
        out: Columns = {}
        for f in self.signature.outputs:
            values = []
            for result in results:
                values += self._column(f.name, result)
            if f.kind in ("probability", "value", "score", "decision") and f.type != "string":
                out[f.name] = np.array([np.nan if v is None or v == _LONG_MIN else v for v in values], dtype=np.float64)
            else:  # pypmml writes a missing integer prediction as Long.MIN_VALUE
                out[f.name] = np.array([None if v == _LONG_MIN and f.type == "integer" else v for v in values], dtype=object)
        return out

    def _score_columns(self, columns: Columns) -> Scored:
        """pypmml reports an invalid record (returnInvalid) only by answering nothing for it."""
        out = self._predict_columns(columns)
        names = [f.name for f in self.signature.outputs]
        refused: dict[int, RecordError] = {}
        if names:
            empty = np.logical_and.reduce([np.array([is_missing(v) for v in out[n]], dtype=bool) for n in names])
            for i in np.flatnonzero(empty).tolist():
                why = f"no prediction: pypmml returned no result for row {i} (an input value the document declares invalid)"
                refused[i] = RecordError(why, row=i)
        return Scored(out, refused)

    def _column(self, name: str, result: dict[str, Any]) -> list[Any]:
        """The values of output ``name`` in one pypmml result."""
        columns = result.get("columns", [])
        index = {c: i for i, c in enumerate(columns)}
        if name == self.signature.meta.get("target") and self._predicted is not None and self._predicted in index:
            name = self._predicted
        if name not in index and f"predicted_{name}" in index:  # no <Output>: pypmml names the target so
            name = f"predicted_{name}"
        if name not in index:
            name = _segment_column(name, self.signature, index)
        if name in index:
            i = index[name]  # (pypmml leaves a row short when a result is missing: the absent values are missing)
            return [row[i] if i < len(row) else None for row in result["data"]]
        classes = {c[len("probability(") : -1]: i for c, i in index.items() if c.startswith("probability(") and c.endswith(")")}
        if name == self.signature.meta.get("target") and classes:
            # a modelChain whose last segment declares only probabilities (JPMML-SkLearn's boosted
            # classifiers): pypmml returns those alone; the predicted value is, as PMML defines it
            # for classification, the category of highest probability (the first on a tie)
            return [_most_probable(row, classes) for row in result["data"]]
        raise DocumentError(f"pypmml's result has no column {name!r} (it has {columns})", format="pmml")

    def _call(self, names: list[str], rows: list[list[Any]]) -> dict[str, Any]:
        return json.loads(self._model.call("predict", json.dumps({"columns": names, "data": rows})))


_LONG_MIN = -(2**63)
PREDICTED = "interchange.predictedValue"


def _with_header(text: str) -> str:
    """The document with an empty ``<Header/>`` where it has none.

    PMML's schema requires a Header (copyright, application, timestamp: no bearing on a
    prediction); JPMML-Evaluator scores documents without one, pypmml refuses them
    ("Required element 'Header' is missing"), and hand-written documents often leave it out.
    """
    from interchange.formats.pmml.parse import _xml, child

    root = _xml(text.encode("utf-8"))
    if child(root, "Header") is not None:
        return text
    ns = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else None
    root.insert(0, etree.Element(f"{{{ns}}}Header" if ns else "Header"))
    return etree.tostring(root, encoding="unicode")


def _with_predicted_value(data: bytes, target: str) -> tuple[str, str | None]:
    """The document with an OutputField for the target's predicted value when its Output has none.

    pypmml returns only the declared Output fields; JPMML-Evaluator returns the target's
    predicted value as well, and so must every result here (a k-NN document declaring only its
    neighbours, a classifier declaring only probabilities). The field added is PMML's own
    ``feature="predictedValue"``: the model's result, computed by pypmml itself.
    """
    from interchange.formats.pmml.parse import _MODELS, _result_fields, _xml, child, local

    root = _xml(data)
    model = next(c for c in root if local(c) in _MODELS)
    if any(of.get("feature", "predictedValue") == "predictedValue" for of in _result_fields(model)):
        return data.decode("utf-8"), None
    ns = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else None
    tag = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    holder = model  # pypmml answers with the outermost Output it finds down a modelChain's last segments
    while child(holder, "Output") is None:
        segmentation = child(holder, "Segmentation")
        last = [c for c in segmentation[-1] if local(c) in _MODELS] if segmentation is not None and len(segmentation) else []
        if segmentation is None or segmentation.get("multipleModelMethod") != "modelChain" or not last:
            break
        holder = last[0]
    output = child(holder, "Output")
    if output is None:
        holder, output = model, etree.Element(tag("Output"))
        model.insert(list(model).index(child(model, "MiningSchema")) + 1, output)
    output.insert(0, etree.Element(tag("OutputField"), name=PREDICTED, feature="predictedValue", targetField=target))
    return etree.tostring(root, encoding="unicode"), PREDICTED


def _segment_column(name: str, signature: Signature, index: dict[str, int]) -> str:
    """The column pypmml answers output ``name`` in when it returns a segment model's own columns.

    Under selectFirst, pypmml 1.5.8 returns the selected segment's result under its own names
    (``predicted``, ``probability_<category>``) instead of the MiningModel's Output fields; the
    values are the Output's (PMML 4.4, selectFirst: the first segment whose predicate is TRUE
    gives the result), only the names differ.
    """
    field = next((f for f in signature.outputs if f.name == name), None)
    if field is None:
        return name
    if field.kind in ("label", "value") and "predicted" in index:
        return "predicted"
    if field.kind == "probability" and field.target is not None and f"probability_{field.target}" in index:
        return f"probability_{field.target}"
    return name


def _most_probable(row: list[Any], classes: dict[str, int]) -> Any:
    scored = [(row[i], c) for c, i in classes.items() if row[i] is not None and row[i] == row[i]]
    if not scored:
        return None
    best = max(p for p, _ in scored)
    return next(c for p, c in scored if p == best)


def _plain(col: np.ndarray) -> list[Any]:
    """JSON-ready values, full precision (``json`` writes floats with ``repr``); missing -> null."""
    return [None if is_missing(v) else (v.item() if hasattr(v, "item") else v) for v in col.tolist()]
