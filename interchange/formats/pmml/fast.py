"""The PMML fast path: compile a document into batch functions and evaluate it with numpy.

The compiler is strict: any element, attribute value or construct it does not implement
exactly raises NotCovered, and ``load`` then hands the whole document to pypmml. One module
per job: fast_scope (columns and derived fields), fast_expressions / fast_functions
(transformations, built-in and user functions), fast_schema (DataDictionary validity,
MiningSchema treatment), fast_predicates, fast_outputs (Targets, Output), and one module per
model element: fast_regression, fast_general, fast_trees, fast_mining, fast_scorecard,
fast_ruleset (fast_families: SVM, k-NN, naive Bayes, neural networks, clustering).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from lxml import etree

from interchange.batch import Columns, num_rows
from interchange.document import Document
from interchange.formats.pmml.fast_expressions import Ctx, derived_fields
from interchange.formats.pmml.fast_outputs import OutputFn, output_fields, targets
from interchange.formats.pmml.fast_schema import Treatment, check_nested, data_fields, treatments
from interchange.formats.pmml.fast_scope import Fn, Scope, num
from interchange.formats.pmml.parse import NotCovered, Parsed, child, children, local
from interchange.ir.graph import Env, ModelStep, Prediction, Step, outputs_from
from interchange.model import Model, ModelInfo

__all__ = ["FastPMMLModel", "compile_document", "compiler", "COMPILERS", "Scoped", "compile_model", "current"]

# Model elements whose compilers produce everything the Output machinery reads (labels,
# probabilities, entity ids, reason codes); other families keep the plain output mapping.
FULL_OUTPUT = {"RegressionModel", "GeneralRegressionModel", "TreeModel", "MiningModel", "Scorecard", "RuleSetModel"}
# Output features each model element provides beyond predictedValue / probability / transformedValue.
FEATURES: dict[str, set[str]] = {"TreeModel": {"entityId"}, "RuleSetModel": {"entityId"}, "Scorecard": {"reasonCode"}}


@dataclass
class Compilation:
    """What every model compiler of one document shares: the outermost model and field facts."""

    root: etree._Element
    top: etree._Element
    ctx: Ctx
    fields: dict[str, etree._Element]


_CURRENT: ContextVar[Compilation] = ContextVar("pmml_compilation")


def current() -> Compilation:
    """The document being compiled (for model compilers that need field types or functions)."""
    return _CURRENT.get()


@dataclass(frozen=True)
class Scoped(ModelStep):
    """A compiled model element: its LocalTransformations, the model, Targets and Output."""

    tag: str
    local: dict[str, Fn]
    inner: ModelStep
    post: Callable[[Prediction], Prediction]
    outputs: list[tuple[str, OutputFn]] = field(default_factory=list)
    inputs: tuple[str, ...] = ()

    def run(self, env: Env) -> tuple[Prediction, Scope]:
        """The prediction and the model's scope (its local fields, for Output expressions)."""
        scope = env.child(self.local) if isinstance(env, Scope) else Scope(dict(env), num_rows(env), self.local)
        pred = self.post(self.inner.predict(scope).finish())
        return pred, scope

    def predict(self, env: Env) -> Prediction:
        return self.run(env)[0]

    def output_scope(self, pred: Prediction, scope: Scope) -> Scope:
        """A scope holding this model's OutputFields (in order; later ones see earlier ones)."""
        out = scope.child()
        for name, fn in self.outputs:
            out[name] = fn(pred, out)
        return out


def _check_schema(model: etree._Element) -> None:
    """MiningSchema treatments other than the defaults change values: not on the fast path."""
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        for attr in ("missingValueReplacement", "outliers", "lowValue", "highValue"):
            if mf.get(attr) is not None and not (attr == "outliers" and mf.get(attr) == "asIs"):
                raise NotCovered(f"MiningField {mf.get('name')} {attr}")
        if mf.get("invalidValueTreatment", "returnInvalid") != "returnInvalid":
            raise NotCovered(f"MiningField {mf.get('name')} invalidValueTreatment")
    for tag in ("LocalTransformations", "Targets"):
        if child(model, tag) is not None:
            raise NotCovered(f"<{tag}> in <{local(model)}>")


ModelCompiler = Callable[[etree._Element, list[Step]], ModelStep]
COMPILERS: dict[str, ModelCompiler] = {
    "RegressionModel": lambda model, steps: _regression(model),
    "MiningModel": _mining,
    "TreeModel": _tree_model,
}


def compiler(tag: str) -> Callable[[ModelCompiler], ModelCompiler]:
    """Register the fast-path compiler for the PMML model element ``tag`` (one per tag)."""

    def register(fn: ModelCompiler) -> ModelCompiler:
        if tag in COMPILERS:
            raise ValueError(f"a PMML fast-path compiler for <{tag}> is already registered")
        COMPILERS[tag] = fn
        return fn

    return register


# modules whose @compiler decorators add model elements
_FAMILY_MODULES: tuple[str, ...] = ("interchange.formats.pmml.fast_families",)
_loaded = False


def _model(model: etree._Element, steps: list[Step]) -> ModelStep:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _FAMILY_MODULES:
            importlib.import_module(module)
    fn = COMPILERS.get(local(model))
    if fn is None:
        raise NotCovered(f"<{local(model)}>")
    return fn(model, steps)


def compile_document(parsed: Parsed) -> tuple[list[Step], ModelStep]:
    """IR steps and the model step for a parsed document, or NotCovered."""
    if local(parsed.model) != "MiningModel" and child(parsed.model, "Segmentation") is not None:
        raise NotCovered("Segmentation outside MiningModel")
    out = child(parsed.model, "Output")
    for of in children(out, "OutputField") if out is not None else []:
        if of.get("feature", "predictedValue") not in ("predictedValue", "probability") or len(of):
            raise NotCovered(f"OutputField feature={of.get('feature')}")
    _check_valid_values(parsed)
    steps = _transforms(parsed.root)
    model = _model(parsed.model, steps)
    return steps, model


def _check_valid_values(parsed: Parsed) -> None:
    """Declared valid values make others invalid (no prediction): not on the fast path yet."""
    schema = child(parsed.model, "MiningSchema")
    active = {mf.get("name") for mf in children(schema, "MiningField") if mf.get("usageType", "active") == "active"}
    for df in children(child(parsed.root, "DataDictionary"), "DataField"):
        if df.get("name") in active and (children(df, "Value") or children(df, "Interval")):
            raise NotCovered(f"DataField {df.get('name')} declares valid values (invalid value treatment)")


class FastPMMLModel(Model):
    """A PMML document compiled to IR and evaluated with numpy."""

    def __init__(self, document: Document, parsed: Parsed) -> None:
        self.document = document
        self.signature = parsed.signature
        self._steps, self._model = compile_document(parsed)
        self.info = ModelInfo("pmml", "interchange-fast")

    def _predict_columns(self, columns: Columns) -> Columns:
        env: Env = dict(columns)
        for step in self._steps:
            step.apply(env)
        pred: Prediction = self._model.predict(env).finish()
        return outputs_from(pred, self.signature)
