"""The PMML fast path: compile a document into batch functions and evaluate it with numpy.

The compiler is strict: any element, attribute value or construct it does not implement
exactly raises NotCovered, and ``load`` then hands the whole document to pypmml. One module
per job: scope (columns and derived fields), expressions/ (transformations, built-in and user
functions, predicates), schema (DataDictionary validity, MiningSchema treatment), outputs
(Targets, Output), and one module per model element under models/ and trees/. RegressionModel,
GeneralRegressionModel, Scorecard and RuleSetModel evaluate the lift's IR step of the element
(lifted.OnIR); the other families compile to IR steps with PMML's edges (missing inputs,
ties, ids) around the IR's kernels.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
from lxml import etree

from interchange.batch import Columns, num_rows
from interchange.document import Document
from interchange.errors import RecordError
from interchange.formats.pmml.fast.outputs import OutputFn, output_fields, targets
from interchange.formats.pmml.fast.schema import Treatment, check_nested, data_fields, treatments
from interchange.formats.pmml.parse import Defer, NotCovered, Parsed, child, children, local
from interchange.formats.pmml.read.compile import Ctx, derived_fields, elements, single
from interchange.formats.pmml.read.scope import Fn, Scope, num
from interchange.ir.graph import Env, ModelStep, Prediction, Step, outputs_from
from interchange.model import Model, ModelInfo, Scored
from interchange.signature import Signature

__all__ = ["INERT", "FastPMMLModel", "compile_document", "compiler", "COMPILERS", "Scoped", "compile_model", "current"]

# Model elements whose compilers produce everything the Output machinery reads (labels,
# probabilities, entity ids, reason codes); other families keep the plain output mapping.
FULL_OUTPUT = {
    "RegressionModel",
    "GeneralRegressionModel",
    "TreeModel",
    "MiningModel",
    "Scorecard",
    "RuleSetModel",
    "AnomalyDetectionModel",
}
# Output features each model element provides beyond predictedValue / probability / transformedValue.
# (pypmml 1.5.8 gives no entityId for RuleSetModel: not offered)
FEATURES: dict[str, set[str]] = {
    "TreeModel": {"entityId", "confidence"},
    "RuleSetModel": {"confidence"},
    "Scorecard": {"reasonCode"},
    "MiningModel": {"segmentId"},
    "ClusteringModel": {"affinity"},
    "NearestNeighborModel": {"rankedEntityId"},
}
# Families outside FULL_OUTPUT whose outermost Output is also computed by output_fields
# (their extra features: cluster affinities, neighbour ids).
TOP_OUTPUT = {"ClusteringModel", "NearestNeighborModel"}
# Children of a model element that do not change what it computes (model elements add theirs).
INERT = frozenset(
    {"MiningSchema", "Output", "Targets", "LocalTransformations", "ModelStats", "ModelExplanation", "ModelVerification"}
)


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


# Families whose compiler reads every input by name from the model's scope, where its
# LocalTransformations are defined (JPMML-SkLearn puts a pipeline's scaling there) and where the
# outermost MiningSchema treatments have been applied (compile_document; check_nested makes a
# nested model's agree with them). k-NN too: a MiningField missingValueReplacement (JPMML-SkLearn's
# SimpleImputer) replaces the raw input before the LocalTransformations that its KNNInputs read,
# as JPMML-Evaluator does (TrainingInstances isTransformed="true" hold the transformed values).
SCOPED_INPUTS = frozenset(
    {"NeuralNetwork", "NaiveBayesModel", "ClusteringModel", "SupportVectorMachineModel", "NearestNeighborModel"}
)
# Families whose compiler reads its inputs by name from the model's scope, LocalTransformations included
LOCAL_INPUTS = SCOPED_INPUTS


def _check_schema(model: etree._Element) -> None:
    """MiningSchema treatments other than the defaults change values: not on the fast path
    (except for SCOPED_INPUTS families, whose inputs see the treated values)."""
    if local(model) in SCOPED_INPUTS:
        if child(model, "Targets") is not None:
            raise NotCovered(f"<Targets> in <{local(model)}>")
        return
    for mf in children(child(model, "MiningSchema"), "MiningField"):
        for attr in ("missingValueReplacement", "outliers", "lowValue", "highValue"):
            if mf.get(attr) is not None and not (attr == "outliers" and mf.get(attr) == "asIs"):
                raise NotCovered(f"MiningField {mf.get('name')} {attr}")
        if mf.get("invalidValueTreatment", "returnInvalid") != "returnInvalid":
            raise NotCovered(f"MiningField {mf.get('name')} invalidValueTreatment")
    for tag in ("LocalTransformations", "Targets"):
        if child(model, tag) is not None and not (tag == "LocalTransformations" and local(model) in LOCAL_INPUTS):
            raise NotCovered(f"<{tag}> in <{local(model)}>")


ModelCompiler = Callable[[etree._Element, list[Step]], ModelStep]
COMPILERS: dict[str, ModelCompiler] = {}


def compiler(tag: str) -> Callable[[ModelCompiler], ModelCompiler]:
    """Register the fast-path compiler for the PMML model element ``tag`` (one per tag)."""

    def register(fn: ModelCompiler) -> ModelCompiler:
        if tag in COMPILERS:
            raise ValueError(f"a PMML fast-path compiler for <{tag}> is already registered")
        COMPILERS[tag] = fn
        return fn

    return register


# modules whose @compiler decorators add model elements
_FAMILY_MODULES: tuple[str, ...] = (
    "interchange.formats.pmml.lifted.models.regression",
    "interchange.formats.pmml.lifted.models.general",
    "interchange.formats.pmml.fast.trees.model",
    "interchange.formats.pmml.fast.models.mining",
    "interchange.formats.pmml.lifted.models.scorecard",
    "interchange.formats.pmml.lifted.models.ruleset",
    "interchange.formats.pmml.lifted.models.families",
    "interchange.formats.pmml.lifted.models.svm",
    "interchange.formats.pmml.lifted.models.knn",
    "interchange.formats.pmml.lifted.models.mining",
    "interchange.formats.pmml.fast.models.anomaly",
)
_loaded = False


def _model(model: etree._Element, steps: list[Step]) -> ModelStep:
    """The registry's compiler for ``model`` (kept for family modules; see compile_model)."""
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _FAMILY_MODULES:
            importlib.import_module(module)
    fn = COMPILERS.get(local(model))
    if fn is None:
        raise NotCovered(f"<{local(model)}>")
    return fn(model, steps)


def _as_is(pred: Prediction) -> Prediction:
    return pred


def compile_model(model: etree._Element) -> Scoped:
    """A model element (outermost or nested in a segment) with its LocalTransformations,
    Targets and Output."""
    comp = current()
    tag = local(model)
    if tag != "MiningModel" and child(model, "Segmentation") is not None:
        raise NotCovered("Segmentation outside MiningModel")
    if model is not comp.top:
        check_nested(model, comp.top)
    if model.get("functionName") not in ("regression", "classification") and (model is not comp.top or tag in FULL_OUTPUT):
        raise NotCovered(f"<{tag}> functionName={model.get('functionName')}")
    if tag not in FULL_OUTPUT:
        for bad in ("LocalTransformations", "Targets"):
            if child(model, bad) is not None and not (bad == "LocalTransformations" and tag in LOCAL_INPUTS):
                raise NotCovered(f"<{bad}> in <{tag}>")
    local_defs = derived_fields(child(model, "LocalTransformations"), comp.ctx)
    inner = _model(model, [])
    post, display = targets(model)
    if getattr(inner, "holds_targets", False):  # an IR step that folded the Targets in (lifted/models/mining.py, float)
        post = _as_is
    outputs: list[tuple[str, OutputFn]] = []
    if tag in FULL_OUTPUT or tag in TOP_OUTPUT or model is not comp.top:
        residual = {"residual"} if model is comp.top and tag in FULL_OUTPUT else set()  # the target is an input there
        outputs = output_fields(model, comp.ctx, FEATURES.get(tag, set()) | residual, display)
    return Scoped(tag, local_defs, inner, post, outputs)


@dataclass(frozen=True)
class Program:
    """A compiled document: input treatments, global derived fields, the outermost model."""

    treatments: list[Treatment]
    defs: dict[str, Fn]
    model: Scoped
    full_output: bool
    single: bool = False  # x-mathContext="float": results are float32 values


def compile_document(parsed: Parsed) -> Program:
    """The compiled document, or NotCovered."""
    fields = data_fields(parsed.root)
    ctx = Ctx({name: df.get("dataType", "double") for name, df in fields.items()})
    token = _CURRENT.set(Compilation(parsed.root, parsed.model, ctx, fields))
    try:
        defs = derived_fields(child(parsed.root, "TransformationDictionary"), ctx)
        model = compile_model(parsed.model)
        names = {n for n, _ in model.outputs} | _predicted_target(parsed.signature)  # the target: from the prediction
        full = local(parsed.model) in FULL_OUTPUT | TOP_OUTPUT and all(f.name in names for f in parsed.signature.outputs)
        if not full:
            out = child(parsed.model, "Output")
            for of in children(out, "OutputField") if out is not None else []:
                body = [e for e in elements(of) if local(e) != "Value"]  # <Value>s only declare values
                if of.get("feature", "predictedValue") not in ("predictedValue", "probability") or body:
                    raise NotCovered(f"OutputField feature={of.get('feature')}")
        single = parsed.model.get("x-mathContext") == "float"
        target = parsed.signature.meta.get("target")
        as_input = target if target in parsed.signature.input_names else None  # (OutputField residual)
        return Program(treatments(parsed.model, fields, as_input), defs, model, full, single)
    finally:
        _CURRENT.reset(token)


_NUMERIC_KINDS = ("probability", "value", "score", "decision")


class FastPMMLModel(Model):
    """A PMML document compiled to batch functions and evaluated with numpy."""

    def __init__(self, document: Document, parsed: Parsed) -> None:
        self.document = document
        self.signature = parsed.signature
        with _collector_paused():
            self._program = compile_document(parsed)
        self._reference: Model | None = None  # pypmml, started for the first deferred batch
        self.info = ModelInfo("pmml", "interchange-fast")

    def _predict_columns(self, columns: Columns) -> Columns:
        return self._score_columns(columns).outputs

    def _score_columns(self, columns: Columns) -> Scored:
        try:
            return self._fast(columns)
        except Defer:
            if self._reference is None:
                from interchange.formats.pmml.reference import PypmmlModel

                self._reference = PypmmlModel(self.document, self.signature)
            return self._reference._score_columns(columns)

    def _fast(self, columns: Columns) -> Scored:
        prog = self._program
        n = num_rows(columns)
        cols = dict(columns)
        rejected = np.zeros(n, dtype=bool)
        refused: dict[int, RecordError] = {}
        for t in prog.treatments:  # PMML 4.4 §MiningSchema, on the outermost model's inputs
            raw = cols[t.name]
            if t.classify is None and t.plain and raw.dtype.kind == "f":  # Treatment.apply's common case, no masks
                cols[t.name] = raw.astype(np.float64, copy=True)
                continue
            cols[t.name], bad = t.apply(raw)
            if not bad.any():
                continue
            for i in np.flatnonzero(bad & ~rejected).tolist():  # the first field that made the row invalid
                refused[i] = RecordError(
                    f"no prediction: input {t.name!r} = {raw[i]!r} is invalid for this PMML model "
                    "(outside its DataField values; MiningField invalidValueTreatment returnInvalid)",
                    field=t.name,
                    row=i,
                )
            rejected |= bad
        root = Scope(cols, n, prog.defs)
        pred, scope = prog.model.run(root)
        if prog.full_output:
            done = prog.model.output_scope(pred, scope)
            out = {f.name: done[f.name] for f in self.signature.outputs if f.name in done}
            missing = [f for f in self.signature.outputs if f.name not in done]  # the target's predicted value
            if missing:
                out.update(outputs_from(pred, Signature(self.signature.inputs, tuple(missing))))
        else:
            out = outputs_from(pred, self.signature)
        result: Columns = {}
        for f in self.signature.outputs:  # the shapes the reference runtime returns
            col = np.asarray(out[f.name])
            if f.kind in _NUMERIC_KINDS and f.type != "string":
                col = num(col) if col.dtype.kind != "O" else _floats(col)
                if prog.single:  # JPMML's x-mathContext="float": the result is a float32 (computed here in double)
                    col = single(col)
                col = np.where(rejected, np.nan, col)
                if f.type == "boolean":  # pypmml: a missing boolean output reads false
                    col = np.where(np.isnan(col), 0.0, col)
            else:
                col = col.astype(object)
                col[rejected] = None
            result[f.name] = col
        return Scored(result, refused)


def _predicted_target(signature: Signature) -> set[str]:
    """The target field, when the signature lists it as an output of its own (parse.py adds the
    predicted value JPMML-Evaluator returns where the document's Output does not declare it)."""
    target = signature.meta.get("target")
    return {target} if target and target in signature.output_names else set()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Compile without Python's cyclic garbage collector: a large tree ensemble allocates some
    100k objects that all stay alive, and the collector's repeated full passes over them were a
    third of a cold load (measured on a 100-tree forest). Cycles made meanwhile are collected later."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _floats(col: np.ndarray) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in col], dtype=np.float64)
